"""The waiting counts on ticket_counter rows, kept by triggers, against the tickets themselves.

A new ticket's "people ahead" and the kiosk's per-field counts are read from these rows, so
they must equal a count of the ticket table after anything the desk does, on both backends.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter as Tally
from datetime import date, datetime, timedelta

from alembic import command
from sqlalchemy import Date, DateTime, bindparam, delete, insert, select, text

from onestop_desk.core.ticket import TicketAction, TicketState
from onestop_desk.db.database import Database
from onestop_desk.db.migrate import alembic_config, upgrade
from onestop_desk.db.models import Field, Ticket, TicketCounter
from onestop_desk.errors import Conflict, InputError
from onestop_desk.services.office import find_office
from onestop_desk.services.queue import (
    act_on_ticket,
    call_back,
    call_next,
    issue_ticket,
    missed_tickets,
    queue_counts,
    ticket_in_hand,
    transfer_ticket,
)
from onestop_desk.services.seed import seed
from onestop_desk.services.uow import UnitOfWork

MORNING = datetime(2026, 11, 23, 7, 30)
DAY = MORNING.date()

Key = tuple[uuid.UUID, date, uuid.UUID]


def _office_id(database: Database) -> uuid.UUID:
    with UnitOfWork(database, readonly=True) as uow:
        return find_office(uow).id


def _actual(database: Database) -> dict[Key, tuple[int, int]]:
    """(waiting, waiting priority) per office/day/field, counted from the tickets."""
    with UnitOfWork(database, readonly=True) as uow:
        rows = uow.session.execute(
            select(Ticket.office_id, Ticket.day, Ticket.field_id, Ticket.ticket_class).where(
                Ticket.state == TicketState.WAITING.value
            )
        ).all()
    tally: Tally[Key] = Tally()
    priority: Tally[Key] = Tally()
    for office_id, day, field_id, ticket_class in rows:
        tally[(office_id, day, field_id)] += 1
        priority[(office_id, day, field_id)] += ticket_class == "priority"
    return {key: (n, priority[key]) for key, n in tally.items()}


def _kept(database: Database) -> dict[Key, tuple[int, int]]:
    """The same, as the counter rows hold it (rows at zero left out)."""
    with UnitOfWork(database, readonly=True) as uow:
        rows = uow.session.execute(
            select(
                TicketCounter.office_id,
                TicketCounter.day,
                TicketCounter.field_id,
                TicketCounter.waiting,
                TicketCounter.waiting_priority,
            )
        ).all()
    return {(o, d, f): (w, p) for o, d, f, w, p in rows if (w, p) != (0, 0)}


def test_counts_follow_a_busy_morning_at_the_desk(database: Database) -> None:
    """Issue, call, recall, skip, call back, start, finish and transfer in a seeded random mix:
    after every step the rows equal a fresh count, and each new ticket's "people ahead"
    equals the waiting tickets of its field (of its class, for priority) just before it."""
    office_id = _office_id(database)
    rng = random.Random(20261123)
    steps = Tally[str]()
    for step in range(160):
        now = MORNING + timedelta(minutes=step)
        move = rng.choices(
            ["issue", "priority", "call", "recall", "skip", "back", "finish", "transfer"],
            [6, 2, 5, 1, 1, 1, 2, 2],
        )[0]
        counter = rng.randint(1, 4)
        with UnitOfWork(database) as uow:
            if move in ("issue", "priority"):
                code = rng.choice(["HT", "HT", "CT", "DD"])
                before = _actual(database)
                ticket = issue_ticket(
                    uow, office_id=office_id, field_code=code, priority=move == "priority", now=now
                )
                field_id = uow.session.scalars(
                    select(Field.id).where(Field.office_id == office_id, Field.code == code)
                ).one()
                waiting, priority = before.get((office_id, DAY, field_id), (0, 0))
                assert ticket.waiting_ahead == (priority if move == "priority" else waiting)
            elif move == "call":
                call_next(uow, office_id=office_id, counter_number=counter, now=now)
                uow.commit()
            elif move == "back":
                missed = missed_tickets(uow, office_id=office_id, counter_number=counter, day=DAY)
                if not missed:
                    continue
                call_back(
                    uow,
                    office_id=office_id,
                    ticket_id=rng.choice(missed).id,
                    counter_number=counter,
                    now=now,
                )
                uow.commit()
            else:
                in_hand = ticket_in_hand(uow, office_id=office_id, counter_number=counter, day=DAY)
                if in_hand is None:
                    continue
                try:
                    if move == "transfer":
                        transfer_ticket(
                            uow,
                            office_id=office_id,
                            ticket_id=in_hand.id,
                            to_field=rng.choice(["HT", "CT", "DD"]),
                            now=now,
                        )
                    else:
                        action = {
                            "recall": TicketAction.RECALL,
                            "skip": TicketAction.SKIP,
                            "finish": TicketAction.FINISH,
                        }[move]
                        act_on_ticket(uow, ticket_id=in_hand.id, action=action, now=now)
                except (Conflict, InputError):
                    continue
                uow.commit()
        steps[move] += 1
        assert _kept(database) == _actual(database), f"step {step}: {move}"
    # The mix really exercised every way in and out of the queue.
    assert all(steps[m] > 0 for m in ("issue", "priority", "call", "skip", "back", "transfer"))
    with UnitOfWork(database, readonly=True) as uow:
        counts = queue_counts(uow, office_id=office_id, day=DAY)
        codes = dict(uow.session.execute(select(Field.id, Field.code)).all())
    assert counts.waiting_by_field == {
        codes[key[2]]: n for key, (n, _) in _actual(database).items() if key[1] == DAY
    }


def test_tickets_written_without_the_service_are_counted_and_never_renumbered(
    database: Database,
) -> None:
    """A bulk insert (an import, a hand-made fix) without a counter row: the row appears with
    the counts and the highest number, so the next ticket is 4, with 3 people ahead."""
    office_id = _office_id(database)
    with UnitOfWork(database) as uow:
        field = uow.session.scalars(
            select(Field).where(Field.office_id == office_id, Field.code == "HT")
        ).one()
        uow.session.execute(
            insert(Ticket),
            [
                {
                    "id": uuid.uuid4(),
                    "office_id": office_id,
                    "day": DAY,
                    "field_id": field.id,
                    "number": n,
                    "display": f"A{n:03d}",
                    "ticket_class": "priority" if n == 2 else "normal",
                    "state": TicketState.WAITING.value,
                    "issued_at": MORNING + timedelta(minutes=n),
                    "call_count": 0,
                }
                for n in (1, 2, 3)
            ],
        )
        uow.commit()
    assert _kept(database) == _actual(database) == {(office_id, DAY, field.id): (3, 1)}
    with UnitOfWork(database) as uow:
        ticket = issue_ticket(
            uow, office_id=office_id, field_code="HT", now=MORNING + timedelta(minutes=9)
        )
    assert (ticket.display, ticket.waiting_ahead) == ("A004", 3)
    with UnitOfWork(database) as uow:
        uow.session.execute(delete(Ticket).where(Ticket.number == 2))
        uow.commit()
    assert _kept(database) == _actual(database) == {(office_id, DAY, field.id): (3, 0)}


def test_upgrade_counts_the_tickets_already_waiting(empty_db_url: str) -> None:
    """A desk upgrading mid-morning: the counts start from the tickets in the queue, a field
    with waiting tickets but no counter row gets one, and numbering goes on after the highest.

    The schema is taken back to 0005 (no counts, no triggers), tickets are written as the
    old code or a hand-made fix would, then upgraded again."""
    database = Database(empty_db_url)
    try:
        upgrade(database)
        with UnitOfWork(database) as uow:
            seed(uow, demo=True)
            uow.commit()
        office_id = _office_id(database)
        for code in ["HT", "HT", "CT"]:
            with UnitOfWork(database) as uow:
                issue_ticket(uow, office_id=office_id, field_code=code, now=MORNING)
        config = alembic_config()
        with database.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0005")
        with UnitOfWork(database) as uow:
            fields = dict(uow.session.execute(select(Field.code, Field.id)).all())
            rows = [("HT", 3, "priority"), ("DD", 7, "normal"), ("DD", 8, "normal")]
            for code, number, ticket_class in rows:
                uow.session.execute(
                    text(
                        "INSERT INTO ticket (id, office_id, day, field_id, number, display, "
                        "ticket_class, state, issued_at, call_count) VALUES (:id, :office, "
                        ":day, :field, :number, :display, :class, 'waiting', :at, 0)"
                    ).bindparams(bindparam("day", type_=Date), bindparam("at", type_=DateTime)),
                    {
                        "id": _bind(database, uuid.uuid4()),
                        "office": _bind(database, office_id),
                        "day": DAY,
                        "field": _bind(database, fields[code]),
                        "number": number,
                        "display": f"X{number:03d}",
                        "class": ticket_class,
                        "at": MORNING,
                    },
                )
            uow.commit()
        upgrade(database)
        assert _kept(database) == _actual(database)
        assert _kept(database) == {
            (office_id, DAY, fields["HT"]): (3, 1),
            (office_id, DAY, fields["CT"]): (1, 0),
            (office_id, DAY, fields["DD"]): (2, 0),
        }
        with UnitOfWork(database) as uow:
            ht = issue_ticket(uow, office_id=office_id, field_code="HT", now=MORNING)
        with UnitOfWork(database) as uow:
            dd = issue_ticket(uow, office_id=office_id, field_code="DD", now=MORNING)
        assert (ht.number, ht.waiting_ahead) == (4, 3)
        assert (dd.number, dd.waiting_ahead) == (9, 2)
        assert _kept(database) == _actual(database)
    finally:
        database.dispose()


def _bind(database: Database, value: uuid.UUID) -> object:
    """A UUID as plain SQL must pass it: the ORM stores hex text on SQLite."""
    return value if database.is_postgresql else value.hex


def test_counts_survive_a_transfer_into_a_field_nobody_drew_yet(database: Database) -> None:
    office_id = _office_id(database)
    with UnitOfWork(database) as uow:
        ticket = issue_ticket(uow, office_id=office_id, field_code="HT", now=MORNING)
    with UnitOfWork(database) as uow:
        called = call_next(uow, office_id=office_id, counter_number=1, now=MORNING)
        uow.commit()
    assert called is not None
    assert called.id == ticket.id
    with UnitOfWork(database) as uow:
        transfer_ticket(uow, office_id=office_id, ticket_id=ticket.id, to_field="CT", now=MORNING)
        uow.commit()
    assert _kept(database) == _actual(database)
    with UnitOfWork(database, readonly=True) as uow:
        counts = queue_counts(uow, office_id=office_id, day=DAY)
        last = uow.session.scalars(
            select(TicketCounter.last_number)
            .join(Field, Field.id == TicketCounter.field_id)
            .where(Field.code == "CT")
        ).one()
    assert counts.waiting_by_field == {"CT": 1}
    assert last == 0  # the transferred citizen keeps A001; CT's own numbering starts at 1
    with UnitOfWork(database) as uow:
        first_ct = issue_ticket(uow, office_id=office_id, field_code="CT", now=MORNING)
    assert (first_ct.number, first_ct.waiting_ahead) == (1, 1)
