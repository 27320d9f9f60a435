"""A ticket as every face shows it, and the reads of one ticket."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, select

from onestop_desk.core.queue_policy import TicketClass
from onestop_desk.core.ticket import (
    PriorityReason,
    TicketState,
    priority_label,
)
from onestop_desk.db.models import Ticket
from onestop_desk.errors import NotFound
from onestop_desk.printing.layout import TicketContent
from onestop_desk.services.uow import UnitOfWork


@dataclass(frozen=True)
class TicketInfo:
    """A ticket as screens, printers and the CLI show it."""

    id: uuid.UUID
    number: int
    display: str
    field_code: str
    field_name: str
    ticket_class: TicketClass
    priority_reason: PriorityReason | None
    state: TicketState
    issued_at: datetime
    called_at: datetime | None
    counter_number: int | None
    waiting_ahead: int
    printed_at: datetime | None = None
    print_error: str | None = None


def ticket_info(ticket: Ticket, waiting_ahead: int = 0) -> TicketInfo:
    """The ticket row as the faces show it."""
    return TicketInfo(
        id=ticket.id,
        number=ticket.number,
        display=ticket.display,
        field_code=ticket.field.code,
        field_name=ticket.field.name,
        ticket_class=ticket.ticket_class,
        priority_reason=ticket.priority_reason,
        state=ticket.state,
        issued_at=ticket.issued_at,
        called_at=ticket.called_at,
        counter_number=ticket.counter.number if ticket.counter else None,
        waiting_ahead=waiting_ahead,
        printed_at=ticket.printed_at,
        print_error=ticket.print_error,
    )


def waiting_query(office_id: uuid.UUID, day: date) -> Select[Ticket]:
    """The office's tickets still waiting on ``day``."""
    return select(Ticket).where(
        Ticket.office_id == office_id,
        Ticket.day == day,
        Ticket.state == TicketState.WAITING,
    )


def count_ahead(
    uow: UnitOfWork,
    office_id: uuid.UUID,
    day: date,
    field_id: uuid.UUID,
    *,
    ticket_class: TicketClass,
    before: datetime | None = None,
) -> int:
    """People waiting ahead in the field (priority tickets count only other priority ones).

    ``before``: only those issued earlier (for a ticket already in the queue).
    """
    query = waiting_query(office_id, day).where(Ticket.field_id == field_id)
    if ticket_class is TicketClass.PRIORITY:
        query = query.where(Ticket.ticket_class == TicketClass.PRIORITY)
    if before is not None:
        query = query.where(Ticket.issued_at < before)
    return int(uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def get_ticket(uow: UnitOfWork, ticket_id: uuid.UUID) -> TicketInfo:
    """One ticket, e.g. to print it again, with today's figure of people still ahead."""
    ticket = uow.session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("Không tìm thấy số thứ tự này.")
    ahead = 0
    if ticket.state is TicketState.WAITING:
        ahead = count_ahead(
            uow,
            ticket.office_id,
            ticket.day,
            ticket.field_id,
            ticket_class=ticket.ticket_class,
            before=ticket.issued_at,
        )
    return ticket_info(ticket, ahead)


def ticket_content(ticket: TicketInfo, center_name: str) -> TicketContent:
    """What the paper ticket shows for an issued ticket."""
    label = None
    if ticket.priority_reason is not None:
        label = priority_label(ticket.priority_reason)
    elif ticket.ticket_class is TicketClass.PRIORITY:
        label = ""  # a priority band without a reason
    return TicketContent(
        center_name=center_name,
        display=ticket.display,
        field_name=ticket.field_name,
        waiting_ahead=ticket.waiting_ahead,
        issued_at=ticket.issued_at,
        priority_label=label,
    )
