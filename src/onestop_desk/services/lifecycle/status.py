"""Where a dossier stands: its state, dates, online submission and history, read for the counter."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Final

from sqlalchemy import select

from onestop_desk.core.lifecycle import (
    DossierAction,
    DossierState,
    ResultTiming,
    allowed_actions,
    event_label,
    is_overdue,
    needs_extension,
    state_label,
    timing_label,
)
from onestop_desk.core.submission import SubmissionState
from onestop_desk.db.models import Dossier, DossierEvent, Office, StaffUser, Submission
from onestop_desk.errors import InputError, NotFound
from onestop_desk.services.office import OfficeInfo
from onestop_desk.services.uow import UnitOfWork

#: Where the dossier is before and after the deciding body has it (the tracking slip's rows).
DESK: Final = "Bộ phận Một cửa"


@dataclass(frozen=True)
class EventView:
    """One entry of a dossier's history, as the counter and ``dossier status`` show it."""

    at: datetime
    kind: str
    label: str
    actor_name: str | None
    from_state: DossierState | None
    to_state: DossierState | None
    note: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class DossierStatus:
    """Where a dossier stands: state, dates, online submission and its whole history."""

    code: str
    state: DossierState
    state_label: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    applicant_id_number: str
    received_at: datetime
    due_at: datetime
    returned_at: datetime | None
    returned_to: str | None
    result_timing: ResultTiming | None
    result_channel: str
    portal_reference: str | None
    portal_status: str | None
    submission_state: SubmissionState | None
    submission_attempts: int
    submission_error: str | None
    allowed_actions: tuple[DossierAction, ...]
    late: bool  # due date passed and not returned or otherwise closed
    events: tuple[EventView, ...]  # oldest first

    def as_json(self) -> dict[str, Any]:
        """The status as the CLI's ``--json`` prints it."""

        def moment(value: datetime | None) -> str | None:
            return value.isoformat(timespec="minutes") if value is not None else None

        return {
            "code": self.code,
            "state": self.state.value,
            "state_label": self.state_label,
            "procedure_code": self.procedure_code,
            "procedure_name": self.procedure_name,
            "applicant_name": self.applicant_name,
            "applicant_id_number": self.applicant_id_number,
            "received_at": moment(self.received_at),
            "due_at": moment(self.due_at),
            "returned_at": moment(self.returned_at),
            "returned_to": self.returned_to,
            "result_timing": self.result_timing.value if self.result_timing else None,
            "result_timing_label": timing_label(self.result_timing) if self.result_timing else None,
            "result_channel": self.result_channel,
            "portal_reference": self.portal_reference,
            "portal_status": self.portal_status,
            "submission_state": self.submission_state,
            "submission_attempts": self.submission_attempts,
            "submission_error": self.submission_error,
            "allowed_actions": [action.value for action in self.allowed_actions],
            "late": self.late,
            "events": [
                {
                    "at": event.at.isoformat(timespec="seconds"),
                    "kind": event.kind,
                    "label": event.label,
                    "actor_name": event.actor_name,
                    "from_state": event.from_state,
                    "to_state": event.to_state,
                    "note": event.note,
                    "data": event.data,
                }
                for event in self.events
            ],
        }


def find_dossier(uow: UnitOfWork, code: str, *, lock: bool = False) -> Dossier:
    """The dossier by code (any case); ``lock`` for an action that changes it."""
    wanted = code.strip().upper()
    if not wanted:
        raise InputError("Chưa nhập mã hồ sơ.", "Nhập hoặc quét mã trên giấy hẹn.")
    # Codes are stored in capitals (the agency code is): equality keeps the unique index in use.
    stmt = select(Dossier).where(Dossier.code == wanted)
    if lock:
        # Two counters acting on one dossier queue here (PostgreSQL; SQLite's write lock is
        # already held), so the second sees the first's state. OF: the eager joins stay unlocked.
        stmt = stmt.with_for_update(of=Dossier)
    dossier = uow.session.scalar(stmt)
    if dossier is None:
        raise NotFound(
            f"Không có hồ sơ mã '{code.strip()}'.",
            "Kiểm tra lại mã trên giấy hẹn (dạng 000.24481.H15-261123-0001).",
        )
    return dossier


