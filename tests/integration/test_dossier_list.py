"""The counter's dossier list on real databases: every filter, each kind of search, sorting."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import event

from onestop_desk.core.lifecycle import DossierState
from onestop_desk.core.text import search_key
from onestop_desk.db.database import Database
from onestop_desk.errors import InputError
from onestop_desk.services.dossier_list import (
    SORT_KEYS,
    DossierFilter,
    DossierRow,
    search_kind,
)
from onestop_desk.services.dossier_list import dossier_counts as count_dossiers
from onestop_desk.services.dossier_list import find_dossier_code as find_code
from onestop_desk.services.dossier_list import list_dossiers as list_rows
from tests.support.dossier_seed import AGENCY, NOW, Seeded, seed_dossiers
from tests.support.services import in_uow

# Each read in its own unit of work, as the counter's list makes them.
list_dossiers = in_uow(list_rows, readonly=True)
dossier_counts = in_uow(count_dossiers, readonly=True)
find_dossier_code = in_uow(find_code, readonly=True)


@pytest.fixture
def seeded(database: Database) -> Seeded:
    return seed_dossiers(database)


def _codes(rows: list[DossierRow]) -> set[str]:
    return {row.code for row in rows}


def _list(database: Database, seeded: Seeded, which: DossierFilter, **kw: Any) -> list[DossierRow]:
    return list_dossiers(database, seeded.office_id, filter=which, now=NOW, **kw)


def test_seeded_codes_are_the_office_days_sequences(seeded: Seeded) -> None:
    # What the searches below rely on: codes count per day from 0001.
    assert seeded.today == f"{AGENCY}-261127-0001"
    assert seeded.ready == f"{AGENCY}-261127-0002"
    assert seeded.monday == f"{AGENCY}-261125-0001"


def test_every_filter_lists_its_dossiers_and_counts_them(
    database: Database, seeded: Seeded
) -> None:
    s = seeded
    open_codes = {s.today, s.monday, s.later, s.late, s.supplement, s.ready}
    expected = {
        DossierFilter.OPEN: open_codes,
        DossierFilter.DUE_TODAY: {s.today, s.ready},
        DossierFilter.DUE_TOMORROW: {s.monday},  # Friday: the next working day is Monday
        DossierFilter.LATE: {s.late},
        DossierFilter.SUPPLEMENT: {s.supplement},
        DossierFilter.RESULT_READY: {s.ready},
        DossierFilter.SUBMISSION_FAILED: {s.monday},
        DossierFilter.RETURNED: {s.returned},
        DossierFilter.ALL: open_codes | {s.returned, s.refused},
    }
    listed = {which: _codes(_list(database, s, which)) for which in DossierFilter}
    assert listed == expected
    counts = dossier_counts(database, s.office_id, now=NOW)
    assert dict(counts.counts) == {which: len(codes) for which, codes in expected.items()}
    assert counts.next_working_day == date(2026, 11, 30)
    assert counts.today == NOW.date()


def test_rows_say_how_each_due_time_stands(database: Database, seeded: Seeded) -> None:
    rows = {r.code: r for r in _list(database, seeded, DossierFilter.ALL)}
    today = rows[seeded.today]
    assert today.procedure_name == "Chứng thực chữ ký"
    assert today.applicant_name == "Nguyễn Văn An"
    assert today.applicant_id_number == "066090012345"
    assert today.received_at == datetime(2026, 11, 27, 8, 0)
    assert today.due_at == datetime(2026, 11, 27, 17, 0)
    assert (today.state, today.state_label) == (DossierState.RECEIVED, "Đã tiếp nhận")
    assert today.due_label == "Hôm nay 17:00"
    assert (today.late, today.due_soon) == (False, True)
    assert (today.submission_state, today.submission_label) == ("pending", "Chờ gửi")

    monday = rows[seeded.monday]
    assert monday.due_label == "Thứ Hai 30/11 17:00"
    assert monday.due_soon
    assert (monday.submission_state, monday.submission_label) == ("failed", "Gửi lỗi")

    later = rows[seeded.later]
    assert later.due_label == "Thứ Ba 01/12 17:00"
    assert not later.due_soon
    assert (later.portal_status, later.portal_status_label) == ("processing", "Đang giải quyết")

    late = rows[seeded.late]
    # Due Thursday 19/11 17:00; working days since: 20, 23, 25, 26, 27 (24/11 a holiday).
    assert late.due_label == "Trễ 5 ngày làm việc"
    assert (late.late, late.due_soon) == (True, False)

    assert rows[seeded.supplement].state_label == "Chờ bổ sung hồ sơ"
    assert rows[seeded.ready].state_label == "Đã có kết quả"
    returned = rows[seeded.returned]
    assert returned.due_label == "Đã trả 20/11 – Đúng hạn"
    assert not returned.late
    assert returned.returned_at == datetime(2026, 11, 20, 16, 0)
    refused = rows[seeded.refused]
    assert (refused.state_label, refused.due_label, refused.late) == (
        "Từ chối tiếp nhận",
        "—",
        False,
    )


def test_late_means_the_due_date_has_passed_not_the_hour(
    database: Database, seeded: Seeded
) -> None:
    # At 17:30 the dossiers due at 17:00 today would still be returned on time.
    evening = datetime(2026, 11, 27, 17, 30)
    rows = list_dossiers(database, seeded.office_id, filter=DossierFilter.LATE, now=evening)
    assert _codes(rows) == {seeded.late}
    today = list_dossiers(database, seeded.office_id, filter=DossierFilter.DUE_TODAY, now=evening)
    assert {r.code: (r.due_label, r.late) for r in today} == {
        seeded.today: ("Hôm nay 17:00", False),
        seeded.ready: ("Hôm nay 17:00", False),
    }
    # On Monday morning, Friday's are one working day late; Monday's read "today".
    monday = datetime(2026, 11, 30, 8, 0)
    rows = list_dossiers(database, seeded.office_id, filter=DossierFilter.OPEN, now=monday)
    labels = {r.code: r.due_label for r in rows}
    assert labels[seeded.today] == "Trễ 1 ngày làm việc"
    assert labels[seeded.late] == "Trễ 6 ngày làm việc"
    assert labels[seeded.monday] == "Hôm nay 17:00"
    sunday = list_dossiers(
        database, seeded.office_id, filter=DossierFilter.OPEN, now=datetime(2026, 11, 29, 9, 0)
    )
    # Seen on Sunday, Monday's due time reads "tomorrow".
    assert {r.code: r.due_label for r in sunday}[seeded.monday] == "Ngày mai 17:00"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("000.24481.H15-261127-0002", {"ready"}),
        ("  000.24481.h15-261127-0002 ", {"ready"}),  # typed in lower case, with spaces
        ("261127-0002", {"ready"}),  # the date and sequence printed large on the slip
        ("2611270002", {"ready"}),
        ("H15-261127-0002", {"ready"}),
        # The last digits: that sequence on any recent day (26/11 had two dossiers too).
        ("0002", {"ready", "refused"}),
        ("2", {"ready", "refused"}),
        ("-0002", {"ready", "refused"}),
    ],
)
def test_search_by_code_full_or_by_its_end(
    database: Database, seeded: Seeded, typed: str, expected: set[str]
) -> None:
    assert search_kind(typed) == "code"
    rows = _list(database, seeded, DossierFilter.ALL, search=typed)
    assert _codes(rows) == {getattr(seeded, name) for name in expected}


def test_the_last_digits_find_that_sequence_on_every_recent_day(
    database: Database, seeded: Seeded
) -> None:
    rows = _list(database, seeded, DossierFilter.ALL, search="1")
    assert {r.code[-11:] for r in rows} == {
        "261127-0001",
        "261125-0001",
        "261123-0001",
        "261119-0001",
        "261126-0001",
        "261120-0001",
    }
    assert _list(database, seeded, DossierFilter.ALL, search="0") == []
    assert _list(database, seeded, DossierFilter.ALL, search="9999") == []


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("066090012345", {"Nguyễn Văn An"}),
        ("066 090 012 345", {"Nguyễn Văn An"}),  # typed in groups
        ("241234567", {"Nguyễn Thị Lan"}),  # the old 9-digit ID
        ("066000000000", set()),
    ],
)
def test_search_by_id_number(
    database: Database, seeded: Seeded, typed: str, names: set[str]
) -> None:
    assert search_kind(typed) == "id_number"
    rows = _list(database, seeded, DossierFilter.ALL, search=typed)
    assert {r.applicant_name for r in rows} == names


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("nguyen", {"Nguyễn Văn An", "Nguyễn Thị Lan"}),
        ("NGUYỄN THỊ", {"Nguyễn Thị Lan"}),
        ("nguyen an", {"Nguyễn Văn An"}),  # words in order, each the start of a name word
        ("ng v a", {"Nguyễn Văn An"}),
        ("le thi a", {"Lê Thị Ánh"}),
        ("pham binh", {"Phạm Văn Bình"}),
        ("Phạm   Văn Bình", {"Phạm Văn Bình"}),
        ("đ", set()),
        ("an", set()),  # names are looked up from the family name
        ("nguyen%", set()),  # LIKE wildcards are letters here
        ("_", set()),
    ],
)
def test_search_by_name_without_diacritics(
    database: Database, seeded: Seeded, typed: str, names: set[str]
) -> None:
    assert search_kind(typed) == "name"
    rows = _list(database, seeded, DossierFilter.ALL, search=typed)
    assert {r.applicant_name for r in rows} == names


def test_search_applies_within_the_filter_and_to_the_counts(
    database: Database, seeded: Seeded
) -> None:
    # Lan: the failed submission due Monday and the ready result due today.
    rows = _list(database, seeded, DossierFilter.DUE_TODAY, search="nguyen thi lan")
    assert _codes(rows) == {seeded.ready}
    counts = dossier_counts(database, seeded.office_id, now=NOW, search="nguyen thi lan")
    assert counts[DossierFilter.OPEN] == 2
    assert counts[DossierFilter.DUE_TODAY] == 1
    assert counts[DossierFilter.DUE_TOMORROW] == 1
    assert counts[DossierFilter.RESULT_READY] == 1
    assert counts[DossierFilter.SUBMISSION_FAILED] == 1
    assert counts[DossierFilter.LATE] == 0
    assert counts[DossierFilter.ALL] == 2
    by_code = dossier_counts(database, seeded.office_id, now=NOW, search=seeded.returned)
    assert by_code[DossierFilter.ALL] == by_code[DossierFilter.RETURNED] == 1
    assert by_code[DossierFilter.OPEN] == 0
    nobody = dossier_counts(database, seeded.office_id, now=NOW, search="hoang")
    assert set(nobody.counts.values()) == {0}


def _sort_value(row: DossierRow, key: str) -> Any:
    return {
        "code": row.code,
        "procedure": search_key(row.procedure_name),  # names sort without their diacritics
        "applicant": search_key(row.applicant_name),
        "received_at": row.received_at,
        "due_at": row.due_at,
        "state": list(DossierState).index(row.state),  # in lifecycle order
        "submission": row.submission_state or "",
    }[key]


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("key", SORT_KEYS)
def test_sorting_by_every_column(
    database: Database, seeded: Seeded, key: str, descending: bool
) -> None:
    rows = _list(database, seeded, DossierFilter.ALL, sort=key, descending=descending)
    assert len(rows) == 8
    keys = [(_sort_value(r, key), r.code) for r in rows]
    # Ties break on the code, in the same direction.
    assert keys == sorted(keys, reverse=descending)
    assert len({k for k, _ in keys}) > 1  # the column does order something


def test_unknown_sort_key_is_refused(database: Database, seeded: Seeded) -> None:
    with pytest.raises(InputError, match="Không sắp xếp được"):
        _list(database, seeded, DossierFilter.ALL, sort="fee")


def test_limit_keeps_the_first_rows_of_the_order(database: Database, seeded: Seeded) -> None:
    rows = _list(database, seeded, DossierFilter.OPEN, limit=2)
    assert [r.code for r in rows] == [seeded.late, seeded.today]  # earliest due first


def test_a_list_of_codes_narrows_the_list(database: Database, seeded: Seeded) -> None:
    # What the "about to be late" banner shows: just those dossiers, in the chosen order.
    rows = _list(database, seeded, DossierFilter.OPEN, codes=[seeded.ready, seeded.today])
    assert [r.code for r in rows] == [seeded.today, seeded.ready]
    assert _list(database, seeded, DossierFilter.OPEN, codes=[seeded.returned]) == []
    assert _list(database, seeded, DossierFilter.OPEN, codes=[]) == []


def test_find_dossier_code_for_a_scan(database: Database, seeded: Seeded) -> None:
    assert find_dossier_code(database, seeded.ready) == seeded.ready
    assert find_dossier_code(database, seeded.ready.lower() + "\r\n") == seeded.ready
    assert find_dossier_code(database, f"{AGENCY}-261127-0099") is None
    assert find_dossier_code(database, "066090012345|241234567|Nguyễn Văn An") is None
    assert find_dossier_code(database, "") is None


# --- the queries use the indexes (SQLite's planner shows it on a small table too) ---------------


def _plans(database: Database, work: Any) -> list[str]:
    """What SQLite's planner does for each dossier query ``work`` runs."""
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM dossier" in statement or "FROM submission" in statement:
            captured.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        work()
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)
    plans = []
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters in captured:
            cursor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plans.append(" | ".join(str(row[-1]) for row in cursor.fetchall()))
    finally:
        raw.close()
    return plans


