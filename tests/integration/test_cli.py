"""The CLI contract end to end: the real ``onestop-desk`` run as a subprocess, as scripts see it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from onestop_desk import __version__
from onestop_desk.db.migrate import head_revision

# Port 1 on loopback: nothing listens there, so the connection is refused at once.
UNREACHABLE_PG = "postgresql://nobody@127.0.0.1:1/x"
# For checks where the backend makes no difference: one run on SQLite instead of two.
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

CARD = "066090012345|241234567|Nguyễn Văn An|15051990|Nam|Thôn 1, xã Hòa Sơn, tỉnh Đắk Lắk|20042021"
NEW_CARD = "066305001234||Trần Thị Bích|01012005|Nữ|Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk|04102024||||"


def run_cli(
    tmp_path: Path,
    db: str | None,
    *args: str,
    data_dir: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m onestop_desk`` with its own data folder, as a script would."""
    command = [sys.executable, "-m", "onestop_desk", "--data-dir", str(data_dir or tmp_path)]
    if db is not None:
        command += ["--db", db]
    environment = {k: v for k, v in os.environ.items() if k != "ONESTOP_DB_URL"}
    environment["PYTHONIOENCODING"] = "utf-8"
    environment.update(env or {})
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        input=stdin,
        env=environment,
        cwd=tmp_path,
        timeout=timeout,
        check=False,
    )


def ok_text(result: subprocess.CompletedProcess[str]) -> str:
    """Standard output of a command that must have succeeded quietly."""
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def ok_json(result: subprocess.CompletedProcess[str]) -> Any:
    """The one JSON value a ``--json`` command printed (json.loads fails on anything extra)."""
    return json.loads(ok_text(result))


def assert_refused(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit code 2 and a Vietnamese message on stderr; no output, traceback or exception name."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Lỗi:" in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert "Error" not in result.stderr


def added_by_seed(stdout: str) -> tuple[int, int]:
    """(fields, procedures) added, from the line ``db seed`` prints for the office."""
    match = re.search(r"thêm (\d+) lĩnh vực, (\d+) thủ tục", stdout)
    assert match is not None, stdout
    return int(match[1]), int(match[2])


# --- no database needed -----------------------------------------------------------------------


def test_version_and_help(tmp_path: Path) -> None:
    version = run_cli(tmp_path, None, "--version")
    assert ok_text(version).strip() == f"onestop-desk {__version__}"

    help_text = ok_text(run_cli(tmp_path, None, "--help"))
    assert "Bộ phận Một cửa" in help_text
    for command in ("db", "field", "ticket", "queue", "calendar", "cccd"):
        assert re.search(rf"^\s+{command}\s", help_text, re.MULTILINE), command


def test_cccd_parse_reads_every_field_despite_the_scanner_line_end(tmp_path: Path) -> None:
    card = ok_json(run_cli(tmp_path, None, "cccd", "parse", CARD + "\r\n", "--json"))
    assert card == {
        "id_number": "066090012345",
        "old_id_number": "241234567",
        "full_name": "Nguyễn Văn An",
        "date_of_birth": "1990-05-15",
        "sex": "Nam",
        "address": "Thôn 1, xã Hòa Sơn, tỉnh Đắk Lắk",
        "issue_date": "2021-04-20",
        "extra": [],
        "warnings": [],
    }


def test_cccd_parse_keeps_the_extra_fields_of_a_2024_card(tmp_path: Path) -> None:
    card = ok_json(run_cli(tmp_path, None, "cccd", "parse", NEW_CARD, "--json"))
    assert card["id_number"] == "066305001234"
    assert card["old_id_number"] is None
    assert card["full_name"] == "Trần Thị Bích"
    assert card["date_of_birth"] == "2005-01-01"
    assert card["sex"] == "Nữ"
    assert card["issue_date"] == "2024-10-04"
    assert card["extra"] == ["", "", "", ""]
    assert card["warnings"] == []


def test_cccd_parse_warns_when_the_id_number_disagrees_with_the_card(tmp_path: Path) -> None:
    # Digit 4 is 0: a man born in the 1900s, but the card says Nữ.
    payload = "066090012345||Nguyễn Thị Bình|15051990|Nữ|Thôn 1, xã Hòa Sơn|20042021"
    card = ok_json(run_cli(tmp_path, None, "cccd", "parse", payload, "--json"))
    assert card["sex"] == "Nữ"
    assert len(card["warnings"]) == 1
    assert "Giới tính theo số định danh (Nam)" in card["warnings"][0]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("xin chào, đây không phải mã QR", "không phải của thẻ Căn cước công dân"),
        ("12345|x|Nguyễn Văn An|15051990|Nam|Thôn 1|20042021", "Số định danh cá nhân"),
    ],
    ids=["random-text", "short-id-number"],
)
def test_cccd_parse_refuses_an_invalid_qr(tmp_path: Path, payload: str, message: str) -> None:
    assert_refused(run_cli(tmp_path, None, "cccd", "parse", payload, "--json"), message)


