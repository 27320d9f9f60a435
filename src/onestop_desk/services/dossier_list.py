"""The counter's dossier list: filters, search by code, ID number or name, sorting and counts.

Every query starts from the office's indexes: ``dossier(office_id, state, due_at)`` for the
open-dossier filters, ``dossier(office_id, received_at)`` for the others, the unique dossier
code, the citizen's ID numbers and the citizen's name key (a prefix range), and
``submission(state, ...)`` for failed submissions.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import Boolean, ColumnElement, Select, case, false, func, select

from onestop_desk.core.calendar import WorkCalendar, weekday_name
from onestop_desk.core.dossier_code import InvalidDossierCode, is_dossier_code, parse_dossier_code
from onestop_desk.core.lifecycle import (
    FINAL_STATES,
    DossierState,
    ResultTiming,
    is_overdue,
    state_label,
    timing_label,
)
from onestop_desk.core.submission import SubmissionState, submission_state_label
from onestop_desk.core.text import search_key
from onestop_desk.db.models import Citizen, Dossier, Office, Procedure, Submission
from onestop_desk.errors import InputError, NotFound
from onestop_desk.services.calendar import office_calendar
from onestop_desk.services.uow import UnitOfWork


class DossierFilter(StrEnum):
    """The piles a reception specialist looks at."""

    OPEN = "open"  # not yet returned, refused or stopped
    DUE_TODAY = "due_today"
    DUE_TOMORROW = "due_tomorrow"  # the next working day (Monday, seen on a Friday)
    LATE = "late"  # due time passed, still open
    SUPPLEMENT = "supplement"  # waiting for the citizen's missing papers
    RESULT_READY = "result_ready"  # to be handed over
    SUBMISSION_FAILED = "submission_failed"  # the online system refused or never took it
    RETURNED = "returned"
    ALL = "all"


SORT_KEYS: Final = (
    "code",
    "procedure",
    "applicant",
    "received_at",
    "due_at",
    "state",
    "submission",
)
#: A sequence number alone ("12", "0012") is looked for among this many days of dossiers.
RECENT_DAYS: Final = 366
DEFAULT_LIMIT: Final = 500

OPEN_STATES: Final = tuple(s for s in DossierState if s not in FINAL_STATES)

_ID_NUMBER = re.compile(r"\d{12}")
_OLD_ID_NUMBER = re.compile(r"\d{9}")
_SEQUENCE = re.compile(r"-?(\d{1,4})")
# The end of a code: YYMMDD-XXXX (the dash may be left out), after any part of the agency code.
_DATE_SEQUENCE = re.compile(r"(?:[0-9A-Z.]*-)?(\d{6})-?(\d{4})")
_LIKE_ESCAPE = "\\"


@dataclass(frozen=True)
class DossierRow:
    """One line of the dossier list."""

    code: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    applicant_id_number: str
    received_at: datetime
    due_at: datetime
    state: DossierState
    state_label: str
    due_label: str  # "Hôm nay 17:00", "Trễ 2 ngày làm việc", "Đã trả 25/11 – Đúng hạn"...
    late: bool  # still open after its due date (returning it now would be late)
    due_soon: bool  # open, due today or on the next working day
    returned_at: datetime | None
    submission_state: SubmissionState | None  # None: never queued
    submission_label: str
    portal_status: str | None
    portal_status_label: str


@dataclass(frozen=True)
class FilterCounts:
    """How many dossiers each filter holds (with the search applied, if any)."""

    counts: Mapping[DossierFilter, int]
    today: date
    next_working_day: date  # what DUE_TOMORROW means

    def __getitem__(self, key: DossierFilter) -> int:
        return self.counts[key]


# --- search -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Search:
    kind: str  # "" (none), "code", "id_number", "name"
    condition: ColumnElement[bool] | None


def search_kind(text: str) -> str:
    """What typed text is taken for: "code", "id_number", "name" or "" (nothing to search)."""
    cleaned = _squeeze(text)
    if not cleaned:
        return ""
    if (
        is_dossier_code(cleaned)
        or _SEQUENCE.fullmatch(cleaned)
        or _DATE_SEQUENCE.fullmatch(cleaned)
    ):
        return "code"
    if cleaned.isdigit():
        return "id_number" if len(cleaned) in (9, 12) else "code"
    return "name" if search_key(text) else ""


def _squeeze(text: str) -> str:
    # Numbers are often typed in groups ("066 090 012 345"); codes never contain spaces.
    cleaned = text.strip()
    if re.fullmatch(r"[\d .]+", cleaned) and not re.fullmatch(r"\d+", cleaned):
        cleaned = re.sub(r"[ .]", "", cleaned)
    return cleaned.upper() if not cleaned.isdigit() else cleaned


def _search(uow: UnitOfWork, agency_code: str, text: str, today: date) -> _Search:
    cleaned = _squeeze(text)
    if not cleaned:
        return _Search("", None)
    try:
        code = str(parse_dossier_code(cleaned))
    except InvalidDossierCode:
        pass
    else:
        return _Search("code", Dossier.code == code)
    if _ID_NUMBER.fullmatch(cleaned):
        return _Search("id_number", Citizen.id_number == cleaned)
    if _OLD_ID_NUMBER.fullmatch(cleaned):
        return _Search("id_number", Citizen.old_id_number == cleaned)
    sequence = _SEQUENCE.fullmatch(cleaned)
    if sequence is not None:
        number = int(sequence.group(1))
        if number == 0:
            return _Search("code", false())
        # The last digits of a code on a slip: that sequence on each recent day, found through
        # the unique code index rather than a scan for codes ending so.
        codes = [
            f"{agency_code}-{today - timedelta(days=back):%y%m%d}-{number:04d}"
            for back in range(RECENT_DAYS)
        ]
        return _Search("code", Dossier.code.in_(codes))
    dated = _DATE_SEQUENCE.fullmatch(cleaned)
    if dated is not None:
        return _Search("code", Dossier.code == f"{agency_code}-{dated[1]}-{dated[2]}")
    if cleaned.isdigit():
        return _Search("code", false())
    words = search_key(text).split()
    if not words:
        return _Search("", None)
    return _Search("name", _name_condition(uow, words))


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _name_condition(uow: UnitOfWork, words: list[str]) -> ColumnElement[bool]:
    """Each word typed starts a word of the name, in order, the first one the family name.

    "nguyen an" finds "Nguyễn Văn An" and "Nguyễn Thị Ánh"; the family name part is a prefix
    range on the citizen name index, the other words filter what it found.
    """
    pattern = _escape_like(words[0]) + "%" + "".join(f" {_escape_like(w)}%" for w in words[1:])
    like = Citizen.name_key.like(pattern, escape=_LIKE_ESCAPE)
    if uow.session.get_bind().dialect.name == "postgresql":
        # The text_pattern_ops index serves the pattern's fixed start.
        return like
    # SQLite's LIKE ignores the index; a range on the binary-ordered key uses it.
    first = words[0]
    ranged = (Citizen.name_key >= first) & (Citizen.name_key < first + "\U0010ffff")
    return ranged & like if len(words) > 1 else ranged


# --- filters ------------------------------------------------------------------------------------


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _filter_condition(
    which: DossierFilter, now: datetime, next_working_day: date
) -> ColumnElement[bool] | None:
    open_state = Dossier.state.in_(OPEN_STATES)
    today = now.date()
    match which:
        case DossierFilter.OPEN:
            return open_state
        case DossierFilter.DUE_TODAY:
            start = _day_start(today)
            return open_state & (Dossier.due_at >= start) & (Dossier.due_at < start + _DAY)
        case DossierFilter.DUE_TOMORROW:
            start = _day_start(next_working_day)
            return open_state & (Dossier.due_at >= start) & (Dossier.due_at < start + _DAY)
        case DossierFilter.LATE:
            # Late as the return would be classed: the due date, not the hour, has passed.
            return open_state & (Dossier.due_at < _day_start(today))
        case DossierFilter.SUPPLEMENT:
            return Dossier.state == DossierState.SUPPLEMENT_REQUESTED
        case DossierFilter.RESULT_READY:
            return Dossier.state == DossierState.RESULT_READY
        case DossierFilter.SUBMISSION_FAILED:
            return Submission.state == SubmissionState.FAILED
        case DossierFilter.RETURNED:
            return Dossier.state == DossierState.RETURNED
        case _:
            return None


_DAY: Final = timedelta(days=1)


def _state_order() -> Any:
    return case(
        {state.value: position for position, state in enumerate(DossierState)},
        value=Dossier.state,
        else_=len(DossierState),
    )


def _sort_column(sort: str) -> Any:
    match sort:
        case "code":
            return Dossier.code
        # Names sort on their diacritic-free keys: the same order on every backend and locale.
        case "procedure":
            return Procedure.name_key
        case "applicant":
            return Citizen.name_key
        case "received_at":
            return Dossier.received_at
        case "due_at":
            return Dossier.due_at
        case "state":
            return _state_order()
        case "submission":
            return func.coalesce(Submission.state, "")
    raise InputError(
        f"Không sắp xếp được theo “{sort}”.", "Chọn một trong: " + ", ".join(SORT_KEYS) + "."
    )


# --- labels -------------------------------------------------------------------------------------


def submission_label(state: str | None) -> str:
    """The online submission's state as the list shows it ("" when none was queued)."""
    return "" if state is None else submission_state_label(state)


