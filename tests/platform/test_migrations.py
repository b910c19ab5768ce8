"""Migrations build the schema from empty on both databases and match the models exactly."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

import backend.db.models  # noqa: F401
from backend.db.base import Base
from backend.db.migrate import downgrade, upgrade
from tests.conftest import PG_URL, _reset_pg_schema


def _urls(tmp_path):
    urls = [("sqlite", f"sqlite:///{tmp_path / 'm.db'}")]
    if PG_URL:
        urls.append(("postgres", PG_URL))
    return urls


@pytest.fixture
def fresh_urls(tmp_path, request):
    urls = _urls(tmp_path)
    if PG_URL:
        _reset_pg_schema(PG_URL)
    yield urls
    if PG_URL:  # leave the shared PostgreSQL database migrated for the session fixtures
        _reset_pg_schema(PG_URL)
        upgrade(PG_URL)


def test_upgrade_from_empty_matches_the_models(fresh_urls):
    for name, url in fresh_urls:
        upgrade(url)
        engine = create_engine(url)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        engine.dispose()
        assert diff == [], f"{name}: models and migrations differ: {diff}"


def test_downgrade_to_empty_and_up_again(fresh_urls):
    for _name, url in fresh_urls:
        upgrade(url)
        downgrade(url, "base")
        engine = create_engine(url)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        engine.dispose()
        upgrade(url)
        engine = create_engine(url)
        assert {"tenants", "users", "api_tokens", "audit_events"} <= set(inspect(engine).get_table_names())
        engine.dispose()