@pytest.mark.parametrize(
    "url",
    [UNREACHABLE_PG, "postgresql://nobody:s3cret@127.0.0.1:1/x"],
    ids=["no-password", "password"],
)
def test_unreachable_postgresql_gives_advice_not_a_traceback(tmp_path: Path, url: str) -> None:
    started = time.monotonic()
    result = run_cli(tmp_path, url, "field", "list", "--json", timeout=60)
    assert time.monotonic() - started < 10
    assert_refused(result, "Không kết nối được máy chủ cơ sở dữ liệu", "127.0.0.1:1")
    assert "s3cret" not in result.stderr


@pytest.mark.parametrize(
    "where",
    [
        "db",
        "data-dir",
    ],
)
def test_folder_that_cannot_be_created_is_refused(tmp_path: Path, where: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    if where == "db":
        result = run_cli(tmp_path, f"sqlite:///{blocker / 'onestop.sqlite3'}", "field", "list")
    else:
        url = f"sqlite:///{tmp_path / 'onestop.sqlite3'}"
        result = run_cli(tmp_path, url, "field", "list", data_dir=blocker / "data")
    assert_refused(result, str(blocker))


def test_malformed_database_url_is_refused(tmp_path: Path) -> None:
    assert_refused(run_cli(tmp_path, "not a url", "field", "list"), "not a url")


# --- on a database ----------------------------------------------------------------------------


def test_db_upgrade_creates_the_schema_then_reports_it_up_to_date(
    tmp_path: Path, empty_db_url: str
) -> None:
    first = ok_text(run_cli(tmp_path, empty_db_url, "db", "upgrade"))
    assert f"Đã nâng cấp cơ sở dữ liệu từ trống lên {head_revision()}" in first

    second = ok_text(run_cli(tmp_path, empty_db_url, "db", "upgrade"))
    assert f"đã ở phiên bản mới nhất ({head_revision()})" in second

    # A catalog needs an office to belong to; the message says how to make one.
    assert_refused(
        run_cli(tmp_path, empty_db_url, "db", "seed"), "chưa có đơn vị", "db seed --demo"
    )


def test_db_seed_demo_creates_the_office_once(tmp_path: Path, empty_db_url: str) -> None:
    first = ok_text(run_cli(tmp_path, empty_db_url, "db", "seed", "--demo"))
    assert "Đã tạo đơn vị mẫu Xã Hòa Sơn" in first
    fields_added, procedures_added = added_by_seed(first)
    assert fields_added > 0
    assert procedures_added > 0

    listing = ok_json(run_cli(tmp_path, empty_db_url, "field", "list", "--json"))
    assert list(listing) == ["fields"]
    assert len(listing["fields"]) == fields_added
    by_code = {f["code"]: f for f in listing["fields"]}
    assert (by_code["HT"]["name"], by_code["HT"]["ticket_prefix"]) == ("Hộ tịch", "A")
    assert (by_code["CT"]["name"], by_code["CT"]["ticket_prefix"]) == ("Chứng thực", "B")
    prefixes = [f["ticket_prefix"] for f in listing["fields"]]
    assert all(prefixes)
    assert len(set(prefixes)) == len(prefixes)

    again = ok_text(run_cli(tmp_path, empty_db_url, "db", "seed", "--demo"))
    assert "Đã tạo đơn vị mẫu" not in again
    assert added_by_seed(again) == (0, 0)


def test_ticket_issue_numbers_tickets_in_order(tmp_path: Path, db_url: str) -> None:
    started = datetime.now()
    first = ok_json(run_cli(tmp_path, db_url, "ticket", "issue", "--field", "HT", "--json"))
    assert (first["number"], first["display"], first["field"]) == (1, "A001", "HT")
    assert (first["waiting_ahead"], first["state"], first["priority"]) == (0, "waiting", False)
    issued_at = datetime.fromisoformat(first["issued_at"])
    assert started - timedelta(seconds=5) <= issued_at <= datetime.now() + timedelta(seconds=5)

    # A kiosk or script may send the code in lower case.
    second = ok_json(run_cli(tmp_path, db_url, "ticket", "issue", "--field", "ht", "--json"))
    assert (second["number"], second["display"], second["field"]) == (2, "A002", "HT")
    assert second["waiting_ahead"] == 1

    elderly = ok_json(
        run_cli(
            tmp_path, db_url, "ticket", "issue", "--field", "HT", "--priority", "elderly", "--json"
        )
    )
    assert (elderly["number"], elderly["display"]) == (3, "A003")
    assert (elderly["priority"], elderly["priority_reason"]) == (True, "elderly")
    # Two normal tickets wait, but no priority one: nobody is ahead of this citizen.
    assert elderly["waiting_ahead"] == 0


def test_ticket_issue_names_the_valid_field_codes(tmp_path: Path, db_url: str) -> None:
    result = run_cli(tmp_path, db_url, "ticket", "issue", "--field", "ZZ", "--json")
    assert_refused(result, "Không có lĩnh vực mã 'ZZ'", "HT", "CT")


def test_queue_call_next_calls_the_waiting_ticket_then_null(tmp_path: Path, db_url: str) -> None:
    issued = ok_json(run_cli(tmp_path, db_url, "ticket", "issue", "--field", "HT", "--json"))

    call_next = ("queue", "call-next", "--counter", "1", "--json")
    called = ok_json(run_cli(tmp_path, db_url, *call_next))
    assert (called["id"], called["display"], called["field"]) == (issued["id"], "A001", "HT")
    assert (called["state"], called["counter"]) == ("called", 1)
    assert called["called_at"] is not None

    # The counter's citizen is done; nobody else waits.
    assert ok_json(run_cli(tmp_path, db_url, *call_next)) is None

    unknown = run_cli(tmp_path, db_url, "queue", "call-next", "--counter", "9", "--json")
    assert_refused(unknown, "Không có quầy số 9", "4 quầy")


def test_calendar_override_changes_the_due_date(tmp_path: Path, db_url: str) -> None:
    due = ("calendar", "due", "--received", "2026-11-23 10:00", "--days", "3", "--json")
    note = "Quyết định 15/QĐ-UBND"

    added = run_cli(
        tmp_path, db_url, "calendar", "override", "add", "--off", "2026-11-26", "--note", note
    )
    assert "26/11/2026 là ngày nghỉ" in ok_text(added)
    # 24/11 holiday, 26/11 day off: Wed 25, Fri 27, Mon 30 (it would be 27/11 without the day off).
    result = ok_json(run_cli(tmp_path, db_url, *due))
    assert result["due_date"] == "2026-11-30"
    day_off = {"day": "2026-11-26", "reason": f"Ngày nghỉ do cơ quan công bố: {note}"}
    assert day_off in result["skipped"]

    saturday = run_cli(tmp_path, db_url, "calendar", "override", "add", "--working", "2026-11-28")
    assert "28/11/2026 là ngày làm việc" in ok_text(saturday)
    assert ok_json(run_cli(tmp_path, db_url, *due))["due_date"] == "2026-11-28"

    listing = ok_json(run_cli(tmp_path, db_url, "calendar", "override", "list", "--json"))
    assert listing == {
        "overrides": [
            {"day": "2026-11-26", "working": False, "note": note},
            {"day": "2026-11-28", "working": True, "note": ""},
        ]
    }


# --- on a database, where the backend makes no difference --------------------------------------


@SQLITE_ONLY
def test_calendar_due_skips_the_public_holiday(tmp_path: Path, db_url: str) -> None:
    args = ("calendar", "due", "--received", "2026-11-23 10:00", "--days", "1")
    result = ok_json(run_cli(tmp_path, db_url, *args, "--json"))
    assert result["due_date"] == "2026-11-25"
    assert result["due_at"] == "2026-11-25T17:00:00"
    assert result["skipped"] == [{"day": "2026-11-24", "reason": "Ngày Văn hóa Việt Nam"}]

    text = ok_text(run_cli(tmp_path, db_url, *args))
    assert text.startswith("Hẹn trả kết quả: 17 giờ 00 phút, ngày 25/11/2026")
    assert "24/11/2026" in text
    assert "Ngày Văn hóa Việt Nam" in text


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("received", "due_date"),
    [("2026-11-23 14:30", "2026-11-23"), ("2026-11-23 15:30", "2026-11-25")],
    ids=["before-15h", "after-15h-over-the-holiday"],
)
def test_calendar_due_same_day_cut_off(
    tmp_path: Path, db_url: str, received: str, due_date: str
) -> None:
    args = ("calendar", "due", "--received", received, "--same-day", "--json")
    result = ok_json(run_cli(tmp_path, db_url, *args))
    assert (result["due_date"], result["same_day"]) == (due_date, True)