def portal_status_label(status: str | None) -> str:
    """The online system's status of the dossier, in the lifecycle's own words when it can."""
    if not status:
        return ""
    try:
        return state_label(DossierState(status))
    except ValueError:
        return status


def due_label(
    *,
    due_at: datetime,
    state: DossierState,
    now: datetime,
    calendar: WorkCalendar,
    returned_at: datetime | None = None,
    result_timing: ResultTiming | None = None,
) -> str:
    """The "Hẹn trả" cell: how the due time stands from where the specialist sits, now."""
    today = now.date()
    if state is DossierState.RETURNED:
        when = f"Đã trả {returned_at:%d/%m}" if returned_at is not None else "Đã trả"
        return when if result_timing is None else f"{when} – {timing_label(result_timing)}"
    if state in FINAL_STATES:
        return "—"
    due_day = due_at.date()
    if is_overdue(state, due_at, now):
        days = max(1, calendar.working_days_between(due_day, today))
        return f"Trễ {days} ngày làm việc"
    if due_day == today:
        return f"Hôm nay {due_at:%H:%M}"
    if due_day == today + _DAY:
        return f"Ngày mai {due_at:%H:%M}"
    if due_day.year == today.year:
        return f"{weekday_name(due_day)} {due_at:%d/%m %H:%M}"
    return f"{due_at:%d/%m/%Y %H:%M}"


