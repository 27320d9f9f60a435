"""The counter's side of the queue: call the next ticket, act on it, call back, transfer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select

from onestop_desk.core.queue_policy import TicketClass, choose_class, predict_order
from onestop_desk.core.ticket import (
    PriorityReason,
    TicketAction,
    TicketState,
    action_label,
    next_ticket_state,
)
from onestop_desk.db.models import Counter, Field, Office, Ticket
from onestop_desk.errors import Conflict, InputError, NotFound
from onestop_desk.services.office import find_counter, find_field, office_info
from onestop_desk.services.queue.tickets import TicketInfo, ticket_info, waiting_query
from onestop_desk.services.uow import UnitOfWork


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
        if cls is TicketClass.PRIORITY:
            return count
    return owed


def _current_at_counter(uow: UnitOfWork, counter: Counter, day: date) -> list[Ticket]:
    return list(
        uow.session.scalars(
            select(Ticket).where(
                Ticket.counter_id == counter.id,
                Ticket.day == day,
                Ticket.state.in_([TicketState.CALLED, TicketState.SERVING]),
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
    base = waiting_query(office_id, day).where(
        Ticket.field_id.in_(field_ids),
        or_(Ticket.counter_id.is_(None), Ticket.counter_id == counter.id),
    )

    def first_of(cls: TicketClass) -> Ticket | None:
        query = (
            base.where(Ticket.ticket_class == cls)
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
    info = ticket_info(ticket)
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
        new_state = next_ticket_state(ticket.state, action)
    except ValueError as exc:
        raise Conflict(str(exc)) from exc
    ticket.state = new_state
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
    info = ticket_info(ticket)
    uow.commit()
    return info


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
            Ticket.state == TicketState.WAITING,
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
            priority=t.ticket_class is TicketClass.PRIORITY,
            priority_reason=t.priority_reason,
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
    return ticket_info(current[-1]) if current else None


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
            Ticket.state == TicketState.NO_SHOW,
        )
        .order_by(Ticket.finished_at.desc())
    )
    return [ticket_info(t) for t in rows]


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
        state=TicketState.WAITING,
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
    info = ticket_info(requeued)
    uow.commit()
    return info
