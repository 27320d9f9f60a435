"""The filled declaration (tờ khai) as .docx: every form, every filled line, the signature."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document
from docx.table import Table

from onestop_desk.core.forms import FormDefinition, FormField, derive, parse_form, validate
from onestop_desk.documents import (
    OutputUnwritable,
    TemplateCorrupt,
    TemplateMissing,
    receipt,
)
from onestop_desk.documents.declaration import (
    BLANK,
    CELL_BLANK,
    DeclarationData,
    printed_sections,
    render_declaration,
)
from onestop_desk.errors import KnownError
from onestop_desk.resources import resource_path
from onestop_desk.services.catalog import load_form
from tests.support.docx_text import document_text

TODAY = date(2026, 11, 23)
CODE = "000.24481.H15-261123-0001"
FORM_IDS = sorted(path.stem for path in resource_path("forms").glob("*.json"))
ROOT = Path(__file__).resolve().parents[2]
# What a form without its own "print" block says and who signs it: the template's wording.
GENERAL_UNDERTAKING = (
    "Tôi cam đoan nội dung khai trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật "
    "về cam đoan của mình."
)
SIGN_HINT = "(Ký, ghi rõ họ, chữ đệm, tên)"
BIRTH_INTRO = "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:"
BIRTH_UNDERTAKING = (
    "Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật, được sự thỏa "
    "thuận nhất trí của các bên liên quan theo quy định pháp luật. Tôi chịu hoàn toàn trách "
    "nhiệm trước pháp luật về nội dung cam đoan của mình."
)
MARRIAGE_UNDERTAKING = (
    "Chúng tôi cam đoan những lời khai trên đây là đúng sự thật, việc kết hôn của chúng tôi là "
    "tự nguyện, không vi phạm quy định của Luật Hôn nhân và gia đình Việt Nam. Chúng tôi chịu "
    "trách nhiệm trước pháp luật về cam đoan của mình."
)

# Plausible answers by field name; dates and years keep the forms' age-gap rules happy.
TEXTS = {
    "addressed_to": "Ủy ban nhân dân xã Hòa Sơn, tỉnh Đắk Lắk",
    "home_town": "xã Hòa Sơn, tỉnh Đắk Lắk",
    "cause_of_death": "Bệnh tuổi già",
    "death_notice": "Giấy báo tử số 12/GBT ngày 20/11/2026",
    "time_of_death": "14:30",
    "residence_period": "Từ năm 2010 đến nay",
    "purpose": "Để đăng ký kết hôn",
    "title": "Bằng tốt nghiệp trung học phổ thông",
    "phone": "0905123456",
    "email": "an.nguyen@example.vn",
    "household_head_name": "Lê Văn Hùng",
    "lawful_residence_basis": "Giấy chứng nhận quyền sử dụng đất số CS 012345",
}
NAMES = {
    "requester": "Nguyễn Văn An",
    "child": "Nguyễn Ngọc Bảo Anh",
    "mother": "Trần Thị Ngọc Ánh",
    "father": "Nguyễn Văn An",
    "deceased": "Phạm Văn Đức",
    "bride": "Lê Thị Hồng Nhung",
    "groom": "Đặng Quốc Việt",
}
DATES = {
    "child.date_of_birth": "15/05/2024",
    "deceased.date_of_birth": "02/09/1941",
    "deceased.date_of_death": "20/11/2026",
    "request.stay_until": "31/12/2027",
}
YEARS = {"mother.year_of_birth": "1996", "father.year_of_birth": "1990"}


def _plausible(f: FormField) -> str:
    section, _, name = f.id.rpartition(".")
    if f.default is not None:
        return f.default
    if f.type == "choice":
        return f.choices[-1]
    if f.type == "date":
        return DATES.get(f.id, "12/03/1990")
    if f.type == "year":
        return YEARS.get(f.id, "1988")
    if f.type == "id_number":
        return "066090001234" if "head" not in name else "066085004321"
    if f.type == "integer":
        return "2"
    if f.type == "address":
        return "Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk"
    if name == "full_name":
        return NAMES.get(section, "Hoàng Thị Thu Hương")
    return TEXTS.get(name, f"Nội dung {f.label.lower()}")


def _filled(form: FormDefinition) -> dict[str, str]:
    values = {f.id: _plausible(f) for f in form.fields()}
    assert validate(form, values, today=TODAY) == {}
    return values


def _data(form: FormDefinition, values: dict[str, str], **changes: object) -> DeclarationData:
    data = DeclarationData(
        unit_name="UBND XÃ HÒA SƠN",
        place="Hòa Sơn",
        form=form,
        values=values,
        code=CODE,
        procedure_name="Đăng ký khai sinh",
        received_at=TODAY,
        applicant_name="Nguyễn Văn An",
        derived=derive(form, values),
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def _render(data: DeclarationData, tmp_path: Path) -> tuple[Document, str]:
    doc = docx.Document(str(render_declaration(data, tmp_path / "nested" / "to_khai.docx")))
    return doc, document_text(doc)


def _raw_form(form_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resource_path("forms", f"{form_id}.json").read_text("utf-8"))
    return data


def _cells(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def _signature_cells(doc: Document) -> list[str]:
    """The signature table's cells, left to right and row by row, as one text each."""
    [table] = [t for t in doc.tables if SIGN_HINT in "".join(c.text for c in t._cells)]
    return [cell for row in _cells(table) for cell in row]


