"""Tests for the dossier lifecycle and result timing."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop_desk.core.lifecycle import (
    DossierAction,
    DossierState,
    IllegalDossierTransition,
    ResultTiming,
    action_label,
    allowed_actions,
    classify_return,
    is_final,
    next_dossier_state,
    state_label,
    timing_label,
)

S = DossierState
A = DossierAction

# The lifecycle as the one-stop rules describe it; written out here independently of the module.
ALLOWED: dict[tuple[DossierState, DossierAction], DossierState] = {
    (S.RECEIVED, A.START_PROCESSING): S.PROCESSING,
    (S.RECEIVED, A.REFUSE): S.REFUSED,
    (S.RECEIVED, A.REQUEST_SUPPLEMENT): S.SUPPLEMENT_REQUESTED,
    (S.PROCESSING, A.REQUEST_SUPPLEMENT): S.SUPPLEMENT_REQUESTED,
    (S.SUPPLEMENT_REQUESTED, A.SUPPLEMENT_RECEIVED): S.PROCESSING,
    (S.RECEIVED, A.EXTEND): S.RECEIVED,
    (S.PROCESSING, A.EXTEND): S.PROCESSING,
    (S.RECEIVED, A.STOP): S.STOPPED,
    (S.PROCESSING, A.STOP): S.STOPPED,
    (S.SUPPLEMENT_REQUESTED, A.STOP): S.STOPPED,
    (S.PROCESSING, A.MARK_RESULT_READY): S.RESULT_READY,
    (S.RESULT_READY, A.RETURN_RESULT): S.RETURNED,
}
FINAL = {S.REFUSED, S.STOPPED, S.RETURNED}


@pytest.mark.parametrize(("source", "action"), list(ALLOWED))
def test_allowed_transitions(source: DossierState, action: DossierAction) -> None:
    assert next_dossier_state(source, action) is ALLOWED[source, action]


@pytest.mark.parametrize(
    ("source", "action"),
    [
        (S.RECEIVED, A.MARK_RESULT_READY),
        (S.RECEIVED, A.RETURN_RESULT),
        (S.PROCESSING, A.REFUSE),
        (S.SUPPLEMENT_REQUESTED, A.EXTEND),
        (S.SUPPLEMENT_REQUESTED, A.MARK_RESULT_READY),
        (S.RESULT_READY, A.STOP),
        (S.RESULT_READY, A.EXTEND),
        (S.RETURNED, A.RETURN_RESULT),
        (S.REFUSED, A.START_PROCESSING),
        (S.STOPPED, A.SUPPLEMENT_RECEIVED),
    ],
)
def test_forbidden_transitions(source: DossierState, action: DossierAction) -> None:
    with pytest.raises(IllegalDossierTransition):
        next_dossier_state(source, action)


@given(st.sampled_from(DossierState), st.sampled_from(DossierAction))
def test_every_pair_is_allowed_or_raises(state: DossierState, action: DossierAction) -> None:
    if (state, action) in ALLOWED:
        assert next_dossier_state(state, action) is ALLOWED[state, action]
        assert action in allowed_actions(state)
    else:
        with pytest.raises(IllegalDossierTransition) as excinfo:
            next_dossier_state(state, action)
        assert state_label(state) in str(excinfo.value)
        assert action_label(action) in str(excinfo.value)
        assert action not in allowed_actions(state)


def test_forbidden_transition_message() -> None:
    with pytest.raises(IllegalDossierTransition) as excinfo:
        next_dossier_state(S.RETURNED, A.EXTEND)
    assert str(excinfo.value) == (
        "Không thể thực hiện “Gia hạn” vì hồ sơ đang ở trạng thái “Đã trả kết quả”."
    )


@pytest.mark.parametrize("state", list(DossierState))
def test_final_states_allow_nothing(state: DossierState) -> None:
    assert is_final(state) == (state in FINAL)
    assert (allowed_actions(state) == frozenset()) == (state in FINAL)


def test_labels() -> None:
    assert [state_label(s) for s in DossierState] == [
        "Đã tiếp nhận",
        "Đang giải quyết",
        "Chờ bổ sung hồ sơ",
        "Từ chối tiếp nhận",
        "Dừng giải quyết",
        "Đã có kết quả",
        "Đã trả kết quả",
    ]
    assert action_label(A.REQUEST_SUPPLEMENT) == "Yêu cầu bổ sung hồ sơ"
    assert action_label(A.EXTEND) == "Gia hạn"
    assert len({action_label(a) for a in DossierAction}) == len(DossierAction)
    assert [timing_label(t) for t in ResultTiming] == ["Trước hạn", "Đúng hạn", "Quá hạn"]


DUE = datetime(2026, 11, 25, 17, 0)


@pytest.mark.parametrize(
    ("returned_at", "expected"),
    [
        (datetime(2026, 11, 23, 9, 0), ResultTiming.EARLY),
        (datetime(2026, 11, 24, 23, 59), ResultTiming.EARLY),
        (datetime(2026, 11, 25, 0, 0), ResultTiming.ON_TIME),
        (datetime(2026, 11, 25, 17, 0), ResultTiming.ON_TIME),
        (datetime(2026, 11, 25, 19, 30), ResultTiming.ON_TIME),
        (datetime(2026, 11, 26, 0, 0), ResultTiming.LATE),
        (datetime(2027, 1, 4, 8, 0), ResultTiming.LATE),
    ],
)
def test_classify_return(returned_at: datetime, expected: ResultTiming) -> None:
    assert classify_return(DUE, returned_at) is expected
