"""Upload a register through the API and collect what a client sees of its drafts, normalised
(ids → ``lease-N`` in order of appearance, timestamps → ``<ts>``).

Used by tests/leases/test_bulk_drafts_golden.py and, to (re)record the golden file from a given
commit, as a script run with that commit's ``backend`` on the path:

    git worktree add /tmp/old-drafts <commit>
    cd /tmp/old-drafts && PYTHONPATH=/tmp/old-drafts /work/main/.venv/bin/python \\
        /work/wt-scale/tests/leases/golden/drafts_api.py /work/wt-scale/tests/leases/golden/drafts_golden.json

Only the REST API, ``create_app``, ``Runtime`` and ``tenancy.bootstrap_demo`` are used, so the
script runs unchanged on the row-at-a-time code and on today's.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

INPUTS = Path(__file__).resolve().parent / "inputs"
TIMESTAMPS = {"created_at", "updated_at", "confirmed_at"}
DEFAULT_ENTITY = "DEMO-US"
SAME_AS_EXTRACT = "same as extract.drafts"
SAME_AS_EXTRACT_SORTED = "same as extract.drafts sorted by (external_id, id)"


def register_names() -> list[str]:
    return sorted(p.name for p in INPUTS.iterdir())


def collect(client, headers: dict, name: str) -> dict:
    """Alias DE01 as "Demo Deutschland", upload ``name`` with default entity DEMO-US, then read
    every stored draft back (GET one by one, and the list sorted by external id)."""
    r = client.patch("/v1/entities/DE01", headers=headers, json={"aliases": ["Demo Deutschland"]})
    assert r.status_code == 200, r.text
    data = (INPUTS / name).read_bytes()
    up = client.post("/v1/leases/extract-file", headers=headers, data={"entity": DEFAULT_ENTITY},
                     files={"file": (name, data, "application/octet-stream")})
    out = {"status": up.status_code, "extract": up.json()}
    if up.status_code != 201:
        return normalise(out)
    raw_ids = [d["id"] for d in up.json()["drafts"]]
    out["get"] = []
    for i in raw_ids:
        r = client.get(f"/v1/leases/{i}", headers=headers)
        assert r.status_code == 200, r.text
        out["get"].append(r.json())
    listed, cursor = [], None
    while True:
        params = {"limit": 200, "sort": "external_id:asc", **({"cursor": cursor} if cursor else {})}
        r = client.get("/v1/leases", headers=headers, params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        listed += page["data"]
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    out["list"] = listed
    # The import's audit rows (one per draft, hash-chained): what they say, not their hashes or times.
    audit, cursor = [], None
    while True:
        params = {"limit": 200, "sort": "seq:asc", "action": "leases.create", **({"cursor": cursor} if cursor else {})}
        r = client.get("/v1/audit-events", headers=headers, params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        audit += [{k: e[k] for k in ("kind", "action", "outcome", "actor_kind", "resource_type", "resource_id",
                                     "details")} for e in page["data"]]
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    out["audit"] = audit
    verify = client.get("/v1/audit-events/verify", headers=headers)
    assert verify.status_code == 200 and verify.json()["ok"] is True, verify.text
    out["sorted"] = sorted(up.json()["drafts"], key=lambda d: (d["external_id"], d["id"]))
    out = normalise(out)
    expected_list = out.pop("sorted")
    # GET and the list return the same views as the upload (kept once in the file when they do).
    drafts = out["extract"]["drafts"]
    if out["get"] == drafts:
        out["get"] = SAME_AS_EXTRACT
    if out["list"] == expected_list:
        out["list"] = SAME_AS_EXTRACT_SORTED
    return out


def normalise(doc):
    ids: dict[str, str] = {}

    def walk(v, key=None):
        if isinstance(v, dict):
            return {k: walk(x, k) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if key in TIMESTAMPS and v is not None:
            return "<ts>"
        if key in ("id", "lease_id") and isinstance(v, str):
            return ids.setdefault(v, f"lease-{len(ids)}")
        if isinstance(v, str) and v in ids:
            return ids[v]
        return v

    return walk(doc)


def _record(path: str) -> None:
    import tempfile

    from fastapi.testclient import TestClient

    from backend.api.app import create_app
    from backend.db.migrate import upgrade
    from backend.db.session import Database
    from backend.services.platform import tenancy
    from backend.services.platform.context import Runtime
    from backend.settings import Settings

    secret = "golden-secret-key-that-is-long-enough-0123456789"
    golden = {}
    for name in register_names():
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/ledger.db"
            upgrade(url)
            settings = Settings(database_url=url, secret_key=secret, worker_in_process=False,
                                default_plan="enterprise", _env_file=None)
            rt = Runtime(settings=settings, db=Database(url), secret_key=secret)
            boot = tenancy.bootstrap_demo(rt)
            with TestClient(create_app(rt), raise_server_exceptions=False) as client:
                golden[name] = collect(client, {"Authorization": f"Bearer {boot.token}"}, name)
            rt.db.dispose()
        print(name, golden[name]["status"], len(golden[name]["extract"].get("drafts", [])), "drafts")
    Path(path).write_text(json.dumps(golden, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    _record(sys.argv[1])
