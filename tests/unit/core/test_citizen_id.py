"""Tests for citizen ID card QR parsing and ID number checks."""

from __future__ import annotations

import contextlib
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop_desk.core.citizen_id import (
    PROVINCES,
    CitizenCard,
    InvalidCardPayload,
    Sex,
    cross_check,
    decode_id_number,
    decode_scanner_bytes,
    looks_garbled,
    parse_card_qr,
    repair_mojibake,
    validate_id_number,
)

TODAY = date(2026, 3, 10)
OLD_CARD = (
    "001203012345|123456789|Nguyễn Văn An|15052003|Nam|"
    "Số 12, thôn Hòa Bình, xã Hòa Sơn, tỉnh Đắk Lắk|20042021\r\n"
)
NEW_CARD = "066305001234||Trần Thị Bích|01012005|Nữ|Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk|04102024||||"


def parse(payload: str) -> CitizenCard:
    return parse_card_qr(payload, today=TODAY)


def test_parses_chip_card() -> None:
    card = parse(OLD_CARD)
    assert card == CitizenCard(
        id_number="001203012345",
        old_id_number="123456789",
        full_name="Nguyễn Văn An",
        date_of_birth=date(2003, 5, 15),
        sex=Sex.MALE,
        address="Số 12, thôn Hòa Bình, xã Hòa Sơn, tỉnh Đắk Lắk",
        issue_date=date(2021, 4, 20),
        extra=(),
        warnings=(),
    )


def test_parses_2024_card_with_trailing_empty_fields() -> None:
    card = parse(NEW_CARD)
    assert card.id_number == "066305001234"
    assert card.old_id_number is None
    assert card.full_name == "Trần Thị Bích"
    assert card.sex is Sex.FEMALE
    assert card.issue_date == date(2024, 10, 4)
    assert card.extra == ("", "", "", "")
    assert card.warnings == ()


def test_keeps_extra_fields_verbatim() -> None:
    card = parse(NEW_CARD.removesuffix("||||") + "|001099000111|Trần Văn Bình||")
    assert card.extra == ("001099000111", "Trần Văn Bình", "", "")


def test_normalises_nfd_bom_and_case_of_sex() -> None:
    payload = "\ufeff  " + unicodedata.normalize("NFD", NEW_CARD.replace("|Nữ|", "|NỮ|")) + "\n"
    card = parse(payload)
    assert card.full_name == "Trần Thị Bích"
    assert unicodedata.is_normalized("NFC", card.address)
    assert card.sex is Sex.FEMALE


def test_issue_date_may_be_empty() -> None:
    card = parse(OLD_CARD.replace("|20042021", "|"))
    assert card.issue_date is None


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("", "Mã QR trống"),
        (
            "001203012345|Nguyễn Văn An|x",
            "Mã QR không phải của thẻ Căn cước công dân: cần ít nhất 7 trường phân tách "
            "bằng dấu |, nhận được 3.",
        ),
        (OLD_CARD.replace("001203012345", "00120301234"), "cần đúng 12 chữ số"),
        (OLD_CARD.replace("001203012345", "00120301234X"), "cần đúng 12 chữ số"),
        (OLD_CARD.replace("15052003", "31022003"), "không phải ngày có thật"),
        (OLD_CARD.replace("15052003", "1505203"), "cần 8 chữ số"),
        (OLD_CARD.replace("15052003", "15052099"), "tương lai"),
        (OLD_CARD.replace("15052003", "15051899"), "sớm hơn năm 1900"),
        (OLD_CARD.replace("20042021", "20132021"), "Ngày cấp trong mã QR"),
        (OLD_CARD.replace("|Nam|", "|Male|"), "Giới tính trong mã QR không hợp lệ"),
        (OLD_CARD.replace("Nguyễn Văn An", "  "), "không có họ và tên"),
    ],
)
def test_rejects_bad_payloads(payload: str, message: str) -> None:
    with pytest.raises(InvalidCardPayload) as excinfo:
        parse(payload)
    assert message in str(excinfo.value)


def test_garbled_name_from_keyboard_wedge_is_warned() -> None:
    card = parse(OLD_CARD.replace("Nguyễn Văn An", "Nguy?n V?n An"))
    assert card.full_name == "Nguy?n V?n An"
    assert len(card.warnings) == 1
    assert card.warnings[0].startswith("Họ tên đọc từ mã QR có ký tự lỗi")


