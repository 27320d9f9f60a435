"""Working-day calendar: public holidays, office overrides, receipt times and due dates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

import holidays

SATURDAY = 5
SUNDAY = 6
# Monday first, as date.weekday() counts; written as on papers and screens.
WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")

OVERRIDE_DAY_OFF_REASON = "Ngày nghỉ do cơ quan công bố"


@dataclass(frozen=True)
class CalendarOverride:
    """An office's declared extra day off (working=False) or extra working day (working=True)."""

    day: date
    working: bool
    note: str = ""


@dataclass(frozen=True)
class SkippedDay:
    """A non-working day passed over while counting, with its reason in Vietnamese."""

    day: date
    reason: str


@dataclass(frozen=True)
class DueDate:
    """The appointment for returning a result, with the reasoning behind it."""

    received_at: datetime
    effective_received_at: datetime
    due_date: date
    due_at: datetime
    working_days: int | None
    same_day: bool
    skipped: tuple[SkippedDay, ...]
    explanation: tuple[str, ...]


def weekday_name(day: date) -> str:
    """ "Thứ Hai" … "Chủ nhật" for ``day`` (a date or a datetime)."""
    return WEEKDAY_NAMES[day.weekday()]


@cache
def _public_holidays(year: int) -> Mapping[date, str]:
    """Vietnamese public holidays of one year with their Vietnamese names (computed once a year)."""
    calendar = holidays.country_holidays("VN", language="vi", years=year)
    return {day: str(name) for day, name in calendar.items()}


def _fmt_day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _fmt_time(moment: time) -> str:
    return moment.strftime("%H:%M")