def _side_by_side(doc: Document) -> dict[str, tuple[str, str]]:
    """The two-column table as label → (left value, right value), after its header row."""
    [table] = [t for t in doc.tables if len(t.columns) == 3]
    header, *rows = _cells(table)
    assert header == ["", "Bên nữ", "Bên nam"]
    return {label: (left, right) for label, left, right in rows}


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_every_filled_line_of_each_form_is_printed(form_id: str, tmp_path: Path) -> None:
    form = load_form(form_id)
    layout = form.print_layout
    assert layout is not None  # each shipped form words its own declaration
    values = _filled(form)
    doc, text = _render(_data(form, values), tmp_path)
    lines = text.splitlines()

    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in lines
    assert "Độc lập - Tự do - Hạnh phúc" in lines
    assert form.title.upper() in lines
    words = derive(form, values)
    words_of = {item.source: words[item.id] for item in form.derived}
    side_by_side = set(layout.columns or ())
    table = _side_by_side(doc) if side_by_side else {}
    for section in form.sections:
        for f in section.fields:
            if f.id.endswith("addressed_to"):
                assert f"Kính gửi: {values[f.id]}" in lines
            elif section.id in side_by_side:
                assert values[f.id] in table[f.label], f.id
            elif f.id in words_of:
                assert f"{f.label}: {values[f.id]} (bằng chữ: {words_of[f.id]})" in lines
            else:
                assert f"{f.label}: {values[f.id]}" in lines, f.id
    headings = [
        section.title
        for section in form.sections
        if section.id not in side_by_side
        and any(not f.id.endswith("addressed_to") for f in section.fields)
    ]
    for number, title in enumerate(headings, start=1):
        assert f"{_roman(number)}. {title.upper()}" in lines
    assert layout.intro in lines
    assert layout.undertaking in lines
    assert GENERAL_UNDERTAKING not in lines
    signature = _signature_cells(doc)
    assert "Hòa Sơn, ngày 23 tháng 11 năm 2026" in "\n".join(signature)
    for signer in layout.signers:
        [cell] = [c for c in signature if signer.title.upper() in c.splitlines()]
        assert cell.splitlines()[-2:] == [SIGN_HINT, values[signer.name_from]]
    footer = "\n".join(p.text for p in doc.sections[0].footer.paragraphs)
    assert CODE in footer
    assert "UBND XÃ HÒA SƠN" in footer
    assert "23/11/2026" in footer
    for leftover in ("{{", "{%", "}}", "%}"):
        assert leftover not in text + footer


