"""Tests for the procedure catalog: the shipped JSON files, fee quotes and validation errors."""

from __future__ import annotations

import copy
import json
from datetime import time
from pathlib import Path
from typing import Any

import pytest

from onestop_desk.core.catalog import (
    FORMS,
    Catalog,
    CatalogError,
    FeeRule,
    ProcedureSpec,
    format_vnd,
    parse_catalog,
    parse_fields,
    parse_procedures,
)

CATALOG_DIR = Path(__file__).resolve().parents[3] / "resources" / "catalog"

# domain.md, "Procedures a commune desk handles most": code, field, time kind, working days.
DOMAIN_TABLE = [
    ("1.001193", "HT", "same_day", None),
    ("1.000656", "HT", "same_day", None),
    ("1.000894", "HT", "same_day", None),
    ("1.004873", "HT", "working_days", 3),
    ("2.000635", "HT", "same_day", None),
    ("1.004884", "HT", "working_days", 5),
    ("1.004859", "HT", "working_days", 3),
    ("1.000689", "HT", "working_days", 3),
    ("2.000815", "CT", "same_day", None),
    ("2.000884", "CT", "same_day", None),
    ("1.004222", "CTR", "working_days", 7),
    ("1.004194", "CTR", "working_days", 3),
]


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CATALOG_DIR / name).read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return parse_catalog(_load("fields.json"), _load("procedures.json"))


def _procedure(catalog: Catalog, code: str) -> ProcedureSpec:
    procedure = catalog.procedure(code)
    assert procedure is not None, code
    return procedure


def _fee(catalog: Catalog, code: str) -> FeeRule:
    return _procedure(catalog, code).fee


# --- the shipped catalog ---------------------------------------------------------------------


def test_core_fields_have_their_ticket_prefixes(catalog: Catalog) -> None:
    expected = {"HT": ("Hộ tịch", "A"), "CT": ("Chứng thực", "B"), "CTR": ("Cư trú", "C")}
    for code, (name, prefix) in expected.items():
        field = catalog.field(code)
        assert field is not None, code
        assert (field.name, field.ticket_prefix) == (name, prefix)


def test_fields_come_sorted_for_the_kiosk(catalog: Catalog) -> None:
    orders = [f.sort_order for f in catalog.fields]
    assert orders == sorted(orders)
    assert catalog.fields[0].code == "HT"
    assert len(catalog.fields) >= 6


@pytest.mark.parametrize(("code", "field", "kind", "days"), DOMAIN_TABLE)
def test_domain_procedure_is_in_catalog(
    catalog: Catalog, code: str, field: str, kind: str, days: int | None
) -> None:
    procedure = _procedure(catalog, code)
    assert procedure.field == field
    assert procedure.processing_time.kind == kind
    assert procedure.processing_time.days == days
    if kind == "same_day":
        assert procedure.processing_time.cutoff == time(15, 0)
    assert procedure.documents, "the desk needs a document checklist"
    assert procedure.legal_basis


def test_every_procedure_has_a_field_and_a_known_form(catalog: Catalog) -> None:
    field_codes = {f.code for f in catalog.fields}
    for procedure in catalog.procedures:
        assert procedure.field in field_codes
        assert procedure.form is None or procedure.form in FORMS
    assert _procedure(catalog, "1.001193").form == "birth_registration"


def test_birth_registration_checklist(catalog: Catalog) -> None:
    documents = {d.name: d for d in _procedure(catalog, "1.001193").documents}
    assert documents["Giấy chứng sinh"].kind == "original"
    assert documents["Giấy chứng sinh"].optional is False
    assert documents["Giấy chứng nhận kết hôn của cha, mẹ"].kind == "present"
    assert documents["Giấy chứng nhận kết hôn của cha, mẹ"].optional is True


def test_unverified_values_say_so(catalog: Catalog) -> None:
    for code in ("1.000656", "1.004873"):
        note = _procedure(catalog, code).processing_time.note
        assert note is not None
        assert "Chưa kiểm chứng" in note


def test_provincial_suffix_finds_the_national_procedure(catalog: Catalog) -> None:
    assert catalog.procedure("2.000815.000.00.00.H55") is _procedure(catalog, "2.000815")
    assert catalog.procedure("9.999999") is None
    assert catalog.procedure("2.0008150") is None
    assert catalog.field("ZZ") is None


