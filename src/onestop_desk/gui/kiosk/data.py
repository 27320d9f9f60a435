"""The kiosk's background work, no widgets: read the home screen, issue a ticket, print it."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from onestop_desk.core.ticket import PriorityReason
from onestop_desk.db.database import Database
from onestop_desk.errors import KnownError
from onestop_desk.printing.printers import PreviewSink, print_ticket, warm_up
from onestop_desk.printing.targets import PrinterError
from onestop_desk.services.office import (
    FieldInfo,
    OfficeInfo,
    find_office,
    list_fields,
    office_info,
)
from onestop_desk.services.queue import (
    TicketInfo,
    issue_ticket,
    queue_counts,
    record_print_result,
    ticket_content,
)
from onestop_desk.services.uow import UnitOfWork

log = logging.getLogger("onestop.gui.kiosk")

SOURCE = "kiosk"


@dataclass(frozen=True)
class KioskHome:
    """What the home screen shows: the office, its fields and how many wait in each."""

    office: OfficeInfo
    fields: list[FieldInfo]
    waiting: dict[str, int]
    read_at: datetime


@dataclass(frozen=True)
class PrintOutcome:
    """How printing a ticket went; ``error`` is None when the paper came out."""

    ticket_id: uuid.UUID
    error: KnownError | None
    recorded: bool


def load_home(database: Database, ward_code: int) -> KioskHome:
    """The office, its active fields and today's waiting counts, in one read-only transaction."""
    with UnitOfWork(database, readonly=True, source=SOURCE) as uow:
        office = find_office(uow, ward_code)
        info = office_info(office)
        fields = list_fields(uow, office.id)
        counts = queue_counts(uow, office_id=office.id, day=date.today())
    return KioskHome(info, fields, counts.waiting_by_field, datetime.now())


def issue(
    database: Database,
    *,
    office_id: uuid.UUID,
    field_code: str,
    priority_reason: PriorityReason | None,
) -> TicketInfo:
    """Issue and commit the ticket; printing comes afterwards, separately."""
    with UnitOfWork(database, source=SOURCE) as uow:
        return issue_ticket(
            uow,
            office_id=office_id,
            field_code=field_code,
            priority=priority_reason is not None,
            priority_reason=priority_reason,
        )


def print_and_record(
    database: Database,
    *,
    ticket: TicketInfo,
    center_name: str,
    printer_url: str,
    width_dots: int,
    preview: PreviewSink | None,
) -> PrintOutcome:
    """Print a committed ticket and record the outcome, so counters can offer a reprint.

    Never raises: a printer problem (or a bug in printing) becomes ``error``; the ticket stays
    valid either way.
    """
    error: KnownError | None = None
    try:
        print_ticket(
            printer_url, ticket_content(ticket, center_name), width_dots=width_dots, preview=preview
        )
    except KnownError as exc:
        log.warning("ticket %s issued, not printed: %s", ticket.display, exc.message)
        error = exc
    except Exception:
        log.exception("ticket %s issued, printing failed unexpectedly", ticket.display)
        error = PrinterError(
            "Lỗi không mong muốn khi in phiếu.", "Chi tiết trong nhật ký; hãy in lại tại quầy."
        )
    recorded = True
    try:
        with UnitOfWork(database, source=SOURCE) as uow:
            record_print_result(
                uow, ticket_id=ticket.id, error=error.user_text() if error else None
            )
    except Exception:
        # The ticket itself is committed; only the counter's reprint reminder is lost.
        log.warning("print result of %s not recorded", ticket.display, exc_info=True)
        recorded = False
    return PrintOutcome(ticket.id, error, recorded)


def warm_up_printing(width_dots: int) -> None:
    """Load the printing library and fonts before the first citizen arrives."""
    try:
        warm_up(width_dots)
    except Exception:
        log.warning("printer warm-up failed", exc_info=True)