def test_mojibake_name_is_warned_with_a_suggestion() -> None:
    mojibake = "Nguyễn Văn An".encode().decode("cp1252")
    card = parse(OLD_CARD.replace("Nguyễn Văn An", mojibake))
    assert len(card.warnings) == 1
    assert "Có thể đúng là “Nguyễn Văn An”" in card.warnings[0]


def test_garbled_address_is_warned() -> None:
    card = parse(OLD_CARD.replace("Hòa Bình", "H\ufffda B\ufffdnh"))
    assert [w.split(" ")[0] for w in card.warnings] == ["Địa"]


def test_bad_old_id_is_warned() -> None:
    card = parse(OLD_CARD.replace("123456789", "12345678"))
    assert card.old_id_number == "12345678"
    assert card.warnings == ("Số CMND cũ trong mã QR phải gồm 9 chữ số (đang là “12345678”).",)


def test_id_number_mismatches_are_warned() -> None:
    card = parse(OLD_CARD.replace("|Nam|", "|Nữ|").replace("15052003", "15052004"))
    assert card.warnings == (
        "Giới tính theo số định danh (Nam) không khớp với giới tính trên thẻ (Nữ).",
        "Năm sinh theo số định danh (2003) không khớp với năm sinh trên thẻ (2004).",
    )


def test_unknown_province_code_is_warned_not_rejected() -> None:
    card = parse(OLD_CARD.replace("001203012345", "003203012345"))
    assert len(card.warnings) == 1
    assert "003" in card.warnings[0]


def test_issue_date_before_birth_is_warned() -> None:
    card = parse(OLD_CARD.replace("20042021", "20042001"))
    assert card.warnings == ("Ngày cấp thẻ (20/04/2001) ở trước ngày sinh (15/05/2003).",)


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        ("001203012345", None),
        ("096099000001", None),
        ("00120301234", "Số định danh cá nhân phải gồm đúng 12 chữ số (đang có 11)."),
        ("0012030123456", "Số định danh cá nhân phải gồm đúng 12 chữ số (đang có 13)."),
        ("00120301234A", "chỉ được gồm chữ số"),
        ("", "Chưa có số định danh cá nhân."),
        ("003203012345", "(003) không phải là mã tỉnh"),
        ("097203012345", "(097) không phải là mã tỉnh"),
    ],
)
def test_validate_id_number(id_number: str, message: str | None) -> None:
    result = validate_id_number(id_number)
    if message is None:
        assert result is None
    else:
        assert result is not None
        assert message in result


def test_province_table_has_the_63_codes() -> None:
    assert len(PROVINCES) == 63
    assert PROVINCES["001"] == "Hà Nội"
    assert PROVINCES["066"] == "Đắk Lắk"
    assert PROVINCES["096"] == "Cà Mau"


@pytest.mark.parametrize(
    ("digit", "sex", "century"),
    [
        ("0", Sex.MALE, 1900),
        ("1", Sex.FEMALE, 1900),
        ("2", Sex.MALE, 2000),
        ("3", Sex.FEMALE, 2000),
        ("4", Sex.MALE, 2100),
        ("5", Sex.FEMALE, 2100),
        ("8", Sex.MALE, 2300),
        ("9", Sex.FEMALE, 2300),
    ],
)
def test_decode_id_number(digit: str, sex: Sex, century: int) -> None:
    info = decode_id_number(f"038{digit}87000123")
    assert info.province_code == "038"
    assert info.province_name == "Thanh Hóa"
    assert info.sex is sex
    assert info.century_start == century
    assert info.birth_year_2 == 87
    assert info.birth_year == century + 87


def test_decode_rejects_malformed_number() -> None:
    with pytest.raises(ValueError, match="12 chữ số"):
        decode_id_number("1234")


def test_cross_check_agrees() -> None:
    assert cross_check("066305001234", Sex.FEMALE, date(2005, 1, 1)) == ()
    assert cross_check("not a number", Sex.FEMALE, date(2005, 1, 1)) == ()


@pytest.mark.parametrize(
    "text",
    [
        "Nguyễn Thị Ánh Tuyết",
        "ĐẶNG VĂN LÂM",
        "XÃ HÒA SƠN, HUYỆN KRÔNG PẮC, TỈNH ĐẮK LẮK",
        "Số 5/12 đường 3-2, P. Tân Định, TP. Hồ Chí Minh",
        "Lê Thị Thủy",
        "Y Moan Niê",
        "",
    ],
)
def test_correct_vietnamese_is_not_garbled(text: str) -> None:
    assert not looks_garbled(text)
    assert not looks_garbled(unicodedata.normalize("NFD", text))