def test_procedures_in_field(catalog: Catalog) -> None:
    codes = {p.code for p in catalog.procedures_in("CT")}
    assert codes == {"2.000815", "2.000884"}


def test_processing_time_describe(catalog: Catalog) -> None:
    assert _procedure(catalog, "1.004222").processing_time.describe() == "7 ngày làm việc"
    same_day = _procedure(catalog, "2.000884").processing_time.describe()
    assert same_day.startswith("Trong ngày")
    assert "15:00" in same_day


# --- fee quotes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pages", "per_copy"),
    [(1, 2_000), (2, 4_000), (3, 5_000), (10, 12_000), (250, 200_000)],
)
def test_certified_copy_fee_per_page(catalog: Catalog, pages: int, per_copy: int) -> None:
    fee = _fee(catalog, "2.000815")
    assert fee.quote(pages=pages).amount == per_copy
    two = fee.quote(pages=pages, copies=2)
    assert two.amount == 2 * per_copy
    assert two.lines[-1].endswith(f"× 2 bản = {format_vnd(2 * per_copy)}")


def test_certified_copy_cap_is_explained(catalog: Catalog) -> None:
    quote = _fee(catalog, "2.000815").quote(pages=250)
    assert "Trang 3–250: 248 trang × 1.000 đ = 248.000 đ" in quote.lines
    assert "Mỗi bản tính tối đa 200.000 đ" in quote.lines
    assert "Mỗi bản tính tối đa 200.000 đ" not in _fee(catalog, "2.000815").quote(pages=10).lines


def test_signature_certification_is_per_case(catalog: Catalog) -> None:
    quote = _fee(catalog, "2.000884").quote()
    assert quote.amount == 10_000
    assert quote.lines == ("Lệ phí: 10.000 đ/trường hợp",)


def test_extract_copy_is_per_copy(catalog: Catalog) -> None:
    quote = _fee(catalog, "2.000635").quote(copies=3)
    assert quote.amount == 24_000
    assert quote.lines == ("Lệ phí: 8.000 đ/bản × 3 bản = 24.000 đ",)


def test_extract_copy_is_not_waived_for_poor_households(catalog: Catalog) -> None:
    quote = _fee(catalog, "2.000635").quote(copies=3, exemption="poor_household")
    assert quote.amount == 24_000
    assert quote.exempted is False
    assert quote.lines[-1] == "Thủ tục này không miễn lệ phí cho hộ nghèo."


def test_birth_registration_fees(catalog: Catalog) -> None:
    fee = _fee(catalog, "1.001193")
    on_time = fee.quote()
    assert (on_time.amount, on_time.exempted) == (0, False)
    late = fee.quote(late=True)
    assert late.amount == 8_000
    assert late.lines == ("Lệ phí đăng ký quá hạn: 8.000 đ",)
    waived = fee.quote(late=True, exemption="poor_household")
    assert (waived.amount, waived.exempted) == (0, True)
    assert waived.lines == ("Miễn lệ phí: hộ nghèo",)


def test_unset_provincial_fee_is_not_a_zero(catalog: Catalog) -> None:
    quote = _fee(catalog, "1.004222").quote()
    assert quote.amount_known is False
    assert "HĐND tỉnh" in quote.lines[0]
    waived = _fee(catalog, "1.004222").quote(exemption="disability")
    assert (waived.amount, waived.exempted, waived.amount_known) == (0, True, True)


@pytest.mark.parametrize("kwargs", [{"copies": 0}, {"pages": 0}, {"exemption": "student"}], ids=str)
def test_quote_rejects_impossible_requests(catalog: Catalog, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="không"):
        _fee(catalog, "2.000815").quote(**kwargs)


@pytest.mark.parametrize(
    ("amount", "text"),
    [(0, "0 đ"), (8_000, "8.000 đ"), (200_000, "200.000 đ"), (1_234_567, "1.234.567 đ")],
)
def test_format_vnd(amount: int, text: str) -> None:
    assert format_vnd(amount) == text


# --- validation -------------------------------------------------------------------------------


