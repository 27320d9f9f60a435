"""Tests for queue ticket states, actions and numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop_desk.core.ticket import (
    IllegalTicketTransition,
    PriorityReason,
    TicketAction,
    TicketState,
    action_label,
    allowed_actions,
    format_ticket_number,
    next_ticket_state,
    priority_label,
    state_label,
)

S = TicketState
A = TicketAction

# The table the counter screen is built against; written out here independently of the module.
ALLOWED: dict[tuple[TicketState, TicketAction], TicketState] = {
    (S.WAITING, A.CALL): S.CALLED,
    (S.CALLED, A.RECALL): S.CALLED,
    (S.CALLED, A.START): S.SERVING,
    (S.CALLED, A.FINISH): S.DONE,
    (S.SERVING, A.FINISH): S.DONE,
    (S.CALLED, A.SKIP): S.NO_SHOW,
    (S.NO_SHOW, A.CALL_BACK): S.CALLED,
    (S.CALLED, A.TRANSFER): S.TRANSFERRED,
    (S.SERVING, A.TRANSFER): S.TRANSFERRED,
}


@pytest.mark.parametrize(("source", "action"), list(ALLOWED))
def test_allowed_transitions(source: TicketState, action: TicketAction) -> None:
    assert next_ticket_state(source, action) is ALLOWED[source, action]


@given(st.sampled_from(TicketState), st.sampled_from(TicketAction))
def test_every_pair_is_allowed_or_raises(state: TicketState, action: TicketAction) -> None:
    if (state, action) in ALLOWED:
        assert next_ticket_state(state, action) is ALLOWED[state, action]
        assert action in allowed_actions(state)
    else:
        with pytest.raises(IllegalTicketTransition):
            next_ticket_state(state, action)
        assert action not in allowed_actions(state)


def test_forbidden_transition_message() -> None:
    with pytest.raises(IllegalTicketTransition) as excinfo:
        next_ticket_state(S.DONE, A.RECALL)
    assert str(excinfo.value) == (
        "Không thể thực hiện “Gọi lại” vì số thứ tự đang ở trạng thái “Đã xong”."
    )


@pytest.mark.parametrize("state", [S.DONE, S.TRANSFERRED])
def test_done_and_transferred_are_final(state: TicketState) -> None:
    assert allowed_actions(state) == frozenset()


def test_waiting_ticket_cannot_be_skipped_or_served() -> None:
    for action in (A.SKIP, A.START, A.FINISH, A.TRANSFER, A.RECALL, A.CALL_BACK):
        with pytest.raises(IllegalTicketTransition):
            next_ticket_state(S.WAITING, action)


def test_labels() -> None:
    assert [state_label(s) for s in TicketState] == [
        "Đang chờ",
        "Đã gọi",
        "Đang phục vụ",
        "Đã xong",
        "Vắng mặt",
        "Đã chuyển",
    ]
    assert [priority_label(r) for r in PriorityReason] == [
        "Người cao tuổi",
        "Người khuyết tật",
        "Phụ nữ mang thai",
        "Người có con nhỏ",
        "Gia đình có công với cách mạng",
    ]
    assert all(action_label(a) for a in TicketAction)


@pytest.mark.parametrize(
    ("prefix", "number", "expected"),
    [("A", 1, "A001"), ("A", 12, "A012"), ("B", 999, "B999"), ("A", 1000, "A1000"), ("", 7, "007")],
)
def test_format_ticket_number(prefix: str, number: int, expected: str) -> None:
    assert format_ticket_number(prefix, number) == expected


def test_format_ticket_number_rejects_zero() -> None:
    with pytest.raises(ValueError, match="từ 1 trở lên"):
        format_ticket_number("A", 0)
