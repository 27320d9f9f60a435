"""Unit of work: one transaction per user action, handed to service functions."""

from __future__ import annotations

import uuid
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from onestop_desk.db.database import Database
from onestop_desk.db.engine import is_connection_error, unavailable
from onestop_desk.db.models import AuditEvent
from onestop_desk.db.notify import announce_change


class UnitOfWork:
    """A session in one transaction; rolled back unless ``commit()`` was called.

    Driver errors meaning "the server is gone" leave as ``DatabaseUnavailable``.
    """

    def __init__(self, database: Database, *, readonly: bool = False, source: str = "app") -> None:
        self.database = database
        self.readonly = readonly
        self.source = source
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its 'with' block")
        return self._session

    def __enter__(self) -> Self:
        self._session = self.database.session(readonly=self.readonly)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        self._session = None
        try:
            # close() rolls back an uncommitted transaction but, unlike rollback(), keeps the
            # loaded values of returned objects readable after the block.
            session.close()
        except SQLAlchemyError:
            session.invalidate()
        if isinstance(exc, SQLAlchemyError) and is_connection_error(exc):
            raise unavailable(self.database.url, exc) from exc

    def commit(self, *, announced: bool = False) -> None:
        """Make the transaction's changes permanent and tell the other PCs to look again.

        ``announced``: a statement of this transaction already queued the notification
        (``pg_notify`` sent along with the change, saving a round trip).
        """
        try:
            if not (self.readonly or announced) and self.database.is_postgresql:
                announce_change(self.session, self.source)
            self.session.commit()
        except SQLAlchemyError as exc:
            if is_connection_error(exc):
                raise unavailable(self.database.url, exc) from exc
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
