"""The queue services on real SQLite and PostgreSQL: numbering, calling order, transitions."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from onestop_desk.core.queue_policy import TicketClass
from onestop_desk.core.ticket import PriorityReason, TicketAction, TicketState
from onestop_desk.db.database import Database
from onestop_desk.db.models import AuditEvent, Office, Ticket
from onestop_desk.db.notify import ChangeSource, PgListener, SqliteChangeProbe
from onestop_desk.errors import Conflict, DatabaseUnavailable, NotFound
from onestop_desk.services.office import find_office
from onestop_desk.services.queue import (
    act_on_ticket,
    call_back,
    call_next,
    issue_ticket,
    queue_counts,
)
from onestop_desk.services.uow import UnitOfWork

MORNING = datetime(2026, 11, 23, 8, 0)


def _office_id(database: Database):  # type: ignore[no-untyped-def]
    with UnitOfWork(database, readonly=True) as uow:
        return find_office(uow).id


def _issue(database: Database, field: str, minutes: int, **kw: object):  # type: ignore[no-untyped-def]
    with UnitOfWork(database) as uow:
        return issue_ticket(
            uow,
            office_id=_office_id(database),
            field_code=field,
            now=MORNING + timedelta(minutes=minutes),
            **kw,  # type: ignore[arg-type]
        )


def _call(database: Database, counter: int, minutes: int):  # type: ignore[no-untyped-def]
    with UnitOfWork(database) as uow:
        return call_next(
            uow,
            office_id=_office_id(database),
            counter_number=counter,
            now=MORNING + timedelta(minutes=minutes),
        )


def _set_policy(database: Database, kind: str, n: int = 3) -> None:
    with UnitOfWork(database) as uow:
        office = uow.session.scalars(select(Office)).one()
        office.queue_policy = kind
        office.normal_per_priority = n
        uow.commit()


def test_numbers_per_field_start_at_one_each_day(database: Database) -> None:
    a1 = _issue(database, "HT", 0)
    a2 = _issue(database, "HT", 1)
    b1 = _issue(database, "CT", 2)
    assert (a1.display, a2.display, b1.display) == ("A001", "A002", "B001")
    assert (a1.waiting_ahead, a2.waiting_ahead, b1.waiting_ahead) == (0, 1, 0)
    with UnitOfWork(database) as uow:
        next_day = issue_ticket(
            uow,
            office_id=_office_id(database),
            field_code="HT",
            now=MORNING + timedelta(days=1),
        )
    assert next_day.display == "A001"


def test_unknown_field_is_a_clear_error_and_uses_no_number(database: Database) -> None:
    with pytest.raises(NotFound, match="Không có lĩnh vực mã 'ZZ'") as info:
        _issue(database, "ZZ", 0)
    assert "HT" in (info.value.hint or "")
    assert _issue(database, "HT", 1).number == 1


def test_priority_ticket_records_its_reason(database: Database) -> None:
    _issue(database, "HT", 0)
    t = _issue(database, "HT", 1, priority_reason=PriorityReason.ELDERLY)
    assert t.ticket_class is TicketClass.PRIORITY
    assert t.priority_reason is PriorityReason.ELDERLY
    assert t.waiting_ahead == 0  # no other priority ticket waits


def test_call_next_follows_issue_order_and_counter_fields(database: Database) -> None:
    _issue(database, "CT", 0)  # counter 1 serves only HT
    a1 = _issue(database, "HT", 1)
    a2 = _issue(database, "HT", 2)
    first = _call(database, 1, 3)
    assert first is not None
    assert (first.display, first.state, first.counter_number) == (a1.display, TicketState.CALLED, 1)
    second = _call(database, 1, 4)
    assert second is not None
    assert second.display == a2.display
    assert _call(database, 1, 5) is None  # B001 waits for counter 3 or 4
    third = _call(database, 3, 6)
    assert third is not None
    assert third.display == "B001"
    with UnitOfWork(database, readonly=True) as uow:
        states = dict(uow.session.execute(select(Ticket.display, Ticket.state)).all())
    # Calling the next number finished the ticket the counter had in hand.
    assert states["A001"] == "done"
    assert states["A002"] == "done"


def test_strict_policy_calls_every_priority_first(database: Database) -> None:
    _set_policy(database, "strict")
    _issue(database, "HT", 0)
    _issue(database, "HT", 1)
    p = _issue(database, "HT", 2, priority=True)
    called = [_call(database, 1, 10 + i) for i in range(3)]
    assert [c.display for c in called if c] == [p.display, "A001", "A002"]


def test_interleaved_policy_serves_one_priority_after_every_n_normal(database: Database) -> None:
    _set_policy(database, "interleaved", 2)
    normals = [_issue(database, "HT", i) for i in range(5)]
    priorities = [_issue(database, "HT", 10 + i, priority=True) for i in range(2)]
    order = [t.display for i in range(7) if (t := _call(database, 1, 20 + i))]
    n = [t.display for t in normals]
    p = [t.display for t in priorities]
    # The counter owes a priority at opening, then alternates one priority per two normals.
    assert order == [p[0], n[0], n[1], p[1], n[2], n[3], n[4]]


def test_recall_skip_and_call_back(database: Database) -> None:
    _issue(database, "HT", 0)
    called = _call(database, 1, 1)
    assert called is not None
    with UnitOfWork(database) as uow:
        again = act_on_ticket(uow, ticket_id=called.id, action=TicketAction.RECALL)
    assert again.state is TicketState.CALLED
    with UnitOfWork(database) as uow:
        missed = act_on_ticket(uow, ticket_id=called.id, action=TicketAction.SKIP)
    assert missed.state is TicketState.NO_SHOW
    with UnitOfWork(database) as uow, pytest.raises(Conflict):
        act_on_ticket(uow, ticket_id=called.id, action=TicketAction.START)
    with UnitOfWork(database) as uow:
        back = call_back(uow, office_id=_office_id(database), ticket_id=called.id, counter_number=1)
    assert back.state is TicketState.CALLED
    with UnitOfWork(database, readonly=True) as uow:
        row = uow.session.get(Ticket, called.id)
        assert row is not None
        assert row.call_count == 3


def test_every_ticket_mutation_writes_an_audit_event(database: Database) -> None:
    t = _issue(database, "HT", 0)
    _call(database, 1, 1)
    with UnitOfWork(database) as uow:
        act_on_ticket(
            uow, ticket_id=t.id, action=TicketAction.START, now=MORNING + timedelta(minutes=2)
        )
    with UnitOfWork(database) as uow:
        act_on_ticket(
            uow, ticket_id=t.id, action=TicketAction.FINISH, now=MORNING + timedelta(minutes=3)
        )
    with UnitOfWork(database, readonly=True) as uow:
        kinds = list(
            uow.session.scalars(
                select(AuditEvent.kind)
                .where(AuditEvent.subject_id == t.id)
                .order_by(AuditEvent.at, AuditEvent.kind)
            )
        )
    assert kinds == ["ticket.issued", "ticket.call", "ticket.start", "ticket.finish"]


def test_queue_counts_per_field_and_state(database: Database) -> None:
    for i in range(3):
        _issue(database, "HT", i)
    _issue(database, "CT", 5)
    _call(database, 1, 6)
    with UnitOfWork(database, readonly=True) as uow:
        counts = queue_counts(uow, office_id=_office_id(database), day=MORNING.date())
    assert counts.waiting_by_field == {"HT": 2, "CT": 1}
    assert counts.by_state == {"waiting": 3, "called": 1}


def test_policy_change_takes_effect_and_is_audited(database: Database) -> None:
    from onestop_desk.core.queue_policy import PolicyKind
    from onestop_desk.errors import InputError
    from onestop_desk.services.office import set_queue_policy

    with UnitOfWork(database) as uow, pytest.raises(InputError, match="từ 1 trở lên"):
        set_queue_policy(
            uow, office_id=_office_id(database), kind=PolicyKind.INTERLEAVED, normal_per_priority=0
        )
    with UnitOfWork(database) as uow:
        info = set_queue_policy(uow, office_id=_office_id(database), kind=PolicyKind.STRICT)
    assert info.policy.kind is PolicyKind.STRICT
    _issue(database, "HT", 0)
    p = _issue(database, "HT", 1, priority=True)
    first = _call(database, 1, 2)
    assert first is not None
    assert first.display == p.display
    with UnitOfWork(database, readonly=True) as uow:
        kinds = list(
            uow.session.scalars(
                select(AuditEvent.kind).where(AuditEvent.kind == "office.queue_policy")
            )
        )
    assert kinds == ["office.queue_policy"]


def test_transfer_and_call_need_their_own_services(database: Database) -> None:
    from onestop_desk.errors import InputError

    t = _issue(database, "HT", 0)
    _call(database, 1, 1)
    for action in (TicketAction.TRANSFER, TicketAction.CALL):
        with UnitOfWork(database) as uow, pytest.raises(InputError, match="cần quầy"):
            act_on_ticket(uow, ticket_id=t.id, action=action)
    with UnitOfWork(database, readonly=True) as uow:
        row = uow.session.get(Ticket, t.id)
        assert row is not None
        assert row.state == "called"  # the citizen is still in hand, not lost


def test_get_ticket_counts_who_is_still_ahead(database: Database) -> None:
    from onestop_desk.services.queue import get_ticket

    _issue(database, "HT", 0)
    _issue(database, "HT", 1)
    third = _issue(database, "HT", 2)
    priority = _issue(database, "HT", 3, priority=True)

    def ahead(ticket_id):  # type: ignore[no-untyped-def]
        with UnitOfWork(database, readonly=True) as uow:
            return get_ticket(uow, ticket_id).waiting_ahead

    assert ahead(third.id) == third.waiting_ahead == 2
    assert ahead(priority.id) == 0  # only other priority tickets are ahead of it
    _call(database, 3, 4)  # counter 3 serves CT: nobody here moves
    assert ahead(third.id) == 2
    _set_policy(database, "interleaved", 3)
    _call(database, 1, 5)  # the priority ticket goes first (a counter owes one at opening)
    _call(database, 1, 6)  # then A001
    assert ahead(third.id) == 1


def test_issued_ticket_is_stored_as_the_orm_writes_it(database: Database) -> None:
    """issue_ticket writes its rows in plain SQL: they must read back exactly like ORM rows."""
    from onestop_desk.db.models import Field, TicketCounter

    at = MORNING.replace(microsecond=123456)
    with UnitOfWork(database, source="kiosk") as uow:
        t = issue_ticket(
            uow,
            office_id=_office_id(database),
            field_code=" ht ",
            now=at,
            priority_reason=PriorityReason.DISABILITY,
        )
    assert (t.number, t.display, t.field_code, t.field_name) == (1, "A001", "HT", "Hộ tịch")
    assert (t.state, t.ticket_class, t.priority_reason) == (
        TicketState.WAITING,
        TicketClass.PRIORITY,
        PriorityReason.DISABILITY,
    )
    assert (t.issued_at, t.called_at, t.counter_number, t.waiting_ahead) == (at, None, None, 0)
    with UnitOfWork(database, readonly=True) as uow:
        # Equality on the stored time and day only matches if they are stored in the ORM's form.
        row = uow.session.scalars(
            select(Ticket).where(Ticket.issued_at == at, Ticket.day == at.date())
        ).one()
        assert row.id == t.id
        assert row.office_id == _office_id(database)
        assert row.field.code == "HT"
        assert (row.number, row.display, row.state, row.ticket_class, row.priority_reason) == (
            1,
            "A001",
            "waiting",
            "priority",
            "disability",
        )
        assert (row.call_count, row.counter_id, row.transferred_from_id, row.printed_at) == (
            0,
            None,
            None,
            None,
        )
        event = uow.session.scalars(
            select(AuditEvent).where(AuditEvent.subject_id == t.id, AuditEvent.at == at)
        ).one()
        assert (event.kind, event.source, event.actor_id) == ("ticket.issued", "kiosk", None)
        assert event.office_id == _office_id(database)
        assert event.data == {"display": "A001", "priority": "disability"}
        field_id = uow.session.scalars(select(Field.id).where(Field.code == "HT")).one()
        counter = uow.session.get(TicketCounter, (_office_id(database), at.date(), field_id))
        assert counter is not None
        assert counter.last_number == 1


def test_deactivated_field_issues_nothing(database: Database) -> None:
    from onestop_desk.db.models import Field, TicketCounter

    _issue(database, "HT", 0)
    with UnitOfWork(database) as uow:
        uow.session.scalars(select(Field).where(Field.code == "HT")).one().active = False
        uow.commit()
    with pytest.raises(NotFound, match="Không có lĩnh vực mã 'HT'") as info:
        _issue(database, "HT", 1)
    assert "HT" not in (info.value.hint or "")  # the valid codes listed are the active ones
    assert "CT" in (info.value.hint or "")
    with UnitOfWork(database, readonly=True) as uow:
        assert uow.session.scalars(select(TicketCounter.last_number)).all() == [1]
        assert len(uow.session.scalars(select(Ticket)).all()) == 1
        issued = select(AuditEvent).where(AuditEvent.kind == "ticket.issued")
        assert len(uow.session.scalars(issued).all()) == 1
    with UnitOfWork(database) as uow:
        uow.session.scalars(select(Field).where(Field.code == "HT")).one().active = True
        uow.commit()
    assert _issue(database, "HT", 2).display == "A002"  # no number was used meanwhile


def test_numbers_past_999_keep_every_digit(database: Database) -> None:
    from onestop_desk.db.models import Field, TicketCounter

    with UnitOfWork(database) as uow:
        field = uow.session.scalars(select(Field).where(Field.code == "HT")).one()
        uow.session.add(
            TicketCounter(
                office_id=field.office_id, day=MORNING.date(), field_id=field.id, last_number=998
            )
        )
        uow.commit()
    assert [_issue(database, "HT", i).display for i in range(2)] == ["A999", "A1000"]


def test_waiting_ahead_counts_the_field_and_the_class(database: Database) -> None:
    _issue(database, "HT", 0)
    _issue(database, "CT", 1)
    _issue(database, "HT", 2, priority=True)
    _issue(database, "HT", 3)
    _call(database, 1, 4)  # the priority ticket: a counter owes one at opening
    assert _issue(database, "HT", 5).waiting_ahead == 2  # A001 and A003
    assert _issue(database, "HT", 6, priority=True).waiting_ahead == 0
    assert _issue(database, "HT", 7, priority=True).waiting_ahead == 1
    assert _issue(database, "CT", 8).waiting_ahead == 1


def _changed(source: ChangeSource, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if source.poll():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)


def test_issuing_tells_the_other_pcs_and_a_refused_ticket_does_not(database: Database) -> None:
    source: ChangeSource
    if database.is_postgresql:
        source = PgListener(database.url)
    else:
        source = SqliteChangeProbe(str(database.url.database))
    try:
        office_id = _office_id(database)
        assert not _changed(source, 0.2)
        with UnitOfWork(database) as uow:
            issue_ticket(uow, office_id=office_id, field_code="HT", now=MORNING)
        assert _changed(source, 5)
        with UnitOfWork(database) as uow, pytest.raises(NotFound):
            issue_ticket(uow, office_id=office_id, field_code="ZZ", now=MORNING)
        assert not _changed(source, 0.5)
    finally:
        source.close()


@pytest.mark.parametrize(
    "url", ["postgresql://desk:x@127.0.0.1:1/onestop", "sqlite:///{tmp}"], ids=["pg", "sqlite"]
)
def test_issuing_without_a_database_is_a_friendly_error(url: str, tmp_path: Path) -> None:
    # A folder where the SQLite file should be cannot be opened; nothing listens on port 1.
    database = Database(url.format(tmp=tmp_path))
    try:
        with pytest.raises(DatabaseUnavailable), UnitOfWork(database) as uow:
            issue_ticket(uow, office_id=uuid.uuid4(), field_code="HT")
    finally:
        database.dispose()