def _fields() -> dict[str, Any]:
    return {
        "version": 1,
        "fields": [
            {"code": "HT", "name": "Hộ tịch", "ticket_prefix": "A", "sort_order": 1},
            {"code": "CT", "name": "Chứng thực", "ticket_prefix": "B", "sort_order": 2},
        ],
    }


def _procedures() -> dict[str, Any]:
    return {
        "version": 1,
        "procedures": [
            {
                "code": "2.000815",
                "name": "Chứng thực bản sao từ bản chính",
                "field": "CT",
                "processing_time": {"kind": "same_day", "cutoff": "15:00", "note": None},
                "fee": {
                    "kind": "per_page",
                    "tiers": [
                        {"from_page": 1, "to_page": 2, "amount": 2000},
                        {"from_page": 3, "to_page": None, "amount": 1000},
                    ],
                    "cap_per_copy": 200000,
                },
                "documents": [{"name": "Bản chính", "kind": "present"}],
            }
        ],
    }


def _procedure_error(data: dict[str, Any]) -> str:
    with pytest.raises(CatalogError) as caught:
        parse_procedures(data, {"HT", "CT"})
    return str(caught.value)


def test_minimal_data_parses_with_defaults() -> None:
    (procedure,) = parse_procedures(_procedures(), {"CT"})
    (document,) = procedure.documents
    assert (document.count, document.optional, document.note) == (1, False, None)
    assert procedure.form is None
    assert procedure.legal_basis == ()


def test_duplicate_ticket_prefix() -> None:
    data = _fields()
    data["fields"][1]["ticket_prefix"] = "A"
    with pytest.raises(CatalogError, match='Lĩnh vực CT: tiền tố số thứ tự "A" đã dùng cho lĩnh'):
        parse_fields(data)


def test_duplicate_field_code() -> None:
    data = _fields()
    data["fields"][1]["code"] = "HT"
    with pytest.raises(CatalogError, match='mã lĩnh vực "HT" bị trùng'):
        parse_fields(data)


@pytest.mark.parametrize("code", ["ht", "HT1", "Hộ", ""])
def test_bad_field_code(code: str) -> None:
    data = _fields()
    data["fields"][0]["code"] = code
    with pytest.raises(CatalogError, match='trường "code"'):
        parse_fields(data)


def test_unknown_field() -> None:
    data = _procedures()
    data["procedures"][0]["field"] = "XX"
    assert _procedure_error(data) == (
        'Thủ tục 2.000815: lĩnh vực "XX" không có trong danh mục lĩnh vực.'
    )


def test_unknown_field_through_parse_catalog() -> None:
    data = _procedures()
    data["procedures"][0]["field"] = "CTR"
    with pytest.raises(CatalogError, match='lĩnh vực "CTR" không có'):
        parse_catalog(_fields(), data)


@pytest.mark.parametrize(
    "code", ["1.1193", "1001193", "1.0011930", "1.001193.", "1.001193.h55", "١.٠٠١١٩٣"]
)
def test_bad_procedure_code(code: str) -> None:
    data = _procedures()
    data["procedures"][0]["code"] = code
    assert "không đúng dạng" in _procedure_error(data)


def test_provincial_procedure_code_is_accepted() -> None:
    data = _procedures()
    data["procedures"][0]["code"] = "2.000815.000.00.00.H55"
    (procedure,) = parse_procedures(data, {"CT"})
    assert procedure.code == "2.000815.000.00.00.H55"


def test_duplicate_procedure_code() -> None:
    data = _procedures()
    data["procedures"].append(copy.deepcopy(data["procedures"][0]))
    assert _procedure_error(data) == 'Danh mục thủ tục: mã thủ tục "2.000815" bị trùng.'


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        (
            [{"from_page": 1, "to_page": 2, "amount": 2000}, {"from_page": 4, "amount": 1000}],
            'trường "fee.tiers[1].from_page" phải là 3',
        ),
        (
            [{"from_page": 1, "to_page": 2, "amount": 2000}, {"from_page": 2, "amount": 1000}],
            'trường "fee.tiers[1].from_page" phải là 3',
        ),
        ([{"from_page": 2, "to_page": None, "amount": 2000}], "phải là 1"),
        (
            [{"from_page": 1, "to_page": None, "amount": 2000}, {"from_page": 3, "amount": 1}],
            'chỉ bậc cuối cùng mới được để "fee.tiers[0].to_page" là null',
        ),
        ([{"from_page": 1, "to_page": 2, "amount": 2000}], "bậc cuối cùng"),
        ([{"from_page": 3, "to_page": 2, "amount": 2000}], "fee.tiers[0].to_page"),
        ([{"from_page": 1, "to_page": None, "amount": -1}], "phải từ 0 trở lên"),
        ([], "ít nhất một bậc phí"),
    ],
)
def test_bad_tiers(tiers: list[dict[str, Any]], message: str) -> None:
    data = _procedures()
    data["procedures"][0]["fee"]["tiers"] = tiers
    error = _procedure_error(data)
    assert error.startswith("Thủ tục 2.000815: ")
    assert message in error


