"""Unit of work: one transaction per user action, handed to service functions."""

from __future__ import annotations

import uuid
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from onestop_desk.db.database import Database
from onestop_desk.db.engine import constraint_violation, is_connection_error, unavailable
from onestop_desk.db.models import AuditEvent
from onestop_desk.db.notify import announce_change
from onestop_desk.errors import KnownError


class UnitOfWork:
    """A session in one transaction; rolled back unless ``commit()`` was called.

    Nothing is opened until it is used: ``session`` makes the ORM session, ``connection()``
    the transaction's connection for plain SQL. A unit of work that only sends plain SQL (the
    kiosk's ticket) never builds a session; one made later joins that connection's
    transaction, so both see and commit the same work.

    Driver errors are mapped once, where they leave the unit of work (its block or
    ``commit()``): "the server is gone" becomes ``DatabaseUnavailable``, an integrity error
    a ``ConstraintViolation`` (``DuplicateRecord``, ``BrokenReference``), each raised from the
    driver's error. Inside the block they are still SQLAlchemy's own.
    """

    def __init__(self, database: Database, *, readonly: bool = False, source: str = "app") -> None:
        self.database = database
        self.readonly = readonly
        self.source = source
        self._open = False
        self._session: Session | None = None
        self._connection: Connection | None = None
        self._write_turn = False

    @property
    def session(self) -> Session:
        if self._session is None:
            if not self._open:
                raise RuntimeError("unit of work used outside its 'with' block")
            self._take_write_turn()
            self._session = self.database.session(
                readonly=self.readonly, connection=self._connection
            )
        return self._session

    def connection(self) -> Connection:
        """The transaction's connection, for plain SQL (begun: SQLite's write lock is held)."""
        if self._session is not None:
            return self._session.connection()
        if self._connection is None:
            if not self._open:
                raise RuntimeError("unit of work used outside its 'with' block")
            self._take_write_turn()
            try:
                self._connection = self.database.connect(readonly=self.readonly)
            except SQLAlchemyError as exc:
                if is_connection_error(exc):
                    raise unavailable(self.database.url, exc) from exc
                raise
        return self._connection

    def _take_write_turn(self) -> None:
        # SQLite: wait here, not in SQLite's sleeping busy handler, for the other writers of
        # this process (see Database); held until the block ends.
        if not self.readonly and not self._write_turn:
            self._write_turn = self.database.take_write_turn()

    def flush(self) -> None:
        """Send the session's pending changes now (plain SQL does not autoflush them)."""
        if self._session is not None:
            self._session.flush()

    def __enter__(self) -> Self:
        self._open = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, connection = self._session, self._connection
        self._open, self._session, self._connection = False, None, None
        try:
            # close() rolls back an uncommitted transaction but, unlike rollback(), keeps the
            # loaded values of returned objects readable after the block.
            if session is not None:
                session.close()
            if connection is not None:
                connection.close()
        except SQLAlchemyError:
            if session is not None:
                session.invalidate()
            if connection is not None:
                connection.invalidate()
        finally:
            if self._write_turn:
                self._write_turn = False
                self.database.end_write_turn()
        known = self._known(exc)
        if known is not None:
            raise known from exc

    def _known(self, exc: BaseException | None) -> KnownError | None:
        """The domain error a driver error stands for, if it is one we map."""
        if isinstance(exc, IntegrityError):
            return constraint_violation(exc)
        if isinstance(exc, SQLAlchemyError) and is_connection_error(exc):
            return unavailable(self.database.url, exc)
        return None

    def commit(self, *, announced: bool = False) -> None:
        """Make the transaction's changes permanent and tell the other PCs to look again.

        ``announced``: a statement of this transaction already queued the notification
        (``pg_notify`` sent along with the change, saving a round trip).
        """
        try:
            if not (self.readonly or announced) and self.database.is_postgresql:
                announce_change(self._session or self.connection(), self.source)
            if self._session is not None:
                self._session.commit()  # flushes; commits unless it joined a connection
            if self._connection is not None:
                self._connection.commit()
        except SQLAlchemyError as exc:
            known = self._known(exc)
            if known is not None:
                raise known from exc
            raise

    def next_number(self, counter_table: Any, **key: Any) -> int:
        """Bump the counter row with this primary ``key`` and return its new ``last_number``.

        One upsert in this transaction: the row lock it takes (PostgreSQL) or the write lock
        already held (SQLite) makes concurrent writers queue here, so numbers never repeat,
        and a rolled-back transaction gives its number back, so they never skip. Used for
        ticket numbers, dossier sequences and log-book entries (never MAX()+1).
        """
        insert = postgresql.insert if self.database.is_postgresql else sqlite.insert
        stmt = (
            insert(counter_table)
            .values(**key, last_number=1)
            .on_conflict_do_update(
                index_elements=list(key), set_={"last_number": counter_table.last_number + 1}
            )
            .returning(counter_table.last_number)
        )
        return int(self.session.execute(stmt).scalar_one())

    def audit(
        self,
        kind: str,
        *,
        office_id: uuid.UUID | None,
        subject_id: uuid.UUID | None = None,
        actor_id: uuid.UUID | None = None,
        at: datetime,
        **data: Any,
    ) -> None:
        """Record a mutation in the audit trail, in the same transaction as the mutation."""
        self.session.add(
            AuditEvent(
                office_id=office_id,
                at=at,
                actor_id=actor_id,
                source=self.source,
                kind=kind,
                subject_id=subject_id,
                data=data,
            )
        )
