"""Queue tickets: states, counter actions, priority reasons and printed numbers."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class TicketState(StrEnum):
    """Where a ticket is between the kiosk and the end of service."""

    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"


class PriorityReason(StrEnum):
    """Why a citizen is served with priority."""

    ELDERLY = "elderly"
    DISABILITY = "disability"
    PREGNANT = "pregnant"
    SMALL_CHILDREN = "small_children"
    MERIT = "merit"


class TicketAction(StrEnum):
    """What a counter does with a ticket."""

    CALL = "call"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    SKIP = "skip"
    TRANSFER = "transfer"
    CALL_BACK = "call_back"


class IllegalTicketTransition(ValueError):
    """A counter action that the ticket's state does not allow; str() says why in Vietnamese."""


_PRIORITY_LABELS: Mapping[PriorityReason, str] = {
    PriorityReason.ELDERLY: "Người cao tuổi",
    PriorityReason.DISABILITY: "Người khuyết tật",
    PriorityReason.PREGNANT: "Phụ nữ mang thai",
    PriorityReason.SMALL_CHILDREN: "Người có con nhỏ",
    PriorityReason.MERIT: "Gia đình có công với cách mạng",
}

_STATE_LABELS: Mapping[TicketState, str] = {
    TicketState.WAITING: "Đang chờ",
    TicketState.CALLED: "Đã gọi",
    TicketState.SERVING: "Đang phục vụ",
    TicketState.DONE: "Đã xong",
    TicketState.NO_SHOW: "Vắng mặt",
    TicketState.TRANSFERRED: "Đã chuyển",
}

_ACTION_LABELS: Mapping[TicketAction, str] = {
    TicketAction.CALL: "Gọi số",
    TicketAction.RECALL: "Gọi lại",
    TicketAction.START: "Bắt đầu phục vụ",
    TicketAction.FINISH: "Hoàn thành",
    TicketAction.SKIP: "Bỏ qua (vắng mặt)",
    TicketAction.TRANSFER: "Chuyển quầy",
    TicketAction.CALL_BACK: "Gọi lại số vắng mặt",
}

TRANSITIONS: Mapping[tuple[TicketState, TicketAction], TicketState] = {
    (TicketState.WAITING, TicketAction.CALL): TicketState.CALLED,
    (TicketState.CALLED, TicketAction.RECALL): TicketState.CALLED,
    (TicketState.CALLED, TicketAction.START): TicketState.SERVING,
    (TicketState.CALLED, TicketAction.FINISH): TicketState.DONE,
    (TicketState.SERVING, TicketAction.FINISH): TicketState.DONE,
    (TicketState.CALLED, TicketAction.SKIP): TicketState.NO_SHOW,
    (TicketState.NO_SHOW, TicketAction.CALL_BACK): TicketState.CALLED,
    # The service then issues or requeues a ticket at the new counter; this row stays final.
    (TicketState.CALLED, TicketAction.TRANSFER): TicketState.TRANSFERRED,
    (TicketState.SERVING, TicketAction.TRANSFER): TicketState.TRANSFERRED,
}


def priority_label(reason: PriorityReason) -> str:
    """The Vietnamese label of a priority reason, as the kiosk shows it."""
    return _PRIORITY_LABELS[reason]


def state_label(state: TicketState) -> str:
    """The Vietnamese label of a ticket state."""
    return _STATE_LABELS[state]


def action_label(action: TicketAction) -> str:
    """The Vietnamese label of a counter action."""
    return _ACTION_LABELS[action]


def allowed_actions(state: TicketState) -> frozenset[TicketAction]:
    """The counter actions a ticket in `state` accepts."""
    return frozenset(action for (source, action) in TRANSITIONS if source == state)


def next_ticket_state(state: TicketState, action: TicketAction) -> TicketState:
    """The state after `action`; IllegalTicketTransition if the state does not allow it."""
    target = TRANSITIONS.get((state, action))
    if target is None:
        raise IllegalTicketTransition(
            f"Không thể thực hiện “{action_label(action)}” vì số thứ tự đang ở trạng thái "
            f"“{state_label(state)}”."
        )
    return target


def format_ticket_number(prefix: str, number: int) -> str:
    """The printed ticket number: the prefix and at least three digits, e.g. A012."""
    if number < 1:
        raise ValueError(f"Số thứ tự phải từ 1 trở lên (đang là {number}).")
    return f"{prefix}{number:03d}"