def test_bad_fee_kind_message() -> None:
    data = _procedures()
    data["procedures"][0]["fee"] = {"kind": "abc"}
    assert _procedure_error(data).startswith(
        'Thủ tục 2.000815: trường "fee.kind" không hợp lệ: "abc"'
    )


@pytest.mark.parametrize(
    ("fee", "message"),
    [
        ({"kind": "fixed", "amount": -5, "per": "case"}, '"fee.amount" phải từ 0 trở lên'),
        ({"kind": "fixed", "amount": True, "per": "case"}, '"fee.amount" phải là số nguyên'),
        ({"kind": "fixed", "amount": 10.5, "per": "case"}, '"fee.amount" phải là số nguyên'),
        ({"kind": "fixed", "amount": 1000}, 'thiếu trường "fee.per"'),
        ({"kind": "fixed", "amount": 1000, "per": "page"}, '"fee.per" không hợp lệ'),
        ({"kind": "free", "exemptions": ["student"]}, '"fee.exemptions" không hợp lệ: "student"'),
        ({"kind": "free", "amount": 0}, 'không nhận trường "fee.amount"'),
        ({"kind": "free", "late_amount": -1}, '"fee.late_amount" phải từ 0 trở lên'),
    ],
)
def test_bad_fee(fee: dict[str, Any], message: str) -> None:
    data = _procedures()
    data["procedures"][0]["fee"] = fee
    assert message in _procedure_error(data)


@pytest.mark.parametrize(
    ("processing_time", "message"),
    [
        ({"kind": "working_days", "days": 0}, '"processing_time.days" phải từ 1 trở lên'),
        ({"kind": "working_days"}, 'thiếu trường "processing_time.days"'),
        ({"kind": "same_day", "cutoff": "25:00"}, "không đúng dạng giờ:phút"),
        ({"kind": "same_day", "days": 2}, 'không nhận trường "processing_time.days"'),
        ({"kind": "soon"}, '"processing_time.kind" không hợp lệ'),
    ],
)
def test_bad_processing_time(processing_time: dict[str, Any], message: str) -> None:
    data = _procedures()
    data["procedures"][0]["processing_time"] = processing_time
    assert message in _procedure_error(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"form": "tax_return"}, '"form" không hợp lệ: "tax_return"'),
        ({"documents": [{"name": "Tờ khai", "kind": "scan"}]}, '"documents[0].kind" không hợp lệ'),
        ({"documents": [{"name": "Tờ khai", "kind": "copy", "count": 0}]}, "phải từ 1 trở lên"),
        ({"documents": ["Tờ khai"]}, '"documents[0]" phải là đối tượng JSON'),
        ({"legal_basis": "Luật Hộ tịch 2014"}, '"legal_basis" phải là danh sách chuỗi ký tự'),
        ({"name": "  "}, '"name" không được để trống'),
        ({"fees": {}}, 'không nhận trường "fees"'),
    ],
)
def test_bad_procedure_entry(change: dict[str, Any], message: str) -> None:
    data = _procedures()
    data["procedures"][0].update(change)
    assert message in _procedure_error(data)


def test_entry_without_code_is_named_by_position() -> None:
    data = _procedures()
    del data["procedures"][0]["code"]
    assert _procedure_error(data) == 'Thủ tục thứ 1: thiếu trường "code".'


def test_unsupported_version() -> None:
    data = _fields()
    data["version"] = 2
    with pytest.raises(CatalogError, match="phiên bản 2 không được hỗ trợ"):
        parse_fields(data)
