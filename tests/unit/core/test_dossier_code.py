"""Tests for dossier codes (mã hồ sơ)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop_desk.core.dossier_code import (
    DossierCode,
    InvalidDossierCode,
    format_dossier_code,
    is_dossier_code,
    is_valid_agency_code,
    parse_dossier_code,
)


@pytest.mark.parametrize(
    "code",
    ["000.17.22.H56", "38.98.H29", "000.A0.01.H26", "H26.1", "A.B.C.D.E.F", "123456.ABCDEF"],
)
def test_valid_agency_codes(code: str) -> None:
    assert is_valid_agency_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "H56",
        "000.17.22.h56",
        "000..22.H56",
        ".17.22.H56",
        "000.17.22.H56.",
        "1.2.3.4.5.6.7",
        "1234567.H56",
        "000-17-22-H56",
        "000.17.22.H56 ",
        "000.Đ7.22.H56",
    ],
)
def test_invalid_agency_codes(code: str) -> None:
    assert not is_valid_agency_code(code)


def test_format() -> None:
    assert format_dossier_code("000.17.22.H56", date(2026, 3, 9), 1) == "000.17.22.H56-260309-0001"
    assert format_dossier_code("38.98.H29", date(2025, 12, 31), 9999) == "38.98.H29-251231-9999"


@pytest.mark.parametrize("sequence", [0, -1, 10000])
def test_format_rejects_sequence_out_of_range(sequence: int) -> None:
    with pytest.raises(ValueError, match="từ 1 đến 9999") as excinfo:
        format_dossier_code("38.98.H29", date(2026, 3, 9), sequence)
    assert not isinstance(excinfo.value, InvalidDossierCode)


def test_format_rejects_bad_agency_code() -> None:
    with pytest.raises(InvalidDossierCode, match="Mã định danh cơ quan không hợp lệ"):
        format_dossier_code("h56", date(2026, 3, 9), 1)


def test_format_rejects_year_outside_code_range() -> None:
    with pytest.raises(ValueError, match="từ năm 2000 đến 2099"):
        format_dossier_code("38.98.H29", date(1999, 12, 31), 1)


def test_parse() -> None:
    assert parse_dossier_code("000.A0.01.H26-260309-0042") == DossierCode(
        "000.A0.01.H26", date(2026, 3, 9), 42
    )


def test_parse_tolerates_whitespace_and_lower_case() -> None:
    code = parse_dossier_code("  000.a0.01.h26-260309-0042\r\n")
    assert str(code) == "000.A0.01.H26-260309-0042"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "không phải mã hồ sơ hợp lệ"),
        ("000.17.22.H56-260309", "không phải mã hồ sơ hợp lệ"),
        ("000.17.22.H56-260309-001", "không phải mã hồ sơ hợp lệ"),
        ("000.17.22.H56-2603091-0001", "không phải mã hồ sơ hợp lệ"),
        ("H56-260309-0001", "không phải mã hồ sơ hợp lệ"),
        ("000.17.22.H56 260309 0001", "không phải mã hồ sơ hợp lệ"),
        ("000.17.22.H56-260230-0001", "ngày tiếp nhận không có thật"),
        ("000.17.22.H56-261301-0001", "ngày tiếp nhận không có thật"),
        ("000.17.22.H56-260309-0000", "số thứ tự 0000"),
    ],
)
def test_parse_rejects(text: str, message: str) -> None:
    with pytest.raises(InvalidDossierCode, match=message):
        parse_dossier_code(text)


def test_dossier_code_validates_its_parts() -> None:
    with pytest.raises(InvalidDossierCode):
        DossierCode("bad", date(2026, 3, 9), 1)
    with pytest.raises(ValueError, match="Số thứ tự hồ sơ"):
        DossierCode("38.98.H29", date(2026, 3, 9), 0)


agency_codes = st.lists(
    st.from_regex(r"[0-9A-Z]{1,6}", fullmatch=True), min_size=2, max_size=6
).map(".".join)


@given(
    agency=agency_codes,
    received_on=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    sequence=st.integers(min_value=1, max_value=9999),
)
def test_round_trip(agency: str, received_on: date, sequence: int) -> None:
    text = format_dossier_code(agency, received_on, sequence)
    assert parse_dossier_code(text) == DossierCode(agency, received_on, sequence)
    assert parse_dossier_code(text.lower()) == DossierCode(agency, received_on, sequence)


@given(st.text())
def test_arbitrary_text_parses_or_is_rejected(text: str) -> None:
    try:
        code = parse_dossier_code(text)
    except InvalidDossierCode:
        pass
    else:
        assert parse_dossier_code(str(code)) == code


def test_is_dossier_code_tells_a_slip_scan_from_other_text() -> None:
    assert is_dossier_code("000.24481.H15-261123-0001")
    assert is_dossier_code(" 000.24481.h15-261123-0001\r\n")  # a scanner's line ending
    assert not is_dossier_code("000.24481.H15-261123-0000")  # sequence 0000
    assert not is_dossier_code("000.24481.H15-261332-0001")  # no such day
    assert not is_dossier_code("066090012345|245803516|Nguyễn Văn An")  # an ID card QR
