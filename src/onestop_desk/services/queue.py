"""The queue: issue numbered tickets, call them to counters, follow them to the end of service."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Dialect, Select, func, or_, select
from sqlalchemy.types import TypeEngine

from onestop_desk.core.queue_policy import TicketClass, choose_class, predict_order
from onestop_desk.core.ticket import (
    PriorityReason,
    TicketAction,
    TicketState,
    action_label,
    format_ticket_number,
    next_ticket_state,
    priority_label,
)
from onestop_desk.db.engine import driver_cursor
from onestop_desk.db.models import AuditEvent, Counter, Field, Office, Ticket, TicketCounter
from onestop_desk.db.notify import CHANNEL
from onestop_desk.errors import Conflict, InputError, NotFound
from onestop_desk.printing.layout import TicketContent
from onestop_desk.services.office import find_counter, find_field, office_info
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


def _info(ticket: Ticket, waiting_ahead: int = 0) -> TicketInfo:
    return TicketInfo(
        id=ticket.id,
        number=ticket.number,
        display=ticket.display,
        field_code=ticket.field.code,
        field_name=ticket.field.name,
        ticket_class=TicketClass(ticket.ticket_class),
        priority_reason=PriorityReason(ticket.priority_reason) if ticket.priority_reason else None,
        state=TicketState(ticket.state),
        issued_at=ticket.issued_at,
        called_at=ticket.called_at,
        counter_number=ticket.counter.number if ticket.counter else None,
        waiting_ahead=waiting_ahead,
        printed_at=ticket.printed_at,
        print_error=ticket.print_error,
    )


def _waiting(office_id: uuid.UUID, day: date) -> Select[Ticket]:
    return select(Ticket).where(
        Ticket.office_id == office_id,
        Ticket.day == day,
        Ticket.state == TicketState.WAITING.value,
    )


def _count_ahead(
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
    query = _waiting(office_id, day).where(Ticket.field_id == field_id)
    if ticket_class is TicketClass.PRIORITY:
        query = query.where(Ticket.ticket_class == TicketClass.PRIORITY.value)
    if before is not None:
        query = query.where(Ticket.issued_at < before)
    return int(uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0)


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


def _served_field_ids(uow: UnitOfWork, counter: Counter) -> list[uuid.UUID]:
    if counter.fields:
        return [f.id for f in counter.fields if f.active]
    # Whole rows, not ids: the called ticket's field is then found in the session, not queried.
    fields = uow.session.scalars(
        select(Field).where(Field.office_id == counter.office_id, Field.active.is_(True))
    )
    return [f.id for f in fields]


def _normals_since_priority(uow: UnitOfWork, counter: Counter, day: date, owed: int) -> int:
    """Normal calls at this counter since its last priority call; ``owed`` when there was none.

    A counter that has not served a priority ticket yet today owes one: an elderly citizen
    arriving at opening time is not made to wait behind N others first.
    """
    classes = uow.session.scalars(
        select(Ticket.ticket_class)
        .where(Ticket.counter_id == counter.id, Ticket.day == day, Ticket.called_at.is_not(None))
        .order_by(Ticket.called_at.desc())
        .limit(owed)
    )
    for count, cls in enumerate(classes):
        if cls == TicketClass.PRIORITY.value:
            return count
    return owed


def _current_at_counter(uow: UnitOfWork, counter: Counter, day: date) -> list[Ticket]:
    return list(
        uow.session.scalars(
            select(Ticket).where(
                Ticket.counter_id == counter.id,
                Ticket.day == day,
                Ticket.state.in_([TicketState.CALLED.value, TicketState.SERVING.value]),
            )
        )
    )


def call_next(
    uow: UnitOfWork,
    *,
    office_id: uuid.UUID,
    counter_number: int,
    staff_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> TicketInfo | None:
    """Call the next waiting ticket to the counter by the office's priority policy.

    The chosen row is locked with FOR UPDATE SKIP LOCKED on PostgreSQL (SQLite serialises
    writers), so two counters calling at once never get the same ticket. The ticket the
    counter had in hand is finished first. None when nobody waits.
    """
    now = now or datetime.now()
    day = now.date()
    office = uow.session.get(Office, office_id)
    if office is None:
        raise NotFound("Không tìm thấy đơn vị trong cơ sở dữ liệu.")
    policy = office_info(office).policy
    counter = find_counter(uow, office_id, counter_number)
    for current in _current_at_counter(uow, counter, day):
        _apply(uow, current, TicketAction.FINISH, now=now, staff_id=staff_id)

    field_ids = _served_field_ids(uow, counter)
    base = _waiting(office_id, day).where(
        Ticket.field_id.in_(field_ids),
        or_(Ticket.counter_id.is_(None), Ticket.counter_id == counter.id),
    )

    def first_of(cls: TicketClass) -> Ticket | None:
        query = (
            base.where(Ticket.ticket_class == cls.value)
            .order_by(Ticket.issued_at, Ticket.number)
            .limit(1)
            .with_for_update(skip_locked=True, of=Ticket)
        )
        return uow.session.scalars(query).first()

    preferred = choose_class(
        policy,
        normals_since_priority=_normals_since_priority(
            uow, counter, day, policy.normal_per_priority
        ),
        priority_waiting=True,
        normal_waiting=True,
    )
    order = [preferred] if preferred else []
    order += [c for c in (TicketClass.PRIORITY, TicketClass.NORMAL) if c not in order]
    ticket = None
    for cls in order:
        ticket = first_of(cls)
        if ticket is not None:
            break
    if ticket is None:
        uow.commit()
        return None
    return _hand_to_counter(uow, ticket, counter, TicketAction.CALL, now=now, staff_id=staff_id)


def _locked_ticket(uow: UnitOfWork, ticket_id: uuid.UUID) -> Ticket:
    """The ticket row, locked for this transaction (another counter waits for us)."""
    ticket = uow.session.scalars(
        select(Ticket).where(Ticket.id == ticket_id).with_for_update(of=Ticket)
    ).first()
    if ticket is None:
        raise NotFound("Không tìm thấy số thứ tự này.")
    return ticket


def _hand_to_counter(
    uow: UnitOfWork,
    ticket: Ticket,
    counter: Counter,
    action: TicketAction,
    *,
    now: datetime,
    staff_id: uuid.UUID | None,
) -> TicketInfo:
    """Call ``ticket`` to ``counter`` and commit."""
    ticket.counter_id = counter.id
    ticket.counter = counter
    _apply(uow, ticket, action, now=now, staff_id=staff_id)
    info = _info(ticket)
    uow.commit()
    return info


def _apply(
    uow: UnitOfWork,
    ticket: Ticket,
    action: TicketAction,
    *,
    now: datetime,
    staff_id: uuid.UUID | None,
) -> None:
    """Move a ticket through its state machine, stamp the time and record the event."""
    try:
        new_state = next_ticket_state(TicketState(ticket.state), action)
    except ValueError as exc:
        raise Conflict(str(exc)) from exc
    ticket.state = new_state.value
    if action in (TicketAction.CALL, TicketAction.RECALL, TicketAction.CALL_BACK):
        ticket.called_at = now
        ticket.call_count += 1
    elif action is TicketAction.START:
        ticket.started_at = now
    elif action in (TicketAction.FINISH, TicketAction.SKIP):
        ticket.finished_at = now
    if staff_id is not None:
        ticket.served_by_id = staff_id
    uow.audit(
        f"ticket.{action.value}",
        office_id=ticket.office_id,
        subject_id=ticket.id,
        actor_id=staff_id,
        at=now,
        display=ticket.display,
        state=new_state.value,
    )


def act_on_ticket(
    uow: UnitOfWork,
    *,
    ticket_id: uuid.UUID,
    action: TicketAction,
    staff_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> TicketInfo:
    """Recall, start serving, finish or mark no-show one ticket.

    Calling and transferring need a counter or a destination: ``call_next``, ``call_back`` and
    ``transfer_ticket`` do them (a bare TRANSFER here would drop the citizen from the queue).
    """
    if action in (TicketAction.CALL, TicketAction.CALL_BACK, TicketAction.TRANSFER):
        raise InputError(f"Thao tác “{action_label(action)}” cần quầy hoặc nơi chuyển đến.")
    now = now or datetime.now()
    ticket = _locked_ticket(uow, ticket_id)
    _apply(uow, ticket, action, now=now, staff_id=staff_id)
    info = _info(ticket)
    uow.commit()
    return info


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
class WaitingTicket:
    """A ticket in a counter's waiting list, in the order the policy will call it."""

    id: uuid.UUID
    display: str
    field_code: str
    field_name: str
    priority: bool
    priority_reason: PriorityReason | None
    issued_at: datetime
    waited_minutes: int
    transferred: bool