def dossier_events(
    uow: UnitOfWork, dossier_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[EventView]]:
    """The histories of these dossiers, each oldest first."""
    rows = uow.session.execute(
        select(DossierEvent, StaffUser.full_name)
        .outerjoin(StaffUser, StaffUser.id == DossierEvent.actor_id)
        .where(DossierEvent.dossier_id.in_(dossier_ids))
        .order_by(DossierEvent.at)
    ).all()
    found: dict[uuid.UUID, list[EventView]] = {key: [] for key in dossier_ids}
    for event, actor_name in rows:
        found[event.dossier_id].append(
            EventView(
                at=event.at,
                kind=event.kind,
                label=event_label(event.kind),
                actor_name=actor_name,
                from_state=event.from_state,
                to_state=event.to_state,
                note=event.note,
                data=dict(event.data or {}),
            )
        )
    return found


def statuses(uow: UnitOfWork, dossiers: Sequence[Dossier], now: datetime) -> list[DossierStatus]:
    """Statuses of several dossiers in three queries, whatever their number."""
    ids = [d.id for d in dossiers]
    if not ids:
        return []
    events = dossier_events(uow, ids)
    submissions = {
        s.dossier_id: s
        for s in uow.session.scalars(select(Submission).where(Submission.dossier_id.in_(ids)))
    }
    statuses = []
    for dossier in dossiers:
        state = dossier.state
        submission = submissions.get(dossier.id)
        allowed = allowed_actions(state)
        statuses.append(
            DossierStatus(
                code=dossier.code,
                state=state,
                state_label=state_label(state),
                procedure_code=dossier.procedure.code,
                procedure_name=dossier.procedure.name,
                applicant_name=dossier.applicant.full_name,
                applicant_id_number=dossier.applicant.id_number,
                received_at=dossier.received_at,
                due_at=dossier.due_at,
                returned_at=dossier.returned_at,
                returned_to=dossier.returned_to,
                result_timing=dossier.result_timing,
                result_channel=dossier.result_channel,
                portal_reference=dossier.portal_reference,
                portal_status=dossier.portal_status,
                submission_state=submission.state if submission else None,
                submission_attempts=submission.attempts if submission else 0,
                submission_error=submission.last_error if submission else None,
                allowed_actions=tuple(a for a in DossierAction if a in allowed),
                late=is_overdue(state, dossier.due_at, now),
                events=tuple(events[dossier.id]),
            )
        )
    return statuses


def dossier_status(uow: UnitOfWork, code: str, *, now: datetime | None = None) -> DossierStatus:
    """A dossier by code (any case): state, dates, submission and history."""
    return statuses(uow, [find_dossier(uow, code)], now or datetime.now())[0]


def about_to_be_late(
    uow: UnitOfWork, office_id: uuid.UUID, *, now: datetime, within_hours: int = 24
) -> list[DossierStatus]:
    """Open dossiers due within ``within_hours`` that can still be extended (Mẫu 04), soonest first.

    A dossier extended past the window has its new due date and is not listed; one already
    overdue is late (``DossierStatus.late``), no longer about to be.
    """
    if within_hours < 0:
        raise InputError("Khoảng thời gian cảnh báo phải từ 0 giờ trở lên.")
    window = timedelta(hours=within_hours)
    extendable = [s for s in DossierState if DossierAction.EXTEND in allowed_actions(s)]
    # The index on (office, state, due) narrows it; needs_extension has the last word.
    candidates = uow.session.scalars(
        select(Dossier)
        .where(
            Dossier.office_id == office_id,
            Dossier.state.in_(extendable),
            Dossier.due_at >= datetime.combine(now.date(), time.min),
            Dossier.due_at <= now + window,
        )
        .order_by(Dossier.due_at, Dossier.code)
    ).all()
    wanted = [d for d in candidates if needs_extension(d.state, d.due_at, now, window)]
    return statuses(uow, wanted, now)


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def default_deciding_body(office: Office | OfficeInfo) -> str:
    """Who decides when nobody said: the commune's People's Committee, for most desk procedures."""
    return f"Ủy ban nhân dân {_lower_first(office.name)}"
