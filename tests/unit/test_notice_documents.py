"""Mẫu 02–07 as .docx: every field of each form and the citizen's data are in the rendered file."""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import docx
import pytest

from onestop_desk.documents import TemplateCorrupt, TemplateMissing
from onestop_desk.documents.notices import (
    ExtensionData,
    Handover,
    Letterhead,
    LogbookData,
    LogbookRow,
    NoticeApplicant,
    RefusalData,
    StopNoticeData,
    SupplementLine,
    SupplementRequestData,
    TrackingSlipData,
    format_day,
    format_moment_short,
    render_extension,
    render_logbook,
    render_refusal,
    render_stop_notice,
    render_supplement_request,
    render_tracking_slip,
)
from tests.support.docx_text import document_text

ROOT = Path(__file__).resolve().parents[2]
CODE = "000.24481.H15-261123-0001"
CENTER = "Trung tâm Phục vụ hành chính công xã Hòa Sơn"
HEAD = Letterhead("UBND XÃ HÒA SƠN", "Hòa Sơn", "0137/2026", date(2026, 11, 25))
AN = NoticeApplicant(
    name="Nguyễn Văn An",
    address="Thôn 1, xã Hòa Sơn, tỉnh Đắk Lắk",
    phone="0905123456",
    email="an.nguyen@example.vn",
    id_number="066090012345",
    salutation="Ông",
)
RECEIVED = datetime(2026, 11, 23, 9, 30)
PROCEDURE = "Thay đổi, cải chính hộ tịch"

SUPPLEMENT = SupplementRequestData(
    letterhead=HEAD,
    code=CODE,
    applicant=AN,
    procedure_name=PROCEDURE,
    items=[
        SupplementLine("Giấy khai sinh bản chính", 1, "Bản chính"),
        SupplementLine("Xác nhận thông tin cư trú", 2, "Bản sao chứng thực"),
    ],
    reason="Giấy khai sinh nộp là bản chụp, không đọc được.\nThiếu xác nhận cư trú.",
    contact_name="Nguyễn Thị Hoa",
    contact_phone="0262 3812 345",
    guide_name="Nguyễn Thị Hoa",
)
REFUSAL = RefusalData(
    letterhead=HEAD,
    code=CODE,
    desk_name=CENTER,
    applicant=AN,
    procedure_name=PROCEDURE,
    reasons="Không thuộc thẩm quyền của xã.\nĐề nghị nộp tại nơi đăng ký khai sinh ban đầu.",
    receiver_name="Lê Văn Nam",
)
EXTENSION = ExtensionData(
    letterhead=replace(HEAD, number=""),
    code=CODE,
    agency_name=CENTER,
    applicant=AN,
    procedure_name=PROCEDURE,
    received_at=RECEIVED,
    old_due_at=datetime(2026, 11, 27, 17, 0),
    new_due_at=datetime(2026, 12, 4, 16, 30),
    reason="Cần xác minh tại nơi đăng ký khai sinh ở tỉnh khác.",
    signer_name="Trần Văn Bình",
)
STOP = StopNoticeData(
    letterhead=replace(HEAD, number=""),
    code=CODE,
    agency_name=CENTER,
    applicant=replace(AN, name="Nguyễn Thị Lan", salutation="Bà"),
    procedure_name=PROCEDURE,
    received_at=RECEIVED,
    reason="Người yêu cầu có đơn xin rút hồ sơ.",
    legal_basis="Luật Hộ tịch năm 2014\nNghị định số 118/2025/NĐ-CP",
    signer_name="Trần Văn Bình",
)
TRACKING = TrackingSlipData(
    letterhead=HEAD,
    code=CODE,
    receipt_number="0137/2026",
    applicant_name="Nguyễn Văn An",
    procedure_name=PROCEDURE,
    deciding_body="Ủy ban nhân dân xã Hòa Sơn",
    received_at=RECEIVED,
    due_at=datetime(2026, 11, 27, 17, 0),
    handovers=[
        Handover(
            "Nguyễn Văn An (người nộp hồ sơ)",
            "Bộ phận Một cửa",
            RECEIVED,
            "Nguyễn Văn An",
            "Nguyễn Thị Hoa",
        ),
        Handover(
            "Bộ phận Một cửa", "Ủy ban nhân dân xã Hòa Sơn", datetime(2026, 11, 23, 14, 5), "Hoa"
        ),
        Handover(
            "Ủy ban nhân dân xã Hòa Sơn",
            "Bộ phận Một cửa",
            datetime(2026, 11, 26, 10, 40),
            timing="Trước hạn",
            note="Có kết quả giải quyết",
        ),
    ],
)
BOOK = LogbookData(
    letterhead=replace(HEAD, number="01/2026"),
    start=date(2026, 11, 1),
    end=date(2026, 11, 30),
    rows=[
        LogbookRow(
            number=137,
            code=CODE,
            procedure_name=PROCEDURE,
            applicant_name="Nguyễn Văn An",
            address="Thôn 1, xã Hòa Sơn, tỉnh Đắk Lắk",
            phone="0905123456",
            deciding_body="Ủy ban nhân dân xã Hòa Sơn",
            received_at=RECEIVED,
            due_at=datetime(2026, 11, 27, 17, 0),
            returned_at=datetime(2026, 11, 26, 8, 5),
            result_channel="Tại Bộ phận Một cửa",
            returned_to="Nguyễn Văn An",
            note="Trước hạn",
        ),
        LogbookRow(
            number=138,
            code="000.24481.H15-261123-0002",
            procedure_name="Chứng thực chữ ký",
            applicant_name="Nguyễn Thị Lan",
            address="Thôn Đông, xã Hòa Sơn",
            phone="",
            deciding_body="",
            received_at=datetime(2026, 11, 23, 10, 0),
            due_at=datetime(2026, 11, 23, 17, 0),
            returned_at=None,
            result_channel="Qua dịch vụ bưu chính công ích",
            note="Đang giải quyết",
        ),
    ],
)


