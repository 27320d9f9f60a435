"""One handle on the shared database: engine, sessions, health check."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from onestop_desk.db.engine import (
    READONLY,
    SQLITE_BUSY_TIMEOUT_S,
    describe_url,
    make_engine,
    make_sessionmaker,
    normalise_url,
    unavailable,
)


class Database:
    """The database every face shares, PostgreSQL on the LAN or an embedded SQLite file."""

    def __init__(self, url: URL | str, *, echo: bool = False) -> None:
        self.url = normalise_url(url)
        self.engine: Engine = make_engine(self.url, echo=echo)
        self._readonly_engine = self.engine.execution_options(**{READONLY: True})
        self._sessions = make_sessionmaker(self.engine)
        self._closed = False
        # SQLite lets one writer in at a time and makes the others poll, sleeping up to 100 ms
        # between tries. Writers of this process queue on this lock instead and get the turn
        # the moment it is free (UnitOfWork takes it); other processes still meet SQLite's
        # busy timeout. Re-entrant: a nested writer in one thread fails in SQLite as before.
        self._write_turn: threading.RLock | None = None if self.is_postgresql else threading.RLock()
        event.listen(self.engine, "checkin", self._on_checkin)

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.url.get_backend_name()

    @property
    def is_postgresql(self) -> bool:
        return self.backend == "postgresql"

    def describe(self) -> str:
        """Where the data lives, password hidden, for screens and logs."""
        return describe_url(self.url)

    def session(self, *, readonly: bool = False, connection: Connection | None = None) -> Session:
        """A new session; read-only ones do not take SQLite's write lock.

        With ``connection`` (begun by ``connect``), the session works in that connection's
        transaction: its commit flushes, and committing is left to the connection.
        """
        if connection is not None:
            return self._sessions(bind=connection, join_transaction_mode="rollback_only")
        if readonly:
            return self._sessions(bind=self._readonly_engine)
        return self._sessions()

    def take_write_turn(self) -> bool:
        """Wait for this process's turn to write (SQLite); False when there is no such turn.

        Gives up after the busy timeout and returns False: SQLite itself then decides.
        """
        if self._write_turn is None:
            return False
        return self._write_turn.acquire(timeout=SQLITE_BUSY_TIMEOUT_S)

    def end_write_turn(self) -> None:
        """Hand the turn taken by ``take_write_turn`` to the next writer of this process."""
        if self._write_turn is not None:
            self._write_turn.release()

    def connect(self, *, readonly: bool = False) -> Connection:
        """A connection with its transaction begun (on SQLite, write ones hold the write lock)."""
        conn = (self._readonly_engine if readonly else self.engine).connect()
        try:
            conn.begin()
        except BaseException:
            conn.close()
            raise
        return conn

    def check(self) -> None:
        """Raise DatabaseUnavailable unless a trivial query succeeds."""
        try:
            with self._readonly_engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise unavailable(self.url, exc) from exc

    def dispose(self) -> None:
        """Close the pooled connections for good, before exit.

        A connection still in use by a background job (a refresh finishing after its window
        closed) is closed when it comes back, instead of lingering in a pool nobody disposes.
        """
        self._closed = True
        self.engine.dispose()

    def _on_checkin(self, dbapi_connection: Any, record: Any) -> None:
        if self._closed and dbapi_connection is not None:
            record.invalidate()
