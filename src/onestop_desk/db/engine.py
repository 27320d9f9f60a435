"""Engine and session factory for SQLite (embedded, WAL) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from onestop_desk.errors import (
    BrokenReference,
    ConstraintViolation,
    DatabaseUnavailable,
    DuplicateRecord,
    InputError,
)

SQLITE_BUSY_TIMEOUT_S = 30
PG_CONNECT_TIMEOUT_S = 5
READONLY = "onestop_readonly"


def parse_url(text: str) -> URL:
    """A database URL from user input, or a clear error saying what it should look like."""
    try:
        return make_url(text.strip())
    except (ArgumentError, ValueError) as exc:
        raise InputError(
            f"Địa chỉ cơ sở dữ liệu '{text}' không hợp lệ.",
            "Dạng đúng: postgresql://NGƯỜI_DÙNG@MÁY_CHỦ:CỔNG/TÊN_CSDL hoặc sqlite:///ĐƯỜNG_DẪN_TỆP.",
        ) from exc


def normalise_url(url: URL | str) -> URL:
    """Pick our drivers: psycopg 3 for PostgreSQL, the standard library for SQLite."""
    url = parse_url(url) if isinstance(url, str) else url
    backend = url.get_backend_name()
    if backend == "postgresql" and url.get_driver_name() != "psycopg":
        url = url.set(drivername="postgresql+psycopg")
    elif backend not in {"postgresql", "sqlite"}:
        raise DatabaseUnavailable(
            f"Không hỗ trợ loại cơ sở dữ liệu '{backend}'.",
            "Dùng PostgreSQL (postgresql://...) hoặc tệp SQLite (sqlite:///...).",
        )
    return url


def _on_sqlite_connect(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # Take transaction control from the sqlite3 module so BEGIN IMMEDIATE is ours to emit.
    assert isinstance(dbapi_conn, sqlite3.Connection)
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cur.close()


def _on_sqlite_begin(conn: Any) -> None:
    # Writers take the write lock up front: no deadlock-prone lock upgrades, waiters queue.
    readonly = conn.get_execution_options().get(READONLY, False)
    conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def make_engine(url: URL | str, *, echo: bool = False) -> Engine:
    """An engine with our pragmas, timeouts and transaction behaviour."""
    url = normalise_url(url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            try:
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise unavailable(url, exc) from exc
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
        )
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S, "application_name": "onestop-desk"},
    )


def describe_url(url: URL) -> str:
    """The URL without its password, for screens and logs."""
    return url.render_as_string(hide_password=True)


def is_connection_error(exc: BaseException) -> bool:
    """True when a driver error means the server is unreachable (not a bug in a query)."""
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def unavailable(url: URL, exc: BaseException) -> DatabaseUnavailable:
    """A friendly error for a database that cannot be reached."""
    where = describe_url(url)
    if url.get_backend_name() == "sqlite":
        return DatabaseUnavailable(
            f"Không mở được tệp cơ sở dữ liệu {url.database}: {_first_line(exc)}",
            "Kiểm tra ổ đĩa còn chỗ trống và quyền ghi vào thư mục dữ liệu.",
        )
    return DatabaseUnavailable(
        f"Không kết nối được máy chủ cơ sở dữ liệu ({where}).",
        "Kiểm tra máy chủ đã bật, mạng nội bộ thông suốt và địa chỉ, mật khẩu đúng; "
        "nếu vẫn lỗi, báo cho cán bộ phụ trách công nghệ thông tin.",
    )


# PostgreSQL's SQLSTATE and SQLite's extended result names for the two common integrity errors.
_UNIQUE_STATES = frozenset({"23505", "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})
_REFERENCE_STATES = frozenset({"23503", "SQLITE_CONSTRAINT_FOREIGNKEY"})


def constraint_violation(exc: IntegrityError) -> ConstraintViolation:
    """The domain error for an integrity error: what the user sees instead of "unexpected"."""
    orig = exc.orig
    state = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
    if state in _UNIQUE_STATES:
        return DuplicateRecord(
            "Dữ liệu này đã có trong cơ sở dữ liệu, không lưu trùng được.",
            "Có thể máy khác vừa lưu cùng nội dung: tải lại danh sách rồi kiểm tra trước khi lưu.",
        )
    if state in _REFERENCE_STATES:
        return BrokenReference(
            "Dữ liệu liên quan không còn trong cơ sở dữ liệu hoặc vẫn đang được dùng.",
            "Tải lại rồi thử lại; nếu vẫn lỗi, báo cho cán bộ phụ trách công nghệ thông tin.",
        )
    return ConstraintViolation(
        "Dữ liệu không hợp lệ nên cơ sở dữ liệu không nhận.",
        "Kiểm tra lại các ô đã nhập; nếu vẫn lỗi, báo cho cán bộ phụ trách công nghệ thông tin.",
    )


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


@contextmanager
def driver_cursor(conn: Connection) -> Iterator[Any]:
    """The driver's own cursor on ``conn``'s transaction, for a hot path sending ready SQL.

    It skips SQLAlchemy's work per statement (events, result objects); its errors still leave
    as SQLAlchemy's (``OperationalError``...), and a lost connection is invalidated, as
    ``exec_driver_sql`` would do. Parameters are the driver's: bind processing is the
    caller's job.
    """
    dbapi_error: type[Exception] = conn.dialect.loaded_dbapi.Error
    fairy = conn.connection
    cursor = fairy.cursor()
    try:
        yield cursor
    except dbapi_error as exc:
        lost = conn.dialect.is_disconnect(cast(Any, exc), fairy.dbapi_connection, cursor)
        if lost:
            conn.invalidate(exc)
        raise DBAPIError.instance(
            None, None, exc, dbapi_error, connection_invalidated=lost, dialect=conn.dialect
        ) from exc
    finally:
        with suppress(Exception):
            cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (screens show them after saving)."""
    return sessionmaker(bind=engine, expire_on_commit=False)
