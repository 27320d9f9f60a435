"""Staff's side of the online submissions: retrying a failed one and how the outbox stands."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from onestop_desk.core.submission import SubmissionState, submission_state_label
from onestop_desk.db.models import Dossier, DossierEvent, Submission
from onestop_desk.errors import Conflict, NotFound
from onestop_desk.services.uow import UnitOfWork


@dataclass(frozen=True)
class SubmissionInfo:
    """A dossier's submission as the counter and ``portal status`` show it."""

    dossier_code: str
    state: SubmissionState
    attempts: int
    last_error: str | None
    updated_at: datetime
    portal_reference: str | None


def retry_submission(
    uow: UnitOfWork,
    code: str,
    staff_id: uuid.UUID | None,
    *,
    now: datetime | None = None,
) -> SubmissionInfo:
    """Send a failed submission again (after staff fixed the cause); recorded in the history."""
    now = now or datetime.now()
    dossier = uow.session.scalar(select(Dossier).where(Dossier.code == code.strip().upper()))
    if dossier is None:
        raise NotFound(f"Không có hồ sơ mã '{code.strip()}'.")
    row = uow.session.scalars(
        select(Submission).where(Submission.dossier_id == dossier.id).with_for_update()
    ).first()
    if row is None:
        raise NotFound(f"Hồ sơ {dossier.code} không có yêu cầu gửi lên hệ thống dịch vụ công.")
    if row.state != SubmissionState.FAILED:
        raise Conflict(
            f"Hồ sơ {dossier.code} không ở trạng thái gửi lỗi "
            f"({submission_state_label(row.state).lower()}), không cần gửi lại."
        )
    previous = row.last_error
    row.state = SubmissionState.PENDING
    row.attempts = 0
    row.next_attempt_at = now
    row.updated_at = now
    uow.session.add(
        DossierEvent(
            dossier_id=dossier.id,
            at=now,
            actor_id=staff_id,
            kind="submission_retried",
            note="Cán bộ cho gửi lại hồ sơ lên hệ thống dịch vụ công trực tuyến",
            data={"previous_error": previous},
        )
    )
    info = SubmissionInfo(
        dossier.code, row.state, row.attempts, row.last_error, now, dossier.portal_reference
    )
    uow.commit()
    return info


@dataclass(frozen=True)
class OutboxSummary:
    """Counts by state and the submissions waiting for staff."""

    counts: dict[str, int]
    failed: tuple[SubmissionInfo, ...]


def outbox_summary(uow: UnitOfWork, *, failed_limit: int = 100) -> OutboxSummary:
    """How the queue stands: every state counted, the failed ones listed newest first."""
    counts = {state.value: 0 for state in SubmissionState}
    for state, number in uow.session.execute(
        select(Submission.state, func.count()).group_by(Submission.state)
    ):
        counts[state] = int(number)
    rows = uow.session.execute(
        select(Submission, Dossier.code, Dossier.portal_reference)
        .join(Dossier, Dossier.id == Submission.dossier_id)
        .where(Submission.state == SubmissionState.FAILED)
        .order_by(Submission.updated_at.desc())
        .limit(failed_limit)
    ).all()
    failed = tuple(
        SubmissionInfo(code, s.state, s.attempts, s.last_error, s.updated_at, reference)
        for s, code, reference in rows
    )
    return OutboxSummary(counts, failed)
