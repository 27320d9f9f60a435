"""The queue services on real SQLite and PostgreSQL: numbering, calling order, transitions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from onestop_desk.core.queue_policy import TicketClass
from onestop_desk.core.ticket import PriorityReason, TicketAction, TicketState
from onestop_desk.db.database import Database
from onestop_desk.db.models import AuditEvent, Office, Ticket
from onestop_desk.errors import Conflict, NotFound
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
