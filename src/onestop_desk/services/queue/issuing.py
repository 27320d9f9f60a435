"""Issuing a ticket at the kiosk (plain SQL on the hot path) and recording its print."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Dialect, select
from sqlalchemy.types import TypeEngine

from onestop_desk.core.queue_policy import TicketClass
from onestop_desk.core.ticket import (
    PriorityReason,
    TicketState,
    format_ticket_number,
)
from onestop_desk.db.engine import driver_cursor
from onestop_desk.db.models import AuditEvent, Ticket
from onestop_desk.db.notify import CHANNEL
from onestop_desk.errors import NotFound
from onestop_desk.services.office import find_field
from onestop_desk.services.queue.tickets import TicketInfo, ticket_info
from onestop_desk.services.uow import UnitOfWork

# --- issuing a ticket ------------------------------------------------------------------------
#
# The kiosk's hot path is plain SQL on the driver's cursor of the unit of work's connection:
# no ORM session or objects, nothing for SQLAlchemy to build, compile or wrap per call (the
# drivers keep the statements prepared: sqlite3's statement cache, psycopg's automatic PREPARE
# from the fifth run on), and as few
# statements as each backend allows, on PostgreSQL one round trip. Every guarantee of the
# queue holds inside the one transaction:
#
# - the number comes from an upsert of the office/day/field ``ticket_counter`` row: its row
#   lock (PostgreSQL) or the write lock already held (SQLite) makes concurrent kiosks queue
#   there, so numbers never repeat, and a rolled-back ticket gives its number back (no gaps);
# - the field is looked up in the same statement, active fields only, so a field switched off
#   a moment ago issues nothing (there is no cache to go stale);
# - the ticket row and its ``ticket.issued`` audit event are written together;
# - "people ahead" is read from the same counter row (its waiting counts, kept by triggers on
#   ``ticket``), before the new ticket is counted in;
# - PostgreSQL queues its NOTIFY in the same statement; SQLite's data_version moves on commit.

# The statements below go to the driver's cursor, past the ORM's enum columns: they bind and
# inline the stored strings (the members' values) themselves.
_WAITING = TicketState.WAITING.value


def _ahead_column(ticket_class: TicketClass) -> str:
    """People ahead, from the counter row: priority tickets count only the other priority ones.

    Triggers on ``ticket`` keep the row's counts (migration 0006); read before this ticket is
    inserted, they do not count it.
    """
    return "waiting_priority" if ticket_class is TicketClass.PRIORITY else "waiting"


def _issue_sql_pg(ticket_class: TicketClass) -> str:
    # Data-modifying CTEs run exactly once each and all see the snapshot the statement started
    # with; the trigger that counts the new ticket in runs at the end of the statement, after
    # ``c`` has returned the counts without it. The display is built here and checked against
    # format_ticket_number (the rule's one home) before the commit.
    return f"""\
WITH f AS (
    SELECT id, code, name, ticket_prefix FROM field
    WHERE office_id = %(office_id)s AND code = %(code)s AND active
), c AS (
    INSERT INTO ticket_counter AS tc (office_id, day, field_id, last_number)
    SELECT %(office_id)s, %(day)s, f.id, 1 FROM f
    ON CONFLICT (office_id, day, field_id) DO UPDATE SET last_number = tc.last_number + 1
    RETURNING tc.field_id, tc.last_number, tc.{_ahead_column(ticket_class)} AS ahead
), n AS (
    INSERT INTO ticket (
        id, office_id, day, field_id, number, display, ticket_class, priority_reason, state,
        issued_at, call_count
    )
    SELECT %(id)s, %(office_id)s, %(day)s, c.field_id, c.last_number,
        f.ticket_prefix || CASE WHEN c.last_number < 1000
            THEN lpad(c.last_number::text, 3, '0') ELSE c.last_number::text END,
        '{ticket_class.value}', %(reason)s, '{_WAITING}', %(now)s, 0
    FROM c JOIN f ON f.id = c.field_id
    RETURNING display, priority_reason
), a AS (
    INSERT INTO audit_event (id, office_id, at, actor_id, source, kind, subject_id, data)
    SELECT %(audit_id)s, %(office_id)s, %(now)s, NULL, %(source)s, 'ticket.issued', %(id)s,
        json_build_object('display', n.display, 'priority', n.priority_reason)
    FROM n
)
SELECT c.last_number, f.code, f.name, f.ticket_prefix, n.display, c.ahead,
    pg_notify(%(channel)s, %(source)s)
