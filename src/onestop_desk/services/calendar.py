"""The office calendar: public holidays plus the office's declared days off and working days."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import select

from onestop_desk.core.calendar import CalendarOverride as OverrideSpec
from onestop_desk.core.calendar import WorkCalendar
from onestop_desk.db.models import CalendarOverride
from onestop_desk.services.uow import UnitOfWork


def list_overrides(uow: UnitOfWork, office_id: uuid.UUID) -> list[OverrideSpec]:
    """The office's overrides, oldest first."""
    rows = uow.session.scalars(
        select(CalendarOverride)
        .where(CalendarOverride.office_id == office_id)
        .order_by(CalendarOverride.day)
    )
    return [OverrideSpec(day=r.day, working=r.working, note=r.note) for r in rows]


def office_calendar(uow: UnitOfWork, office_id: uuid.UUID) -> WorkCalendar:
    """A working-day calendar with the office's overrides applied."""
    return WorkCalendar(list_overrides(uow, office_id))


def set_override(
    uow: UnitOfWork,
    *,
    office_id: uuid.UUID,
    day: date,
    working: bool,
    note: str = "",
    now: datetime | None = None,
) -> OverrideSpec:
    """Declare a day off or a working day (replacing an earlier declaration for that day)."""
    now = now or datetime.now()
    row = uow.session.scalar(
        select(CalendarOverride).where(
            CalendarOverride.office_id == office_id, CalendarOverride.day == day
        )
    )
    if row is None:
        row = CalendarOverride(office_id=office_id, day=day)
        uow.session.add(row)
    row.working = working
    row.note = note.strip()
    uow.session.flush()
    uow.audit(
        "calendar.override_set",
        office_id=office_id,
        subject_id=row.id,
        at=now,
        day=day.isoformat(),
        working=working,
        note=row.note,
    )
    uow.commit()
    return OverrideSpec(day=day, working=working, note=row.note)
