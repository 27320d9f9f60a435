"""The unit of work's two ways in, plain SQL and the ORM session, share one transaction."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from onestop_desk.db.database import Database
from onestop_desk.db.engine import driver_cursor
from onestop_desk.db.models import AuditEvent
from onestop_desk.errors import BrokenReference, Conflict, DuplicateRecord
from onestop_desk.services.uow import UnitOfWork

AT = datetime(2026, 11, 23, 9, 0)


def _audit_sql(database: Database) -> str:
    if database.is_postgresql:
        return (
            "INSERT INTO audit_event (id, office_id, at, source, kind, data) "
            "VALUES (%(id)s, NULL, %(at)s, 'test', %(kind)s, '{}')"
        )
    return (
        "INSERT INTO audit_event (id, office_id, at, source, kind, data) "
        "VALUES (:id, NULL, :at, 'test', :kind, '{}')"
    )


def _params(database: Database, kind: str, event_id: uuid.UUID) -> dict[str, object]:
    return {
        "id": event_id if database.is_postgresql else event_id.hex,
        "at": AT if database.is_postgresql else AT.isoformat(" ", "microseconds"),
        "kind": kind,
    }


def _kinds(database: Database) -> list[str]:
    with UnitOfWork(database, readonly=True) as uow:
        return sorted(uow.session.scalars(select(AuditEvent.kind).where(AuditEvent.at == AT)))


def test_plain_sql_then_the_session_see_and_commit_one_transaction(database: Database) -> None:
    with UnitOfWork(database) as uow:
        with driver_cursor(uow.connection()) as cursor:
            cursor.execute(_audit_sql(database), _params(database, "test.plain", uuid.uuid4()))
        # A session made afterwards works in the same transaction: it sees the row...
        seen = uow.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "test.plain")
        )
        assert seen == 1
        uow.audit("test.orm", office_id=None, at=AT)
        uow.commit()
    # ...and one commit keeps both.
    assert _kinds(database) == ["test.orm", "test.plain"]


def test_leaving_without_commit_keeps_neither(database: Database) -> None:
    with UnitOfWork(database) as uow:
        with driver_cursor(uow.connection()) as cursor:
            cursor.execute(_audit_sql(database), _params(database, "test.plain", uuid.uuid4()))
        uow.audit("test.orm", office_id=None, at=AT)
        uow.flush()
    assert _kinds(database) == []


def test_driver_errors_leave_as_sqlalchemy_errors(database: Database) -> None:
    """A plain-SQL failure is the same IntegrityError the ORM path raises, and rolls back."""
    event_id = uuid.uuid4()

    def insert_twice(uow: UnitOfWork) -> None:
        with driver_cursor(uow.connection()) as cursor:
            cursor.execute(_audit_sql(database), _params(database, "test.first", event_id))
            cursor.execute(_audit_sql(database), _params(database, "test.again", event_id))

    # Translated as it leaves the cursor's block.
    with UnitOfWork(database) as uow, pytest.raises(IntegrityError, match="audit_event"):
        insert_twice(uow)
    assert _kinds(database) == []


def test_a_duplicate_leaving_the_unit_of_work_is_a_typed_conflict(database: Database) -> None:
    """The same duplicate, by the ORM at commit or by plain SQL left unhandled, reaches the user
    as one Vietnamese message (not an "unexpected error"), with the driver's error as its cause."""
    event_id = uuid.uuid4()
    with UnitOfWork(database) as uow:
        uow.session.add(
            AuditEvent(
                id=event_id, office_id=None, at=AT, source="test", kind="test.first", data={}
            )
        )
        uow.commit()

    def again_by_orm() -> None:
        with UnitOfWork(database) as uow:
            uow.session.add(
                AuditEvent(
                    id=event_id, office_id=None, at=AT, source="test", kind="test.again", data={}
                )
            )
            uow.commit()

    def again_by_sql() -> None:
        with UnitOfWork(database) as uow, driver_cursor(uow.connection()) as cursor:
            cursor.execute(_audit_sql(database), _params(database, "test.again", event_id))

    with pytest.raises(DuplicateRecord) as by_orm:
        again_by_orm()
    with pytest.raises(DuplicateRecord) as by_sql:
        again_by_sql()

    for caught in (by_orm, by_sql):
        error = caught.value
        assert isinstance(error, Conflict)
        assert error.message == "Dữ liệu này đã có trong cơ sở dữ liệu, không lưu trùng được."
        assert "tải lại" in (error.hint or "")
        assert isinstance(error.__cause__, IntegrityError)
    assert _kinds(database) == ["test.first"]


def test_a_reference_to_nothing_leaving_the_unit_of_work_is_a_typed_conflict(
    database: Database,
) -> None:
    def orphan() -> None:
        with UnitOfWork(database) as uow:
            uow.audit("test.orphan", office_id=uuid.uuid4(), at=AT)  # no such office
            uow.commit()

    with pytest.raises(BrokenReference, match="không còn trong cơ sở dữ liệu") as caught:
        orphan()
    assert isinstance(caught.value.__cause__, IntegrityError)
    assert _kinds(database) == []


def test_the_unit_of_work_is_closed_outside_its_block(database: Database) -> None:
    uow = UnitOfWork(database)
    with pytest.raises(RuntimeError, match="outside its 'with' block"):
        uow.connection()
    with uow:
        uow.connection()
    with pytest.raises(RuntimeError, match="outside its 'with' block"):
        _ = uow.session


def test_writers_of_one_process_take_turns(sqlite_database: Database) -> None:
    """On SQLite a second writer thread waits for the first unit of work to end, then writes
    (it queues on the process's write turn: nothing fails, nothing deadlocks). How much sooner
    than SQLite's own polling it gets in is a speed matter, shown by bench/outbox.py."""
    first_in = threading.Event()
    let_go = threading.Event()
    order: list[str] = []

    def first() -> None:
        with UnitOfWork(sqlite_database) as uow:
            uow.audit("test.first", office_id=None, at=AT)
            uow.flush()
            first_in.set()
            let_go.wait(10)
            order.append("first commits")
            uow.commit()

    def second() -> None:
        first_in.wait(10)
        with UnitOfWork(sqlite_database) as uow:
            uow.audit("test.second", office_id=None, at=AT)
            uow.flush()
            order.append("second writes")
            uow.commit()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_in.wait(10)
    time.sleep(0.2)  # the second writer is now waiting for its turn
    assert order == []
    let_go.set()
    for thread in threads:
        thread.join(10)
    assert order == ["first commits", "second writes"]
    assert _kinds(sqlite_database) == ["test.first", "test.second"]
    # Readers never wait for a turn: a read-only unit of work inside a write one works.
    with UnitOfWork(sqlite_database) as uow:
        uow.audit("test.third", office_id=None, at=AT)
        uow.flush()
        assert "test.third" not in _kinds(sqlite_database)