# --- queries ------------------------------------------------------------------------------------


def _office(uow: UnitOfWork, office_id: uuid.UUID) -> Office:
    office = uow.session.get(Office, office_id)
    if office is None:
        raise NotFound("Đơn vị không còn trong cơ sở dữ liệu.")
    return office


def _in_office(uow: UnitOfWork, office_id: uuid.UUID, *, narrow: bool) -> ColumnElement[bool]:
    """The office's dossiers; ``narrow`` when another condition picks far fewer rows."""
    condition = Dossier.office_id == office_id
    if narrow and uow.session.get_bind().dialect.name == "sqlite":
        # Without statistics SQLite takes "office_id = ?" for a narrow test and would walk
        # the office's dossiers instead of looking the code, the citizen or the failed
        # submissions up; with one office per file it is true of nearly every row: say so.
        return func.likely(condition, type_=Boolean)
    return condition


def _base(uow: UnitOfWork, office_id: uuid.UUID, *columns: Any, narrow: bool) -> Select[Any]:
    return (
        select(*columns)
        .select_from(Dossier)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .join(Citizen, Citizen.id == Dossier.applicant_id)
        .outerjoin(Submission, Submission.dossier_id == Dossier.id)
        .where(_in_office(uow, office_id, narrow=narrow))
    )


def list_dossiers(
    uow: UnitOfWork,
    office_id: uuid.UUID,
    *,
    filter: DossierFilter,
    search: str = "",
    sort: str = "due_at",
    descending: bool = False,
    now: datetime,
    limit: int = DEFAULT_LIMIT,
    codes: Collection[str] | None = None,
) -> list[DossierRow]:
    """The office's dossiers in ``filter`` matching ``search``, sorted, at most ``limit``.

    ``codes`` narrows the list to those dossiers (the ones about to be late, for instance).
    """
    order = _sort_column(sort)
    office = _office(uow, office_id)
    calendar = office_calendar(uow, office_id)
    found = _search(uow, office.agency_code, search, now.date())
    narrow = (
        found.condition is not None
        or codes is not None
        or filter is DossierFilter.SUBMISSION_FAILED
    )
    statement = _base(
        uow,
        office_id,
        Dossier.code,
        Procedure.code,
        Procedure.name,
        Citizen.full_name,
        Citizen.id_number,
        Dossier.received_at,
        Dossier.due_at,
        Dossier.state,
        Dossier.returned_at,
        Dossier.result_timing,
        Submission.state,
        Dossier.portal_status,
        narrow=narrow,
    )
    condition = _filter_condition(filter, now, calendar.next_working_day(now.date()))
    if condition is not None:
        statement = statement.where(condition)
    if found.condition is not None:
        statement = statement.where(found.condition)
    if codes is not None:
        statement = statement.where(Dossier.code.in_(sorted(set(codes))))
    primary = order.desc() if descending else order.asc()
    tie = Dossier.code.desc() if descending else Dossier.code.asc()
    statement = statement.order_by(primary, tie).limit(limit)
    rows = uow.session.execute(statement).all()
    next_day = calendar.next_working_day(now.date())
    return [_row(tuple(r), now, calendar, next_day) for r in rows]


