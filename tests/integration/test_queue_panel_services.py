"""The services behind the counter's queue panel, on real SQLite and PostgreSQL.

Waiting order as predicted vs. as called, transfers, calling back a no-show, and reprint state.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from onestop_desk.core.ticket import PriorityReason, TicketAction, TicketState
from onestop_desk.db.database import Database
from onestop_desk.db.models import Office
from onestop_desk.errors import Conflict, InputError
from onestop_desk.services.office import find_office
from onestop_desk.services.queue import (
    TicketInfo,
    act_on_ticket,
    call_back,
    call_next,
    get_ticket,
    issue_ticket,
    missed_tickets,
    record_print_result,
    ticket_in_hand,
    transfer_ticket,
    unprinted_tickets,
    waiting_list,
)
from onestop_desk.services.uow import UnitOfWork

MORNING = datetime(2026, 11, 23, 8, 0)
DAY = MORNING.date()


def _at(minutes: int) -> datetime:
    return MORNING + timedelta(minutes=minutes)


def _office_id(database: Database) -> uuid.UUID:
    with UnitOfWork(database, readonly=True) as uow:
        return find_office(uow).id


def _issue(
    database: Database, field: str, minutes: int, reason: PriorityReason | None = None
) -> TicketInfo:
    with UnitOfWork(database, source="kiosk") as uow:
        return issue_ticket(
            uow,
            office_id=_office_id(database),
            field_code=field,
            priority_reason=reason,
            now=_at(minutes),
        )


def _call(database: Database, counter: int, minutes: int) -> TicketInfo | None:
    with UnitOfWork(database, source="counter") as uow:
        return call_next(
            uow, office_id=_office_id(database), counter_number=counter, now=_at(minutes)
        )


def _waiting(database: Database, counter: int, minutes: int) -> list[str]:
    with UnitOfWork(database, readonly=True) as uow:
        return [
            w.display
            for w in waiting_list(
                uow, office_id=_office_id(database), counter_number=counter, now=_at(minutes)
            )
        ]


def _act(database: Database, ticket: TicketInfo, action: TicketAction, minutes: int) -> TicketInfo:
    with UnitOfWork(database, source="counter") as uow:
        return act_on_ticket(uow, ticket_id=ticket.id, action=action, now=_at(minutes))


def _set_policy(database: Database, kind: str, n: int = 3) -> None:
    with UnitOfWork(database) as uow:
        office = uow.session.scalars(select(Office)).one()
        office.queue_policy = kind
        office.normal_per_priority = n
        uow.commit()


def _mixed_queue(database: Database) -> None:
    """Counter 2 serves HT and CTR: normals and priorities of both, one CT it must not see."""
    _issue(database, "HT", 0)  # A001
    _issue(database, "CTR", 1)  # C001
    _issue(database, "HT", 2, PriorityReason.ELDERLY)  # A002
    _issue(database, "CT", 3)  # B001 (not for counter 2)
    _issue(database, "HT", 4)  # A003
    _issue(database, "CTR", 5, PriorityReason.PREGNANT)  # C002
    _issue(database, "HT", 6)  # A004
    _issue(database, "CTR", 7)  # C003
    _issue(database, "HT", 8)  # A005
    _issue(database, "HT", 9, PriorityReason.MERIT)  # A006


@pytest.mark.parametrize(("policy", "n"), [("interleaved", 3), ("interleaved", 1), ("strict", 3)])
def test_waiting_list_is_the_order_call_next_calls(database: Database, policy: str, n: int) -> None:
    _set_policy(database, policy, n)
    _mixed_queue(database)
    predicted = _waiting(database, 2, 10)
    assert "B001" not in predicted
    assert len(predicted) == 9

    called: list[str] = []
    minute = 11
    while (ticket := _call(database, 2, minute)) is not None:
        # After every call the rest of the prediction still holds.
        assert _waiting(database, 2, minute) == predicted[len(called) + 1 :]
        called.append(ticket.display)
        minute += 1
    assert called == predicted
    assert _waiting(database, 2, minute) == []


def test_waiting_list_interleaves_and_marks_priority(database: Database) -> None:
    _mixed_queue(database)
    with UnitOfWork(database, readonly=True) as uow:
        items = waiting_list(uow, office_id=_office_id(database), counter_number=2, now=_at(40))
    # The counter owes a priority call at opening, then three normals per priority.
    assert [w.display for w in items] == [
        "A002",
        "A001",
        "C001",
        "A003",
        "C002",
        "A004",
        "C003",
        "A005",
        "A006",
    ]
    first = items[0]
    assert first.priority
    assert first.priority_reason is PriorityReason.ELDERLY
    assert first.field_code == "HT"
    assert first.field_name == "Hộ tịch"
    assert first.waited_minutes == 38
    assert not first.transferred
    assert not items[1].priority
    assert items[1].priority_reason is None
    assert items[1].waited_minutes == 40


def test_transfer_to_counter_3_keeps_the_number_and_its_place(database: Database) -> None:
    _issue(database, "HT", 0)  # A001
    _issue(database, "CT", 1)  # B001
    _issue(database, "HT", 2)  # A002
    _issue(database, "CT", 3)  # B002
    office_id = _office_id(database)
    a001 = _call(database, 1, 5)
    assert a001 is not None
    assert a001.display == "A001"
    _act(database, a001, TicketAction.START, 6)

    with UnitOfWork(database, source="counter") as uow:
        moved = transfer_ticket(
            uow, office_id=office_id, ticket_id=a001.id, to_counter=3, to_field="CT", now=_at(7)
        )
    assert moved.display == "A001"
    assert moved.id != a001.id
    assert moved.state is TicketState.WAITING
    assert moved.field_code == "CT"
    assert moved.counter_number == 3

    with UnitOfWork(database, readonly=True) as uow:
        assert get_ticket(uow, a001.id).state is TicketState.TRANSFERRED
        assert ticket_in_hand(uow, office_id=office_id, counter_number=1, day=DAY) is None
        at_3 = waiting_list(uow, office_id=office_id, counter_number=3, now=_at(8))
    # Issued at 08:00, A001 waits ahead of B001 and B002 who came later, marked as transferred.
    assert [w.display for w in at_3] == ["A001", "B001", "B002"]
    assert [w.transferred for w in at_3] == [True, False, False]
    # It is meant for counter 3: counter 4 (every field) does not see it, counter 1 neither.
    assert "A001" not in _waiting(database, 4, 8)
    assert _waiting(database, 1, 8) == ["A002"]

    called = _call(database, 3, 9)
    assert called is not None
    assert (called.display, called.id, called.counter_number) == ("A001", moved.id, 3)
    with UnitOfWork(database, readonly=True) as uow:
        in_hand = ticket_in_hand(uow, office_id=office_id, counter_number=3, day=DAY)
    assert in_hand is not None
    assert in_hand.display == "A001"
    assert in_hand.state is TicketState.CALLED


def test_transfer_by_field_goes_to_any_counter_of_that_field(database: Database) -> None:
    office_id = _office_id(database)
    _issue(database, "CT", 0)  # B001
    _issue(database, "HT", 1)  # A001
    a001 = _call(database, 1, 2)
    assert a001 is not None
    with UnitOfWork(database, source="counter") as uow:
        transfer_ticket(uow, office_id=office_id, ticket_id=a001.id, to_field="CTR", now=_at(3))
    # Counter 2 serves CTR, counter 4 every field; both may call it, counter 1 (HT) not.
    assert _waiting(database, 2, 4) == ["A001"]
    assert _waiting(database, 4, 4) == ["B001", "A001"]
    assert _waiting(database, 1, 4) == []


def test_transfer_to_a_counter_that_does_not_serve_the_field_is_refused(
    database: Database,
) -> None:
    office_id = _office_id(database)
    _issue(database, "HT", 0)
    a001 = _call(database, 1, 1)
    assert a001 is not None
    with UnitOfWork(database, source="counter") as uow, pytest.raises(InputError) as info:
        transfer_ticket(uow, office_id=office_id, ticket_id=a001.id, to_counter=3, now=_at(2))
    assert "Quầy số 3 không nhận lĩnh vực Hộ tịch" in info.value.user_text()
    with UnitOfWork(database, source="counter") as uow, pytest.raises(InputError):
        transfer_ticket(uow, office_id=office_id, ticket_id=a001.id, now=_at(2))
    with UnitOfWork(database, readonly=True) as uow:
        # Nothing changed: the citizen is still in hand at counter 1.
        in_hand = ticket_in_hand(uow, office_id=office_id, counter_number=1, day=DAY)
    assert in_hand is not None
    assert in_hand.id == a001.id


def test_no_show_is_listed_and_called_back(database: Database) -> None:
    office_id = _office_id(database)
    _issue(database, "HT", 0)  # A001
    _issue(database, "HT", 1)  # A002
    a001 = _call(database, 1, 2)
    assert a001 is not None
    skipped = _act(database, a001, TicketAction.SKIP, 4)
    assert skipped.state is TicketState.NO_SHOW
    with UnitOfWork(database, readonly=True) as uow:
        missed = missed_tickets(uow, office_id=office_id, counter_number=1, day=DAY)
        assert missed_tickets(uow, office_id=office_id, counter_number=2, day=DAY) == []
    assert [t.display for t in missed] == ["A001"]
    assert _waiting(database, 1, 4) == ["A002"]

    a002 = _call(database, 1, 5)
    assert a002 is not None
    assert a002.display == "A002"
    # The citizen comes back: called back, and the ticket in hand is finished first.
    with UnitOfWork(database, source="counter") as uow:
        back = call_back(uow, office_id=office_id, ticket_id=a001.id, counter_number=1, now=_at(9))
    assert (back.display, back.state, back.called_at) == ("A001", TicketState.CALLED, _at(9))
    with UnitOfWork(database, readonly=True) as uow:
        assert get_ticket(uow, a002.id).state is TicketState.DONE
        in_hand = ticket_in_hand(uow, office_id=office_id, counter_number=1, day=DAY)
        assert missed_tickets(uow, office_id=office_id, counter_number=1, day=DAY) == []
    assert in_hand is not None
    assert in_hand.id == a001.id

    # Only a missed ticket can be called back.
    with UnitOfWork(database, source="counter") as uow, pytest.raises(Conflict):
        call_back(uow, office_id=office_id, ticket_id=a002.id, counter_number=1, now=_at(10))


def test_missed_tickets_latest_first(database: Database) -> None:
    office_id = _office_id(database)
    for minute in range(3):
        _issue(database, "HT", minute)
    for minute in (5, 7, 9):
        ticket = _call(database, 1, minute)
        assert ticket is not None
        _act(database, ticket, TicketAction.SKIP, minute + 1)
    with UnitOfWork(database, readonly=True) as uow:
        missed = missed_tickets(uow, office_id=office_id, counter_number=1, day=DAY)
    assert [t.display for t in missed] == ["A003", "A002", "A001"]


def test_unprinted_tickets_until_the_reprint_is_recorded(database: Database) -> None:
    office_id = _office_id(database)
    a001 = _issue(database, "HT", 0)
    a002 = _issue(database, "HT", 1)
    b001 = _issue(database, "CT", 2)
    with UnitOfWork(database, source="kiosk") as uow:
        record_print_result(uow, ticket_id=a001.id, error=None, now=_at(0))
    for ticket in (a002, b001):
        with UnitOfWork(database, source="kiosk") as uow:
            record_print_result(uow, ticket_id=ticket.id, error="Máy in hết giấy.", now=_at(2))
    with UnitOfWork(database, readonly=True) as uow:
        unprinted = unprinted_tickets(uow, office_id=office_id, day=DAY)
    assert [(t.display, t.print_error) for t in unprinted] == [
        ("A002", "Máy in hết giấy."),
        ("B001", "Máy in hết giấy."),
    ]

    # Reprinted at the counter: off the list, with the time the paper came out.
    with UnitOfWork(database, source="counter") as uow:
        record_print_result(uow, ticket_id=a002.id, error=None, now=_at(4))
    # B001 is called before anyone reprints it: a called ticket needs no paper any more.
    b_called = _call(database, 3, 5)
    assert b_called is not None
    assert b_called.id == b001.id
    with UnitOfWork(database, readonly=True) as uow:
        assert unprinted_tickets(uow, office_id=office_id, day=DAY) == []
        reprinted = get_ticket(uow, a002.id)
    assert reprinted.printed_at == _at(4)
    assert reprinted.print_error is None