def _roman(number: int) -> str:
    return ["I", "II", "III", "IV", "V", "VI"][number - 1]


def test_birth_declaration_reads_in_the_forms_order(tmp_path: Path) -> None:
    form = load_form("birth_registration")
    doc, text = _render(_data(form, _filled(form)), tmp_path)
    order = [
        "TỜ KHAI ĐĂNG KÝ KHAI SINH",
        "Kính gửi: Ủy ban nhân dân xã Hòa Sơn, tỉnh Đắk Lắk",
        "I. NGƯỜI YÊU CẦU",
        "Quan hệ với người được khai sinh: Người được ủy quyền",
        BIRTH_INTRO,
        "II. NGƯỜI ĐƯỢC KHAI SINH",
        "Họ, chữ đệm và tên: Nguyễn Ngọc Bảo Anh",
        "Ngày, tháng, năm sinh: 15/05/2024 (bằng chữ: Ngày mười lăm, tháng năm, "
        "năm hai nghìn không trăm hai mươi tư)",
        "III. MẸ",
        "IV. CHA",
        BIRTH_UNDERTAKING,
        "NGƯỜI YÊU CẦU",
    ]
    lines = text.splitlines()
    positions = [lines.index(item) for item in order]
    assert positions == sorted(positions)
    assert [line for line in lines if line.startswith("Kính gửi")] == [order[1]]
    assert lines.count(BIRTH_INTRO) == 1
    assert "Tôi cam đoan nội dung khai trên đây" not in text  # not the general undertaking
    # One signature, on the right: the requester, named as on the form.
    [empty, requester] = _signature_cells(doc)
    assert empty.strip() == ""
    assert requester.splitlines()[-3:] == ["NGƯỜI YÊU CẦU", SIGN_HINT, "Nguyễn Văn An"]


MARRIAGE = {
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
    "groom.marriage_number": "2",
}


def test_marriage_declaration_sets_bride_and_groom_side_by_side(tmp_path: Path) -> None:
    form = load_form("marriage_registration")
    assert validate(form, MARRIAGE, today=TODAY) == {}
    doc, text = _render(_data(form, MARRIAGE), tmp_path)
    assert _side_by_side(doc) == {
        "Họ, chữ đệm và tên": ("Lê Thị Hồng Nhung", "Đặng Quốc Việt"),
        "Ngày, tháng, năm sinh": ("08/03/1998", "21/10/1995"),
        "Dân tộc": ("Ê Đê", "Kinh"),
        "Quốc tịch": ("Việt Nam", "Việt Nam"),
        "Nơi cư trú": ("Buôn Ea Sar, xã Hòa Sơn, tỉnh Đắk Lắk", "Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk"),
        "Số định danh cá nhân": ("066198012345", "066095054321"),
        "Kết hôn lần thứ mấy": ("1", "2"),
    }
    paragraphs = [p.text for p in doc.paragraphs if p.text]
    assert paragraphs == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "TỜ KHAI ĐĂNG KÝ KẾT HÔN",
        "Kính gửi: Ủy ban nhân dân xã Hòa Sơn, tỉnh Đắk Lắk",
        "Đề nghị Quý cơ quan đăng ký kết hôn cho chúng tôi.",
        MARRIAGE_UNDERTAKING,
    ]  # no "I. BÊN NỮ" sections: the table is all the parties' data
    # The table sits between the request and the undertaking, as on the official form.
    body = [
        "<table>" if isinstance(block, Table) else block.text for block in doc.iter_inner_content()
    ]
    request, undertaking = body.index(paragraphs[4]), body.index(MARRIAGE_UNDERTAKING)
    assert body[request + 1 : undertaking] == ["<table>"]
    # Two signatures side by side, each party's name under its own title.
    bride, groom = _signature_cells(doc)
    assert bride.splitlines()[-3:] == ["BÊN NỮ", SIGN_HINT, "Lê Thị Hồng Nhung"]
    assert groom.splitlines()[-3:] == ["BÊN NAM", SIGN_HINT, "Đặng Quốc Việt"]
    assert groom.splitlines()[0] == "Hòa Sơn, ngày 23 tháng 11 năm 2026"
    assert "NGƯỜI YÊU CẦU" not in text