def _text(path: Path) -> str:
    return document_text(docx.Document(str(path)))


def _missing(text: str, expected: list[str]) -> list[str]:
    return [item for item in expected if item not in text]


HEADER = [
    "UBND XÃ HÒA SƠN",
    "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Hòa Sơn, ngày 25 tháng 11 năm 2026",
]


def test_mau02_prints_the_applicant_the_papers_and_whom_to_ask(tmp_path: Path) -> None:
    out = render_supplement_request(SUPPLEMENT, tmp_path / "nested" / "mau02.docx")
    text = _text(out)
    assert (
        _missing(
            text,
            [
                *HEADER,
                "Số: 0137/2026",
                "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
                f"Mã hồ sơ: {CODE}",
                "Hồ sơ của: Nguyễn Văn An",
                "Số định danh cá nhân/CCCD: 066090012345",
                f"Nội dung yêu cầu giải quyết: {PROCEDURE}",
                "Địa chỉ: Thôn 1, xã Hòa Sơn, tỉnh Đắk Lắk",
                "Số điện thoại: 0905123456",
                "Email: an.nguyen@example.vn",
                "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:",
                "Lý do:",
                "Giấy khai sinh nộp là bản chụp, không đọc được.",
                "Thiếu xác nhận cư trú.",
                "ông liên hệ với Nguyễn Thị Hoa, số điện thoại 0262 3812 345 để được hướng dẫn",
                "NGƯỜI HƯỚNG DẪN",
                "(Ký và ghi rõ họ tên)",
            ],
        )
        == []
    )
    (table,) = [t for t in docx.Document(str(out)).tables if t.rows[0].cells[0].text == "TT"]
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["TT", "Tên giấy tờ cần bổ sung, hoàn thiện", "Số lượng", "Hình thức"],
        ["1", "Giấy khai sinh bản chính", "01", "Bản chính"],
        ["2", "Xác nhận thông tin cư trú", "02", "Bản sao chứng thực"],
    ]
    assert "{{" not in text
    assert "{%" not in text


