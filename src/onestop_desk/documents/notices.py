"""Mẫu 02–07, the papers of a dossier after its receipt: plain data in, a filled .docx out.

The wording lives in the templates (``installer/make_templates.py`` builds them); this module
only turns typed data into the strings the templates print.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from onestop_desk.documents._docx import fill_template
from onestop_desk.documents.receipt import format_moment
from onestop_desk.resources import resource_path

__all__ = [
    "FORM_TEMPLATES",
    "ExtensionData",
    "Handover",
    "Letterhead",
    "LogbookData",
    "LogbookRow",
    "NoticeApplicant",
    "RefusalData",
    "StopNoticeData",
    "SupplementLine",
    "SupplementRequestData",
    "TrackingSlipData",
    "format_day",
    "format_moment_short",
    "render_extension",
    "render_logbook",
    "render_refusal",
    "render_stop_notice",
    "render_supplement_request",
    "render_tracking_slip",
]

#: Form number -> (template file, how messages name the template, how they name the document).
FORM_TEMPLATES: dict[str, tuple[str, str, str]] = {
    "02": ("mau02.docx", "mẫu phiếu yêu cầu bổ sung hồ sơ (Mẫu 02)", "phiếu yêu cầu bổ sung"),
    "03": ("mau03.docx", "mẫu phiếu từ chối tiếp nhận (Mẫu 03)", "phiếu từ chối tiếp nhận"),
    "04": ("mau04.docx", "mẫu văn bản xin lỗi và gia hạn (Mẫu 04)", "văn bản xin lỗi và gia hạn"),
    "05": ("mau05.docx", "mẫu thông báo dừng giải quyết (Mẫu 05)", "thông báo dừng giải quyết"),
    "06": ("mau06.docx", "mẫu phiếu kiểm soát (Mẫu 06)", "phiếu kiểm soát"),
    "07": ("mau07.docx", "mẫu sổ theo dõi hồ sơ (Mẫu 07)", "sổ theo dõi hồ sơ"),
}

BLANK = "……"  # what the form prints where a value is unknown, for the officer to fill by hand


@dataclass(frozen=True)
class Letterhead:
    """The header every form shares: issuing unit, "Số: …", and the place-and-date line."""

    unit_name: str  # "UBND XÃ HÒA SƠN", over "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"
    place: str  # "Hòa Sơn" in "Hòa Sơn, ngày 23 tháng 11 năm 2026"
    number: str  # after "Số: "; "" prints dots to number by hand
    dated: date


@dataclass(frozen=True)
class NoticeApplicant:
    """The citizen a notice is about or addressed to."""

    name: str
    address: str = ""
    phone: str = ""
    email: str = ""
    id_number: str = ""
    salutation: str = "Ông/Bà"  # "Ông", "Bà": how the letter addresses them


@dataclass(frozen=True)
class SupplementLine:
    """A paper the citizen must still bring: name, how many, and in which form."""

    name: str
    count: int
    kind_label: str  # "Bản chính", "Bản sao chứng thực", "Bản chụp"


@dataclass(frozen=True)
class SupplementRequestData:
    """Mẫu 02, Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""

    letterhead: Letterhead
    code: str
    applicant: NoticeApplicant
    procedure_name: str
    items: Sequence[SupplementLine]  # empty: the reason says what to bring (a portal request)
    reason: str
    contact_name: str  # whom to ask while completing the dossier
    contact_phone: str
    guide_name: str  # the officer who signs as NGƯỜI HƯỚNG DẪN


@dataclass(frozen=True)
class RefusalData:
    """Mẫu 03, Phiếu từ chối tiếp nhận giải quyết hồ sơ."""

    letterhead: Letterhead
    code: str
    desk_name: str  # "Trung tâm Phục vụ hành chính công xã Hòa Sơn"
    applicant: NoticeApplicant
    procedure_name: str
    reasons: str  # one reason a line
    receiver_name: str


@dataclass(frozen=True)
class ExtensionData:
    """Mẫu 04, the apology and request to extend the time for settling the dossier."""

    letterhead: Letterhead
    code: str
    agency_name: str
    applicant: NoticeApplicant
    procedure_name: str
    received_at: datetime
    old_due_at: datetime
    new_due_at: datetime
    reason: str
    signer_name: str  # the head of the agency; "" leaves the line to write by hand


