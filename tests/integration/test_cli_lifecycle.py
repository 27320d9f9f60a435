"""``onestop-desk dossier`` from receipt to returned result, run as a script runs it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import docx
import pytest

from tests.integration.test_cli import CARD, NEW_CARD, assert_refused, ok_json, ok_text, run_cli
from tests.support.docx_text import document_text

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
# Thay đổi, cải chính hộ tịch: 3 working days, so the due date is ahead whenever the test runs.
THREE_DAYS = "1.004859"


def _new(tmp_path: Path, db_url: str, card: str = CARD, procedure: str = THREE_DAYS) -> Any:
    return ok_json(
        run_cli(
            tmp_path,
            db_url,
            "dossier",
            "new",
            "--procedure",
            procedure,
            "--applicant-qr",
            card,
            "--staff",
            "tiepnhan1",
            "--json",
        )
    )


def _act(tmp_path: Path, db_url: str, *args: str) -> Any:
    return ok_json(run_cli(tmp_path, db_url, "dossier", *args, "--json"))


def _rows(path: Path, first_title: str) -> list[list[str]]:
    (table,) = [
        t for t in docx.Document(str(path)).tables if t.rows[0].cells[0].text == first_title
    ]
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_a_dossier_from_receipt_to_return_by_script(tmp_path: Path, db_url: str) -> None:
    code = str(_new(tmp_path, db_url)["code"])
    lower = code.lower()  # scripts may pass the code in any case

    status = _act(tmp_path, db_url, "status", lower)
    assert status["code"] == code
    assert status["state"] == "received"
    assert status["state_label"] == "Đã tiếp nhận"
    assert status["submission_state"] == "pending"
    assert status["late"] is False
    assert [e["kind"] for e in status["events"]] == ["received"]
    assert status["events"][0]["actor_name"] == "Nguyễn Thị Hoa"
    due = datetime.fromisoformat(status["due_at"])

    processing = _act(tmp_path, db_url, "process", lower, "--staff", "tiepnhan2")
    assert processing["state"] == "processing"
    assert processing["events"][-1]["data"] == {"deciding_body": "Ủy ban nhân dân xã Hòa Sơn"}
    assert processing["events"][-1]["actor_name"] == "Lê Văn Nam"

    asked = _act(
        tmp_path,
        db_url,
        "supplement",
        code,
        "--item",
        "Trích lục khai sinh:1:original",
        "--item",
        "Giấy tờ chứng minh việc cải chính: bản án, quyết định:2:certified_copy",
        "--item",
        "Ảnh chân dung",
        "--reason",
        "Thiếu giấy tờ chứng minh nội dung cần cải chính.",
        "--staff",
        "tiepnhan1",
    )
    assert asked["state"] == "supplement_requested"
    assert asked["events"][-1]["data"]["items"] == [
        {"name": "Trích lục khai sinh", "count": 1, "kind": "original"},
        {
            "name": "Giấy tờ chứng minh việc cải chính: bản án, quyết định",
            "count": 2,
            "kind": "certified_copy",
        },
        {"name": "Ảnh chân dung", "count": 1, "kind": "original"},
    ]
    mau02 = tmp_path / "mau02.docx"
    printed = ok_text(
        run_cli(tmp_path, db_url, "dossier", "notice", lower, "--form", "02", "--out", str(mau02))
    )
    assert f"Mẫu 02 của hồ sơ {code}" in printed
    assert _rows(mau02, "TT")[1:] == [
        ["1", "Trích lục khai sinh", "01", "Bản chính"],
        ["2", "Giấy tờ chứng minh việc cải chính: bản án, quyết định", "02", "Bản sao chứng thực"],
        ["3", "Ảnh chân dung", "01", "Bản chính"],
    ]
    assert "Thiếu giấy tờ chứng minh nội dung cần cải chính." in document_text(mau02)

    assert _act(tmp_path, db_url, "supplement-received", code)["state"] == "processing"

    new_due = (due + timedelta(days=7)).replace(hour=16, minute=0)
    longer = _act(
        tmp_path,
        db_url,
        "extend",
        code,
        "--new-due",
        f"{new_due:%Y-%m-%d %H:%M}",
        "--reason",
        "Chờ kết quả xác minh tại nơi đăng ký khai sinh.",
    )
    assert longer["state"] == "processing"
    assert longer["due_at"] == new_due.isoformat(timespec="minutes")
    mau04 = tmp_path / "mau04.docx"
    ok_text(
        run_cli(tmp_path, db_url, "dossier", "notice", code, "--form", "04", "--out", str(mau04))
    )
    letter = document_text(mau04)
    assert "Kính gửi: Ông Nguyễn Văn An" in letter
    assert (
        f"{due.hour:02d} giờ {due.minute:02d} phút, ngày {due.day:02d} tháng {due.month:02d}"
        in letter
    )
    assert f"16 giờ 00 phút, ngày {new_due.day:02d} tháng {new_due.month:02d}" in letter

    assert _act(tmp_path, db_url, "ready", code, "--note", "Đã có quyết định")["state"] == (
        "result_ready"
    )
    returned_at = new_due + timedelta(days=1)
    returned = _act(
        tmp_path,
        db_url,
        "return",
        code,
        "--to",
        "Nguyễn Văn An",
        "--at",
        f"{returned_at:%Y-%m-%d %H:%M}",
        "--staff",
        "tiepnhan1",
    )
    assert returned["state"] == "returned"
    assert returned["result_channel"] == "desk"  # as registered at the desk
    assert returned["result_timing"] == "late"
    assert returned["returned_to"] == "Nguyễn Văn An"
    assert returned["allowed_actions"] == []

    text = ok_text(run_cli(tmp_path, db_url, "dossier", "status", code))
    for expected in (
        f"Hồ sơ {code} — Thay đổi, cải chính hộ tịch",
        "Trạng thái: Đã trả kết quả",
        f"Hẹn trả: 16:00 {new_due:%d/%m/%Y}",
        f"Đã trả: {returned_at:%H:%M %d/%m/%Y} cho Nguyễn Văn An (Quá hạn)",
        "Gửi hệ thống trực tuyến: đang chờ gửi",
        "Tiếp nhận hồ sơ",
        "Chuyển giải quyết",
        "Yêu cầu bổ sung hồ sơ: Thiếu giấy tờ chứng minh nội dung cần cải chính. — Nguyễn Thị Hoa",
        "Gia hạn: Chờ kết quả xác minh",
        "Xác nhận đã có kết quả: Đã có quyết định",
        "Trả kết quả",
    ):
        assert expected in text, expected

    mau06 = tmp_path / "mau06.docx"
    ok_text(
        run_cli(tmp_path, db_url, "dossier", "notice", code, "--form", "06", "--out", str(mau06))
    )
    rows = _rows(mau06, "TÊN CƠ QUAN, BỘ PHẬN GIAO, NHẬN")[1:]
    assert (
        len(rows) == 7
    )  # received, to the body, supplement asked and brought, extended, back, out
    assert rows[-1][1] == (
        f"{returned_at.hour:02d} giờ {returned_at.minute:02d} phút, ngày {returned_at:%d/%m/%Y}"
    )
    assert rows[-1][3] == "Quá hạn"

    today = datetime.fromisoformat(status["received_at"]).date()
    book = tmp_path / "so.docx"
    printed = ok_text(
        run_cli(
            tmp_path,
            db_url,
            "dossier",
            "logbook",
            "--from",
            f"{today:%Y-%m-%d}",
            "--to",
            f"{today:%Y-%m-%d}",
            "--out",
            str(book),
        )
    )
    assert "Mẫu 07" in printed
    (row,) = _rows(book, "TT")[1:]
    assert row[1] == code
    assert row[8] == f"{returned_at:%d/%m/%Y}\n{returned_at.hour:02d} giờ {returned_at.minute:02d}"
    assert row[11] == "Quá hạn"


@SQLITE_ONLY
def test_refusal_and_stop_print_their_notices(tmp_path: Path, db_url: str) -> None:
    refused = str(_new(tmp_path, db_url)["code"])
    stopped = str(_new(tmp_path, db_url, card=NEW_CARD)["code"])
    text = ok_text(
        run_cli(
            tmp_path,
            db_url,
            "dossier",
            "refuse",
            refused,
            "--reason",
            "Việc cải chính thuộc thẩm quyền nơi đăng ký khai sinh ban đầu.",
            "--staff",
            "tiepnhan2",
        )
    )
    assert text.strip() == (
        f"Hồ sơ {refused}: đã từ chối tiếp nhận (in Mẫu 03 bằng lệnh notice). "
        "Trạng thái: Từ chối tiếp nhận."
    )
    mau03 = tmp_path / "mau03.docx"
    ok_text(
        run_cli(tmp_path, db_url, "dossier", "notice", refused, "--form", "03", "--out", str(mau03))
    )
    refusal = document_text(mau03)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in refusal
    assert "- Việc cải chính thuộc thẩm quyền nơi đăng ký khai sinh ban đầu." in refusal
    assert "Lê Văn Nam" in refusal

    stop = _act(
        tmp_path,
        db_url,
        "stop",
        stopped,
        "--reason",
        "Người yêu cầu rút hồ sơ.",
        "--legal-basis",
        "Nghị định số 118/2025/NĐ-CP",
    )
    assert stop["state"] == "stopped"
    mau05 = tmp_path / "mau05.docx"
    ok_text(
        run_cli(tmp_path, db_url, "dossier", "notice", stopped, "--form", "05", "--out", str(mau05))
    )
    notice = document_text(mau05)
    assert "Kính gửi: Bà Trần Thị Bích" in notice
    assert "- Nghị định số 118/2025/NĐ-CP;" in notice
    assert "- Người yêu cầu rút hồ sơ." in notice


@SQLITE_ONLY
def test_mistakes_are_refused_in_vietnamese_and_change_nothing(tmp_path: Path, db_url: str) -> None:
    code = str(_new(tmp_path, db_url)["code"])

    assert_refused(
        run_cli(tmp_path, db_url, "dossier", "ready", code),
        "Xác nhận đã có kết quả",
        "“Đã tiếp nhận”",
    )
    assert_refused(
        run_cli(tmp_path, db_url, "dossier", "return", code, "--to", "An"),
        "“Đã tiếp nhận”",
    )
    assert_refused(
        run_cli(
            tmp_path,
            db_url,
            "dossier",
            "supplement",
            code,
            "--item",
            "Giấy:1:scan",
            "--reason",
            "x",
        ),
        "Hình thức “scan”",
    )
    assert_refused(
        run_cli(tmp_path, db_url, "dossier", "refuse", code, "--reason", "  "),
        "Chưa ghi lý do từ chối",
    )
    assert_refused(
        run_cli(
            tmp_path, db_url, "dossier", "extend", code, "--new-due", "10/12/2026", "--reason", "x"
        ),
        "YYYY-MM-DD HH:MM",
    )
    assert_refused(
        run_cli(
            tmp_path,
            db_url,
            "dossier",
            "extend",
            code,
            "--new-due",
            "2000-01-01 08:00",
            "--reason",
            "Xác minh",
        ),
        "phải sau hạn hiện tại",
    )
    assert_refused(
        run_cli(tmp_path, db_url, "dossier", "process", code, "--staff", "khongco"),
        "khongco",
    )
    assert_refused(
        run_cli(tmp_path, db_url, "dossier", "notice", code, "--form", "04", "--out", "x.docx"),
        "chưa được gia hạn",
    )
    assert not (tmp_path / "x.docx").exists()
    assert_refused(
        run_cli(tmp_path, db_url, "dossier", "notice", code, "--form", "07", "--out", "x.docx"),
        "07",
    )
    assert_refused(
        run_cli(tmp_path, db_url, "dossier", "status", "000.24481.H15-261123-0099"),
        "Không có hồ sơ mã '000.24481.H15-261123-0099'",
    )
    assert_refused(
        run_cli(
            tmp_path,
            db_url,
            "dossier",
            "logbook",
            "--from",
            "2026-11-30",
            "--to",
            "2026-11-01",
            "--out",
            "so.docx",
        ),
        "ở trước ngày bắt đầu",
    )
    assert_refused(
        run_cli(tmp_path, db_url, "dossier", "return", code, "--to", "An", "--channel", "fax"),
        "fax",
    )
    # None of it moved the dossier or added to its history.
    after = _act(tmp_path, db_url, "status", code)
    assert after["state"] == "received"
    assert [e["kind"] for e in after["events"]] == ["received"]


@SQLITE_ONLY
def test_help_lists_the_lifecycle_commands_in_vietnamese(tmp_path: Path, db_url: str) -> None:
    text = ok_text(run_cli(tmp_path, db_url, "dossier", "--help"))
    for command in (
        "status",
        "process",
        "supplement",
        "supplement-received",
        "refuse",
        "extend",
        "stop",
        "ready",
        "return",
        "notice",
        "logbook",
    ):
        assert command in text, command
    assert "trả kết quả cho người dân" in text
    assert "sổ theo dõi hồ sơ (Mẫu 07)" in text
