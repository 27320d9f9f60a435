"""Citizen ID card QR payloads and 12-digit personal ID numbers: parse, decode, cross-check."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from onestop_desk.core.text import nfc, search_key


class Sex(StrEnum):
    """Sex as printed on the card."""

    MALE = "Nam"
    FEMALE = "Nữ"


class InvalidCardPayload(ValueError):
    """The scanned text is not a usable citizen ID card QR payload; str() says why in Vietnamese."""


@dataclass(frozen=True)
class CitizenCard:
    """The fields read from a card's QR code, with warnings for staff to check by eye."""

    id_number: str
    old_id_number: str | None
    full_name: str
    date_of_birth: date
    sex: Sex
    address: str
    issue_date: date | None
    extra: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class IdNumberInfo:
    """What the digits of a personal ID number encode."""

    province_code: str
    province_name: str
    sex: Sex
    birth_year_2: int
    century_start: int

    @property
    def birth_year(self) -> int:
        """The full birth year the number encodes."""
        return self.century_start + self.birth_year_2


# Birth-registration province codes (the 63 provinces before the 2025 merger; the codes stay).
PROVINCES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Thành phố Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

ID_NUMBER_LENGTH = 12
OLD_ID_NUMBER_LENGTH = 9
MIN_FIELDS = 7
EARLIEST_BIRTH_YEAR = 1900

_DIGITS = re.compile(r"[0-9]+")
_DATE_DIGITS = re.compile(r"[0-9]{8}")
_QUESTION_IN_WORD = re.compile(r"\w\?|\?\w")

