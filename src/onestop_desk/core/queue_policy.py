"""Queue calling policy: which class of ticket a counter calls next, and the order ahead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

T = TypeVar("T")


class PolicyKind(StrEnum):
    """How priority tickets are mixed with normal ones."""

    STRICT = "strict"
    INTERLEAVED = "interleaved"


class TicketClass(StrEnum):
    """The two lines a counter calls from."""

    PRIORITY = "priority"
    NORMAL = "normal"


@dataclass(frozen=True)
class QueuePolicy:
    """Strict (priority always first) or interleaved (one priority after every N normal calls)."""

    kind: PolicyKind = PolicyKind.INTERLEAVED
    normal_per_priority: int = 3

    def __post_init__(self) -> None:
        if self.normal_per_priority < 1:
            raise ValueError(
                "Số lượt gọi thường giữa hai lượt ưu tiên phải từ 1 trở lên "
                f"(đang là {self.normal_per_priority})."
            )


def choose_class(
    policy: QueuePolicy,
    *,
    normals_since_priority: int,
    priority_waiting: bool,
    normal_waiting: bool,
) -> TicketClass | None:
    """Which line to call from next, or None when nobody waits."""
    if not priority_waiting:
        return TicketClass.NORMAL if normal_waiting else None
    if policy.kind is PolicyKind.STRICT or not normal_waiting:
        return TicketClass.PRIORITY
    # A priority ticket waits at most N normal calls, and normals get N calls per priority.
    if normals_since_priority >= policy.normal_per_priority:
        return TicketClass.PRIORITY
    return TicketClass.NORMAL


def predict_order(
    policy: QueuePolicy,
    priority: Sequence[T],
    normal: Sequence[T],
    *,
    normals_since_priority: int = 0,
) -> list[T]:
    """The order the policy would call the waiting tickets in, each line kept in its own order."""
    if normals_since_priority < 0:
        raise ValueError(f"Số lượt gọi thường không được âm (đang là {normals_since_priority}).")
    order: list[T] = []
    next_priority = next_normal = 0
    streak = normals_since_priority
    while True:
        chosen = choose_class(
            policy,
            normals_since_priority=streak,
            priority_waiting=next_priority < len(priority),
            normal_waiting=next_normal < len(normal),
        )
        if chosen is None:
            return order
        if chosen is TicketClass.PRIORITY:
            order.append(priority[next_priority])
            next_priority += 1
            streak = 0
        else:
            order.append(normal[next_normal])
            next_normal += 1
            streak += 1
