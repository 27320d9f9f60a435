"""Dossier lifecycle: states, actions, allowed transitions and result timing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum


class DossierState(StrEnum):
    """Where a dossier is between reception and the return of its result."""

    RECEIVED = "received"
    PROCESSING = "processing"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    REFUSED = "refused"
    STOPPED = "stopped"
    RESULT_READY = "result_ready"
    RETURNED = "returned"


class DossierAction(StrEnum):
    """What staff do to a dossier."""

    START_PROCESSING = "start_processing"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLEMENT_RECEIVED = "supplement_received"
    REFUSE = "refuse"
    EXTEND = "extend"
    STOP = "stop"
    MARK_RESULT_READY = "mark_result_ready"
    RETURN_RESULT = "return_result"


class ResultTiming(StrEnum):
    """How a returned result compares with its due date."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


class IllegalDossierTransition(ValueError):
    """An action the dossier's state does not allow; str() says why in Vietnamese."""


_S = DossierState
_A = DossierAction

TRANSITIONS: Mapping[tuple[DossierState, DossierAction], DossierState] = {
    (_S.RECEIVED, _A.START_PROCESSING): _S.PROCESSING,
    (_S.RECEIVED, _A.REFUSE): _S.REFUSED,
    (_S.RECEIVED, _A.REQUEST_SUPPLEMENT): _S.SUPPLEMENT_REQUESTED,
    (_S.PROCESSING, _A.REQUEST_SUPPLEMENT): _S.SUPPLEMENT_REQUESTED,
    (_S.SUPPLEMENT_REQUESTED, _A.SUPPLEMENT_RECEIVED): _S.PROCESSING,
    # An extension moves the due date (with the Mẫu 04 apology letter), not the state.
    (_S.RECEIVED, _A.EXTEND): _S.RECEIVED,
    (_S.PROCESSING, _A.EXTEND): _S.PROCESSING,
    (_S.RECEIVED, _A.STOP): _S.STOPPED,
    (_S.PROCESSING, _A.STOP): _S.STOPPED,
    (_S.SUPPLEMENT_REQUESTED, _A.STOP): _S.STOPPED,
    (_S.PROCESSING, _A.MARK_RESULT_READY): _S.RESULT_READY,
    (_S.RESULT_READY, _A.RETURN_RESULT): _S.RETURNED,
}

FINAL_STATES: frozenset[DossierState] = frozenset({_S.REFUSED, _S.STOPPED, _S.RETURNED})

_STATE_LABELS: Mapping[DossierState, str] = {
    _S.RECEIVED: "Đã tiếp nhận",
    _S.PROCESSING: "Đang giải quyết",
    _S.SUPPLEMENT_REQUESTED: "Chờ bổ sung hồ sơ",
    _S.REFUSED: "Từ chối tiếp nhận",
    _S.STOPPED: "Dừng giải quyết",
    _S.RESULT_READY: "Đã có kết quả",
    _S.RETURNED: "Đã trả kết quả",
}

_ACTION_LABELS: Mapping[DossierAction, str] = {
    _A.START_PROCESSING: "Chuyển giải quyết",
    _A.REQUEST_SUPPLEMENT: "Yêu cầu bổ sung hồ sơ",
    _A.SUPPLEMENT_RECEIVED: "Nhận hồ sơ bổ sung",
    _A.REFUSE: "Từ chối tiếp nhận",
    _A.EXTEND: "Gia hạn",
    _A.STOP: "Dừng giải quyết",
    _A.MARK_RESULT_READY: "Xác nhận đã có kết quả",
    _A.RETURN_RESULT: "Trả kết quả",
}

_TIMING_LABELS: Mapping[ResultTiming, str] = {
    ResultTiming.EARLY: "Trước hạn",
    ResultTiming.ON_TIME: "Đúng hạn",
    ResultTiming.LATE: "Quá hạn",
}


def state_label(state: DossierState) -> str:
    """The Vietnamese label of a dossier state."""
    return _STATE_LABELS[state]


def action_label(action: DossierAction) -> str:
    """The Vietnamese label of a dossier action."""
    return _ACTION_LABELS[action]


def timing_label(timing: ResultTiming) -> str:
    """The Vietnamese label of a result timing, as on the tracking slip (Mẫu 06)."""
    return _TIMING_LABELS[timing]


def allowed_actions(state: DossierState) -> frozenset[DossierAction]:
    """The actions a dossier in `state` accepts."""
    return frozenset(action for (source, action) in TRANSITIONS if source == state)


def is_final(state: DossierState) -> bool:
    """True once nothing more can happen to the dossier."""
    return state in FINAL_STATES


def next_dossier_state(state: DossierState, action: DossierAction) -> DossierState:
    """The state after `action`; IllegalDossierTransition if the state does not allow it."""
    target = TRANSITIONS.get((state, action))
    if target is None:
        raise IllegalDossierTransition(
            f"Không thể thực hiện “{action_label(action)}” vì hồ sơ đang ở trạng thái "
            f"“{state_label(state)}”."
        )
    return target


def classify_return(due_at: datetime, returned_at: datetime) -> ResultTiming:
    """Early before the due date, on time any hour of the due date, late after it."""
    if returned_at.date() < due_at.date():
        return ResultTiming.EARLY
    if returned_at.date() == due_at.date():
        return ResultTiming.ON_TIME
    return ResultTiming.LATE


# History entries that are not staff actions: reception itself and the online system's news.
_EVENT_LABELS: Mapping[str, str] = {
    "received": "Tiếp nhận hồ sơ",
    "submitted": "Gửi lên hệ thống dịch vụ công trực tuyến",
    "submission_failed": "Gửi lên hệ thống dịch vụ công không được",
    "submission_retried": "Gửi lại lên hệ thống dịch vụ công",
    "portal_status": "Cập nhật trạng thái từ hệ thống dịch vụ công",
}


def event_label(kind: str) -> str:
    """The Vietnamese label of a history entry; an unknown kind is shown as it is stored."""
    for action in DossierAction:
        if action.value == kind:
            return action_label(action)
    return _EVENT_LABELS.get(kind, kind)


def is_overdue(state: DossierState, due_at: datetime, now: datetime) -> bool:
    """True when the dossier is still open and returning it now would count as late."""
    return not is_final(state) and classify_return(due_at, now) is ResultTiming.LATE


def needs_extension(
    state: DossierState, due_at: datetime, now: datetime, within: timedelta
) -> bool:
    """True when the due date falls within ``within`` and the dossier can still be extended.

    These are the dossiers that need the apology and extension letter (Mẫu 04) before the due
    date passes; one already overdue is late, not about to be.
    """
    return (
        DossierAction.EXTEND in allowed_actions(state)
        and not is_overdue(state, due_at, now)
        and due_at <= now + within
    )