def test_mau02_leaves_dots_where_the_desk_has_no_phone(tmp_path: Path) -> None:
    bare = replace(
        SUPPLEMENT, contact_phone="", applicant=replace(AN, phone="", email="", salutation="Bà")
    )
    text = _text(render_supplement_request(bare, tmp_path / "mau02.docx"))
    assert "số điện thoại …… để được hướng dẫn" in text
    assert "Số điện thoại: ……" in text
    assert "bà liên hệ với Nguyễn Thị Hoa" in text


def test_mau02_without_papers_points_to_the_reason(tmp_path: Path) -> None:
    # A request from the online system may give only a note: no empty table, the note says.
    portal = replace(SUPPLEMENT, items=[], reason="Thiếu giấy chứng sinh bản chính")
    out = render_supplement_request(portal, tmp_path / "mau02.docx")
    text = _text(out)
    assert "Yêu cầu hoàn thiện hồ sơ theo nội dung nêu tại phần lý do dưới đây.\nLý do:\n" in text
    assert "Thiếu giấy chứng sinh bản chính" in text
    assert "gồm những nội dung sau" not in text
    assert "(Hình thức:" not in text
    assert not [t for t in docx.Document(str(out)).tables if t.rows[0].cells[0].text == "TT"]
    # Nor a reason: dots for the officer to write it by hand.
    blank = _text(render_supplement_request(replace(portal, reason=""), tmp_path / "b.docx"))
    assert "Lý do:\n……\n" in blank


def test_mau03_prints_each_reason_and_both_signatures(tmp_path: Path) -> None:
    text = _text(render_refusal(REFUSAL, tmp_path / "mau03.docx"))
    assert (
        _missing(
            text,
            [
                *HEADER,
                "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
                f"{CENTER} tiếp nhận hồ sơ của: Nguyễn Văn An",
                f"Nội dung yêu cầu giải quyết: {PROCEDURE}",
                f"Qua xem xét, {CENTER} thông báo không tiếp nhận, giải quyết hồ sơ này",
                "- Không thuộc thẩm quyền của xã.",
                "- Đề nghị nộp tại nơi đăng ký khai sinh ban đầu.",
                "Xin thông báo để ông được biết và thực hiện./.",
                "NGƯỜI NỘP HỒ SƠ",
                "NGƯỜI TIẾP NHẬN HỒ SƠ",
                "Lê Văn Nam",
            ],
        )
        == []
    )


def test_mau04_apologises_and_names_both_due_dates(tmp_path: Path) -> None:
    text = _text(render_extension(EXTENSION, tmp_path / "mau04.docx"))
    assert (
        _missing(
            text,
            [
                *HEADER,
                "Số: ……",  # numbered by hand from the register of outgoing letters
                "V/v xin lỗi và đề nghị gia hạn thời gian giải quyết hồ sơ",
                "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN",
                "THỜI GIAN GIẢI QUYẾT HỒ SƠ",
                "Kính gửi: Ông Nguyễn Văn An",
                f"Ngày 23 tháng 11 năm 2026, {CENTER} tiếp nhận hồ sơ của ông Nguyễn Văn An, "
                f"mã hồ sơ {CODE}, đề nghị giải quyết thủ tục: {PROCEDURE}.",
                "Giấy tiếp nhận hồ sơ và hẹn trả kết quả là "
                "17 giờ 00 phút, ngày 27 tháng 11 năm 2026.",
                "- Cần xác minh tại nơi đăng ký khai sinh ở tỉnh khác.",
                "trân trọng xin lỗi ông",
                "vào 16 giờ 30 phút, ngày 04 tháng 12 năm 2026.",
                "Nơi nhận:",
                "GIÁM ĐỐC",
                "(Ký, ghi rõ họ tên và đóng dấu)",
                "Trần Văn Bình",
            ],
        )
        == []
    )


