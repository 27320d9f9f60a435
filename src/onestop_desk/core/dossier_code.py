"""Dossier codes (mã hồ sơ): `<agency e-ID code>-YYMMDD-XXXX`, formatted and parsed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MIN_SEQUENCE = 1
MAX_SEQUENCE = 9999
# YYMMDD carries two digits of the year; the format dates from 2018, so 20YY.
CENTURY = 2000

# 2 to 6 dot-separated groups of 1–6 digits or capital letters, e.g. 000.17.22.H56.
_AGENCY = r"[0-9A-Z]{1,6}(?:\.[0-9A-Z]{1,6}){1,5}"
_AGENCY_CODE = re.compile(_AGENCY)
_DOSSIER_CODE = re.compile(rf"({_AGENCY})-([0-9]{{6}})-([0-9]{{4}})")


class InvalidDossierCode(ValueError):
    """Text that is not a valid dossier code; str() says why in Vietnamese."""


def is_valid_agency_code(code: str) -> bool:
    """True for an agency e-ID code such as `000.17.22.H56` or `38.98.H29`."""
    return _AGENCY_CODE.fullmatch(code) is not None


def _check_parts(agency_code: str, received_on: date, sequence: int) -> None:
    if not is_valid_agency_code(agency_code):
        raise InvalidDossierCode(
            f"Mã định danh cơ quan không hợp lệ: “{agency_code}” (cần 2 đến 6 nhóm chữ số "
            "hoặc chữ in hoa, ngăn cách bằng dấu chấm, ví dụ 000.17.22.H56)."
        )
    if not MIN_SEQUENCE <= sequence <= MAX_SEQUENCE:
        raise ValueError(
            f"Số thứ tự hồ sơ trong ngày phải từ {MIN_SEQUENCE} đến {MAX_SEQUENCE} "
            f"(đang là {sequence})."
        )
    if not CENTURY <= received_on.year < CENTURY + 100:
        raise ValueError(
            f"Mã hồ sơ chỉ ghi được ngày tiếp nhận từ năm {CENTURY} đến {CENTURY + 99} "
            f"(đang là {received_on:%d/%m/%Y})."
        )


@dataclass(frozen=True)
class DossierCode:
    """A dossier code split into its parts; str() gives the printed form."""

    agency_code: str
    received_on: date
    sequence: int

    def __post_init__(self) -> None:
        _check_parts(self.agency_code, self.received_on, self.sequence)

    def __str__(self) -> str:
        return f"{self.agency_code}-{self.received_on:%y%m%d}-{self.sequence:04d}"


def format_dossier_code(agency_code: str, received_on: date, sequence: int) -> str:
    """The code of the `sequence`-th dossier the agency received on `received_on`."""
    return str(DossierCode(agency_code, received_on, sequence))


def parse_dossier_code(text: str) -> DossierCode:
    """Parse a typed or scanned dossier code; InvalidDossierCode if it is not one."""
    cleaned = text.strip().upper()
    match = _DOSSIER_CODE.fullmatch(cleaned)
    if match is None:
        raise InvalidDossierCode(
            f"“{cleaned[:40]}” không phải mã hồ sơ hợp lệ "
            "(cần dạng <mã cơ quan>-YYMMDD-XXXX, ví dụ 000.17.22.H56-260323-0001)."
        )
    agency_code, yymmdd, sequence_text = match.groups()
    try:
        received_on = date(CENTURY + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
    except ValueError:
        raise InvalidDossierCode(
            f"Mã hồ sơ “{cleaned}” có ngày tiếp nhận không có thật: {yymmdd} (YYMMDD)."
        ) from None
    sequence = int(sequence_text)
    if sequence < MIN_SEQUENCE:
        raise InvalidDossierCode(
            f"Mã hồ sơ “{cleaned}” có số thứ tự 0000; số thứ tự bắt đầu từ 0001."
        )
    return DossierCode(agency_code, received_on, sequence)


def is_dossier_code(text: str) -> bool:
    """True when ``text`` (a scan, something typed) is a valid dossier code."""
    try:
        parse_dossier_code(text)
    except InvalidDossierCode:
        return False
    return True