def test_an_empty_value_in_the_side_by_side_table_keeps_a_line(tmp_path: Path) -> None:
    form = load_form("marriage_registration")
    values = MARRIAGE | {"groom.residence": ""}
    doc, _ = _render(_data(form, values), tmp_path)
    assert _side_by_side(doc)["Nơi cư trú"] == ("Buôn Ea Sar, xã Hòa Sơn, tỉnh Đắk Lắk", CELL_BLANK)


def test_a_form_without_a_print_block_keeps_the_general_wording(tmp_path: Path) -> None:
    raw = _raw_form("death_registration")
    del raw["print"]
    form = parse_form(raw)
    assert form.print_layout is None
    doc, text = _render(_data(form, _filled(form)), tmp_path)
    lines = text.splitlines()
    assert GENERAL_UNDERTAKING in lines
    assert not [line for line in lines if line.startswith("Đề nghị")]
    assert "I. NGƯỜI YÊU CẦU" in lines
    assert "II. NGƯỜI ĐÃ CHẾT" in lines
    # The dossier's applicant signs as the requester, on the right.
    [_, requester] = _signature_cells(doc)
    assert requester.splitlines() == [
        "Hòa Sơn, ngày 23 tháng 11 năm 2026",
        "NGƯỜI YÊU CẦU",
        SIGN_HINT,
        "Nguyễn Văn An",
    ]


def test_a_block_with_only_an_intro_prints_it_under_kinh_gui(tmp_path: Path) -> None:
    raw = _raw_form("death_registration")
    raw["print"] = {"intro": "Đề nghị đăng ký khai tử."}
    form = parse_form(raw)
    _, text = _render(_data(form, _filled(form)), tmp_path)
    lines = text.splitlines()
    kinh_gui = lines.index("Kính gửi: Ủy ban nhân dân xã Hòa Sơn, tỉnh Đắk Lắk")
    assert lines[kinh_gui + 1 : kinh_gui + 3] == ["Đề nghị đăng ký khai tử.", "I. NGƯỜI YÊU CẦU"]
    assert GENERAL_UNDERTAKING in lines
    assert "NGƯỜI YÊU CẦU" in lines


