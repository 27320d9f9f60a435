"""Overdue dossiers, the ones about to be (Mẫu 04), and the labels of history entries."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from onestop_desk.core.lifecycle import (
    DossierAction,
    DossierState,
    event_label,
    is_overdue,
    needs_extension,
)

S = DossierState
DUE = datetime(2026, 11, 27, 17, 0)  # a Friday afternoon
DAY = timedelta(hours=24)


@pytest.mark.parametrize(
    ("now", "overdue"),
    [
        (datetime(2026, 11, 26, 9, 0), False),
        (datetime(2026, 11, 27, 16, 59), False),
        # Later on the due date still counts as on time when returned, so not overdue yet.
        (datetime(2026, 11, 27, 19, 0), False),
        (datetime(2026, 11, 28, 0, 0), True),
        (datetime(2027, 2, 1, 8, 0), True),
    ],
)
def test_an_open_dossier_is_overdue_from_the_day_after_its_due_date(
    now: datetime, overdue: bool
) -> None:
    for state in (S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.RESULT_READY):
        assert is_overdue(state, DUE, now) is overdue


@pytest.mark.parametrize("state", [S.RETURNED, S.REFUSED, S.STOPPED])
def test_a_closed_dossier_is_never_overdue(state: DossierState) -> None:
    assert not is_overdue(state, DUE, datetime(2027, 1, 1))


@pytest.mark.parametrize(
    ("state", "now", "within", "expected"),
    [
        (S.RECEIVED, datetime(2026, 11, 26, 17, 0), DAY, True),  # exactly 24 hours ahead
        (S.PROCESSING, datetime(2026, 11, 26, 16, 59), DAY, False),  # a minute too early
        (S.PROCESSING, datetime(2026, 11, 27, 10, 0), DAY, True),
        (S.PROCESSING, datetime(2026, 11, 27, 18, 0), DAY, True),  # passed, still on time today
        (S.PROCESSING, datetime(2026, 11, 28, 8, 0), DAY, False),  # late: no longer "about to"
        (S.PROCESSING, datetime(2026, 11, 24, 17, 0), 3 * DAY, True),
        (S.PROCESSING, datetime(2026, 11, 24, 17, 0), timedelta(0), False),
        # Nothing to extend: the citizen owes papers, the result is there, or it is closed.
        (S.SUPPLEMENT_REQUESTED, datetime(2026, 11, 27, 10, 0), DAY, False),
        (S.RESULT_READY, datetime(2026, 11, 27, 10, 0), DAY, False),
        (S.RETURNED, datetime(2026, 11, 27, 10, 0), DAY, False),
        (S.STOPPED, datetime(2026, 11, 27, 10, 0), DAY, False),
    ],
)
def test_needs_extension(
    state: DossierState, now: datetime, within: timedelta, expected: bool
) -> None:
    assert needs_extension(state, DUE, now, within) is expected


def test_event_labels_cover_actions_reception_and_unknown_kinds() -> None:
    assert event_label("received") == "Tiếp nhận hồ sơ"
    assert event_label(DossierAction.EXTEND.value) == "Gia hạn"
    assert event_label(DossierAction.RETURN_RESULT.value) == "Trả kết quả"
    assert event_label("portal_status") == "Cập nhật trạng thái từ hệ thống dịch vụ công"
    assert event_label("submission_failed") == "Gửi lên hệ thống dịch vụ công không được"
    # A kind written by a newer version is shown as stored, not dropped.
    assert event_label("archived") == "archived"
    labels = {event_label(action.value) for action in DossierAction}
    assert len(labels) == len(DossierAction)
    assert event_label("received") not in labels