@dataclass(frozen=True)
class StopNoticeData:
    """Mẫu 05, Thông báo dừng giải quyết hồ sơ."""

    letterhead: Letterhead
    code: str
    agency_name: str
    applicant: NoticeApplicant
    procedure_name: str
    received_at: datetime
    reason: str
    legal_basis: str
    signer_name: str


@dataclass(frozen=True)
class Handover:
    """One row of the tracking slip: who handed the dossier (or its result) to whom, when."""

    giver: str  # body or person handing over: "Bộ phận Một cửa"
    receiver: str
    at: datetime
    giver_person: str = ""  # the officer who signs for the giver, when known
    receiver_person: str = ""
    timing: str = ""  # "Trước hạn" / "Đúng hạn" / "Quá hạn" where it applies
    note: str = ""


@dataclass(frozen=True)
class TrackingSlipData:
    """Mẫu 06, Phiếu kiểm soát quá trình giải quyết hồ sơ."""

    letterhead: Letterhead
    code: str
    receipt_number: str  # the Mẫu 01 it goes with
    applicant_name: str
    procedure_name: str
    deciding_body: str
    received_at: datetime
    due_at: datetime
    handovers: Sequence[Handover]


@dataclass(frozen=True)
class LogbookRow:
    """One dossier in the log book."""

    number: int  # "Số thứ tự" in the book, as printed on the receipt
    code: str
    procedure_name: str
    applicant_name: str
    address: str
    phone: str
    deciding_body: str
    received_at: datetime
    due_at: datetime
    returned_at: datetime | None
    result_channel: str  # how the result was (or will be) received
    returned_to: str = ""  # who signed for it
    note: str = ""


@dataclass(frozen=True)
class LogbookData:
    """Mẫu 07, Sổ theo dõi hồ sơ, for the dossiers received between two dates."""

    letterhead: Letterhead  # its number is the volume ("Quyển số")
    start: date
    end: date
    rows: Sequence[LogbookRow]


def format_day(day: date) -> str:
    """'23 tháng 11 năm 2026', as a letter writes a date after "Ngày"."""
    return f"{day.day:02d} tháng {day.month:02d} năm {day.year}"


def format_moment_short(moment: datetime) -> str:
    """'09 giờ 30 phút, ngày 23/11/2026', as the tracking slip writes a hand-over."""
    return f"{moment.hour:02d} giờ {moment.minute:02d} phút, ngày {moment:%d/%m/%Y}"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _header(head: Letterhead) -> dict[str, Any]:
    return {
        "unit_name": head.unit_name,
        "place": head.place,
        "number": head.number or BLANK,
        "d": f"{head.dated.day:02d}",
        "m": f"{head.dated.month:02d}",
        "y": str(head.dated.year),
    }


def _applicant(person: NoticeApplicant) -> dict[str, Any]:
    return {
        "applicant_name": person.name,
        "address": person.address or BLANK,
        "phone": person.phone or BLANK,
        "email": person.email or BLANK,
        "id_number": person.id_number or BLANK,
        "salutation": person.salutation,
    }


def _render(form: str, out: Path, values: dict[str, Any], template: Path | None) -> Path:
    file_name, template_name, document_name = FORM_TEMPLATES[form]

    def context(_doc: Any) -> dict[str, Any]:
        return values

    return fill_template(
        template or resource_path("templates", file_name),
        out,
        context,
        template_name=template_name,
        document_name=document_name,
    )


def render_supplement_request(
    data: SupplementRequestData, out: Path, *, template: Path | None = None
) -> Path:
    """Fills Mẫu 02 and writes it to ``out``; returns ``out``."""
    values = {
        **_header(data.letterhead),
        **_applicant(data.applicant),
        "code": data.code,
        "procedure_name": data.procedure_name,
        "items": [
            {"name": item.name, "count": f"{item.count:02d}", "kind_label": item.kind_label}
            for item in data.items
        ],
        # A request from the online system may come without a reason: dots to write it by hand.
        "reason_lines": _lines(data.reason) or [BLANK],
        "contact_name": data.contact_name or BLANK,
        "contact_phone": data.contact_phone or BLANK,
        "guide_name": data.guide_name,
    }
    return _render("02", out, values, template)


