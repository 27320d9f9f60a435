"""Mẫu 01 and the birth and marriage declarations through real LibreOffice: the PDF says it too.

LibreOffice (libreoffice-writer) and poppler-utils come from Debian; ``./onestop test`` installs
them. Without them these tests skip locally and fail in CI. With ``ONESTOP_SCREENSHOTS=DIR`` the
first pages are also saved there as receipt-mau01.png, declaration-birth.png and
declaration-marriage.png.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from onestop_desk.core.forms import derive, validate
from onestop_desk.documents import pdf
from onestop_desk.documents.declaration import DeclarationData, render_declaration
from onestop_desk.documents.pdf import (
    OfficeNotInstalled,
    OpenWithSystemFailed,
    PdfConversionFailed,
    PdfConversionTimeout,
    PdfToolMissing,
    find_office,
    open_with_system,
    pdf_page_png,
    to_pdf,
)
from onestop_desk.documents.receipt import render_receipt
from onestop_desk.services.catalog import load_form
from tests.support.papers import RECEIPT_CODE, sample_receipt

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CODE = RECEIPT_CODE
POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="uses a shell script as a stand-in")

RECEIPT = sample_receipt()
BIRTH_VALUES = {
    "addressed_to": "Ủy ban nhân dân xã Hòa Sơn, tỉnh Đắk Lắk",
    "requester.full_name": "Nguyễn Văn An",
    "requester.id_number": "066090001234",
    "requester.residence": "Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk",
    "requester.relationship": "Cha",
    "child.full_name": "Nguyễn Ngọc Bảo Anh",
    "child.date_of_birth": "15/05/2024",
    "child.sex": "Nữ",
    "child.ethnicity": "Kinh",
    "child.nationality": "Việt Nam",
    "child.place_of_birth": "Trạm Y tế xã Hòa Sơn, tỉnh Đắk Lắk",
    "child.home_town": "xã Hòa Sơn, tỉnh Đắk Lắk",
    "mother.full_name": "Trần Thị Ngọc Ánh",
    "mother.year_of_birth": "1996",
    "mother.ethnicity": "Ê Đê",
    "mother.nationality": "Việt Nam",
    "mother.residence": "Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk",
    "father.full_name": "Nguyễn Văn An",
    "father.year_of_birth": "1990",
    "father.ethnicity": "Kinh",
    "father.nationality": "Việt Nam",
    "father.residence": "Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk",
}
DATE_IN_WORDS = "Ngày mười lăm, tháng năm, năm hai nghìn không trăm hai mươi tư"
MARRIAGE_VALUES = {
    "addressed_to": "Ủy ban nhân dân xã Hòa Sơn, tỉnh Đắk Lắk",
    "bride.full_name": "Lê Thị Hồng Nhung",
    "bride.date_of_birth": "08/03/1998",
    "bride.ethnicity": "Ê Đê",
    "bride.nationality": "Việt Nam",
    "bride.residence": "Buôn Ea Sar, xã Hòa Sơn, tỉnh Đắk Lắk",
    "bride.id_number": "066198012345",
    "bride.marriage_number": "1",
    "groom.full_name": "Đặng Quốc Việt",
    "groom.date_of_birth": "21/10/1995",
    "groom.ethnicity": "Kinh",
    "groom.nationality": "Việt Nam",
    "groom.residence": "Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk",
    "groom.id_number": "066095054321",
    "groom.marriage_number": "1",
}


def _require(found: object, tool: str, package: str) -> None:
    if found is not None:
        return
    if IN_CI:
        pytest.fail(
            f"{tool} is not installed: CI must run the PDF tests (apt-get install {package})",
            pytrace=False,
        )
    pytest.skip(f"{tool} is not installed here (CI installs {package} and runs these)")


@pytest.fixture(scope="module")
def office() -> Path:
    found = find_office()
    _require(found, "LibreOffice", "libreoffice-writer")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def poppler() -> None:
    for tool in ("pdftotext", "pdftoppm", "pdffonts"):
        _require(shutil.which(tool), tool, "poppler-utils")


def _birth_declaration(out: Path) -> Path:
    form = load_form("birth_registration")
    assert validate(form, BIRTH_VALUES, today=date(2026, 11, 23)) == {}
    data = DeclarationData(
        unit_name="UBND XÃ HÒA SƠN",
        place="Hòa Sơn",
        form=form,
        values=BIRTH_VALUES,
        code=CODE,
        procedure_name="Đăng ký khai sinh",
        received_at=date(2026, 11, 23),
        applicant_name="Nguyễn Văn An",
        derived=derive(form, BIRTH_VALUES),
    )
    return render_declaration(data, out)


def _marriage_declaration(out: Path) -> Path:
    form = load_form("marriage_registration")
    assert validate(form, MARRIAGE_VALUES, today=date(2026, 11, 23)) == {}
    data = DeclarationData(
        unit_name="UBND XÃ HÒA SƠN",
        place="Hòa Sơn",
        form=form,
        values=MARRIAGE_VALUES,
        code="000.24481.H15-261123-0002",
        procedure_name="Đăng ký kết hôn",
        received_at=date(2026, 11, 23),
        applicant_name="Lê Thị Hồng Nhung",
        derived=None,
    )
    return render_declaration(data, out)


@pytest.fixture(scope="module")
def receipt_pdf(office: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("receipt")
    return to_pdf(render_receipt(RECEIPT, folder / "mau01.docx"), folder / "pdf")


@pytest.fixture(scope="module")
def declaration_pdf(office: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("declaration")
    return to_pdf(_birth_declaration(folder / "to khai khai sinh.docx"), folder / "pdf")


@pytest.fixture(scope="module")
def marriage_pdf(office: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("marriage")
    return to_pdf(_marriage_declaration(folder / "to khai ket hon.docx"), folder / "pdf")


def _text(pdf_file: Path) -> tuple[str, list[str]]:
    """The PDF's text with whitespace collapsed (lines wrap anywhere), and its pages."""
    raw = subprocess.run(
        ["pdftotext", "-layout", str(pdf_file), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = [" ".join(page.split()) for page in raw.split("\f") if page.strip()]
    return " ".join(pages), pages


def _fonts(pdf_file: Path) -> set[str]:
    listing = subprocess.run(
        ["pdffonts", str(pdf_file)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    # "BAAAAA+LiberationSerif-Bold TrueType ..." → "LiberationSerif-Bold"
    return {line.split()[0].partition("+")[2] or line.split()[0] for line in listing}


def _screenshot(pdf_file: Path, name: str, tmp_path: Path) -> tuple[int, int]:
    """Page 1 as a PNG (saved to $ONESTOP_SCREENSHOTS too, if set); returns its size."""
    page = pdf_page_png(pdf_file, 1, tmp_path / name, dpi=100)
    folder = os.environ.get("ONESTOP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, Path(folder) / name)
    with Image.open(page) as image:
        assert image.convert("L").getextrema()[0] < 128  # ink on the page
        return image.size


def _assert_a4_at_100_dpi(size: tuple[int, int]) -> None:
    width, height = size  # 210 × 297 mm is 826.8 × 1169.3 dots
    assert abs(width - 827) <= 1
    assert abs(height - 1169) <= 1


def test_receipt_pdf_has_both_copies_and_the_citizens_data(
    receipt_pdf: Path, poppler: None, tmp_path: Path
) -> None:
    text, pages = _text(receipt_pdf)
    assert len(pages) == 2  # Liên 1 and Liên 2, a page each
    for number, page in enumerate(pages, start=1):
        assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in page
        assert f"Liên {number}" in page
        assert f"Mã hồ sơ: {CODE}" in page
        assert "Tiếp nhận hồ sơ của: Nguyễn Văn An" in page
        assert "Địa chỉ: Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk" in page
        assert "17 giờ 00 phút, ngày 25 tháng 11 năm 2026" in page
        assert "Giấy chứng nhận kết hôn của cha, mẹ" in page
        assert "Bản sao chứng thực" in page
        assert "Trần Thị Bình" in page
        # The centre's name breaks where such headers break, not inside "HÀNH CHÍNH".
        assert "TRUNG TÂM PHỤC VỤ" in page
        assert "HÀNH CHÍNH CÔNG" in page
    assert "Liên 2: Giao người nộp hồ sơ" in text
    assert _fonts(receipt_pdf) <= {
        "LiberationSerif",
        "LiberationSerif-Bold",
        "LiberationSerif-Italic",
        "LiberationSerif-BoldItalic",
        "TimesNewRomanPSMT",
        "TimesNewRomanPS-BoldMT",
        "TimesNewRomanPS-ItalicMT",
        "TimesNewRomanPS-BoldItalicMT",
    }
    _assert_a4_at_100_dpi(_screenshot(receipt_pdf, "receipt-mau01.png", tmp_path))


def test_birth_declaration_pdf_is_one_signed_page(
    declaration_pdf: Path, poppler: None, tmp_path: Path
) -> None:
    assert declaration_pdf.name == "to khai khai sinh.pdf"
    text, pages = _text(declaration_pdf)
    assert len(pages) == 1  # the signature stays on the page it signs
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "TỜ KHAI ĐĂNG KÝ KHAI SINH",
        "Kính gửi: Ủy ban nhân dân xã Hòa Sơn, tỉnh Đắk Lắk",
        "Họ, chữ đệm và tên: Nguyễn Ngọc Bảo Anh",
        f"Ngày, tháng, năm sinh: 15/05/2024 (bằng chữ: {DATE_IN_WORDS})",
        "Dân tộc: Ê Đê",
        "Họ, chữ đệm và tên: Trần Thị Ngọc Ánh",
        "Quan hệ với người được khai sinh: Cha "
        "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây: II. NGƯỜI ĐƯỢC KHAI SINH",
        "Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật, được sự "
        "thỏa thuận nhất trí của các bên liên quan theo quy định pháp luật.",
        "Hòa Sơn, ngày 23 tháng 11 năm 2026",
        "NGƯỜI YÊU CẦU (Ký, ghi rõ họ, chữ đệm, tên)",
        "Nguyễn Văn An",
        CODE,
    ):
        assert expected in text, expected
    _assert_a4_at_100_dpi(_screenshot(declaration_pdf, "declaration-birth.png", tmp_path))


def test_marriage_declaration_pdf_sets_the_parties_side_by_side(
    marriage_pdf: Path, poppler: None, tmp_path: Path
) -> None:
    text, pages = _text(marriage_pdf)
    assert len(pages) == 1
    # pdftotext -layout keeps a table row on one line: the label, the bride's, the groom's.
    for expected in (
        "TỜ KHAI ĐĂNG KÝ KẾT HÔN",
        "Kính gửi: Ủy ban nhân dân xã Hòa Sơn, tỉnh Đắk Lắk "
        "Đề nghị Quý cơ quan đăng ký kết hôn cho chúng tôi. Bên nữ Bên nam",
        "Họ, chữ đệm và tên Lê Thị Hồng Nhung Đặng Quốc Việt",
        "Ngày, tháng, năm sinh 08/03/1998 21/10/1995",
        "Dân tộc Ê Đê Kinh",
        "Số định danh cá nhân 066198012345 066095054321",
        "Kết hôn lần thứ mấy 1 1",
        "Chúng tôi cam đoan những lời khai trên đây là đúng sự thật",
        "Hòa Sơn, ngày 23 tháng 11 năm 2026 BÊN NỮ BÊN NAM "
        "(Ký, ghi rõ họ, chữ đệm, tên) (Ký, ghi rõ họ, chữ đệm, tên) "
        "Lê Thị Hồng Nhung Đặng Quốc Việt",
        "000.24481.H15-261123-0002 – Đăng ký kết hôn",
    ):
        assert expected in text, expected
    assert "NGƯỜI YÊU CẦU" not in text
    _assert_a4_at_100_dpi(_screenshot(marriage_pdf, "declaration-marriage.png", tmp_path))


def test_parallel_conversions_use_private_profiles_and_leave_none_behind(
    office: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    sources = [_birth_declaration(tmp_path / f"decl-{n}.docx") for n in range(2)]
    # A PDF left by an earlier run is replaced, never passed off as this run's.
    stale = tmp_path / "out-0" / "decl-0.pdf"
    stale.parent.mkdir()
    stale.write_bytes(b"old")
    results: dict[int, Path | BaseException] = {}

    def convert(index: int) -> None:
        try:
            results[index] = to_pdf(sources[index], tmp_path / f"out-{index}")
        except BaseException as exc:
            results[index] = exc

    threads = [threading.Thread(target=convert, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    for index in range(2):
        result = results[index]
        assert isinstance(result, Path), result
        assert result.read_bytes().startswith(b"%PDF")
    assert results[0] == stale
    assert list(scratch.iterdir()) == []  # the throw-away profiles are gone


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_conversion_that_takes_too_long_is_stopped_entirely(
    office: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    source = _birth_declaration(tmp_path / "decl.docx")
    with pytest.raises(PdfConversionTimeout, match="đã bị dừng") as caught:
        to_pdf(source, tmp_path / "out", timeout=0.5)
    assert caught.value.hint
    deadline = time.monotonic() + 5
    while _processes_mentioning(str(scratch)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_mentioning(str(scratch)) == []  # soffice.bin too, not only the launcher
    assert list(scratch.iterdir()) == []


def _processes_mentioning(text: str) -> list[int]:
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in command or Path(text).as_uri() in command:
            found.append(int(entry.name))
    return found


# --- without the tools: stand-ins, so these run everywhere ---------------------------------------


def test_missing_libreoffice_is_a_known_error_in_vietnamese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf, "find_office", lambda: None)
    with pytest.raises(OfficeNotInstalled, match="chưa cài LibreOffice") as caught:
        to_pdf(tmp_path / "a.docx", tmp_path)
    assert caught.value.hint is not None
    assert "libreoffice.org" in caught.value.hint


@POSIX_ONLY
def test_find_office_looks_on_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    if sys.platform == "linux":
        assert find_office() is None
    fake = _script(tmp_path / "soffice", "exit 0")
    assert find_office() == fake


@POSIX_ONLY
def test_office_that_writes_nothing_is_a_known_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _script(tmp_path / "bin" / "soffice", 'echo "Error: source file could not be loaded"')
    monkeypatch.setattr(pdf, "find_office", lambda: fake)
    source = tmp_path / "a.docx"
    source.write_bytes(b"PK")
    with pytest.raises(PdfConversionFailed, match="không tạo được bản PDF"):
        to_pdf(source, tmp_path / "out")
    with pytest.raises(PdfConversionFailed, match="Không tìm thấy tệp"):
        to_pdf(tmp_path / "missing.docx", tmp_path / "out")


@POSIX_ONLY
def test_the_command_line_uses_a_private_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = tmp_path / "args.txt"
    # A stand-in that notes its arguments and writes a PDF where LibreOffice would.
    body = f'printf "%s\\n" "$@" > "{record}"\nprintf "%%PDF-1.4" > "${{10}}/a.pdf"'
    fake = _script(tmp_path / "bin" / "soffice", body)
    monkeypatch.setattr(pdf, "find_office", lambda: fake)
    source = tmp_path / "a.docx"
    source.write_bytes(b"PK")
    assert to_pdf(source, tmp_path / "out") == tmp_path / "out" / "a.pdf"
    args = record.read_text(encoding="utf-8").splitlines()
    assert args[:2] == ["--headless", "--norestore"]
    [profile] = [a for a in args if a.startswith("-env:UserInstallation=file:///")]
    assert "onestop-lo-" in profile
    assert args[-5:] == ["--convert-to", "pdf", "--outdir", str(tmp_path / "out"), str(source)]


def test_missing_pdftoppm_is_a_known_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(PdfToolMissing, match="pdftoppm") as caught:
        pdf_page_png(tmp_path / "a.pdf", 1, tmp_path / "a.png")
    assert caught.value.hint is not None
    assert "poppler-utils" in caught.value.hint


def test_a_page_that_is_not_there_is_a_known_error(
    receipt_pdf: Path, poppler: None, tmp_path: Path
) -> None:
    with pytest.raises(PdfConversionFailed, match="trang 9"):
        pdf_page_png(receipt_pdf, 9, tmp_path / "p9.png")


@POSIX_ONLY
def test_open_with_system_hands_the_file_to_xdg_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if sys.platform == "darwin":
        pytest.skip("macOS uses open(1)")
    record = tmp_path / "opened.txt"
    _script(tmp_path / "bin" / "xdg-open", f'printf "%s" "$1" > "{record}"')
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    document = tmp_path / "giấy tờ.pdf"
    open_with_system(document)
    deadline = time.monotonic() + 5
    while not record.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert record.read_text(encoding="utf-8") == str(document)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(OpenWithSystemFailed, match="xdg-open"):
        open_with_system(document, "print")


def _script(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return path
