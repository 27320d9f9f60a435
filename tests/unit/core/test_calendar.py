"""Tests for the working-day calendar and due-date rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop_desk.core import calendar as calendar_module
from onestop_desk.core.calendar import CalendarOverride, SkippedDay, WorkCalendar

CAL = WorkCalendar()


def test_monday_plus_two_is_wednesday() -> None:
    result = CAL.due(datetime(2026, 3, 9, 9, 0), working_days=2)
    assert result.due_date == date(2026, 3, 11)
    assert result.due_at == datetime(2026, 3, 11, 17, 0)
    assert result.effective_received_at == datetime(2026, 3, 9, 9, 0)
    assert result.skipped == ()
    assert result.working_days == 2
    assert not result.same_day


def test_friday_plus_one_is_monday_and_lists_the_weekend() -> None:
    result = CAL.due(datetime(2026, 3, 13, 9, 0), working_days=1)
    assert result.due_date == date(2026, 3, 16)
    assert result.skipped == (
        SkippedDay(date(2026, 3, 14), "Thứ Bảy"),
        SkippedDay(date(2026, 3, 15), "Chủ nhật"),
    )


def test_vietnam_culture_day_is_skipped() -> None:
    result = CAL.due(datetime(2026, 11, 23, 10, 0), working_days=1)
    assert result.due_date == date(2026, 11, 25)
    assert result.skipped == (SkippedDay(date(2026, 11, 24), "Ngày Văn hóa Việt Nam"),)
    assert "Không tính ngày nghỉ: 24/11/2026 (Ngày Văn hóa Việt Nam)." in result.explanation
    assert result.explanation[-1] == "Hạn trả kết quả: 17:00 ngày 25/11/2026."


def test_tet_2026_is_skipped() -> None:
    result = CAL.due(datetime(2026, 2, 13, 10, 0), working_days=1)
    assert result.due_date == date(2026, 2, 23)
    assert [s.day for s in result.skipped] == [date(2026, 2, d) for d in range(14, 23)]
    reasons = {s.day: s.reason for s in result.skipped}
    assert reasons[date(2026, 2, 17)] == "Tết Nguyên Đán"
    assert reasons[date(2026, 2, 21)] == "Thứ Bảy"
    for day in range(16, 21):
        assert not CAL.is_working_day(date(2026, 2, day))


@pytest.mark.parametrize(
    ("received", "due_day", "sentence"),
    [
        (time(14, 59), date(2026, 3, 10), "Nhận trước 15:00: hẹn trả trong ngày."),
        (time(15, 0), date(2026, 3, 11), "Nhận sau 15:00: hẹn trả ngày làm việc tiếp theo."),
    ],
)
def test_same_day_cutoff(received: time, due_day: date, sentence: str) -> None:
    result = CAL.due(datetime.combine(date(2026, 3, 10), received), same_day=True)
    assert result.due_date == due_day
    assert result.same_day
    assert result.working_days is None
    assert sentence in result.explanation


def test_same_day_after_cutoff_on_friday_goes_to_monday() -> None:
    result = CAL.due(datetime(2026, 3, 13, 16, 0), same_day=True)
    assert result.due_date == date(2026, 3, 16)
    assert len(result.skipped) == 2


def test_received_on_saturday_counts_from_monday_opening() -> None:
    received = datetime(2026, 3, 14, 10, 0)
    assert CAL.effective_receipt(received) == datetime(2026, 3, 16, 7, 30)
    result = CAL.due(received, same_day=True)
    assert result.effective_received_at == datetime(2026, 3, 16, 7, 30)
    assert result.due_date == date(2026, 3, 16)
    assert result.skipped == (
        SkippedDay(date(2026, 3, 14), "Thứ Bảy"),
        SkippedDay(date(2026, 3, 15), "Chủ nhật"),
    )
    assert result.explanation[0] == "Nhận vào ngày nghỉ (Thứ Bảy): tính từ 07:30 ngày 16/03/2026."


def test_received_friday_evening_counts_from_monday() -> None:
    received = datetime(2026, 11, 20, 18, 0)
    result = CAL.due(received, working_days=1)
    assert result.effective_received_at == datetime(2026, 11, 23, 7, 30)
    assert result.due_date == date(2026, 11, 25)
    assert result.explanation[0] == "Nhận ngoài giờ làm việc: tính từ 07:30 ngày 23/11/2026."
    assert [s.day for s in result.skipped] == [
        date(2026, 11, 21),
        date(2026, 11, 22),
        date(2026, 11, 24),
    ]


@pytest.mark.parametrize(
    ("received", "effective"),
    [
        (datetime(2026, 3, 10, 6, 0), datetime(2026, 3, 10, 7, 30)),
        (datetime(2026, 3, 10, 7, 30), datetime(2026, 3, 10, 7, 30)),
        (datetime(2026, 3, 10, 16, 59), datetime(2026, 3, 10, 16, 59)),
        (datetime(2026, 3, 10, 17, 0), datetime(2026, 3, 11, 7, 30)),
        (datetime(2026, 11, 23, 23, 0), datetime(2026, 11, 25, 7, 30)),
    ],
)
def test_effective_receipt(received: datetime, effective: datetime) -> None:
    assert CAL.effective_receipt(received) == effective


def test_received_before_opening_explained() -> None:
    result = CAL.due(datetime(2026, 3, 10, 6, 45), working_days=0)
    assert result.due_date == date(2026, 3, 10)
    assert result.explanation[0] == "Nhận trước giờ làm việc: tính từ 07:30 ngày 10/03/2026."


def test_override_extra_day_off() -> None:
    cal = WorkCalendar([CalendarOverride(date(2026, 3, 13), working=False, note="Bầu cử")])
    assert not cal.is_working_day(date(2026, 3, 13))
    assert cal.non_working_reason(date(2026, 3, 13)) == "Ngày nghỉ do cơ quan công bố: Bầu cử"
    result = cal.due(datetime(2026, 3, 12, 9, 0), working_days=1)
    assert result.due_date == date(2026, 3, 16)
    assert result.skipped[0] == SkippedDay(
        date(2026, 3, 13), "Ngày nghỉ do cơ quan công bố: Bầu cử"
    )


def test_override_without_note() -> None:
    cal = WorkCalendar([CalendarOverride(date(2026, 3, 13), working=False)])
    assert cal.non_working_reason(date(2026, 3, 13)) == "Ngày nghỉ do cơ quan công bố"


def test_override_extra_working_saturday() -> None:
    saturday = date(2026, 2, 7)
    cal = WorkCalendar([CalendarOverride(saturday, working=True, note="Làm bù Tết")])
    assert cal.is_working_day(saturday)
    assert cal.non_working_reason(saturday) is None
    assert cal.due(datetime(2026, 2, 6, 9, 0), working_days=1).due_date == saturday
    assert cal.effective_receipt(datetime(2026, 2, 7, 8, 0)) == datetime(2026, 2, 7, 8, 0)


def test_override_can_open_a_public_holiday() -> None:
    cal = WorkCalendar([CalendarOverride(date(2026, 11, 24), working=True)])
    assert cal.is_working_day(date(2026, 11, 24))
    assert CAL.non_working_reason(date(2026, 11, 24)) == "Ngày Văn hóa Việt Nam"


def test_later_override_for_the_same_day_wins() -> None:
    day = date(2026, 3, 13)
    cal = WorkCalendar([CalendarOverride(day, working=False), CalendarOverride(day, working=True)])
    assert cal.is_working_day(day)
    assert cal.overrides == (CalendarOverride(day, working=True),)


def test_holiday_name_wins_over_weekday() -> None:
    assert CAL.non_working_reason(date(2026, 4, 26)) == "Ngày Giỗ Tổ Hùng Vương"
    assert CAL.non_working_reason(date(2026, 4, 27)) == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"


def test_working_day_has_no_reason() -> None:
    assert CAL.non_working_reason(date(2026, 3, 10)) is None


def test_next_working_day_is_strictly_after() -> None:
    assert CAL.next_working_day(date(2026, 3, 10)) == date(2026, 3, 11)
    assert CAL.next_working_day(date(2026, 4, 29)) == date(2026, 5, 4)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"working_days": 1, "same_day": True}],
)
def test_due_needs_exactly_one_rule(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="đúng một cách tính thời hạn"):
        CAL.due(datetime(2026, 3, 10, 9, 0), **kwargs)  # type: ignore[arg-type]


def test_due_rejects_negative_days() -> None:
    with pytest.raises(ValueError, match="không được âm"):
        CAL.due(datetime(2026, 3, 10, 9, 0), working_days=-1)


def test_due_rejects_aware_datetime() -> None:
    with pytest.raises(ValueError, match="giờ địa phương"):
        CAL.due(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), working_days=1)


def test_rejects_inverted_hours() -> None:
    with pytest.raises(ValueError, match="Giờ mở cửa"):
        WorkCalendar(opening=time(17, 0), closing=time(7, 30))
    with pytest.raises(ValueError, match="Giờ chốt"):
        WorkCalendar(same_day_cutoff=time(18, 0))


def test_custom_hours() -> None:
    cal = WorkCalendar(opening=time(8, 0), closing=time(16, 30), same_day_cutoff=time(14, 0))
    result = cal.due(datetime(2026, 3, 10, 14, 0), same_day=True)
    assert result.due_date == date(2026, 3, 11)
    assert result.due_at == datetime(2026, 3, 11, 16, 30)
    assert cal.effective_receipt(datetime(2026, 3, 10, 7, 45)) == datetime(2026, 3, 10, 8, 0)


def test_holidays_are_looked_up_once_per_year(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real = holidays.country_holidays

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(kwargs.get("years"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    calendar_module._public_holidays.cache_clear()
    monkeypatch.setattr(holidays, "country_holidays", counting)
    try:
        cal = WorkCalendar()
        for offset in range(365):
            cal.is_working_day(date(2031, 1, 1) + timedelta(days=offset))
        cal.due(datetime(2031, 12, 30, 9, 0), working_days=5)
    finally:
        calendar_module._public_holidays.cache_clear()
    assert calls == [2031, 2032]


# Property tests: random receipt times and office overrides around the years in service.
receipts = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31))
overrides = st.lists(
    st.builds(
        CalendarOverride,
        day=st.dates(min_value=date(2024, 1, 1), max_value=date(2031, 3, 31)),
        working=st.booleans(),
    ),
    max_size=15,
).map(WorkCalendar)


@given(cal=overrides, received=receipts, n=st.integers(min_value=0, max_value=40))
def test_due_date_properties(cal: WorkCalendar, received: datetime, n: int) -> None:
    result = cal.due(received, working_days=n)
    receipt_day = result.effective_received_at.date()
    assert cal.is_working_day(result.due_date)
    assert result.due_date >= receipt_day
    assert result.effective_received_at >= received
    assert cal.working_days_between(receipt_day, result.due_date) == n
    assert cal.due(received, working_days=n + 1).due_date > result.due_date
    expected_skipped = [
        received.date() + timedelta(days=i)
        for i in range((result.due_date - received.date()).days + 1)
        if not cal.is_working_day(received.date() + timedelta(days=i))
    ]
    assert [s.day for s in result.skipped] == expected_skipped


@given(cal=overrides, received=receipts)
def test_same_day_properties(cal: WorkCalendar, received: datetime) -> None:
    result = cal.due(received, same_day=True)
    effective = result.effective_received_at
    assert cal.is_working_day(result.due_date)
    assert cal.is_working_time(effective)
    if effective.time() < time(15, 0):
        assert result.due_date == effective.date()
    else:
        assert result.due_date == cal.next_working_day(effective.date())
