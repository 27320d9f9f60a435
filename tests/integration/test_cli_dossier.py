"""``onestop-desk dossier …`` end to end: intake by script, and every paper read back."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.integration.test_cli import CARD, assert_refused, ok_json, ok_text, run_cli
from tests.support.docx_text import document_text
from tests.support.escpos_raster import decode_raster

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

BIRTH = {
    "addressed_to": "Ủy ban nhân dân xã Hòa Sơn, tỉnh Đắk Lắk",
    "requester.relationship": "Cha",
    "child.full_name": "Nguyễn Ngọc Bảo Anh",
    "child.date_of_birth": "15/11/2026",
    "child.sex": "Nữ",
    "child.place_of_birth": "Trạm Y tế xã Hòa Sơn, tỉnh Đắk Lắk",
    "child.home_town": "xã Hòa Sơn, tỉnh Đắk Lắk",
    "mother.full_name": "Trần Thị Ngọc Ánh",
    "mother.year_of_birth": "1996",
    "mother.ethnicity": "Ê Đê",
    "mother.residence": "Thôn 1, xã Hòa Sơn, tỉnh Đắk Lắk",
}


def _new_birth(
    tmp_path: Path, db_url: str, *extra: str, born: date | None = None
) -> dict[str, object]:
    values = BIRTH | ({"child.date_of_birth": f"{born:%d/%m/%Y}"} if born else {})
    data = tmp_path / "khai-sinh.json"
    data.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
    result = run_cli(
        tmp_path,
        db_url,
        "dossier",
        "new",
        "--procedure",
        "1.001193",
        "--applicant-qr",
        CARD,
        "--data",
        str(data),
        "--phone",
        "0905123456",
        "--counter",
        "2",
        "--staff",
        "tiepnhan1",
        "--json",
        *extra,
    )
    saved: dict[str, object] = ok_json(result)
    return saved


def test_birth_dossier_from_a_script_and_its_receipt_read_back(tmp_path: Path, db_url: str) -> None:
    # A week old on the real clock the CLI receives by: registered on time, so free.
    saved = _new_birth(tmp_path, db_url, born=date.today() - timedelta(days=7))
    code = str(saved["code"])
    assert code.startswith("000.24481.H15-")
    assert code.endswith("-0001")
    assert saved["fee"] == 0
    assert saved["submission"] == "pending"
    assert saved["applicant"] == {
        "id_number": "066090012345",
        "full_name": "Nguyễn Văn An",
        "address": "Thôn 1, xã Hòa Sơn, tỉnh Đắk Lắk",
    }

    out = tmp_path / "mau01.docx"
    ok_text(run_cli(tmp_path, db_url, "dossier", "receipt", code, "--out", str(out)))
    text = document_text(out, footers=True)
    due = str(saved["due_at"])  # "YYYY-MM-DDTHH:MM"
    due_words = (
        f"{due[11:13]} giờ {due[14:16]} phút, ngày {due[8:10]} tháng {due[5:7]} năm {due[:4]}"
    )
    for expected in (
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Liên 1: Lưu",
        "Liên 2: Giao người nộp hồ sơ",
        f"Mã hồ sơ: {code}",
        "UBND XÃ HÒA SƠN",
        "Trung tâm Phục vụ hành chính công xã Hòa Sơn",
        "Tiếp nhận hồ sơ của: Nguyễn Văn An",
        "Thôn 1, xã Hòa Sơn, tỉnh Đắk Lắk",
        "0905123456",
        "066090012345",
        "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
        "Giấy chứng sinh",
        "Số lượng hồ sơ: 01",
        "trong ngày làm việc",
        due_words,
        "Bộ phận Một cửa",
        "Miễn phí",
        "Quyển số: 01/",
        "Số thứ tự: 1",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Nguyễn Thị Hoa",  # the demo specialist tiepnhan1 who received it
    ):
        assert expected in text, expected
    assert text.count(f"Mã hồ sơ: {code}") == 2  # two copies


@SQLITE_ONLY
def test_declaration_and_thermal_slip_of_a_saved_dossier(tmp_path: Path, db_url: str) -> None:
    code = str(_new_birth(tmp_path, db_url)["code"])

    form = tmp_path / "to-khai.docx"
    ok_text(run_cli(tmp_path, db_url, "dossier", "form", code, "--out", str(form)))
    text = document_text(form, footers=True)
    for expected in (
        "TỜ KHAI ĐĂNG KÝ KHAI SINH",
        "Kính gửi: Ủy ban nhân dân xã Hòa Sơn, tỉnh Đắk Lắk",
        "Nguyễn Ngọc Bảo Anh",
        "Ngày mười lăm, tháng mười một, năm hai nghìn không trăm hai mươi sáu",
        "Trần Thị Ngọc Ánh",
        "Ê Đê",
        "Nguyễn Văn An",  # the requester, from the card
        code,
    ):
        assert expected in text, expected

    slip_bytes = tmp_path / "slip.bin"
    printed = ok_text(
        run_cli(tmp_path, db_url, "dossier", "slip", code, "--printer", f"file:{slip_bytes}")
    )
    assert code in printed
    (image,) = decode_raster(slip_bytes.read_bytes())
    assert image.width == 576
    assert image.height > 900  # the whole slip, not a blank strip
    if shutil.which("zbarimg") is not None:
        picture = tmp_path / "slip.png"
        image.convert("L").save(picture)
        read = subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(picture)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert read.stdout.strip() == code


@SQLITE_ONLY
def test_certifications_need_only_the_card(tmp_path: Path, db_url: str) -> None:
    signature = ok_json(
        run_cli(
            tmp_path,
            db_url,
            "dossier",
            "new",
            "--procedure",
            "2.000884",
            "--applicant-qr",
            CARD,
            "--json",
        )
    )
    copy = ok_json(
        run_cli(
            tmp_path,
            db_url,
            "dossier",
            "new",
            "--procedure",
            "2.000815",
            "--applicant-qr",
            CARD,
            "--pages",
            "5",
            "--copies",
            "2",
            "--json",
        )
    )
    assert (signature["fee"], copy["fee"]) == (10_000, 14_000)
    assert str(copy["code"]).endswith("-0002")
    # A civil-status extract copy has no declaration to print.
    extract = ok_json(
        run_cli(
            tmp_path,
            db_url,
            "dossier",
            "new",
            "--procedure",
            "2.000635",
            "--applicant-qr",
            CARD,
            "--json",
        )
    )
    assert_refused(
        run_cli(tmp_path, db_url, "dossier", "form", str(extract["code"]), "--out", "x.docx"),
        "không có tờ khai",
    )


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        ({"child.date_of_birth": "01/01/2099"}, ("child.date_of_birth", "sau ngày hôm nay")),
        ({"mother.year_of_birth": "2018"}, ("mother.year_of_birth", "12")),
        ({"child.full_name": ""}, ("Người được khai sinh › Họ, chữ đệm và tên", "Chưa nhập")),
        ({"child.nickname": "Bin"}, ("child.nickname", "không có trường này")),
    ],
)
def test_declaration_errors_are_listed_field_by_field_and_nothing_is_saved(
    tmp_path: Path, db_url: str, change: dict[str, str], fragments: tuple[str, ...]
) -> None:
    data = tmp_path / "bad.json"
    data.write_text(json.dumps(BIRTH | change, ensure_ascii=False), encoding="utf-8")
    result = run_cli(
        tmp_path,
        db_url,
        "dossier",
        "new",
        "--procedure",
        "1.001193",
        "--applicant-qr",
        CARD,
        "--data",
        str(data),
    )
    assert_refused(result, "Hồ sơ chưa lưu được", *fragments)
    # Nothing was saved: the next dossier is still number 0001.
    saved = _new_birth(tmp_path, db_url)
    assert str(saved["code"]).endswith("-0001")


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("--applicant-qr", "\x8f\x01garbage-bytes"), ("Mã QR", "thẻ Căn cước")),
        (
            ("--applicant-qr", CARD.replace("066090012345", "06609001234")),
            ("Số định danh",),
        ),
        (("--applicant-qr", CARD, "--procedure", "9.999999"), ("9.999999",)),
        (("--applicant-qr", CARD, "--data", "missing.json"), ("missing.json",)),
        (("--applicant-qr", CARD, "--channel", "post"), ("địa chỉ",)),
    ],
)
def test_bad_intake_is_refused_in_vietnamese(
    tmp_path: Path, db_url: str, args: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    procedure = () if "--procedure" in args else ("--procedure", "2.000884")
    result = run_cli(tmp_path, db_url, "dossier", "new", *procedure, *args)
    assert_refused(result, *fragments)


@SQLITE_ONLY
def test_unknown_dossier_code_is_refused(tmp_path: Path, db_url: str) -> None:
    assert_refused(
        run_cli(tmp_path, db_url, "dossier", "receipt", "000.1-261123-0009", "--out", "r.docx"),
        "Không có hồ sơ",
    )


@SQLITE_ONLY
def test_invalid_data_file_is_refused(tmp_path: Path, db_url: str) -> None:
    data = tmp_path / "broken.json"
    data.write_text('{"child.full_name": ', encoding="utf-8")
    result = run_cli(
        tmp_path,
        db_url,
        "dossier",
        "new",
        "--procedure",
        "1.001193",
        "--applicant-qr",
        CARD,
        "--data",
        str(data),
    )
    assert_refused(result, "không phải JSON hợp lệ")