# Each byte 0x80–0xBF (a UTF-8 continuation byte) as Windows-1252 and Latin-1 would show it.
_CONTINUATION_CHARS = frozenset(
    ch
    for b in range(0x80, 0xC0)
    for ch in (bytes([b]).decode("latin-1"), bytes([b]).decode("cp1252", errors="ignore"))
    if ch
)
# Lead bytes of the UTF-8 forms of Vietnamese letters and marks, as Windows-1252 shows them:
# Ã/Ä/Å/Æ (precomposed Latin letters, đ, ư, ơ), Ì/Í (combining marks), á (ạ…ỹ), â (‘ “ ₫).
_MOJIBAKE_LEADS = frozenset("ÃÄÅÆÌÍáâ")
_CP1252_BYTES: dict[str, int] = {
    bytes([b]).decode("cp1252"): b
    for b in range(0x80, 0x100)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


def _shown(value: str, limit: int = 30) -> str:
    """A value short enough to quote in a message."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _is_digits(value: str, length: int) -> bool:
    return len(value) == length and _DIGITS.fullmatch(value) is not None


def validate_id_number(id_number: str) -> str | None:
    """None for a well-formed 12-digit personal ID number, else what is wrong, in Vietnamese."""
    if not id_number:
        return "Chưa có số định danh cá nhân."
    if _DIGITS.fullmatch(id_number) is None:
        return (
            "Số định danh cá nhân chỉ được gồm chữ số, không có chữ cái hay ký hiệu "
            f"(đang là “{_shown(id_number)}”)."
        )
    if len(id_number) != ID_NUMBER_LENGTH:
        return (
            f"Số định danh cá nhân phải gồm đúng {ID_NUMBER_LENGTH} chữ số "
            f"(đang có {len(id_number)})."
        )
    province_code = id_number[:3]
    if province_code not in PROVINCES:
        return (
            f"Ba chữ số đầu của số định danh cá nhân ({province_code}) không phải là mã tỉnh "
            "nơi đăng ký khai sinh."
        )
    return None


def _sex_and_century(digit: int) -> tuple[Sex, int]:
    # 0/1 → 1900s, 2/3 → 2000s, … 8/9 → 2300s; even digits are male, odd female.
    return (Sex.MALE if digit % 2 == 0 else Sex.FEMALE), 1900 + (digit // 2) * 100


def decode_id_number(id_number: str) -> IdNumberInfo:
    """Decode province of birth registration, sex and birth year; ValueError if malformed."""
    problem = validate_id_number(id_number)
    if problem is not None:
        raise ValueError(problem)
    sex, century_start = _sex_and_century(int(id_number[3]))
    return IdNumberInfo(
        province_code=id_number[:3],
        province_name=PROVINCES[id_number[:3]],
        sex=sex,
        birth_year_2=int(id_number[4:6]),
        century_start=century_start,
    )


def cross_check(id_number: str, sex: Sex, date_of_birth: date) -> tuple[str, ...]:
    """Warnings where the sex or birth year encoded in the ID number disagree with the card's."""
    if not _is_digits(id_number, ID_NUMBER_LENGTH):
        return ()
    encoded_sex, century_start = _sex_and_century(int(id_number[3]))
    encoded_year = century_start + int(id_number[4:6])
    warnings: list[str] = []
    if encoded_sex != sex:
        warnings.append(
            f"Giới tính theo số định danh ({encoded_sex}) không khớp với giới tính trên thẻ "
            f"({sex})."
        )
    if encoded_year != date_of_birth.year:
        warnings.append(
            f"Năm sinh theo số định danh ({encoded_year}) không khớp với năm sinh trên thẻ "
            f"({date_of_birth.year})."
        )
    return tuple(warnings)


def looks_garbled(text: str) -> bool:
    """True for text a scanner typing under the wrong layout or code page would produce."""
    text = nfc(text)
    if "\ufffd" in text or _QUESTION_IN_WORD.search(text):
        return True
    for index, ch in enumerate(text):
        category = unicodedata.category(ch)
        if category[0] == "C":
            return True
        # After NFC every Vietnamese mark is part of a letter; a leftover one was typed twice.
        if category[0] == "M":
            return True
        if category[0] == "L" and not unicodedata.name(ch, "").startswith("LATIN"):
            return True
        # Superscripts, fractions, box drawing (CP437 Alt codes), currency signs: never in names.
        if category[0] in "NS" and not ch.isascii():
            return True
        following = text[index + 1 : index + 2]
        if ch in _MOJIBAKE_LEADS and following and following in _CONTINUATION_CHARS:
            return True
    return False


def repair_mojibake(text: str) -> str | None:
    """The original text if `text` is UTF-8 misread as Windows-1252/Latin-1, else None."""
    raw = bytearray()
    for ch in text:
        # Latin-1 covers ASCII and the C1 controls Windows-1252 leaves undefined.
        byte = _CP1252_BYTES.get(ch, ord(ch))
        if byte >= 0x100:
            return None
        raw.append(byte)
    try:
        repaired = nfc(bytes(raw).decode("utf-8"))
    except UnicodeDecodeError:
        return None
    if repaired == nfc(text) or looks_garbled(repaired):
        return None
    return repaired


def decode_scanner_bytes(data: bytes) -> str:
    """Text of a payload read as raw bytes (USB-serial mode); bad bytes become U+FFFD."""
    return data.decode("utf-8-sig", errors="replace")


def _parse_date(value: str, field: str) -> date:
    if _DATE_DIGITS.fullmatch(value) is None:
        raise InvalidCardPayload(
            f"{field} trong mã QR không hợp lệ: “{_shown(value)}” "
            "(cần 8 chữ số theo dạng ngày tháng năm, ví dụ 15052003)."
        )
    try:
        return date(int(value[4:]), int(value[2:4]), int(value[:2]))
    except ValueError:
        raise InvalidCardPayload(
            f"{field} trong mã QR không phải ngày có thật: “{value}”."
        ) from None


def _parse_sex(value: str) -> Sex:
    # search_key folds case, NFD input and a scanner's unaccented "Nu" alike.
    key = search_key(value)
    if key == "nam":
        return Sex.MALE
    if key == "nu":
        return Sex.FEMALE
    raise InvalidCardPayload(
        f"Giới tính trong mã QR không hợp lệ: “{_shown(value)}” (cần “Nam” hoặc “Nữ”)."
    )


def _garbled_warning(field: str, value: str) -> str:
    message = (
        f"{field} đọc từ mã QR có ký tự lỗi: “{value}”. Máy quét có thể đang gõ sai tiếng Việt; "
        "hãy đối chiếu với thẻ."
    )
    repaired = repair_mojibake(value)
    if repaired is not None:
        message += f" Có thể đúng là “{repaired}”."
    return message


def parse_card_qr(payload: str, *, today: date | None = None) -> CitizenCard:
    """Parse the text of a citizen ID card QR code; InvalidCardPayload if it cannot be one."""
    text = nfc(payload).strip().lstrip("\ufeff").strip()
    if not text:
        raise InvalidCardPayload("Mã QR trống: chưa đọc được gì từ thẻ.")
    fields = text.split("|")
    if len(fields) < MIN_FIELDS:
        raise InvalidCardPayload(
            "Mã QR không phải của thẻ Căn cước công dân: cần ít nhất "
            f"{MIN_FIELDS} trường phân tách bằng dấu |, nhận được {len(fields)}."
        )
    today = today if today is not None else date.today()
    warnings: list[str] = []

    id_number = fields[0].strip()
    if not _is_digits(id_number, ID_NUMBER_LENGTH):
        raise InvalidCardPayload(
            f"Số định danh cá nhân trong mã QR không hợp lệ: “{_shown(id_number)}” "
            f"(cần đúng {ID_NUMBER_LENGTH} chữ số)."
        )
    problem = validate_id_number(id_number)
    if problem is not None:
        warnings.append(problem)

    old_id_number = fields[1].strip() or None
    if old_id_number is not None and not _is_digits(old_id_number, OLD_ID_NUMBER_LENGTH):
        warnings.append(
            f"Số CMND cũ trong mã QR phải gồm {OLD_ID_NUMBER_LENGTH} chữ số "
            f"(đang là “{_shown(old_id_number)}”)."
        )

    full_name = " ".join(fields[2].split())
    if not full_name:
        raise InvalidCardPayload("Mã QR không có họ và tên.")
    if looks_garbled(full_name):
        warnings.append(_garbled_warning("Họ tên", full_name))

    date_of_birth = _parse_date(fields[3].strip(), "Ngày sinh")
    if date_of_birth > today:
        raise InvalidCardPayload(
            f"Ngày sinh trong mã QR ({date_of_birth:%d/%m/%Y}) là ngày trong tương lai."
        )
    if date_of_birth.year < EARLIEST_BIRTH_YEAR:
        raise InvalidCardPayload(
            f"Ngày sinh trong mã QR ({date_of_birth:%d/%m/%Y}) sớm hơn năm {EARLIEST_BIRTH_YEAR}, "
            "không thể đúng."
        )

    sex = _parse_sex(fields[4])

    address = " ".join(fields[5].split())
    if looks_garbled(address):
        warnings.append(_garbled_warning("Địa chỉ", address))

    issue_text = fields[6].strip()
    issue_date = _parse_date(issue_text, "Ngày cấp") if issue_text else None
    if issue_date is not None and issue_date < date_of_birth:
        warnings.append(
            f"Ngày cấp thẻ ({issue_date:%d/%m/%Y}) ở trước ngày sinh ({date_of_birth:%d/%m/%Y})."
        )
    if issue_date is not None and issue_date > today:
        warnings.append(
            f"Ngày cấp thẻ ({issue_date:%d/%m/%Y}) là ngày trong tương lai; "
            "hãy kiểm tra lại ngày giờ của máy tính."
        )

    warnings.extend(cross_check(id_number, sex, date_of_birth))
    return CitizenCard(
        id_number=id_number,
        old_id_number=old_id_number,
        full_name=full_name,
        date_of_birth=date_of_birth,
        sex=sex,
        address=address,
        issue_date=issue_date,
        extra=tuple(fields[MIN_FIELDS:]),
        warnings=tuple(warnings),
    )
