"""Token format, checksum, hashing, revocation."""
from __future__ import annotations

import re

from backend.auth import tokens
from backend.db.models import ApiToken

TEST_KEY = "k" * 40


def test_format_prefix_length_and_checksum():
    t = tokens.generate("sandbox")
    assert re.fullmatch(r"ll_test_[0-9A-Za-z]{43}", t)
    assert tokens.tenant_kind_of(t) == "sandbox"
    live = tokens.generate("production")
    assert live.startswith("ll_live_") and tokens.tenant_kind_of(live) == "production"


def test_checksum_rejects_a_mistyped_token():
    t = tokens.generate("sandbox")
    flipped = t[:10] + ("A" if t[10] != "A" else "B") + t[11:]
    assert tokens.tenant_kind_of(flipped) is None
    assert tokens.tenant_kind_of(t[:-1]) is None
    assert tokens.tenant_kind_of("ll_prod_" + t[8:]) is None
    # A live body relabelled as test fails the checksum, because the prefix is part of it.
    assert tokens.tenant_kind_of("ll_test_" + live_body()) is None


def live_body() -> str:
    return tokens.generate("production")[len("ll_live_"):]


def test_hash_is_keyed_and_deterministic():
    t = tokens.generate("sandbox")
    assert tokens.hash_token(t, TEST_KEY) == tokens.hash_token(t, TEST_KEY)
    assert tokens.hash_token(t, TEST_KEY) != tokens.hash_token(t, "x" * 40)
    assert t not in tokens.hash_token(t, TEST_KEY)


def test_only_the_hash_is_stored(client, demo, rt):
    r = client.post("/v1/tokens", headers=demo.headers(), json={"name": "script"})
    assert r.status_code == 201
    secret = r.json()["token"]
    with rt.db.session(system=True) as s:
        rows = s.query(ApiToken).all()
    assert all(secret not in (row.token_hash, row.display_prefix, row.name) for row in rows)
    assert any(row.token_hash == tokens.hash_token(secret, rt.secret_key) for row in rows)
    listed = client.get("/v1/tokens", headers=demo.headers()).json()["data"]
    assert all("token" not in item for item in listed)
    assert secret not in r.text.replace(f'"token":"{secret}"', "")  # shown once, in its own field only


def test_revoked_token_fails_on_the_next_request(client, demo):
    r = client.post("/v1/tokens", headers=demo.headers(), json={"name": "temp"})
    tok_id, secret = r.json()["id"], r.json()["token"]
    assert client.get("/v1/me", headers=demo.headers(secret)).status_code == 200
    assert client.delete(f"/v1/tokens/{tok_id}", headers=demo.headers()).status_code == 200
    r = client.get("/v1/me", headers=demo.headers(secret))
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "token_revoked"


def test_preparer_cannot_mint_or_revoke_for_others(client, demo, make_user):
    other, _ = make_user("REVIEWER")
    _prep, prep_tok = make_user("PREPARER")
    r = client.post("/v1/tokens", headers=demo.headers(prep_tok), json={"name": "x", "user_id": other["id"]})
    assert r.status_code == 403
    own = client.post("/v1/tokens", headers=demo.headers(prep_tok), json={"name": "mine"})
    assert own.status_code == 201
    owner_tokens = client.get("/v1/tokens", headers=demo.headers()).json()["data"]
    boot = next(t for t in owner_tokens if t["name"] == "bootstrap")
    assert client.delete(f"/v1/tokens/{boot['id']}", headers=demo.headers(prep_tok)).status_code == 403
    # A non-admin only ever sees its own tokens.
    mine = client.get("/v1/tokens", headers=demo.headers(prep_tok)).json()["data"]
    assert {t["user_id"] for t in mine} == {_prep["id"]}


def test_deactivating_a_user_revokes_its_tokens_in_both_tenants(client, demo, make_user):
    user, sandbox_tok = make_user("PREPARER")
    from backend.services.platform import admin

    prod_tok = admin.mint_token(client.app.state.runtime, email=user["email"], tenant_kind="production",
                                name="prod")["token"]
    assert client.get("/v1/me", headers=demo.headers(prod_tok)).status_code == 200
    # Users are shared by both tenants, so changing one needs a production token (#12.7).
    owner_prod = admin.mint_token(client.app.state.runtime, email="owner@demo.example", tenant_kind="production",
                                  name="owner prod")["token"]
    r = client.patch(f"/v1/users/{user['id']}", headers=demo.headers(owner_prod), json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    for tok in (sandbox_tok, prod_tok):
        assert client.get("/v1/me", headers=demo.headers(tok)).status_code == 401


def test_revocation_is_immediate_for_a_token_in_steady_use(client, demo, rt):
    """The token lookup runs outside a transaction on a pooled connection (#22): a token used
    over and over is still refused on the very next request after its revocation, and a revoked
    token revoked from another connection (another process) is refused too."""
    from sqlalchemy import update

    from backend.db.models import ApiToken

    tokens = []
    for name in ("a", "b"):
        r = client.post("/v1/tokens", headers=demo.headers(), json={"name": name})
        tokens.append((r.json()["id"], r.json()["token"]))
    (a_id, a), (b_id, b) = tokens
    for _ in range(20):  # every pooled connection has looked the token up (and prepared the statement)
        assert client.get("/v1/me", headers=demo.headers(a)).status_code == 200
    assert client.delete(f"/v1/tokens/{a_id}", headers=demo.headers()).status_code == 200
    r = client.get("/v1/me", headers=demo.headers(a))
    assert (r.status_code, r.json()["error"]["code"]) == (401, "token_revoked")

    assert client.get("/v1/me", headers=demo.headers(b)).status_code == 200
    from backend.db.session import Database

    other = Database(rt.settings.database_url)  # another process's engine
    try:
        with other.session(system=True, write=True) as s:
            s.execute(update(ApiToken).where(ApiToken.id == b_id).values(revoked_at=rt.clock()))
    finally:
        other.dispose()
    r = client.get("/v1/me", headers=demo.headers(b))
    assert (r.status_code, r.json()["error"]["code"]) == (401, "token_revoked")


def test_the_token_lookup_holds_no_transaction(rt):
    """Autocommit reads leave no transaction open at the driver (no BEGIN was sent)."""
    from backend.services.platform.identity import _TOKEN_LOOKUP

    with rt.db.autocommit_engine.connect() as conn:
        conn.execute(_TOKEN_LOOKUP.stmt, {"digest": "x" * 64}).first()
        raw = conn.connection.dbapi_connection
        if rt.db.dialect == "sqlite":
            assert raw.in_transaction is False
        else:
            from psycopg.pq import TransactionStatus

            assert raw.info.transaction_status == TransactionStatus.IDLE
    with rt.db.engine.connect() as conn:  # the pool's ordinary connections still run in transactions
        conn.execute(_TOKEN_LOOKUP.stmt, {"digest": "x" * 64}).first()
        raw = conn.connection.dbapi_connection
        assert (raw.in_transaction if rt.db.dialect == "sqlite"
                else raw.info.transaction_status != TransactionStatus.IDLE)