def _row(
    values: tuple[Any, ...], now: datetime, calendar: WorkCalendar, next_day: date
) -> DossierRow:
    (
        code,
        procedure_code,
        procedure_name,
        applicant_name,
        id_number,
        received_at,
        due_at,
        raw_state,
        returned_at,
        timing,
        submission,
        portal_status,
    ) = values
    state: DossierState = raw_state
    still_open = state not in FINAL_STATES
    late = is_overdue(state, due_at, now)
    return DossierRow(
        code=code,
        procedure_code=procedure_code,
        procedure_name=procedure_name,
        applicant_name=applicant_name,
        applicant_id_number=id_number,
        received_at=received_at,
        due_at=due_at,
        state=state,
        state_label=state_label(state),
        due_label=due_label(
            due_at=due_at,
            state=state,
            now=now,
            calendar=calendar,
            returned_at=returned_at,
            result_timing=timing,
        ),
        late=late,
        due_soon=still_open and not late and due_at.date() <= next_day,
        returned_at=returned_at,
        submission_state=submission,
        submission_label=submission_label(submission),
        portal_status=portal_status,
        portal_status_label=portal_status_label(portal_status),
    )


def dossier_counts(
    uow: UnitOfWork, office_id: uuid.UUID, *, now: datetime, search: str = ""
) -> FilterCounts:
    """How many dossiers each filter of the list holds, with ``search`` applied."""
    today = now.date()
    office = _office(uow, office_id)
    calendar = office_calendar(uow, office_id)
    next_day = calendar.next_working_day(today)
    found = _search(uow, office.agency_code, search, today)

    def condition(which: DossierFilter) -> ColumnElement[bool] | None:
        return _filter_condition(which, now, next_day)

    # One pass over the open dossiers (the state/due index) for the six open piles, one
    # over the office's dossiers for "returned" and "all", one over failed submissions.
    # Within the open dossiers the open-state test is true already: the sums skip it.
    open_filters = (
        DossierFilter.OPEN,
        DossierFilter.DUE_TODAY,
        DossierFilter.DUE_TOMORROW,
        DossierFilter.LATE,
        DossierFilter.SUPPLEMENT,
        DossierFilter.RESULT_READY,
    )
    open_sums = [func.count()] + [_count_of(_open_part(f, now, next_day)) for f in open_filters[1:]]
    counts: dict[DossierFilter, int] = dict(
        zip(
            open_filters,
            _counted(uow, office_id, found, open_sums, where=Dossier.state.in_(OPEN_STATES)),
            strict=True,
        )
    )
    returned_condition = condition(DossierFilter.RETURNED)
    assert returned_condition is not None
    counts[DossierFilter.RETURNED], counts[DossierFilter.ALL] = _counted(
        uow, office_id, found, [_count_of(returned_condition), func.count()]
    )
    (counts[DossierFilter.SUBMISSION_FAILED],) = _counted(
        uow,
        office_id,
        found,
        [func.count()],
        where=condition(DossierFilter.SUBMISSION_FAILED),
        submission=True,
    )
    return FilterCounts(counts=counts, today=today, next_working_day=next_day)


def _open_part(which: DossierFilter, now: datetime, next_day: date) -> ColumnElement[bool]:
    """The condition of an open-dossier filter without its "still open" part."""
    today = now.date()
    match which:
        case DossierFilter.DUE_TODAY:
            start = _day_start(today)
            return (Dossier.due_at >= start) & (Dossier.due_at < start + _DAY)
        case DossierFilter.DUE_TOMORROW:
            start = _day_start(next_day)
            return (Dossier.due_at >= start) & (Dossier.due_at < start + _DAY)
        case DossierFilter.LATE:
            return Dossier.due_at < _day_start(today)
        case DossierFilter.SUPPLEMENT:
            return Dossier.state == DossierState.SUPPLEMENT_REQUESTED
        case DossierFilter.RESULT_READY:
            return Dossier.state == DossierState.RESULT_READY
    raise ValueError(f"not an open-dossier filter: {which}")


def _count_of(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _counted(
    uow: UnitOfWork,
    office_id: uuid.UUID,
    found: _Search,
    sums: list[Any],
    *,
    where: ColumnElement[bool] | None = None,
    submission: bool = False,
) -> list[int]:
    statement = select(*sums).select_from(Dossier)
    if found.kind in ("name", "id_number"):
        statement = statement.join(Citizen, Citizen.id == Dossier.applicant_id)
    if submission:
        statement = statement.join(Submission, Submission.dossier_id == Dossier.id)
    narrow = submission or found.condition is not None
    statement = statement.where(_in_office(uow, office_id, narrow=narrow))
    if where is not None:
        statement = statement.where(where)
    if found.condition is not None:
        statement = statement.where(found.condition)
    return [int(value or 0) for value in uow.session.execute(statement).one()]


def find_dossier_code(uow: UnitOfWork, text: str) -> str | None:
    """The code of the dossier ``text`` names (a scanned QR, a typed code), if there is one."""
    try:
        code = str(parse_dossier_code(text))
    except InvalidDossierCode:
        return None
    return uow.session.scalar(select(Dossier.code).where(Dossier.code == code))