def test_mau05_gives_the_reason_and_each_legal_basis(tmp_path: Path) -> None:
    text = _text(render_stop_notice(STOP, tmp_path / "mau05.docx"))
    assert (
        _missing(
            text,
            [
                *HEADER,
                "THÔNG BÁO",
                "Về việc dừng giải quyết hồ sơ thủ tục hành chính",
                "Kính gửi: Bà Nguyễn Thị Lan",
                f"mã hồ sơ {CODE}",
                f"đề nghị giải quyết thủ tục: {PROCEDURE}",
                "Căn cứ:",
                "- Luật Hộ tịch năm 2014;",
                "- Nghị định số 118/2025/NĐ-CP;",
                f"{CENTER} thông báo dừng giải quyết hồ sơ nêu trên. Lý do:",
                "- Người yêu cầu có đơn xin rút hồ sơ.",
                "Xin thông báo để bà được biết.",
                "Trần Văn Bình",
            ],
        )
        == []
    )


def test_mau06_has_a_row_per_hand_over(tmp_path: Path) -> None:
    out = render_tracking_slip(TRACKING, tmp_path / "mau06.docx")
    text = _text(out)
    assert (
        _missing(
            text,
            [
                *HEADER[:4],
                "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
                f"Mã hồ sơ: {CODE}",
                "(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả số: 0137/2026)",
                "Người nộp hồ sơ: Nguyễn Văn An",
                "Cơ quan giải quyết hồ sơ: Ủy ban nhân dân xã Hòa Sơn",
                "Thời gian nhận hồ sơ: 09 giờ 30 phút, ngày 23 tháng 11 năm 2026",
                "Thời gian hẹn trả kết quả: 17 giờ 00 phút, ngày 27 tháng 11 năm 2026",
            ],
        )
        == []
    )
    (table,) = docx.Document(str(out)).tables[1:]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0][3] == "KẾT QUẢ (Trước hạn / Đúng hạn / Quá hạn)"
    assert rows[1][:2] == [
        "1. Giao: Nguyễn Văn An (người nộp hồ sơ)\nNhận: Bộ phận Một cửa",
        "09 giờ 30 phút, ngày 23/11/2026",
    ]
    assert rows[1][2] == "Người giao: Nguyễn Văn An\n\nNgười nhận: Nguyễn Thị Hoa\n"
    assert rows[3][1:] == [
        "10 giờ 40 phút, ngày 26/11/2026",
        "Người giao: \n\nNgười nhận: \n",
        "Trước hạn",
        "Có kết quả giải quyết",
    ]
    assert len(rows) == 4


def test_mau07_is_a_landscape_table_with_the_columns_of_the_book(tmp_path: Path) -> None:
    out = render_logbook(BOOK, tmp_path / "mau07.docx")
    document = docx.Document(str(out))
    text = document_text(document)
    assert (
        _missing(
            text,
            [
                *HEADER,
                "Quyển số: 01/2026",
                "SỔ THEO DÕI HỒ SƠ",
                "Hồ sơ tiếp nhận từ ngày 01/11/2026 đến ngày 30/11/2026 – tổng số: 2 hồ sơ",
            ],
        )
        == []
    )
    (table,) = document.tables[1:]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == [
        "TT",
        "Mã hồ sơ",
        "Tên thủ tục hành chính",
        "Tên cá nhân, tổ chức",
        "Địa chỉ, số điện thoại",
        "Cơ quan giải quyết",
        "Ngày, giờ nhận hồ sơ",
        "Ngày, giờ hẹn trả kết quả",
        "Ngày, giờ trả kết quả",
        "Hình thức nhận kết quả",
        "Ký nhận",
        "Ghi chú",
    ]
    assert rows[1] == [
        "137",
        CODE,
        PROCEDURE,
        "Nguyễn Văn An",
        "Thôn 1, xã Hòa Sơn, tỉnh Đắk Lắk\nĐT: 0905123456",
        "Ủy ban nhân dân xã Hòa Sơn",
        "23/11/2026\n09 giờ 30",
        "27/11/2026\n17 giờ 00",
        "26/11/2026\n08 giờ 05",
        "Tại Bộ phận Một cửa",
        "Nguyễn Văn An",
        "Trước hạn",
    ]
    assert rows[2][4] == "Thôn Đông, xã Hòa Sơn\n"  # no phone, no "ĐT:"
    assert rows[2][8] == "\n"
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)  # type: ignore[union-attr]
    # The column titles repeat on every page of a long book.
    assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")


