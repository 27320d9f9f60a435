"""Change notifications between PCs: NOTIFY on commit (PostgreSQL), data_version (SQLite).

Faces refresh from the database, never from a payload: a notification only says "look again".
"""

from __future__ import annotations

import sqlite3
from typing import Protocol

import psycopg
from psycopg import pq
from sqlalchemy import Connection, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from onestop_desk.log import db as log

CHANNEL = "onestop_desk"


def announce_change(session: Session | Connection, what: str = "") -> None:
    """Queue a notification in the transaction; PostgreSQL sends it at commit."""
    session.execute(text("SELECT pg_notify(:channel, :what)"), {"channel": CHANNEL, "what": what})


class ChangeSource(Protocol):
    """Something that can tell whether another process changed the database."""

    def poll(self) -> bool:
        """True when something changed since the last poll (never blocks for long)."""
        ...

    def close(self) -> None: ...


class SqliteChangeProbe:
    """Watches ``PRAGMA data_version``: it moves whenever another connection commits."""

    def __init__(self, path: str) -> None:
        self._conn = sqlite3.connect(path, timeout=1, check_same_thread=False)
        self._version = self._read()

    def _read(self) -> int:
        row = self._conn.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def poll(self) -> bool:
        version = self._read()
        changed = version != self._version
        self._version = version
        return changed

    def close(self) -> None:
        self._conn.close()


def _conninfo(url: URL) -> str:
    return psycopg.conninfo.make_conninfo(
        host=url.host or "localhost",
        port=str(url.port or 5432),
        dbname=url.database or "",
        user=url.username or "",
        password=url.password or "",
        connect_timeout="5",
        application_name="onestop-desk-listen",
        # A pulled network cable must not freeze a face for minutes: give up within seconds.
        keepalives="1",
        keepalives_idle="5",
        keepalives_interval="2",
        keepalives_count="2",
        tcp_user_timeout="5000",
    )


class PgListener:
    """A dedicated autocommit connection that LISTENs; its socket is watched by the caller.

    ``poll`` drains pending notifications without blocking; a broken connection raises
    ``psycopg.OperationalError`` and the caller reconnects (and then refreshes fully).
    """

    def __init__(self, url: URL) -> None:
        self._conn = psycopg.connect(_conninfo(url), autocommit=True)
        try:
            self._conn.execute(f"LISTEN {CHANNEL}")
        except BaseException:
            self._conn.close()  # never leave a half-made connection for the GC to find open
            raise
        log.debug("listening for changes on %s", url.render_as_string(hide_password=True))

    def fileno(self) -> int:
        return int(self._conn.pgconn.socket)

    def poll(self) -> bool:
        pgconn = self._conn.pgconn
        if pgconn.status != pq.ConnStatus.OK:
            raise psycopg.OperationalError("listen connection lost")
        pgconn.consume_input()
        changed = False
        while pgconn.notifies() is not None:
            changed = True
        return changed

    def check(self) -> None:
        """Round trip to the server: raises when the connection died silently."""
        self._conn.execute("SELECT 1")

    def close(self) -> None:
        self._conn.close()
