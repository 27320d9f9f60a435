"""The queue's reads for screens: who waits per field, and the waiting-room display's board."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from onestop_desk.core.ticket import TicketState
from onestop_desk.db.models import Counter, Field, Office, Ticket, TicketCounter
from onestop_desk.errors import NotFound
from onestop_desk.services.uow import UnitOfWork


@dataclass(frozen=True)
class QueueCounts:
    """Live counts for the day: waiting per field code, and totals by state."""

    waiting_by_field: dict[str, int]
    by_state: dict[str, int]


def queue_counts(uow: UnitOfWork, *, office_id: uuid.UUID, day: date) -> QueueCounts:
    """Counts for screens: waiting per field and tickets per state today."""
    # The counter rows' waiting counts (kept by triggers on ticket): a row per field, no scan.
    waiting = uow.session.execute(
        select(Field.code, TicketCounter.waiting)
        .join(TicketCounter, TicketCounter.field_id == Field.id)
        .where(
            TicketCounter.office_id == office_id,
            TicketCounter.day == day,
            TicketCounter.waiting > 0,
        )
    ).all()
    states = uow.session.execute(
        select(Ticket.state, func.count(Ticket.id))
        .where(Ticket.office_id == office_id, Ticket.day == day)
        .group_by(Ticket.state)
    ).all()
    return QueueCounts(
        waiting_by_field={code: int(n) for code, n in waiting},
        by_state={state: int(n) for state, n in states},
    )


@dataclass(frozen=True)
class CounterBoard:
    """One counter on the waiting-room display."""

    number: int
    name: str
    display: str | None
    state: TicketState | None


@dataclass(frozen=True)
class CallRecord:
    """One call as the display shows and announces it; (ticket_id, call_count) is unique."""

    ticket_id: uuid.UUID
    display: str
    counter_number: int
    called_at: datetime
    call_count: int


@dataclass(frozen=True)
class DisplayBoard:
    """Everything the waiting-room display shows, read in one go."""

    center_name: str
    counters: list[CounterBoard]
    recent_calls: list[CallRecord]
    waiting_by_field: list[tuple[str, str, int]]


def display_board(
    uow: UnitOfWork, *, office_id: uuid.UUID, day: date, recent: int = 6
) -> DisplayBoard:
    """Counters with their number in hand, the latest calls, and who waits per field."""
    office = uow.session.get(Office, office_id)
    if office is None:
        raise NotFound("Không tìm thấy đơn vị trong cơ sở dữ liệu.")
    counters = list(
        uow.session.scalars(
            select(Counter)
            .where(Counter.office_id == office_id, Counter.active.is_(True))
            .order_by(Counter.number)
        )
    )
    in_hand: dict[uuid.UUID, Ticket] = {}
    for t in uow.session.scalars(
        select(Ticket)
        .where(
            Ticket.office_id == office_id,
            Ticket.day == day,
            Ticket.state.in_([TicketState.CALLED, TicketState.SERVING]),
        )
        .order_by(Ticket.called_at)
    ):
        if t.counter_id is not None:
            in_hand[t.counter_id] = t
    calls = uow.session.execute(
        select(Ticket.id, Ticket.display, Counter.number, Ticket.called_at, Ticket.call_count)
        .join(Counter, Counter.id == Ticket.counter_id)
        .where(
            Ticket.office_id == office_id,
            Ticket.day == day,
            Ticket.called_at.is_not(None),
        )
        .order_by(Ticket.called_at.desc())
        .limit(recent)
    ).all()
    counts = dict(queue_counts(uow, office_id=office_id, day=day).waiting_by_field)
    fields = uow.session.execute(
        select(Field.code, Field.name)
        .where(Field.office_id == office_id, Field.active.is_(True))
        .order_by(Field.sort_order, Field.code)
    ).all()
    return DisplayBoard(
        center_name=office.center_name,
        counters=[
            CounterBoard(
                number=c.number,
                name=c.name,
                display=in_hand[c.id].display if c.id in in_hand else None,
                state=in_hand[c.id].state if c.id in in_hand else None,
            )
            for c in counters
        ],
        recent_calls=[
            CallRecord(ticket_id=i, display=d, counter_number=n, called_at=at, call_count=cc)
            for i, d, n, at, cc in calls
            if at is not None  # the query asks for called tickets only; this tells mypy
        ],
        waiting_by_field=[(code, name, counts.get(code, 0)) for code, name in fields],
    )
