"""Tests for declaration forms: the shipped definitions, validation messages, defaults, words."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from onestop_desk.core.forms import (
    FormDefinition,
    FormDefinitionError,
    as_json,
    date_in_words,
    defaults_from_applicant,
    derive,
    parse_form,
    validate,
)

FORMS_DIR = Path(__file__).resolve().parents[3] / "resources" / "forms"
CATALOG = Path(__file__).resolve().parents[3] / "resources" / "catalog" / "procedures.json"
TODAY = date(2025, 11, 20)

# What a scanned citizen ID card gives (the QR's date format, ddmmyyyy).
CARD = {
    "full_name": "Nguyễn Thị Lan",
    "id_number": "001190012345",
    "date_of_birth": "14031990",
    "sex": "Nữ",
    "address": "Thôn Đông, xã Tân Hòa, tỉnh Đồng Tháp",
}


def load(form_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FORMS_DIR / f"{form_id}.json").read_text("utf-8"))
    return data


def form(form_id: str) -> FormDefinition:
    return parse_form(load(form_id))


def birth_declaration() -> dict[str, str]:
    """A complete, realistic birth declaration made by the mother, as a specialist would type it."""
    values = defaults_from_applicant(form("birth_registration"), CARD)
    values.update(
        {
            "addressed_to": "Ủy ban nhân dân xã Tân Hòa, tỉnh Đồng Tháp",
            "requester.relationship": "Mẹ",
            "child.full_name": "Trần Ngọc Bảo Anh",
            "child.date_of_birth": "15/05/2024",
            "child.sex": "Nữ",
            "child.place_of_birth": "Bệnh viện đa khoa tỉnh Đồng Tháp, phường Cao Lãnh",
            "child.home_town": "xã Tân Hòa, tỉnh Đồng Tháp",
            "mother.full_name": "Nguyễn Thị Lan",
            "mother.year_of_birth": "1990",
            "mother.residence": "Thôn Đông, xã Tân Hòa, tỉnh Đồng Tháp",
            "father.full_name": "Trần Văn Hùng",
            "father.year_of_birth": "1987",
            "father.residence": "Thôn Đông, xã Tân Hòa, tỉnh Đồng Tháp",
        }
    )
    return values


def test_forms_dir_covers_every_form_the_catalog_uses() -> None:
    catalog = json.loads(CATALOG.read_text("utf-8"))
    used = {p["form"] for p in catalog["procedures"] if p.get("form")}
    shipped = {p.stem for p in FORMS_DIR.glob("*.json")}
    assert used <= shipped


@pytest.mark.parametrize("path", sorted(FORMS_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_every_shipped_form_parses_and_exports(path: Path) -> None:
    definition = parse_form(json.loads(path.read_text("utf-8")))
    assert definition.id == path.stem
    exported = as_json(definition)
    ids = [f["id"] for s in exported["sections"] for f in s["fields"]]
    assert ids == [f.id for f in definition.fields()]
    assert len(ids) == len(set(ids))
    # The export is itself plain JSON.
    json.dumps(exported, ensure_ascii=False)


def test_birth_form_expands_person_blocks_for_mother_and_father() -> None:
    ids = {f.id for f in form("birth_registration").fields()}
    for person in ("mother", "father"):
        for name in ("full_name", "year_of_birth", "ethnicity", "nationality", "residence"):
            assert f"{person}.{name}" in ids


def test_complete_birth_declaration_is_valid_and_derives_date_in_words() -> None:
    birth = form("birth_registration")
    values = birth_declaration()
    assert validate(birth, values, today=TODAY) == {}
    words = "Ngày mười lăm, tháng năm, năm hai nghìn không trăm hai mươi tư"
    assert derive(birth, values) == {"child.date_of_birth_words": words}


def test_father_may_be_left_out_but_not_half_filled() -> None:
    birth = form("birth_registration")
    values = birth_declaration()
    for key in ("father.full_name", "father.year_of_birth", "father.residence"):
        del values[key]
    assert validate(birth, values, today=TODAY) == {}
    values["father.full_name"] = "Trần Văn Hùng"
    problems = validate(birth, values, today=TODAY)
    assert set(problems) == {"father.year_of_birth", "father.residence"}


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("requester.id_number", "00119001234", "phải gồm đúng 12 chữ số (đang có 11)"),
        ("child.date_of_birth", "21/11/2025", "Ngày sinh không được sau ngày hôm nay."),
        ("child.date_of_birth", "2024-05-15", "ngày/tháng/năm"),
        ("child.date_of_birth", "31/02/2024", "Ngày 31/02/2024 không có thật"),
        ("child.sex", "Trai", "“Trai” không có trong danh sách; chọn một trong: Nam, Nữ."),
        ("requester.relationship", "Hàng xóm", "không có trong danh sách"),
        ("mother.year_of_birth", "90", "năm gồm 4 chữ số"),
        ("mother.year_of_birth", "2030", "không được sau năm nay (2025)"),
        ("child.full_name", "A" * 101, "dài quá 100 ký tự"),
    ],
)
def test_bad_input_gets_a_message_on_that_field(field: str, value: str, expected: str) -> None:
    values = birth_declaration()
    values[field] = value
    problems = validate(form("birth_registration"), values, today=TODAY)
    assert list(problems) == [field]
    assert expected in problems[field]


def test_mother_eleven_years_older_than_the_child_is_refused() -> None:
    values = birth_declaration()
    values["mother.year_of_birth"] = "2013"
    problems = validate(form("birth_registration"), values, today=TODAY)
    assert problems == {
        "mother.year_of_birth": "Mẹ phải lớn hơn con ít nhất 12 tuổi (theo năm sinh đã khai, "
        "chỉ hơn 11 năm); kiểm tra lại năm sinh."
    }
    values["mother.year_of_birth"] = "2012"
    assert validate(form("birth_registration"), values, today=TODAY) == {}


def test_empty_required_fields_are_each_named() -> None:
    birth = form("birth_registration")
    problems = validate(birth, {}, today=TODAY)
    assert problems["child.full_name"] == "Chưa nhập họ, chữ đệm và tên."
    assert problems["child.sex"] == "Chưa chọn giới tính."
    assert problems["requester.id_number"] == "Chưa nhập số định danh cá nhân."
    assert "mother.full_name" in problems
    # Optional: the father's block, and nothing is checked against a missing value.
    assert not any(key.startswith("father.") for key in problems)
    # Whitespace is not an answer.
    values = birth_declaration()
    values["child.home_town"] = "   "
    assert validate(birth, values, today=TODAY) == {"child.home_town": "Chưa nhập quê quán."}


def test_defaults_from_a_scanned_card() -> None:
    defaults = defaults_from_applicant(form("birth_registration"), CARD)
    assert defaults["requester.full_name"] == "Nguyễn Thị Lan"
    assert defaults["requester.id_number"] == "001190012345"
    assert defaults["requester.residence"] == CARD["address"]
    assert defaults["child.nationality"] == "Việt Nam"
    assert defaults["mother.ethnicity"] == "Kinh"
    assert "child.full_name" not in defaults
    status = defaults_from_applicant(form("marital_status_confirmation"), CARD)
    assert status["person.date_of_birth"] == "14/03/1990"
    assert status["person.sex"] == "Nữ"


def test_blank_card_values_leave_fields_empty() -> None:
    defaults = defaults_from_applicant(form("signature_certification"), {"full_name": "  "})
    assert "applicant.full_name" not in defaults
    assert defaults["document.copies"] == "1"


@pytest.mark.parametrize("form_id", ["signature_certification", "certified_copy"])
def test_certifications_need_nothing_beyond_the_applicant(form_id: str) -> None:
    definition = form(form_id)
    values = defaults_from_applicant(definition, CARD)
    assert validate(definition, values, today=TODAY) == {}


def test_certified_copy_pages_and_copies_ranges() -> None:
    definition = form("certified_copy")
    values = defaults_from_applicant(definition, CARD)
    values["document.pages"] = "0"
    values["document.copies"] = "hai"
    assert validate(definition, values, today=TODAY) == {
        "document.pages": "Số trang của bản chính phải từ 1 trở lên.",
        "document.copies": "Số bản sao cần chứng thực phải là số nguyên, chỉ gồm chữ số.",
    }


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("15/05/2024", "Ngày mười lăm, tháng năm, năm hai nghìn không trăm hai mươi tư"),
        ("01/01/2000", "Ngày mồng một, tháng một, năm hai nghìn"),
        ("4/4/2005", "Ngày mồng bốn, tháng tư, năm hai nghìn không trăm linh năm"),
        ("31/12/1999", "Ngày ba mươi mốt, tháng mười hai, năm một nghìn chín trăm chín mươi chín"),
        ("14/10/2021", "Ngày mười bốn, tháng mười, năm hai nghìn không trăm hai mươi mốt"),
    ],
)
def test_date_in_words(value: str, words: str) -> None:
    assert date_in_words(value) == words


def test_date_in_words_refuses_a_non_date() -> None:
    with pytest.raises(ValueError, match="ngày/tháng/năm"):
        date_in_words("30/02/2024")


def test_derive_leaves_out_an_unusable_date() -> None:
    assert derive(form("birth_registration"), {"child.date_of_birth": "15/5"}) == {}


def test_death_date_before_birth_is_refused() -> None:
    death = form("death_registration")
    values = defaults_from_applicant(death, CARD)
    values.update(
        {
            "addressed_to": "Ủy ban nhân dân xã Tân Hòa, tỉnh Đồng Tháp",
            "requester.relationship": "Con",
            "deceased.full_name": "Nguyễn Văn Bảy",
            "deceased.date_of_birth": "02/09/1945",
            "deceased.sex": "Nam",
            "deceased.residence": "Thôn Đông, xã Tân Hòa, tỉnh Đồng Tháp",
            "deceased.date_of_death": "10/11/2025",
            "deceased.time_of_death": "14:30",
            "deceased.place_of_death": "Tại nhà, thôn Đông, xã Tân Hòa, tỉnh Đồng Tháp",
            "deceased.cause_of_death": "Già yếu",
        }
    )
    assert validate(death, values, today=TODAY) == {}
    values["deceased.date_of_death"] = "01/09/1945"
    values["deceased.time_of_death"] = "25:00"
    assert validate(death, values, today=TODAY) == {
        "deceased.date_of_birth": "Ngày sinh không thể sau ngày chết.",
        "deceased.time_of_death": "Giờ chết ghi theo dạng giờ:phút, ví dụ 14:30.",
    }


def _broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(load("birth_registration"))
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(version=2), "chỉ hỗ trợ phiên bản 1"),
        (
            lambda d: d["sections"][2]["fields"][1].update(type="datetime"),
            'trường "child.date_of_birth"',
        ),
        (lambda d: d["sections"][2]["fields"][2].pop("choices"), '"choices" cần có'),
        (lambda d: d["sections"][3].update(use_block="people"), 'không có khối "people"'),
        (lambda d: d["sections"][1]["fields"][0].update(default_from="card.name"), "default_from"),
        (
            lambda d: d["blocks"]["person"][1]["rules"][1].update(of="child.dob"),
            "min_age_gap_years",
        ),
        (
            lambda d: d["sections"][2]["fields"][0].update(rules=[{"kind": "not_future"}]),
            "not_future",
        ),
        (lambda d: d["derived"][0].update({"from": "child.full_name"}), '"from"'),
        (lambda d: d["sections"][2]["fields"].append(d["sections"][2]["fields"][0]), "hai lần"),
    ],
)
def test_malformed_definitions_name_the_form_and_the_field(change: Any, message: str) -> None:
    with pytest.raises(FormDefinitionError, match="Biểu mẫu birth_registration") as caught:
        parse_form(_broken(change))
    assert message in str(caught.value)


def test_unknown_keys_are_reported_not_dropped() -> None:
    values = birth_declaration()
    values["child.fullname"] = "Trần Ngọc Bảo Anh"
    assert validate(form("birth_registration"), values, today=TODAY) == {
        "child.fullname": "Biểu mẫu “Tờ khai đăng ký khai sinh” không có trường này."
    }