def _served(
    uow: UnitOfWork, office_id: uuid.UUID, counter_number: int
) -> tuple[Counter, list[uuid.UUID]]:
    counter = find_counter(uow, office_id, counter_number)
    return counter, _served_field_ids(uow, counter)


def waiting_list(
    uow: UnitOfWork, *, office_id: uuid.UUID, counter_number: int, now: datetime | None = None
) -> list[WaitingTicket]:
    """Who waits for this counter, in the order ``call_next`` would call them."""
    now = now or datetime.now()
    day = now.date()
    office = uow.session.get(Office, office_id)
    if office is None:
        raise NotFound("Không tìm thấy đơn vị trong cơ sở dữ liệu.")
    policy = office_info(office).policy
    counter, field_ids = _served(uow, office_id, counter_number)
    rows = uow.session.execute(
        select(Ticket, Field.code, Field.name)
        .join(Field, Field.id == Ticket.field_id)
        .where(
            Ticket.office_id == office_id,
            Ticket.day == day,
            Ticket.state == TicketState.WAITING.value,
            Ticket.field_id.in_(field_ids),
            or_(Ticket.counter_id.is_(None), Ticket.counter_id == counter.id),
        )
        .order_by(Ticket.issued_at, Ticket.number)
    ).all()
    items = [
        WaitingTicket(
            id=t.id,
            display=t.display,
            field_code=code,
            field_name=name,
            priority=t.ticket_class == TicketClass.PRIORITY.value,
            priority_reason=PriorityReason(t.priority_reason) if t.priority_reason else None,
            issued_at=t.issued_at,
            waited_minutes=max(0, int((now - t.issued_at).total_seconds() // 60)),
            transferred=t.transferred_from_id is not None,
        )
        for t, code, name in rows
    ]
    owed = _normals_since_priority(uow, counter, day, policy.normal_per_priority)
    return predict_order(
        policy,
        [w for w in items if w.priority],
        [w for w in items if not w.priority],
        normals_since_priority=owed,
    )


def ticket_in_hand(
    uow: UnitOfWork, *, office_id: uuid.UUID, counter_number: int, day: date
) -> TicketInfo | None:
    """The ticket the counter has called or is serving, if any."""
    counter = find_counter(uow, office_id, counter_number)
    current = _current_at_counter(uow, counter, day)
    return _info(current[-1]) if current else None


def missed_tickets(
    uow: UnitOfWork, *, office_id: uuid.UUID, counter_number: int, day: date
) -> list[TicketInfo]:
    """Tickets this counter marked as no-show today, latest first (they can be called back)."""
    counter = find_counter(uow, office_id, counter_number)
    rows = uow.session.scalars(
        select(Ticket)
        .where(
            Ticket.counter_id == counter.id,
            Ticket.day == day,
            Ticket.state == TicketState.NO_SHOW.value,
        )
        .order_by(Ticket.finished_at.desc())
    )
    return [_info(t) for t in rows]


def call_back(
    uow: UnitOfWork,
    *,
    office_id: uuid.UUID,
    ticket_id: uuid.UUID,
    counter_number: int,
    staff_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> TicketInfo:
    """Call a missed (no-show) ticket again to this counter, finishing the one in hand."""
    now = now or datetime.now()
    counter = find_counter(uow, office_id, counter_number)
    ticket = _locked_ticket(uow, ticket_id)
    for current in _current_at_counter(uow, counter, now.date()):
        _apply(uow, current, TicketAction.FINISH, now=now, staff_id=staff_id)
    return _hand_to_counter(
        uow, ticket, counter, TicketAction.CALL_BACK, now=now, staff_id=staff_id
    )


def transfer_ticket(
    uow: UnitOfWork,
    *,
    office_id: uuid.UUID,
    ticket_id: uuid.UUID,
    to_counter: int | None = None,
    to_field: str | None = None,
    staff_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> TicketInfo:
    """Send the citizen to another counter or field with the same number, ahead of newcomers.

    The row at this counter ends as transferred; a new waiting row keeps the number and the
    original issue time (so it is called before people who came later).
    """
    now = now or datetime.now()
    if to_counter is None and to_field is None:
        raise InputError("Chọn quầy hoặc lĩnh vực để chuyển đến.")
    ticket = _locked_ticket(uow, ticket_id)
    field = find_field(uow, office_id, to_field) if to_field else ticket.field
    counter = find_counter(uow, office_id, to_counter) if to_counter is not None else None
    if counter is not None and counter.fields and field.id not in {f.id for f in counter.fields}:
        raise InputError(
            f"Quầy số {counter.number} không nhận lĩnh vực {field.name}.",
            "Chọn quầy khác hoặc chuyển theo lĩnh vực.",
        )
    _apply(uow, ticket, TicketAction.TRANSFER, now=now, staff_id=staff_id)
    requeued = Ticket(
        office_id=ticket.office_id,
        day=ticket.day,
        field_id=field.id,
        number=ticket.number,
        display=ticket.display,
        ticket_class=ticket.ticket_class,
        priority_reason=ticket.priority_reason,
        state=TicketState.WAITING.value,
        counter_id=counter.id if counter else None,
        transferred_from_id=ticket.id,
        issued_at=ticket.issued_at,
        call_count=0,
    )
    requeued.field = field
    requeued.counter = counter
    uow.session.add(requeued)
    uow.session.flush()
    uow.audit(
        "ticket.requeued",
        office_id=office_id,
        subject_id=requeued.id,
        actor_id=staff_id,
        at=now,
        display=requeued.display,
        from_ticket=str(ticket.id),
        to_counter=to_counter,
        to_field=field.code,
    )
    info = _info(requeued)
    uow.commit()
    return info


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
            Ticket.state.in_([TicketState.CALLED.value, TicketState.SERVING.value]),
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
                state=TicketState(in_hand[c.id].state) if c.id in in_hand else None,
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
            Ticket.state == TicketState.WAITING.value,
        )
        .order_by(Ticket.issued_at)
    )
    return [_info(t) for t in rows]


def get_ticket(uow: UnitOfWork, ticket_id: uuid.UUID) -> TicketInfo:
    """One ticket, e.g. to print it again, with today's figure of people still ahead."""
    ticket = uow.session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("Không tìm thấy số thứ tự này.")
    ahead = 0
    if ticket.state == TicketState.WAITING.value:
        ahead = _count_ahead(
            uow,
            ticket.office_id,
            ticket.day,
            ticket.field_id,
            ticket_class=TicketClass(ticket.ticket_class),
            before=ticket.issued_at,
        )
    return _info(ticket, ahead)


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
