"""Tests for the priority/normal calling policy."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop_desk.core.queue_policy import (
    PolicyKind,
    QueuePolicy,
    TicketClass,
    choose_class,
    predict_order,
)

STRICT = QueuePolicy(PolicyKind.STRICT)
EVERY_THIRD = QueuePolicy(PolicyKind.INTERLEAVED, normal_per_priority=3)


def test_default_policy_is_interleaved_three() -> None:
    assert QueuePolicy() == EVERY_THIRD


@pytest.mark.parametrize("n", [0, -1])
def test_policy_rejects_n_below_one(n: int) -> None:
    with pytest.raises(ValueError, match="từ 1 trở lên"):
        QueuePolicy(normal_per_priority=n)


@pytest.mark.parametrize("policy", [STRICT, EVERY_THIRD])
def test_nobody_waiting(policy: QueuePolicy) -> None:
    assert (
        choose_class(policy, normals_since_priority=5, priority_waiting=False, normal_waiting=False)
        is None
    )


@pytest.mark.parametrize(
    ("policy", "since", "priority", "normal", "expected"),
    [
        (STRICT, 0, True, True, TicketClass.PRIORITY),
        (STRICT, 0, False, True, TicketClass.NORMAL),
        (EVERY_THIRD, 0, True, True, TicketClass.NORMAL),
        (EVERY_THIRD, 2, True, True, TicketClass.NORMAL),
        (EVERY_THIRD, 3, True, True, TicketClass.PRIORITY),
        (EVERY_THIRD, 7, True, True, TicketClass.PRIORITY),
        (EVERY_THIRD, 0, True, False, TicketClass.PRIORITY),
        (EVERY_THIRD, 5, False, True, TicketClass.NORMAL),
    ],
)
def test_choose_class(
    policy: QueuePolicy, since: int, priority: bool, normal: bool, expected: TicketClass
) -> None:
    chosen = choose_class(
        policy, normals_since_priority=since, priority_waiting=priority, normal_waiting=normal
    )
    assert chosen is expected


def test_predict_order_interleaved() -> None:
    order = predict_order(EVERY_THIRD, ["P1", "P2"], ["N1", "N2", "N3", "N4", "N5", "N6", "N7"])
    assert order == ["N1", "N2", "N3", "P1", "N4", "N5", "N6", "P2", "N7"]


def test_predict_order_counts_normals_already_called() -> None:
    order = predict_order(EVERY_THIRD, ["P1"], ["N1", "N2"], normals_since_priority=3)
    assert order == ["P1", "N1", "N2"]


def test_predict_order_strict() -> None:
    assert predict_order(STRICT, ["P1", "P2"], ["N1", "N2"]) == ["P1", "P2", "N1", "N2"]


def test_predict_order_rejects_negative_count() -> None:
    with pytest.raises(ValueError, match="không được âm"):
        predict_order(STRICT, [], [], normals_since_priority=-1)


policies = st.builds(
    QueuePolicy,
    kind=st.sampled_from(PolicyKind),
    normal_per_priority=st.integers(min_value=1, max_value=6),
)
priority_lines = st.integers(min_value=0, max_value=20).map(lambda n: [f"P{i}" for i in range(n)])
normal_lines = st.integers(min_value=0, max_value=40).map(lambda n: [f"N{i}" for i in range(n)])
already_called = st.integers(min_value=0, max_value=10)


@given(policies, priority_lines, normal_lines, already_called)
def test_predict_order_is_an_order_preserving_merge(
    policy: QueuePolicy, priority: list[str], normal: list[str], since: int
) -> None:
    order = predict_order(policy, priority, normal, normals_since_priority=since)
    assert sorted(order) == sorted(priority + normal)
    assert [t for t in order if t.startswith("P")] == priority
    assert [t for t in order if t.startswith("N")] == normal


@given(priority_lines, normal_lines, already_called)
def test_strict_calls_all_priority_first(
    priority: list[str], normal: list[str], since: int
) -> None:
    assert predict_order(STRICT, priority, normal, normals_since_priority=since) == (
        priority + normal
    )


@given(st.integers(min_value=1, max_value=6), priority_lines, normal_lines, already_called)
def test_interleaved_never_starves_either_line(
    n: int, priority: list[str], normal: list[str], since: int
) -> None:
    policy = QueuePolicy(PolicyKind.INTERLEAVED, normal_per_priority=n)
    order = predict_order(policy, priority, normal, normals_since_priority=since)
    streak = since
    priority_left = len(priority)
    normal_left = len(normal)
    for ticket in order:
        if ticket.startswith("N"):
            streak += 1
            normal_left -= 1
            # Never more than N normals in a row while a priority ticket waits.
            assert priority_left == 0 or streak <= n
        else:
            # A priority ticket only goes ahead of normals once N normals have been called.
            assert normal_left == 0 or streak >= n
            streak = 0
            priority_left -= 1
