"""Alembic migrations shipped in the package, run by ``db upgrade`` and at start-up."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from onestop_desk.db.database import Database
from onestop_desk.db.engine import is_connection_error, unavailable
from onestop_desk.errors import DatabaseSchemaError
from onestop_desk.log import db as log

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any fixed 64-bit number: the advisory lock all clients take before migrating.
PG_MIGRATION_LOCK = 0x4F4E4553544F50


def alembic_config() -> Config:
    """Alembic configuration pointing at the packaged migration scripts."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    """The newest revision this program knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    """The revision the database is at (None for an empty database)."""
    return MigrationContext.configure(conn).get_current_revision()


def _check_known(conn: Connection) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    current = current_revision(conn)
    if current is None:
        return
    try:
        known = script.get_revision(current) is not None
    except CommandError:
        known = False
    if not known:
        raise DatabaseSchemaError(
            f"Cơ sở dữ liệu đang ở phiên bản cấu trúc {current}, mới hơn chương trình này.",
            "Hãy cập nhật OneStop Desk trên máy này lên cùng phiên bản với các máy khác.",
        )


def upgrade(database: Database) -> tuple[str | None, str]:
    """Bring the schema to the newest revision; returns (before, after).

    Clients starting together serialise here: PostgreSQL through an advisory lock, SQLite
    through BEGIN IMMEDIATE. Whoever comes second finds the work done.
    """
    cfg = alembic_config()
    try:
        with database.engine.connect() as conn, conn.begin():
            if database.is_postgresql:
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK})
            _check_known(conn)
            before = current_revision(conn)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            after = current_revision(conn)
    except SQLAlchemyError as exc:
        if is_connection_error(exc):
            raise unavailable(database.url, exc) from exc
        raise
    assert after is not None
    if before != after:
        log.info("database %s upgraded from %s to %s", database.describe(), before, after)
    return before, after


def is_up_to_date(database: Database) -> bool:
    """True when the database is at the newest revision."""
    with database.engine.connect() as conn:
        return current_revision(conn) == head_revision()