class WorkCalendar:
    """Which days a commune desk works, and when a dossier's result falls due."""

    def __init__(
        self,
        overrides: Iterable[CalendarOverride] = (),
        *,
        opening: time = time(7, 30),
        closing: time = time(17, 0),
        same_day_cutoff: time = time(15, 0),
    ) -> None:
        if not opening < closing:
            raise ValueError(
                f"Giờ mở cửa ({_fmt_time(opening)}) phải sớm hơn "
                f"giờ đóng cửa ({_fmt_time(closing)})."
            )
        if not opening <= same_day_cutoff <= closing:
            raise ValueError(
                f"Giờ chốt nhận hồ sơ trả trong ngày ({_fmt_time(same_day_cutoff)}) phải nằm "
                f"trong giờ làm việc ({_fmt_time(opening)}–{_fmt_time(closing)})."
            )
        # A later override for the same day replaces an earlier one, as an edited declaration would.
        self._overrides: dict[date, CalendarOverride] = {o.day: o for o in overrides}
        self.opening = opening
        self.closing = closing
        self.same_day_cutoff = same_day_cutoff

    @property
    def overrides(self) -> tuple[CalendarOverride, ...]:
        """The office's declared days, in date order."""
        return tuple(self._overrides[day] for day in sorted(self._overrides))

    def is_working_day(self, day: date) -> bool:
        """True on Monday–Friday outside public holidays, unless the office declared otherwise."""
        override = self._overrides.get(day)
        if override is not None:
            return override.working
        return day.weekday() < SATURDAY and day not in _public_holidays(day.year)

    def non_working_reason(self, day: date) -> str | None:
        """None for a working day, else why the desk is closed, in Vietnamese."""
        override = self._overrides.get(day)
        if override is not None:
            if override.working:
                return None
            note = override.note.strip()
            return f"{OVERRIDE_DAY_OFF_REASON}: {note}" if note else OVERRIDE_DAY_OFF_REASON
        # A holiday's name says more than the weekday when the two coincide.
        holiday = _public_holidays(day.year).get(day)
        if holiday is not None:
            return holiday
        if day.weekday() in (SATURDAY, SUNDAY):
            return weekday_name(day)
        return None

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        candidate = day + timedelta(days=1)
        while not self.is_working_day(candidate):
            candidate += timedelta(days=1)
        return candidate

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (`day` itself not counted); `day` for 0."""
        if count < 0:
            raise ValueError(f"Số ngày làm việc không được âm (đang là {count}).")
        result = day
        for _ in range(count):
            result = self.next_working_day(result)
        return result

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie in (start, end]; 0 when `end` is not after `start`."""
        count = 0
        day = start + timedelta(days=1)
        while day <= end:
            if self.is_working_day(day):
                count += 1
            day += timedelta(days=1)
        return count

    def skipped_days(self, start: date, end: date) -> tuple[SkippedDay, ...]:
        """Every non-working day in [start, end], with its reason."""
        skipped: list[SkippedDay] = []
        day = start
        while day <= end:
            reason = self.non_working_reason(day)
            if reason is not None:
                skipped.append(SkippedDay(day, reason))
            day += timedelta(days=1)
        return tuple(skipped)

    def is_working_time(self, moment: datetime) -> bool:
        """True during opening hours of a working day."""
        return self.is_working_day(moment.date()) and self.opening <= moment.time() < self.closing

    def effective_receipt(self, received_at: datetime) -> datetime:
        """When a receipt counts from: out-of-hours receipts move to the next opening time."""
        _require_naive(received_at)
        day = received_at.date()
        if self.is_working_day(day):
            if received_at.time() < self.opening:
                return datetime.combine(day, self.opening)
            if received_at.time() < self.closing:
                return received_at
        return datetime.combine(self.next_working_day(day), self.opening)

    def due(
        self,
        received_at: datetime,
        *,
        working_days: int | None = None,
        same_day: bool = False,
    ) -> DueDate:
        """The due date for a dossier received at `received_at`, in working days or same-day."""
        if (working_days is None) == (not same_day):
            raise ValueError(
                "Cần chọn đúng một cách tính thời hạn: số ngày làm việc hoặc trả trong ngày."
            )
        if working_days is not None and working_days < 0:
            raise ValueError(f"Số ngày làm việc không được âm (đang là {working_days}).")
        effective = self.effective_receipt(received_at)
        receipt_day = effective.date()
        explanation: list[str] = []
        if effective != received_at:
            explanation.append(self._explain_shift(received_at, effective))

        if working_days is None:
            if effective.time() < self.same_day_cutoff:
                due_date = receipt_day
                explanation.append(
                    f"Nhận trước {_fmt_time(self.same_day_cutoff)}: hẹn trả trong ngày."
                )
            else:
                due_date = self.next_working_day(receipt_day)
                explanation.append(
                    f"Nhận sau {_fmt_time(self.same_day_cutoff)}: hẹn trả ngày làm việc tiếp theo."
                )
        else:
            due_date = self.add_working_days(receipt_day, working_days)
            if working_days == 0:
                explanation.append("Thời hạn giải quyết: trả trong ngày tiếp nhận.")
            else:
                explanation.append(
                    f"Thời hạn giải quyết {working_days} ngày làm việc, không tính ngày tiếp nhận."
                )

        skipped = self.skipped_days(received_at.date(), due_date)
        if skipped:
            days = ", ".join(f"{_fmt_day(s.day)} ({s.reason})" for s in skipped)
            explanation.append(f"Không tính ngày nghỉ: {days}.")
        due_at = datetime.combine(due_date, self.closing)
        explanation.append(f"Hạn trả kết quả: {_fmt_time(self.closing)} ngày {_fmt_day(due_date)}.")
        return DueDate(
            received_at=received_at,
            effective_received_at=effective,
            due_date=due_date,
            due_at=due_at,
            working_days=working_days,
            same_day=same_day,
            skipped=skipped,
            explanation=tuple(explanation),
        )

    def _explain_shift(self, received_at: datetime, effective: datetime) -> str:
        start = f"tính từ {_fmt_time(effective.time())} ngày {_fmt_day(effective.date())}."
        reason = self.non_working_reason(received_at.date())
        if reason is not None:
            return f"Nhận vào ngày nghỉ ({reason}): {start}"
        if received_at.time() < self.opening:
            return f"Nhận trước giờ làm việc: {start}"
        return f"Nhận ngoài giờ làm việc: {start}"


def _require_naive(moment: datetime) -> None:
    # The desk works in local office time; an aware datetime would silently mix zones.
    if moment.tzinfo is not None:
        raise ValueError("Thời điểm tiếp nhận phải là giờ địa phương, không kèm múi giờ.")