@pytest.mark.parametrize(
    ("which", "search", "index"),
    [
        (DossierFilter.OPEN, "", "ix_dossier_office_state_due"),
        (DossierFilter.LATE, "", "ix_dossier_office_state_due"),
        (DossierFilter.DUE_TODAY, "", "ix_dossier_office_state_due"),
        (DossierFilter.RESULT_READY, "", "ix_dossier_office_state_due"),
        (DossierFilter.ALL, "nguyen van", "ix_citizen_name_key"),
        (DossierFilter.ALL, "066090012345", "sqlite_autoindex_citizen"),
        (DossierFilter.ALL, "0002", "sqlite_autoindex_dossier"),
        (DossierFilter.SUBMISSION_FAILED, "", "ix_submission_state_next"),
    ],
)
def test_list_queries_use_the_indexes(
    sqlite_database: Database, which: DossierFilter, search: str, index: str
) -> None:
    seeded = seed_dossiers(sqlite_database)
    plans = _plans(
        sqlite_database,
        lambda: list_dossiers(
            sqlite_database, seeded.office_id, filter=which, search=search, now=NOW
        ),
    )
    assert len(plans) == 1
    assert index in plans[0], plans[0]
    assert "SCAN dossier" not in plans[0], plans[0]


@pytest.mark.parametrize("search", ["", "nguyen", "0002", "066090012345"])
def test_counts_use_the_indexes(sqlite_database: Database, search: str) -> None:
    seeded = seed_dossiers(sqlite_database)
    plans = _plans(
        sqlite_database,
        lambda: dossier_counts(sqlite_database, seeded.office_id, now=NOW, search=search),
    )
    assert len(plans) == 3
    for plan in plans:
        assert "SCAN" not in plan, plan
    if not search:
        # Failed submissions are found by their state, not among all the office's dossiers.
        assert plans[2].startswith("SEARCH submission USING INDEX ix_submission_state_next"), plans[
            2
        ]