def test_the_committed_template_is_what_make_templates_builds(tmp_path: Path) -> None:
    # to_khai.docx is generated: an edit to build_to_khai must come with the regenerated file.
    spec = importlib.util.spec_from_file_location(
        "make_templates", ROOT / "installer" / "make_templates.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build_to_khai(tmp_path / "to_khai.docx")
    assert built.read_bytes() == resource_path("templates", "to_khai.docx").read_bytes()


def test_an_optional_section_left_empty_is_not_printed(tmp_path: Path) -> None:
    form = load_form("birth_registration")
    values = {k: v for k, v in _filled(form).items() if not k.startswith("father.")}
    # The father's fixed defaults (ethnicity, nationality) alone do not make him declared.
    values |= {"father.ethnicity": "Kinh", "father.nationality": "Việt Nam"}
    assert validate(form, values, today=TODAY) == {}
    _, text = _render(_data(form, values, applicant_name="Trần Thị Ngọc Ánh"), tmp_path)
    assert "CHA" not in text.splitlines()
    assert "IV." not in text
    assert "Năm sinh: 1990" not in text
    assert "III. MẸ" in text
    assert "Năm sinh: 1996" in text


def test_empty_optional_fields_are_left_out_and_required_ones_keep_a_line(
    tmp_path: Path,
) -> None:
    form = load_form("death_registration")
    values = _filled(form) | {"deceased.time_of_death": "", "deceased.death_notice": ""}
    values["deceased.cause_of_death"] = ""  # required: the citizen writes it in by hand
    values["addressed_to"] = ""
    _, text = _render(_data(form, values), tmp_path)
    assert "Giờ chết" not in text
    assert "Số giấy báo tử" not in text
    assert f"Nguyên nhân chết: {BLANK}" in text.splitlines()
    assert f"Kính gửi: {BLANK}" in text.splitlines()


def test_forms_without_an_addressee_print_no_kinh_gui(tmp_path: Path) -> None:
    form = load_form("certified_copy")
    _, text = _render(_data(form, _filled(form)), tmp_path)
    assert "Kính gửi" not in text
    assert "YÊU CẦU CHỨNG THỰC BẢN SAO TỪ BẢN CHÍNH" in text


def test_derived_words_are_computed_when_not_given(tmp_path: Path) -> None:
    form = load_form("death_registration")
    values = _filled(form)
    _, text = _render(_data(form, values, derived=None), tmp_path)
    assert "Ngày chết: 20/11/2026 (bằng chữ: Ngày hai mươi, tháng mười một, năm hai nghìn" in text


def test_sections_as_printed_match_the_document(tmp_path: Path) -> None:
    form = load_form("temporary_residence")
    data = _data(form, _filled(form) | {"person.email": ""})
    sections = printed_sections(data)
    assert [s.title for s in sections] == ["Người đề nghị", "Nội dung đề nghị"]
    assert "Thư điện tử" not in [line.label for line in sections[0].lines]
    _, text = _render(data, tmp_path)
    for section in sections:
        for line in section.lines:
            assert f"{line.label}: {line.value}" in text


def test_decomposed_input_prints_as_precomposed(tmp_path: Path) -> None:
    import unicodedata

    form = load_form("signature_certification")
    values = _filled(form)
    values["applicant.full_name"] = unicodedata.normalize("NFD", "Nguyễn Thị Hồng")
    _, text = _render(_data(form, values), tmp_path)
    assert "Họ, chữ đệm và tên: Nguyễn Thị Hồng" in text


def test_markup_characters_in_values_are_printed_not_parsed(tmp_path: Path) -> None:
    form = load_form("permanent_residence")
    values = _filled(form) | {"request.address": 'Số 5 <ngõ 3> & ngách "A" {{ x }}'}
    _, text = _render(_data(form, values), tmp_path)
    assert 'Địa chỉ đề nghị đăng ký: Số 5 <ngõ 3> & ngách "A" {{ x }}' in text


def test_times_new_roman_13_to_14_pt_on_a4(tmp_path: Path) -> None:
    form = load_form("birth_registration")
    doc, _ = _render(_data(form, _filled(form)), tmp_path)
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert set(doc.element.body.xpath(".//w:rFonts/@w:ascii")) <= {"Times New Roman"}
    body_size = doc.styles["Normal"].font.size
    assert body_size is not None
    assert body_size.pt in {13, 14}
    sizes = {int(v) for v in doc.element.body.xpath(".//w:rPr/w:sz/@w:val")}
    assert sizes <= {26, 28}  # half-points: 13 and 14 pt in the body
    section = doc.sections[0]
    assert section.page_width is not None
    assert section.page_height is not None
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_errors_are_the_receipts_known_errors(tmp_path: Path) -> None:
    assert TemplateMissing is receipt.TemplateMissing
    form = load_form("certified_copy")
    data = _data(form, _filled(form))
    with pytest.raises(TemplateMissing, match="Không tìm thấy mẫu tờ khai"):
        render_declaration(data, tmp_path / "t.docx", template=tmp_path / "none.docx")
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not a docx")
    with pytest.raises(TemplateCorrupt, match="bị hỏng"):
        render_declaration(data, tmp_path / "t.docx", template=broken)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(OutputUnwritable, match="Không ghi được tờ khai") as caught:
        render_declaration(data, blocker / "t.docx")
    assert isinstance(caught.value, KnownError)
    assert caught.value.hint
