"""Keyset pagination: no duplicates or gaps under concurrent inserts, signed cursors bound to filters."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest

from backend.db.ids import new_id
from backend.db.models import User

SAME_INSTANT = datetime(2026, 3, 31, 23, 59, 59, 123456, tzinfo=timezone.utc)


def _seed_users(rt, account_id: str, n: int, *, shared: int) -> set[str]:
    """n users; the first `shared` of them created at one identical instant (a bulk import)."""
    ids = set()
    with rt.db.session(system=True, write=True) as s:
        for i in range(n):
            uid = new_id()
            created = SAME_INSTANT if i < shared else datetime(2026, 1, 1, tzinfo=timezone.utc).replace(microsecond=i)
            s.add(User(id=uid, account_id=account_id, name=f"Seed {i}", email=f"seed-{uid.lower()}@x.com", role="REVIEWER",
                       actor_kind="human", active=True, created_at=created))
            ids.add(uid)
    return ids


def _walk(client, demo, *, limit: int, sort: str, params=None, during=None) -> list[str]:
    seen, cursor, pages = [], None, 0
    while True:
        q = {"limit": limit, "sort": sort, **(params or {})}
        if cursor:
            q["cursor"] = cursor
        r = client.get("/v1/users", headers=demo.headers(), params=q)
        assert r.status_code == 200, r.text
        body = r.json()
        seen += [u["id"] for u in body["data"]]
        pages += 1
        if during:
            during(pages)
        if not body["has_more"]:
            assert body["next_cursor"] is None
            return seen
        cursor = body["next_cursor"]


@pytest.mark.parametrize("sort", ["created_at:desc", "created_at:asc"])
def test_walk_over_1000_rows_with_concurrent_inserts(client, demo, rt, sort):
    existing = _seed_users(rt, demo.account_id, 1000, shared=400) | {_owner_id(client, demo)}
    inserted: list[str] = []

    def insert_more(_page):
        # Another client keeps adding users while we page; some share the bulk-import instant.
        def work():
            inserted.extend(_seed_users(rt, demo.account_id, 3, shared=1 if len(inserted) % 2 else 0))
        t = threading.Thread(target=work)
        t.start()
        t.join()

    seen = _walk(client, demo, limit=37, sort=sort, during=insert_more)
    assert len(seen) == len(set(seen)), "a row was returned twice"
    assert existing <= set(seen), f"{len(existing - set(seen))} rows that existed at the start were skipped"
    assert inserted, "the concurrent writer did not run"


def _owner_id(client, demo) -> str:
    return client.get("/v1/me", headers=demo.headers()).json()["user"]["id"]


def test_page_shape_and_limits(client, demo, rt):
    _seed_users(rt, demo.account_id, 60, shared=10)
    r = client.get("/v1/users", headers=demo.headers()).json()
    assert (len(r["data"]), r["total_count"], r["has_more"]) == (50, 61, True)
    assert client.get("/v1/users", headers=demo.headers(), params={"limit": 200}).json()["has_more"] is False
    assert client.get("/v1/users", headers=demo.headers(), params={"limit": 201}).status_code == 400
    assert client.get("/v1/users", headers=demo.headers(), params={"limit": 0}).status_code == 400
    r = client.get("/v1/users", headers=demo.headers(), params={"sort": "password:asc"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_sort"


def test_filters_apply_before_pagination(client, demo, rt):
    _seed_users(rt, demo.account_id, 30, shared=0)
    r = client.get("/v1/users", headers=demo.headers(), params={"role": "OWNER", "limit": 5}).json()
    assert r["total_count"] == 1 and [u["role"] for u in r["data"]] == ["OWNER"]


def test_tampered_or_foreign_cursor_is_400(client, demo, rt):
    _seed_users(rt, demo.account_id, 20, shared=5)
    cursor = client.get("/v1/users", headers=demo.headers(), params={"limit": 5}).json()["next_cursor"]
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    for bad in (tampered, "not-a-cursor"):
        r = client.get("/v1/users", headers=demo.headers(), params={"limit": 5, "cursor": bad})
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_cursor"
    # The same cursor with other filters (or another sort) is refused rather than silently wrong.
    r = client.get("/v1/users", headers=demo.headers(), params={"limit": 5, "cursor": cursor, "role": "REVIEWER"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_cursor"
    r = client.get("/v1/users", headers=demo.headers(), params={"limit": 5, "cursor": cursor, "sort": "created_at:asc"})
    assert r.status_code == 400


def _count_queries(rt):
    """Record the COUNT statements the engine runs (the page's total)."""
    from sqlalchemy import event

    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        if "count(" in statement.lower():
            seen.append(statement)

    event.listen(rt.db.engine, "before_cursor_execute", listen)
    return seen, lambda: event.remove(rt.db.engine, "before_cursor_execute", listen)


def test_total_count_is_exact_with_or_without_the_count_query(client, demo, rt):
    """A first page that holds every row is its own total (no COUNT round trip, #22); a page
    with more behind it, or any later page, still counts the whole filtered set."""
    _seed_users(rt, demo.account_id, 11, shared=3)  # 12 users with the owner
    seen, stop = _count_queries(rt)
    try:
        whole = client.get("/v1/users", headers=demo.headers(), params={"limit": 12}).json()
        assert (len(whole["data"]), whole["total_count"], whole["has_more"]) == (12, 12, False)
        assert seen == []
        filtered = client.get("/v1/users", headers=demo.headers(), params={"role": "REVIEWER"}).json()
        assert (len(filtered["data"]), filtered["total_count"]) == (11, 11) and seen == []
        first = client.get("/v1/users", headers=demo.headers(), params={"limit": 5}).json()
        assert (first["total_count"], first["has_more"]) == (12, True) and len(seen) == 1
        last = client.get("/v1/users", headers=demo.headers(), params={"limit": 10}).json()
        tail = client.get("/v1/users", headers=demo.headers(),
                          params={"limit": 10, "cursor": last["next_cursor"]}).json()
        assert (len(tail["data"]), tail["total_count"], tail["has_more"]) == (2, 12, False)
        assert len(seen) == 3
    finally:
        stop()