@pytest.mark.parametrize(
    "text",
    [
        "Nguy?n Th? Ánh",
        "Hu?",
        "Nguy\ufffdn",
        "Nguyễn\x07Văn",
        "Nguyễn Thị Ánh Tuyết".encode().decode("cp1252", errors="replace"),
        "Đặng Văn Lâm".encode().decode("latin-1"),
        "Trần Thị Bích".encode().decode("cp1252"),
        "Nguy├àn",
        "Иван",
        "Nguyễ\u0301n",
    ],
)
def test_garbled_text_is_detected(text: str) -> None:
    assert looks_garbled(text)


def test_repair_mojibake() -> None:
    assert repair_mojibake("Nguyá»…n VÄƒn An") == "Nguyễn Văn An"
    assert repair_mojibake("TRáº¦N THá»Š BÃCH".replace("Ã", "Ã\x8d")) == "TRẦN THỊ BÍCH"
    assert repair_mojibake("Đặng Văn Lâm".encode().decode("latin-1")) == "Đặng Văn Lâm"
    assert repair_mojibake("Nguyễn Văn An") is None
    assert repair_mojibake("Nguy?n") is None


def test_decode_scanner_bytes() -> None:
    data = b"\xef\xbb\xbf" + OLD_CARD.encode()
    assert parse(decode_scanner_bytes(data)).full_name == "Nguyễn Văn An"
    assert "\ufffd" in decode_scanner_bytes(b"Nguy\xe1n")


@given(st.text())
def test_arbitrary_text_parses_or_is_rejected(payload: str) -> None:
    try:
        card = parse(payload)
    except InvalidCardPayload:
        return
    assert isinstance(card, CitizenCard)
    assert card.id_number.isdigit()


@given(st.binary())
def test_arbitrary_bytes_parse_or_are_rejected(data: bytes) -> None:
    with contextlib.suppress(InvalidCardPayload):
        parse(decode_scanner_bytes(data))


field_text = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="|"), max_size=20)


@given(
    st.lists(st.sampled_from(["", "0", "12345678", "001203012345", "Trần Văn Bình"]), max_size=6),
    st.lists(field_text, max_size=3),
)
def test_near_miss_payloads_parse_or_are_rejected(pieces: list[str], tail: list[str]) -> None:
    with contextlib.suppress(InvalidCardPayload):
        parse("|".join(pieces + tail))


# Round trip: a payload built from valid fields parses back to those fields.
VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
words = st.text(alphabet=VIETNAMESE_LETTERS, min_size=1, max_size=8).map(str.capitalize)
names = st.lists(words, min_size=1, max_size=5).map(" ".join)
addresses = st.lists(
    st.one_of(words, st.integers(min_value=1, max_value=999).map(str)), min_size=1, max_size=10
).map(", ".join)
extra_fields = st.text(alphabet=VIETNAMESE_LETTERS + "0123456789", max_size=12)


@st.composite
def cards(draw: st.DrawFn) -> CitizenCard:
    dob = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sex = draw(st.sampled_from(Sex))
    digit = (dob.year - 1900) // 100 * 2 + (0 if sex is Sex.MALE else 1)
    province = draw(st.sampled_from(sorted(PROVINCES)))
    tail = draw(st.integers(min_value=0, max_value=999_999))
    issue = draw(st.none() | st.dates(min_value=dob, max_value=TODAY))
    return CitizenCard(
        id_number=f"{province}{digit}{dob.year % 100:02d}{tail:06d}",
        old_id_number=draw(st.none() | st.from_regex(r"[0-9]{9}", fullmatch=True)),
        full_name=draw(names),
        date_of_birth=dob,
        sex=sex,
        address=draw(addresses),
        issue_date=issue,
        extra=tuple(draw(st.lists(extra_fields, max_size=5))),
        warnings=(),
    )


def to_payload(card: CitizenCard) -> str:
    fields = [
        card.id_number,
        card.old_id_number or "",
        card.full_name,
        f"{card.date_of_birth:%d%m%Y}",
        str(card.sex),
        card.address,
        f"{card.issue_date:%d%m%Y}" if card.issue_date else "",
        *card.extra,
    ]
    return "|".join(fields)


@given(cards())
def test_round_trip(card: CitizenCard) -> None:
    assert parse(to_payload(card) + "\r\n") == card
