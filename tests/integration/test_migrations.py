"""Schema migrations on real SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from onestop_desk.db.database import Database
from onestop_desk.db.migrate import head_revision, is_up_to_date, upgrade
from onestop_desk.db.models import Base
from onestop_desk.errors import DatabaseSchemaError


def test_upgrade_creates_every_table_and_is_idempotent(empty_db_url: str) -> None:
    database = Database(empty_db_url)
    try:
        before, after = upgrade(database)
        assert before is None
        assert after == head_revision()
        tables = set(inspect(database.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert upgrade(database) == (after, after)
        assert is_up_to_date(database)
    finally:
        database.dispose()


def test_migrations_match_the_models(empty_db_url: str) -> None:
    database = Database(empty_db_url)
    try:
        upgrade(database)
        with database.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        database.dispose()


def test_newer_schema_is_refused(empty_db_url: str) -> None:
    database = Database(empty_db_url)
    try:
        upgrade(database)
        with database.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        with pytest.raises(DatabaseSchemaError, match="mới hơn"):
            upgrade(database)
    finally:
        database.dispose()


def _upgrade_in_child(url: str, start: multiprocessing.synchronize.Event) -> tuple[str | None, str]:
    start.wait(10)
    database = Database(url)
    try:
        return upgrade(database)
    finally:
        database.dispose()


def test_two_clients_starting_together_migrate_once(empty_db_url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        start = manager.Event()
        with ctx.Pool(2) as pool:
            pending = [pool.apply_async(_upgrade_in_child, (empty_db_url, start)) for _ in range(2)]
            start.set()
            results = sorted((r.get(timeout=120) for r in pending), key=lambda r: r[0] is not None)
    head = head_revision()
    # Exactly one client found the database empty; the other found it already migrated.
    assert results == [(None, head), (head, head)]
