"""Many kiosks and counters at once, in separate processes, on real SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing
import queue
import time
import traceback
import uuid
from collections import Counter as Tally
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from onestop_desk.core.ticket import TicketState
from onestop_desk.db.database import Database
from onestop_desk.db.models import AuditEvent, Citizen, Counter, Dossier, Field, Ticket
from onestop_desk.services.office import find_office
from onestop_desk.services.queue import call_next, issue_ticket
from onestop_desk.services.uow import UnitOfWork

if TYPE_CHECKING:
    from multiprocessing.queues import Queue
    from multiprocessing.synchronize import Barrier

pytestmark = pytest.mark.slow

# One fixed office day, so a run that crosses midnight still counts one day's numbers.
NOW = datetime(2025, 9, 15, 8, 0)
START_TIMEOUT_S = 60
RESULT_TIMEOUT_S = 120

KIOSKS = 8
TICKETS_PER_KIOSK = 100
WAITING_HT = 200
# Counters 1 (HT), 2 (HT + CTR) and 4 (every field) come with the demo office; 5 is added.
HT_COUNTERS = (1, 2, 4, 5)
# A counter serves the citizen between calls. Without that pause a desk calling in a tight loop
# can keep SQLite's write lock to itself (waiters back off in sleeps) and drain the queue alone.
SERVICE_PAUSE_S = 0.002

Outcome = tuple[str, Any]


def _in_child(
    work: Callable[[Database, uuid.UUID], Any],
    url: str,
    start: Barrier,
    results: Queue[Outcome],
) -> None:
    """Connect, wait for every sibling, run ``work``; report the result or the traceback."""
    database = Database(url)
    try:
        # Connecting and finding the office happen before the barrier: after it, only the
        # contended service calls run.
        with UnitOfWork(database, readonly=True) as uow:
            office_id = find_office(uow).id
        start.wait(START_TIMEOUT_S)
        results.put(("ok", work(database, office_id)))
    except BaseException:
        results.put(("error", traceback.format_exc()))
        raise
    finally:
        database.dispose()


def _issue_many(database: Database, office_id: uuid.UUID) -> list[tuple[int, str]]:
    issued = []
    for _ in range(TICKETS_PER_KIOSK):
        with UnitOfWork(database) as uow:
            info = issue_ticket(uow, office_id=office_id, field_code="HT", now=NOW)
        issued.append((info.number, info.display))
    return issued


def _kiosk(url: str, start: Barrier, results: Queue[Outcome]) -> None:
    _in_child(_issue_many, url, start, results)


def _call_until_empty(
    counter_number: int,
) -> Callable[[Database, uuid.UUID], list[tuple[str, int | None] | None]]:
    def work(database: Database, office_id: uuid.UUID) -> list[tuple[str, int | None] | None]:
        calls: list[tuple[str, int | None] | None] = []
        while not calls or calls[-1] is not None:
            with UnitOfWork(database) as uow:
                info = call_next(uow, office_id=office_id, counter_number=counter_number, now=NOW)
            calls.append(None if info is None else (str(info.id), info.counter_number))
            time.sleep(SERVICE_PAUSE_S)
        return calls

    return work


def _counter_desk(url: str, counter_number: int, start: Barrier, results: Queue[Outcome]) -> None:
    _in_child(_call_until_empty(counter_number), url, start, results)


def _run_together(target: Callable[..., None], args: Sequence[tuple[Any, ...]]) -> list[Any]:
    """Start one spawned process per ``args`` entry behind a barrier; return their results."""
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(len(args))
    results: Queue[Outcome] = ctx.Queue()
    processes = [ctx.Process(target=target, args=(*a, start, results)) for a in args]
    for p in processes:
        p.start()
    outcomes: list[Outcome] = []
    try:
        for _ in processes:
            outcomes.append(results.get(timeout=RESULT_TIMEOUT_S))
    except queue.Empty:
        pytest.fail(f"only {len(outcomes)} of {len(processes)} processes reported in time")
    finally:
        for p in processes:
            p.join(30)
            if p.is_alive():
                p.kill()
                p.join()
    errors = [detail for status, detail in outcomes if status == "error"]
    assert not errors, "\n".join(errors)
    assert [p.exitcode for p in processes] == [0] * len(processes)
    return [detail for _, detail in outcomes]


def test_concurrent_kiosks_number_tickets_without_duplicates_or_gaps(db_url: str) -> None:
    per_kiosk = _run_together(_kiosk, [(db_url,)] * KIOSKS)

    total = KIOSKS * TICKETS_PER_KIOSK
    returned = sorted(number for issued in per_kiosk for number, _ in issued)
    assert returned == list(range(1, total + 1))
    for issued in per_kiosk:
        assert all(display == f"A{number:03d}" for number, display in issued)
    # The kiosks really raced: numbers of at least one kiosk are not one contiguous block.
    assert any(
        max(n for n, _ in issued) - min(n for n, _ in issued) >= len(issued) for issued in per_kiosk
    )

    database = Database(db_url)
    try:
        with UnitOfWork(database, readonly=True) as uow:
            rows = uow.session.execute(
                select(Ticket.number, Ticket.display, Ticket.state)
                .join(Field, Field.id == Ticket.field_id)
                .where(Field.code == "HT", Ticket.day == NOW.date())
                .order_by(Ticket.number)
            ).all()
    finally:
        database.dispose()
    assert [r.number for r in rows] == list(range(1, total + 1))
    assert [r.display for r in rows] == [f"A{n:03d}" for n in range(1, total + 1)]
    assert {r.state for r in rows} == {TicketState.WAITING.value}


def _prepare_counters_and_queue(db_url: str) -> dict[int, uuid.UUID]:
    """Add counter 5 (every field) and put WAITING_HT tickets in field HT; counter ids by number."""
    database = Database(db_url)
    try:
        with UnitOfWork(database) as uow:
            office_id = find_office(uow).id
            uow.session.add(Counter(office_id=office_id, number=5, name="Quầy 5", active=True))
            uow.commit()
        for _ in range(WAITING_HT):
            with UnitOfWork(database) as uow:
                issue_ticket(uow, office_id=office_id, field_code="HT", now=NOW)
        with UnitOfWork(database, readonly=True) as uow:
            counters = uow.session.execute(
                select(Counter.number, Counter.id).where(Counter.number.in_(HT_COUNTERS))
            ).all()
    finally:
        database.dispose()
    return {row.number: row.id for row in counters}


def test_concurrent_counters_call_every_ticket_exactly_once(db_url: str) -> None:
    counter_ids = _prepare_counters_and_queue(db_url)
    assert sorted(counter_ids) == sorted(HT_COUNTERS)

    per_counter = _run_together(_counter_desk, [(db_url, n) for n in HT_COUNTERS])

    called_by: dict[str, int] = {}
    for calls in per_counter:
        # Each desk kept calling until the queue was empty, and only then got None.
        assert calls[-1] is None
        assert None not in calls[:-1]
        for ticket_id, counter_number in calls[:-1]:
            assert ticket_id not in called_by, f"ticket {ticket_id} was called twice"
            called_by[ticket_id] = counter_number
    assert len(called_by) == WAITING_HT
    # The counters really raced: more than one of them got tickets.
    assert len(set(called_by.values())) > 1

    database = Database(db_url)
    try:
        with UnitOfWork(database, readonly=True) as uow:
            tickets = uow.session.execute(
                select(Ticket.id, Ticket.state, Ticket.counter_id, Ticket.call_count)
            ).all()
            calls_logged = Tally(
                uow.session.scalars(
                    select(AuditEvent.subject_id).where(AuditEvent.kind == "ticket.call")
                )
            )
            waiting = uow.session.scalar(
                select(func.count())
                .select_from(Ticket)
                .where(Ticket.state == TicketState.WAITING.value)
            )
    finally:
        database.dispose()
    assert waiting == 0
    assert {str(t.id) for t in tickets} == set(called_by)
    for t in tickets:
        # The final None call also finished the ticket each counter had in hand.
        assert t.state == TicketState.DONE.value
        assert t.call_count == 1
        assert t.counter_id == counter_ids[called_by[str(t.id)]]
        assert calls_logged[t.id] == 1


DESKS = 4
DOSSIERS_PER_DESK = 15


def _receive_many(database: Database, office_id: uuid.UUID) -> list[str]:
    from onestop_desk.services.dossier import ApplicantInput, DossierRequest, create_dossier

    applicant = ApplicantInput("066090012345", "Nguyễn Văn An")
    codes = []
    for _ in range(DOSSIERS_PER_DESK):
        with UnitOfWork(database) as uow:
            request = DossierRequest("2.000884", applicant)
            codes.append(create_dossier(uow, office_id=office_id, request=request, now=NOW).code)
    return codes


def _reception_desk(url: str, start: Barrier, results: Queue[Outcome]) -> None:
    _in_child(_receive_many, url, start, results)


def test_concurrent_desks_number_dossiers_without_duplicates_or_gaps(db_url: str) -> None:
    per_desk = _run_together(_reception_desk, [(db_url,)] * DESKS)

    total = DESKS * DOSSIERS_PER_DESK
    codes = sorted(code for desk in per_desk for code in desk)
    assert codes == [f"000.24481.H15-250915-{n:04d}" for n in range(1, total + 1)]
    database = Database(db_url)
    try:
        with UnitOfWork(database, readonly=True) as uow:
            book = sorted(uow.session.scalars(select(Dossier.logbook_number)).all())
            applicants = uow.session.scalar(select(func.count()).select_from(Citizen))
    finally:
        database.dispose()
    assert book == list(range(1, total + 1))
    assert applicants == 1  # one citizen row, found again by every desk
