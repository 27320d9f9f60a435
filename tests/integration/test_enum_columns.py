"""The enum columns on real databases: the same strings stored as before, members read back."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from onestop_desk.core.queue_policy import PolicyKind, TicketClass
from onestop_desk.core.roles import Role
from onestop_desk.core.ticket import PriorityReason, TicketState
from onestop_desk.db.database import Database
from onestop_desk.db.models import Office, StaffUser, Ticket
from onestop_desk.services.office import find_office, set_queue_policy
from onestop_desk.services.queue import call_next, issue_ticket
from onestop_desk.services.uow import UnitOfWork

MORNING = datetime(2026, 11, 23, 8, 0)


def test_tickets_store_the_values_a_pc_on_the_old_version_reads(database: Database) -> None:
    with UnitOfWork(database) as uow:
        office_id = find_office(uow).id
    with UnitOfWork(database) as uow:
        issued = issue_ticket(
            uow,
            office_id=office_id,
            field_code="HT",
            priority_reason=PriorityReason.ELDERLY,
            now=MORNING,
        )
    with UnitOfWork(database) as uow:
        call_next(uow, office_id=office_id, counter_number=1, now=MORNING)
    with UnitOfWork(database) as uow:
        set_queue_policy(uow, office_id=office_id, kind=PolicyKind.STRICT, now=MORNING)
    with UnitOfWork(database, readonly=True) as uow:
        stored = uow.session.execute(
            text("SELECT state, ticket_class, priority_reason FROM ticket WHERE display = :d"),
            {"d": issued.display},
        ).one()
        policy = uow.session.execute(text("SELECT queue_policy FROM office")).scalar_one()
        roles = set(uow.session.execute(text("SELECT role FROM staff_user")).scalars())
    assert tuple(stored) == ("called", "priority", "elderly")
    assert all(type(value) is str for value in (*stored, policy, *roles))
    assert policy == "strict"
    assert roles <= {"reception", "head", "admin"}


def test_strings_written_by_plain_sql_read_back_as_members(database: Database) -> None:
    with UnitOfWork(database) as uow:
        office_id = find_office(uow).id
    with UnitOfWork(database) as uow:
        issued = issue_ticket(uow, office_id=office_id, field_code="HT", now=MORNING)
    with UnitOfWork(database) as uow:
        uow.session.execute(
            text("UPDATE ticket SET state = 'no_show' WHERE display = :d"), {"d": issued.display}
        )
        uow.commit()
    with UnitOfWork(database, readonly=True) as uow:
        ticket = uow.session.scalars(select(Ticket).where(Ticket.display == issued.display)).one()
        office = uow.session.get(Office, office_id)
        role = uow.session.scalars(select(StaffUser.role).limit(1)).one()
    assert ticket.state is TicketState.NO_SHOW
    assert ticket.ticket_class is TicketClass.NORMAL
    assert ticket.priority_reason is None
    assert office is not None
    assert office.queue_policy is PolicyKind.INTERLEAVED
    assert isinstance(role, Role)


def test_a_string_that_is_no_state_is_not_written(database: Database) -> None:
    with UnitOfWork(database) as uow:
        office_id = find_office(uow).id
    with UnitOfWork(database) as uow:
        issued = issue_ticket(uow, office_id=office_id, field_code="HT", now=MORNING)
    with UnitOfWork(database) as uow:
        ticket = uow.session.get(Ticket, issued.id)
        assert ticket is not None
        ticket.state = "lost"  # type: ignore[assignment]
        with pytest.raises(StatementError, match="lost"):
            uow.session.flush()
    with UnitOfWork(database, readonly=True) as uow:
        state = uow.session.execute(
            text("SELECT state FROM ticket WHERE display = :d"), {"d": issued.display}
        ).scalar_one()
    assert state == "waiting"