FROM c JOIN f ON f.id = c.field_id CROSS JOIN n"""


def _number_sql_sqlite(ticket_class: TicketClass) -> str:
    # SQLite has no data-modifying CTEs, but its upsert's RETURNING can carry subqueries:
    # the field's code, name and prefix come back with the number and the people ahead.
    return f"""\
INSERT INTO ticket_counter (office_id, day, field_id, last_number)
SELECT office_id, ?, id, 1 FROM field WHERE office_id = ? AND code = ? AND active
ON CONFLICT (office_id, day, field_id) DO UPDATE SET last_number = last_number + 1
RETURNING last_number,
    (SELECT code FROM field WHERE id = ticket_counter.field_id),
    (SELECT name FROM field WHERE id = ticket_counter.field_id),
    (SELECT ticket_prefix FROM field WHERE id = ticket_counter.field_id),
    {_ahead_column(ticket_class)},
    field_id"""


_ISSUE_SQL_PG = {cls: _issue_sql_pg(cls) for cls in TicketClass}
_NUMBER_SQL_SQLITE = {cls: _number_sql_sqlite(cls) for cls in TicketClass}
_TICKET_SQL_SQLITE = f"""\
INSERT INTO ticket (
    id, office_id, day, field_id, number, display, ticket_class, priority_reason, state,
    issued_at, call_count
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{_WAITING}', ?, 0)"""
_AUDIT_SQL_SQLITE = """\
INSERT INTO audit_event (id, office_id, at, actor_id, source, kind, subject_id, data)
VALUES (?, ?, ?, NULL, ?, 'ticket.issued', ?, ?)"""


@dataclass(frozen=True)
class _Issued:
    number: int
    display: str
    field_code: str
    field_name: str
    waiting_ahead: int


class _SqliteBinds:
    """The values SQLAlchemy's column types store on SQLite (UUID hex, ISO text, JSON text)."""

    def __init__(self, dialect: Dialect) -> None:
        def processor(type_: TypeEngine[Any]) -> Callable[[Any], Any]:
            # The dialect's own implementation (sqlite.DATETIME...), as the ORM would use.
            return type_.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)

        self.uuid = processor(Ticket.id.type)
        self.day = processor(Ticket.day.type)
        self.time = processor(Ticket.issued_at.type)
        self.json = processor(AuditEvent.data.type)


# Per engine's dialect: the processors follow its settings (e.g. a custom JSON serializer).
_sqlite_binds: WeakKeyDictionary[Dialect, _SqliteBinds] = WeakKeyDictionary()


def _issue_sqlite(
    conn: Connection,
    *,
    ticket_id: uuid.UUID,
    office_id: uuid.UUID,
    code: str,
    ticket_class: TicketClass,
    reason: str | None,
    now: datetime,
    source: str,
) -> _Issued | None:
    binds = _sqlite_binds.get(conn.dialect)
    if binds is None:
        binds = _sqlite_binds[conn.dialect] = _SqliteBinds(conn.dialect)
    office, day, at = binds.uuid(office_id), binds.day(now.date()), binds.time(now)
    with driver_cursor(conn) as cursor:
        row = cursor.execute(_NUMBER_SQL_SQLITE[ticket_class], (day, office, code)).fetchone()
        if row is None:
            return None
        number, field_code, field_name, prefix, ahead, field_id = row
        display = format_ticket_number(prefix, number)
        subject = binds.uuid(ticket_id)
        cursor.execute(
            _TICKET_SQL_SQLITE,
            (subject, office, day, field_id, number, display, ticket_class.value, reason, at),
        )
        data = binds.json({"display": display, "priority": reason})
        cursor.execute(
            _AUDIT_SQL_SQLITE, (binds.uuid(uuid.uuid4()), office, at, source, subject, data)
        )
    return _Issued(int(number), display, field_code, field_name, int(ahead))


