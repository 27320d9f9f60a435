"""The counter's background work: one snapshot read and one function per action, no Qt.

Each function opens its own unit of work (source "counter") and runs in the thread pool.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from onestop_desk.context import AppContext
from onestop_desk.core.queue_policy import QueuePolicy
from onestop_desk.core.ticket import TicketAction
from onestop_desk.errors import KnownError
from onestop_desk.printing.printers import PreviewSink, print_ticket
from onestop_desk.services.office import (
    FieldInfo,
    find_office,
    list_counters,
    list_fields,
    office_info,
)
from onestop_desk.services.queue import (
    TicketInfo,
    WaitingTicket,
    act_on_ticket,
    call_back,
    call_next,
    get_ticket,
    missed_tickets,
    record_print_result,
    ticket_content,
    ticket_in_hand,
    transfer_ticket,
    unprinted_tickets,
    waiting_list,
)
from onestop_desk.services.uow import UnitOfWork

SOURCE = "counter"


@dataclass(frozen=True)
class CounterChoice:
    """A counter the staff member can sit at; no field codes means it serves every field."""

    number: int
    name: str
    field_codes: tuple[str, ...]


@dataclass(frozen=True)
class QueueSnapshot:
    """Everything the queue panel shows, read in one background query."""

    office_id: uuid.UUID
    center_name: str
    policy: QueuePolicy
    counters: tuple[CounterChoice, ...]
    fields: tuple[FieldInfo, ...]
    counter_number: int | None  # the counter read; None when the office has no counter
    in_hand: TicketInfo | None
    waiting: tuple[WaitingTicket, ...]
    missed: tuple[TicketInfo, ...]
    unprinted: tuple[TicketInfo, ...]
    read_at: datetime

    def counter(self, number: int | None) -> CounterChoice | None:
        return next((c for c in self.counters if c.number == number), None)


def read_queue(ctx: AppContext, counter_number: int | None) -> QueueSnapshot:
    """The office, its counters, and the queue as ``counter_number`` sees it right now.

    An unknown or missing counter number falls back to the first counter.
    """
    now = datetime.now()
    with UnitOfWork(ctx.database, readonly=True, source=SOURCE) as uow:
        office = find_office(uow, ctx.settings.office.ward_code)
        info = office_info(office)
        counters = tuple(
            CounterChoice(c.number, c.name, c.field_codes) for c in list_counters(uow, office.id)
        )
        numbers = [c.number for c in counters]
        chosen: int | None = counter_number if counter_number in numbers else None
        if chosen is None and numbers:
            chosen = numbers[0]
        in_hand = None
        waiting: list[WaitingTicket] = []
        missed: list[TicketInfo] = []
        if chosen is not None:
            in_hand = ticket_in_hand(
                uow, office_id=office.id, counter_number=chosen, day=now.date()
            )
            waiting = waiting_list(uow, office_id=office.id, counter_number=chosen, now=now)
            missed = missed_tickets(uow, office_id=office.id, counter_number=chosen, day=now.date())
        return QueueSnapshot(
            office_id=office.id,
            center_name=info.center_name,
            policy=info.policy,
            counters=counters,
            fields=tuple(list_fields(uow, office.id)),
            counter_number=chosen,
            in_hand=in_hand,
            waiting=tuple(waiting),
            missed=tuple(missed),
            unprinted=tuple(unprinted_tickets(uow, office_id=office.id, day=now.date())),
            read_at=now,
        )


@dataclass(frozen=True)
class CallOutcome:
    """What a call did: the ticket now at the counter (None: nobody waited) and the one finished."""

    called: TicketInfo | None
    finished: TicketInfo | None


def do_call_next(ctx: AppContext, office_id: uuid.UUID, counter_number: int) -> CallOutcome:
    """Finish the ticket in hand and call the next one by the office's policy."""
    with UnitOfWork(ctx.database, source=SOURCE) as uow:
        before = ticket_in_hand(
            uow, office_id=office_id, counter_number=counter_number, day=datetime.now().date()
        )
        called = call_next(uow, office_id=office_id, counter_number=counter_number)
    return CallOutcome(called, before)


def do_call_back(
    ctx: AppContext, office_id: uuid.UUID, ticket_id: uuid.UUID, counter_number: int
) -> CallOutcome:
    """Call a missed ticket again; the ticket in hand is finished first."""
    with UnitOfWork(ctx.database, source=SOURCE) as uow:
        before = ticket_in_hand(
            uow, office_id=office_id, counter_number=counter_number, day=datetime.now().date()
        )
        called = call_back(
            uow, office_id=office_id, ticket_id=ticket_id, counter_number=counter_number
        )
    return CallOutcome(called, before)


def do_act(ctx: AppContext, ticket_id: uuid.UUID, action: TicketAction) -> TicketInfo:
    """Recall, start serving, finish or mark no-show."""
    with UnitOfWork(ctx.database, source=SOURCE) as uow:
        return act_on_ticket(uow, ticket_id=ticket_id, action=action)


def do_transfer(
    ctx: AppContext,
    office_id: uuid.UUID,
    ticket_id: uuid.UUID,
    to_counter: int | None,
    to_field: str | None,
) -> TicketInfo:
    """Send the ticket to another counter and/or field; it keeps its number and its place."""
    with UnitOfWork(ctx.database, source=SOURCE) as uow:
        return transfer_ticket(
            uow,
            office_id=office_id,
            ticket_id=ticket_id,
            to_counter=to_counter,
            to_field=to_field,
        )


def reprint(
    ctx: AppContext, ticket_id: uuid.UUID, preview: PreviewSink | None = None
) -> TicketInfo:
    """Print the ticket again on this PC's printer and record that its paper came out.

    A printer problem is recorded on the ticket (it stays in the warning strip) and re-raised.
    """
    with UnitOfWork(ctx.database, readonly=True, source=SOURCE) as uow:
        ticket = get_ticket(uow, ticket_id)
        center_name = office_info(find_office(uow, ctx.settings.office.ward_code)).center_name
    content = ticket_content(ticket, center_name)
    printer = ctx.settings.printer
    try:
        print_ticket(printer.ticket_url, content, width_dots=printer.width_dots, preview=preview)
    except KnownError as exc:
        with UnitOfWork(ctx.database, source=SOURCE) as uow:
            record_print_result(uow, ticket_id=ticket_id, error=exc.message)
        raise
    with UnitOfWork(ctx.database, source=SOURCE) as uow:
        record_print_result(uow, ticket_id=ticket_id, error=None)
    return ticket
