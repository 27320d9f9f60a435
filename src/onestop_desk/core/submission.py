"""Online submission states: where a dossier's copy for the portal stands, and their labels."""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class SubmissionState(StrEnum):
    """A row of the outbox: waiting, leased by a worker, accepted by the portal, or given up."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # given up: staff must act (retry after fixing the cause)


_LABELS: Final[dict[str, str]] = {
    SubmissionState.PENDING: "Chờ gửi",
    SubmissionState.SENDING: "Đang gửi",
    SubmissionState.SENT: "Đã gửi",
    SubmissionState.FAILED: "Gửi lỗi",
}


def submission_state_label(state: str) -> str:
    """The Vietnamese label of a submission state (an unknown state shows as stored)."""
    return _LABELS.get(state, state)