@SQLITE_ONLY
def test_calendar_due_received_on_a_saturday_counts_from_monday(
    tmp_path: Path, db_url: str
) -> None:
    args = ("calendar", "due", "--received", "2026-11-21 10:00", "--days", "1", "--json")
    result = ok_json(run_cli(tmp_path, db_url, *args))
    assert result["effective_received_at"] == "2026-11-23T07:30:00"
    assert result["due_date"] == "2026-11-25"
    assert [s["day"] for s in result["skipped"]] == ["2026-11-21", "2026-11-22", "2026-11-24"]
    assert result["skipped"][0]["reason"] == "Thứ Bảy"


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (
            ("calendar", "due", "--received", "23/11/2026 10:00", "--days", "1", "--json"),
            ("Thời điểm '23/11/2026 10:00' không đúng dạng", "YYYY-MM-DD HH:MM"),
        ),
        (
            ("calendar", "due", "--received", "2026-11-23 10:00", "--days", "1", "--same-day"),
            ("--same-day không dùng cùng với --days",),
        ),
        (
            ("calendar", "override", "add", "--off", "2026-02-30"),
            ("Ngày '2026-02-30' không đúng dạng YYYY-MM-DD",),
        ),
        (
            ("ticket", "issue", "--field", "HT", "--priority", "oldman", "--json"),
            ("Lý do ưu tiên 'oldman' không có", "elderly"),
        ),
        (
            ("queue", "call-next", "--counter", "abc", "--json"),
            ("'abc' không phải số nguyên",),
        ),
    ],
    ids=["malformed-date", "days-and-same-day", "no-such-day", "priority-reason", "counter"],
)
def test_bad_input_is_refused_in_vietnamese(
    tmp_path: Path, db_url: str, args: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    assert_refused(run_cli(tmp_path, db_url, *args), *fragments)


@SQLITE_ONLY
def test_onestop_db_url_is_used_unless_db_is_given(tmp_path: Path, db_url: str) -> None:
    # Without the variable the default would be an empty SQLite file in --data-dir: no fields.
    from_env = run_cli(tmp_path, None, "field", "list", "--json", env={"ONESTOP_DB_URL": db_url})
    assert "HT" in {f["code"] for f in ok_json(from_env)["fields"]}

    overridden = run_cli(
        tmp_path, db_url, "field", "list", "--json", env={"ONESTOP_DB_URL": UNREACHABLE_PG}
    )
    assert "HT" in {f["code"] for f in ok_json(overridden)["fields"]}


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("tiepnhan3", "ngan-1", "ít nhất 10 ký tự"),
        ("tiepnhan3", "demo1234", "chỉ dùng cho dữ liệu chạy thử"),
        ("tiepnhan3", "1234567890", "một loại ký tự"),
        ("аdmin", "Mat-khau-2026", "không hợp lệ"),  # a Cyrillic а
        ("ａｄｍｉｎ", "Mat-khau-2026", "đã có người dùng"),  # full-width: the same as admin
    ],
)
def test_staff_add_refuses_weak_passwords_and_look_alike_names(
    tmp_path: Path, db_url: str, username: str, password: str, message: str
) -> None:
    args = ("staff", "add", "--username", username, "--full-name", "Phạm Thị Lan")
    refused = run_cli(tmp_path, db_url, *args, "--password-stdin", stdin=password + "\n")
    assert_refused(refused, message)
    # Nothing was written: the same name with a good password is taken as new.
    if message != "đã có người dùng":
        good = run_cli(
            tmp_path,
            db_url,
            *args[:3],
            "tiepnhan3",
            *args[4:],
            "--password-stdin",
            stdin="Mat-khau-2026\n",
        )
        assert "Đã tạo tài khoản tiepnhan3 (Phạm Thị Lan)." in ok_text(good)