def test_an_empty_log_book_still_has_its_title_and_columns(tmp_path: Path) -> None:
    out = render_logbook(replace(BOOK, rows=[]), tmp_path / "mau07.docx")
    table = docx.Document(str(out)).tables[1]
    assert len(table.rows) == 1
    assert "tổng số: 0 hồ sơ" in _text(out)


RENDERERS = [
    (render_supplement_request, SUPPLEMENT),
    (render_refusal, REFUSAL),
    (render_extension, EXTENSION),
    (render_stop_notice, STOP),
    (render_tracking_slip, TRACKING),
    (render_logbook, BOOK),
]


@pytest.mark.parametrize(("render", "data"), RENDERERS, ids=["02", "03", "04", "05", "06", "07"])
def test_every_form_is_times_new_roman_13_pt_on_a4(
    render: object, data: object, tmp_path: Path
) -> None:
    out = render(data, tmp_path / "form.docx")  # type: ignore[operator]
    document = docx.Document(str(out))
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert document.styles["Normal"].font.size.pt == 13  # type: ignore[union-attr]
    fonts = document.element.body.xpath(".//w:rFonts/@w:ascii")
    assert set(fonts) <= {"Times New Roman"}
    sizes = [int(v) for v in document.element.body.xpath(".//w:rPr/w:sz/@w:val")]
    assert min(sizes) >= 22  # 11 pt in the dense tables and notes, nothing smaller
    section = document.sections[0]
    assert sorted((round(section.page_width.mm), round(section.page_height.mm))) == [210, 297]  # type: ignore[union-attr]
    text = document_text(document)
    assert "{{" not in text
    assert "{%" not in text


def test_markup_characters_in_data_are_printed_not_parsed(tmp_path: Path) -> None:
    odd = replace(
        REFUSAL, reasons='Thiếu <giấy> & "bản chính"', applicant=replace(AN, name="A & B")
    )
    text = _text(render_refusal(odd, tmp_path / "mau03.docx"))
    assert '- Thiếu <giấy> & "bản chính"' in text
    assert "tiếp nhận hồ sơ của: A & B" in text


def test_consecutive_renders_do_not_share_data(tmp_path: Path) -> None:
    render_tracking_slip(TRACKING, tmp_path / "first.docx")
    other = replace(TRACKING, code="000.24481.H15-261124-0009", handovers=[])
    text = _text(render_tracking_slip(other, tmp_path / "second.docx"))
    assert "000.24481.H15-261124-0009" in text
    assert CODE not in text
    assert "Bộ phận Một cửa" not in text


def test_missing_and_broken_templates_are_known_errors(tmp_path: Path) -> None:
    with pytest.raises(TemplateMissing, match=r"Mẫu 02"):
        render_supplement_request(SUPPLEMENT, tmp_path / "x.docx", template=tmp_path / "no.docx")
    edited = docx.Document()
    edited.add_paragraph("{{ code }")  # a brace lost while editing the form in Word
    broken = tmp_path / "edited.docx"
    edited.save(str(broken))
    with pytest.raises(TemplateCorrupt, match="sai cú pháp"):
        render_logbook(BOOK, tmp_path / "x.docx", template=broken)


def test_the_committed_templates_are_what_make_templates_builds(tmp_path: Path) -> None:
    # The .docx files are generated data: an edit to the script must come with regenerated files.
    spec = importlib.util.spec_from_file_location(
        "make_templates", ROOT / "installer/make_templates.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for number in ("02", "03", "04", "05", "06", "07"):
        built = getattr(module, f"build_mau{number}")(tmp_path / f"mau{number}.docx")
        committed = ROOT / "resources" / "templates" / f"mau{number}.docx"
        assert built.read_bytes() == committed.read_bytes(), number


def test_date_formats() -> None:
    assert format_day(date(2026, 1, 5)) == "05 tháng 01 năm 2026"
    assert format_moment_short(datetime(2026, 11, 23, 7, 5)) == "07 giờ 05 phút, ngày 23/11/2026"
