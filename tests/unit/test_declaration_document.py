"""The filled declaration (tờ khai) as .docx: every form, every filled line, the signature."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.document import Document

from onestop_desk.core.forms import FormDefinition, FormField, derive, validate
from onestop_desk.documents import (
    OutputUnwritable,
    TemplateCorrupt,
    TemplateMissing,
    receipt,
)
from onestop_desk.documents.declaration import (
    BLANK,
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
UNDERTAKING = (
    "Tôi cam đoan nội dung khai trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật "
    "về cam đoan của mình."
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


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_every_filled_line_of_each_form_is_printed(form_id: str, tmp_path: Path) -> None:
    form = load_form(form_id)
    values = _filled(form)
    doc, text = _render(_data(form, values), tmp_path)
    lines = text.splitlines()

    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in lines
    assert "Độc lập - Tự do - Hạnh phúc" in lines
    assert form.title.upper() in lines
    words = derive(form, values)
    words_of = {item.source: words[item.id] for item in form.derived}
    for f in form.fields():
        if f.id.endswith("addressed_to"):
            assert f"Kính gửi: {values[f.id]}" in lines
        elif f.id in words_of:
            assert f"{f.label}: {values[f.id]} (bằng chữ: {words_of[f.id]})" in lines
        else:
            assert f"{f.label}: {values[f.id]}" in lines, f.id
    headings = [
        section.title
        for section in form.sections
        if any(not f.id.endswith("addressed_to") for f in section.fields)
    ]
    for number, title in enumerate(headings, start=1):
        assert f"{_roman(number)}. {title.upper()}" in lines
    assert UNDERTAKING in lines
    assert "Hòa Sơn, ngày 23 tháng 11 năm 2026" in lines
    assert "NGƯỜI YÊU CẦU" in lines
    assert "(Ký, ghi rõ họ, chữ đệm, tên)" in lines
    assert lines.index("NGƯỜI YÊU CẦU") < lines.index("Nguyễn Văn An", lines.index(UNDERTAKING))
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
    _, text = _render(_data(form, _filled(form)), tmp_path)
    order = [
        "TỜ KHAI ĐĂNG KÝ KHAI SINH",
        "Kính gửi: Ủy ban nhân dân xã Hòa Sơn, tỉnh Đắk Lắk",
        "I. NGƯỜI YÊU CẦU",
        "II. NGƯỜI ĐƯỢC KHAI SINH",
        "Họ, chữ đệm và tên: Nguyễn Ngọc Bảo Anh",
        "Ngày, tháng, năm sinh: 15/05/2024 (bằng chữ: Ngày mười lăm, tháng năm, "
        "năm hai nghìn không trăm hai mươi tư)",
        "III. MẸ",
        "IV. CHA",
        UNDERTAKING,
        "NGƯỜI YÊU CẦU",
    ]
    lines = text.splitlines()
    positions = [lines.index(item) for item in order]
    assert positions == sorted(positions)
    assert [line for line in lines if line.startswith("Kính gửi")] == [order[1]]


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
