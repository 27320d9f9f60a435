"""Mẫu 01 as a .docx: every field of the form and the citizen's data are in the rendered file."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import docx
import pytest
import qrcode  # type: ignore[import-untyped]
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M  # type: ignore[import-untyped]

from onestop_desk.documents import (
    OutputUnwritable,
    ReceiptData,
    TemplateCorrupt,
    TemplateMissing,
    format_moment,
    format_processing_time,
    render_receipt,
)
from onestop_desk.errors import KnownError
from tests.support.docx_text import document_text
from tests.support.papers import RECEIPT_CODE, sample_receipt

CODE = RECEIPT_CODE


@pytest.fixture
def receipt() -> ReceiptData:
    return sample_receipt()


@pytest.fixture
def rendered(receipt: ReceiptData, tmp_path: Path) -> Path:
    return render_receipt(receipt, tmp_path / "nested" / "receipt.docx")


def test_every_mau01_field_and_the_citizens_data_are_printed(rendered: Path) -> None:
    text = document_text(docx.Document(str(rendered)))
    expected = [
        "UBND XÃ HÒA SƠN",
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        "Số: 0001/TN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Hòa Sơn, ngày 23 tháng 11 năm 2026",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {CODE}",
        "Bộ phận tiếp nhận: Trung tâm Phục vụ hành chính công xã Hòa Sơn",
        "Tiếp nhận hồ sơ của: Nguyễn Văn An",
        "Địa chỉ: Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk",
        "Số điện thoại: 0905123456",
        "Email: an.nguyen@example.vn",
        "001203012345",
        "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
        "1. Thành phần hồ sơ nộp gồm:",
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
        "Giấy chứng nhận kết hôn của cha, mẹ",
        "Bản sao chứng thực",
        "2. Số lượng hồ sơ: 01 (bộ)",
        "3. Thời gian giải quyết hồ sơ theo quy định là: 02 ngày làm việc",
        "4. Thời gian nhận hồ sơ: 09 giờ 30 phút, ngày 23 tháng 11 năm 2026",
        "5. Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 25 tháng 11 năm 2026",
        "6. Đăng ký nhận kết quả tại: Bộ phận Một cửa",
        "Phí, lệ phí: Miễn phí",
        "Vào Sổ theo dõi hồ sơ, Quyển số: 01/2026",
        "Số thứ tự: 137",
        "lập thành 02 liên",
        "qua dịch vụ bưu chính công ích",
        "mang theo Giấy tiếp nhận hồ sơ",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "(Ký và ghi rõ họ tên)",
        "Trần Thị Bình",
    ]
    missing = [item for item in expected if item not in text]
    assert missing == []
    assert "{{" not in text
    assert "{%" not in text


def test_the_page_is_there_twice_labelled_as_the_two_copies(rendered: Path) -> None:
    doc = docx.Document(str(rendered))
    text = document_text(doc)
    assert "Liên 1: Lưu" in text
    assert "Liên 2: Giao người nộp hồ sơ" in text
    assert text.count("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ") == 2
    assert text.count("Nguyễn Văn An") >= 4  # "Tiếp nhận hồ sơ của" and the signature, twice
    body = doc.element.body.xml
    assert body.count('w:type="page"') == 1


def test_documents_table_has_one_numbered_row_per_paper(rendered: Path) -> None:
    doc = docx.Document(str(rendered))
    tables = [t for t in doc.tables if t.rows[0].cells[0].text == "TT"]
    assert len(tables) == 2
    for table in tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        assert rows == [
            ["TT", "Tên giấy tờ", "Số lượng", "Bản chính/bản sao"],
            ["1", "Tờ khai đăng ký khai sinh", "01", "Bản chính"],
            ["2", "Giấy chứng sinh", "01", "Bản chính"],
            ["3", "Giấy chứng nhận kết hôn của cha, mẹ", "01", "Bản sao chứng thực"],
        ]


def test_qr_of_the_code_is_embedded_on_both_copies(rendered: Path) -> None:
    doc = docx.Document(str(rendered))
    assert doc.element.body.xml.count("<wp:inline") == 2
    with zipfile.ZipFile(rendered) as archive:
        media = [name for name in archive.namelist() if name.startswith("word/media/")]
        assert len(media) == 1  # the same picture, stored once
        assert archive.read(media[0]).startswith(b"\x89PNG")


def _qr_modules(png: bytes, box: int = 8, border: int = 2) -> list[list[bool]]:
    """Reads the dark/light modules back from a QR picture drawn with ``box`` pixels a module."""
    image = Image.open(io.BytesIO(png)).convert("L")
    pixels, width = image.tobytes(), image.width
    size = width // box - 2 * border

    def dark(x: int, y: int) -> bool:
        centre = box // 2
        return pixels[((border + y) * box + centre) * width + (border + x) * box + centre] < 128

    return [[dark(x, y) for x in range(size)] for y in range(size)]


def _expected_modules(text: str) -> list[list[bool]]:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=0)
    qr.add_data(text)
    qr.make(fit=True)
    return [[bool(cell) for cell in row] for row in qr.get_matrix()]


def test_embedded_qr_encodes_the_dossier_code(rendered: Path) -> None:
    with zipfile.ZipFile(rendered) as archive:
        (media,) = [name for name in archive.namelist() if name.startswith("word/media/")]
        modules = _qr_modules(archive.read(media))
    assert modules == _expected_modules(CODE)
    assert modules != _expected_modules("000.24481.H15-261123-0002")


def test_all_text_is_times_new_roman(rendered: Path) -> None:
    doc = docx.Document(str(rendered))
    assert doc.styles["Normal"].font.name == "Times New Roman"
    fonts = doc.element.body.xpath(".//w:rFonts/@w:ascii")
    assert set(fonts) <= {"Times New Roman"}
    body_size = doc.styles["Normal"].font.size
    assert body_size is not None
    assert body_size.pt in {13, 14}
    half_points = doc.element.body.xpath(".//w:rPr/w:sz/@w:val")
    assert min(int(value) for value in half_points) >= 22  # notes at 11 pt, nothing smaller


def test_page_is_a4(rendered: Path) -> None:
    section = docx.Document(str(rendered)).sections[0]
    width, height = section.page_width, section.page_height
    assert width is not None
    assert height is not None
    assert (round(width.mm), round(height.mm)) == (210, 297)


def test_same_day_wording_postal_channel_and_missing_contact(
    receipt: ReceiptData, tmp_path: Path
) -> None:
    posted = replace(
        receipt,
        processing_working_days=0,
        result_channel="qua dịch vụ bưu chính công ích đến địa chỉ Thôn 3, xã Hòa Sơn",
        phone="",
        email="",
        fee="8.000 đồng",
    )
    text = document_text(docx.Document(str(render_receipt(posted, tmp_path / "r.docx"))))
    assert "theo quy định là: trong ngày làm việc" in text
    assert "sau 15 giờ" in text
    assert "tại: qua dịch vụ bưu chính công ích đến địa chỉ Thôn 3, xã Hòa Sơn" in text
    assert "Số điện thoại: Không có" in text
    assert "Phí, lệ phí: 8.000 đồng" in text


def test_markup_characters_in_data_are_printed_not_parsed(
    receipt: ReceiptData, tmp_path: Path
) -> None:
    odd = replace(receipt, address='Số 5 <ngõ 3> & ngách "A"', applicant_name="Lê Thị B & C")
    text = document_text(docx.Document(str(render_receipt(odd, tmp_path / "r.docx"))))
    assert 'Địa chỉ: Số 5 <ngõ 3> & ngách "A"' in text
    assert "Lê Thị B & C" in text


def test_format_moment_pads_like_the_form() -> None:
    assert format_moment(datetime(2026, 11, 23, 9, 30)) == (
        "09 giờ 30 phút, ngày 23 tháng 11 năm 2026"
    )
    assert format_moment(datetime(2027, 1, 5, 7, 5)) == "07 giờ 05 phút, ngày 05 tháng 01 năm 2027"


def test_format_processing_time() -> None:
    assert format_processing_time(5) == "05 ngày làm việc"
    assert format_processing_time(0).startswith("trong ngày")
    with pytest.raises(ValueError, match="negative"):
        format_processing_time(-1)


def test_unwritable_output_is_a_known_error_in_vietnamese(
    receipt: ReceiptData, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(OutputUnwritable, match="Không ghi được") as caught:
        render_receipt(receipt, blocker / "receipt.docx")
    assert isinstance(caught.value, KnownError)
    assert caught.value.hint


def test_missing_template_is_a_known_error(receipt: ReceiptData, tmp_path: Path) -> None:
    with pytest.raises(TemplateMissing, match="Không tìm thấy mẫu"):
        render_receipt(receipt, tmp_path / "r.docx", template=tmp_path / "none.docx")


def test_corrupt_template_is_a_known_error(receipt: ReceiptData, tmp_path: Path) -> None:
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 this is not a docx")
    with pytest.raises(TemplateCorrupt, match="bị hỏng"):
        render_receipt(receipt, tmp_path / "r.docx", template=broken)


def test_consecutive_renders_do_not_share_data(receipt: ReceiptData, tmp_path: Path) -> None:
    # The compiled template is reused between renders; the values must not be.
    render_receipt(receipt, tmp_path / "first.docx")
    other = replace(receipt, applicant_name="Phạm Thị Cúc", code="000.24481.H15-261123-0002")
    text = document_text(docx.Document(str(render_receipt(other, tmp_path / "second.docx"))))
    assert "Tiếp nhận hồ sơ của: Phạm Thị Cúc" in text
    assert "Nguyễn Văn An" not in text
    assert CODE not in text


def test_template_with_broken_tags_is_a_known_error(receipt: ReceiptData, tmp_path: Path) -> None:
    edited = docx.Document()
    edited.add_paragraph("{{ unit_name }")  # a brace lost while editing the form in Word
    broken = tmp_path / "edited.docx"
    edited.save(str(broken))
    with pytest.raises(TemplateCorrupt, match="sai cú pháp"):
        render_receipt(receipt, tmp_path / "r.docx", template=broken)