def _issue_pg(
    conn: Connection,
    *,
    ticket_id: uuid.UUID,
    office_id: uuid.UUID,
    code: str,
    ticket_class: TicketClass,
    reason: str | None,
    now: datetime,
    source: str,
) -> _Issued | None:
    with driver_cursor(conn) as cursor:
        cursor.execute(
            _ISSUE_SQL_PG[ticket_class],
            {
                "office_id": office_id,
                "code": code,
                "day": now.date(),
                "id": ticket_id,
                "reason": reason,
                "now": now,
                "audit_id": uuid.uuid4(),
                "source": source,
                "channel": CHANNEL,
            },
        )
        row = cursor.fetchone()
    if row is None:
        return None
    number, field_code, field_name, prefix, display, ahead, _ = row
    if display != format_ticket_number(prefix, number):  # raised before the commit: no ticket
        raise RuntimeError(f"ticket display {display!r} built in SQL breaks the numbering rule")
    return _Issued(int(number), display, field_code, field_name, int(ahead))


def issue_ticket(
    uow: UnitOfWork,
    *,
    office_id: uuid.UUID,
    field_code: str,
    priority: bool = False,
    priority_reason: PriorityReason | None = None,
    now: datetime | None = None,
) -> TicketInfo:
    """Give the citizen the next number in the field; committed before anything prints.

    A priority reason implies a priority ticket; ``priority`` alone gives one without a reason.
    """
    now = now or datetime.now()
    priority = priority or priority_reason is not None
    ticket_class = TicketClass.PRIORITY if priority else TicketClass.NORMAL
    reason = priority_reason.value if priority_reason else None
    ticket_id = uuid.uuid4()
    postgresql = uow.database.is_postgresql
    issue = _issue_pg if postgresql else _issue_sqlite
    uow.flush()  # plain SQL skips autoflush: earlier ORM changes go first, as before
    for _ in range(2):
        issued = issue(
            uow.connection(),
            ticket_id=ticket_id,
            office_id=office_id,
            code=field_code.strip().upper(),  # as find_field matches it
            ticket_class=ticket_class,
            reason=reason,
            now=now,
            source=uow.source,
        )
        if issued is not None:
            break
        # No active field by that code: the usual error, listing the valid codes. Had the
        # field been switched on since the statement's snapshot, issue once more.
        find_field(uow, office_id, field_code)
    else:
        raise NotFound(f"Không có lĩnh vực mã '{field_code}'.")
    info = TicketInfo(
        id=ticket_id,
        number=issued.number,
        display=issued.display,
        field_code=issued.field_code,
        field_name=issued.field_name,
        ticket_class=ticket_class,
        priority_reason=priority_reason,
        state=TicketState.WAITING,
        issued_at=now,
        called_at=None,
        counter_number=None,
        waiting_ahead=issued.waiting_ahead,
    )
    uow.commit(announced=postgresql)
    return info


def record_print_result(
    uow: UnitOfWork,
    *,
    ticket_id: uuid.UUID,
    error: str | None,
    now: datetime | None = None,
) -> None:
    """Remember whether the ticket's paper came out; a failure shows as a warning at counters."""
    now = now or datetime.now()
    ticket = uow.session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("Không tìm thấy số thứ tự này.")
    if error is None:
        ticket.printed_at = now
        ticket.print_error = None
    else:
        ticket.print_error = error
    uow.audit(
        "ticket.printed" if error is None else "ticket.print_failed",
        office_id=ticket.office_id,
        subject_id=ticket.id,
        at=now,
        display=ticket.display,
        error=error,
    )
    uow.commit()


def unprinted_tickets(uow: UnitOfWork, *, office_id: uuid.UUID, day: date) -> list[TicketInfo]:
    """Today's waiting tickets whose paper did not come out (the staff offer a reprint)."""
    rows = uow.session.scalars(
        select(Ticket)
        .where(
            Ticket.office_id == office_id,
            Ticket.day == day,
            Ticket.print_error.is_not(None),
            Ticket.state == TicketState.WAITING,
        )
        .order_by(Ticket.issued_at)
    )
    return [ticket_info(t) for t in rows]