def render_refusal(data: RefusalData, out: Path, *, template: Path | None = None) -> Path:
    """Fills Mẫu 03 and writes it to ``out``; returns ``out``."""
    values = {
        **_header(data.letterhead),
        **_applicant(data.applicant),
        "code": data.code,
        "desk_name": data.desk_name,
        "procedure_name": data.procedure_name,
        "reason_lines": _lines(data.reasons),
        "receiver_name": data.receiver_name,
    }
    return _render("03", out, values, template)


def render_extension(data: ExtensionData, out: Path, *, template: Path | None = None) -> Path:
    """Fills Mẫu 04 and writes it to ``out``; returns ``out``."""
    values = {
        **_header(data.letterhead),
        **_applicant(data.applicant),
        "code": data.code,
        "agency_name": data.agency_name,
        "procedure_name": data.procedure_name,
        "received_date": format_day(data.received_at.date()),
        "old_due_text": format_moment(data.old_due_at),
        "new_due_text": format_moment(data.new_due_at),
        "reason_lines": _lines(data.reason),
        "signer_name": data.signer_name,
    }
    return _render("04", out, values, template)


def render_stop_notice(data: StopNoticeData, out: Path, *, template: Path | None = None) -> Path:
    """Fills Mẫu 05 and writes it to ``out``; returns ``out``."""
    values = {
        **_header(data.letterhead),
        **_applicant(data.applicant),
        "code": data.code,
        "agency_name": data.agency_name,
        "procedure_name": data.procedure_name,
        "received_date": format_day(data.received_at.date()),
        "reason_lines": _lines(data.reason),
        "legal_basis_lines": _lines(data.legal_basis),
        "signer_name": data.signer_name,
    }
    return _render("05", out, values, template)


def render_tracking_slip(
    data: TrackingSlipData, out: Path, *, template: Path | None = None
) -> Path:
    """Fills Mẫu 06 and writes it to ``out``; returns ``out``."""
    values = {
        **_header(data.letterhead),
        "code": data.code,
        "receipt_number": data.receipt_number,
        "applicant_name": data.applicant_name,
        "procedure_name": data.procedure_name,
        "deciding_body": data.deciding_body or BLANK,
        "received_text": format_moment(data.received_at),
        "due_text": format_moment(data.due_at),
        "handovers": [
            {
                "giver": row.giver,
                "receiver": row.receiver,
                "time": format_moment_short(row.at),
                "giver_person": row.giver_person,
                "receiver_person": row.receiver_person,
                "timing": row.timing,
                "note": row.note,
            }
            for row in data.handovers
        ],
    }
    return _render("06", out, values, template)


def _when(moment: datetime | None) -> dict[str, str]:
    if moment is None:
        return {"date": "", "time": ""}
    return {"date": f"{moment:%d/%m/%Y}", "time": f"{moment.hour:02d} giờ {moment.minute:02d}"}


def _logbook_row(row: LogbookRow) -> dict[str, Any]:
    return {
        "number": str(row.number),
        "code": row.code,
        "procedure_name": row.procedure_name,
        "applicant_name": row.applicant_name,
        "address": row.address,
        "phone": row.phone,
        "deciding_body": row.deciding_body,
        "received": _when(row.received_at),
        "due": _when(row.due_at),
        "returned": _when(row.returned_at),
        "result_channel": row.result_channel,
        "returned_to": row.returned_to,
        "note": row.note,
    }


def render_logbook(data: LogbookData, out: Path, *, template: Path | None = None) -> Path:
    """Fills Mẫu 07 (A4 landscape, one row per dossier) and writes it to ``out``."""
    values = {
        **_header(data.letterhead),
        "start": f"{data.start:%d/%m/%Y}",
        "end": f"{data.end:%d/%m/%Y}",
        "count": str(len(data.rows)),
        "rows": [_logbook_row(row) for row in data.rows],
    }
    return _render("07", out, values, template)
