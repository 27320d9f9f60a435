"""Mẫu 01, the receipt and appointment slip: plain data in, a filled .docx (two copies) out."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from onestop_desk.documents._docx import (
    OutputUnwritable,
    TemplateCorrupt,
    TemplateMissing,
    fill_template,
)
from onestop_desk.resources import resource_path

__all__ = [
    "OutputUnwritable",
    "ReceiptData",
    "ReceiptDocumentLine",
    "TemplateCorrupt",
    "TemplateMissing",
    "format_moment",
    "format_processing_time",
    "qr_png",
    "render_receipt",
]

TEMPLATE_PARTS = ("templates", "mau01_tiep_nhan.docx")
QR_WIDTH_MM = 24  # scannable by a phone at arm's length; fits beside the code line

# The 2018 form's wording for a same-day procedure and the 15:00 rule (domain.md, time limits).
SAME_DAY_TEXT = "trong ngày làm việc (hồ sơ nhận sau 15 giờ trả trong ngày làm việc tiếp theo)"
NOT_GIVEN = "Không có"
TEMPLATE_NAME = "mẫu giấy tiếp nhận hồ sơ (Mẫu 01)"


@dataclass(frozen=True)
class ReceiptDocumentLine:
    """One paper in the checklist: its name, how many, and original/copy as printed."""

    name: str
    count: int
    kind_label: str  # "Bản chính", "Bản sao chứng thực", "Bản chụp"...


@dataclass(frozen=True)
class ReceiptData:
    """Everything Mẫu 01 prints; strings are already in the words the citizen should read."""

    unit_name: str  # header, left: "UBND XÃ HÒA SƠN" (the body the centre belongs to)
    place: str  # the place in the date line: "Hòa Sơn"
    number: str  # "Số: …" of the slip
    code: str  # dossier code, also encoded in the QR
    desk_name: str  # receiving desk: "Trung tâm Phục vụ hành chính công xã Hòa Sơn"
    applicant_name: str
    address: str
    id_number: str
    procedure_name: str
    documents: Sequence[ReceiptDocumentLine]
    processing_working_days: int  # statutory time; 0 for a same-day procedure
    received_at: datetime
    due_at: datetime
    result_channel: str  # "Bộ phận Một cửa", "qua dịch vụ bưu chính công ích đến địa chỉ …"
    fee: str  # "Miễn phí", "8.000 đồng"
    receiver_name: str  # the specialist who signs as NGƯỜI TIẾP NHẬN HỒ SƠ
    book_volume: str  # "Quyển số" of the log book (Mẫu 07)
    book_sequence: int  # "Số thứ tự" in that volume
    set_count: int = 1
    phone: str = ""
    email: str = ""
    qr_text: str | None = field(default=None)  # defaults to the code; may be a look-up URL


def format_moment(moment: datetime) -> str:
    """'09 giờ 30 phút, ngày 23 tháng 11 năm 2026', as the form's items 4 and 5 write a time."""
    return (
        f"{moment.hour:02d} giờ {moment.minute:02d} phút, "
        f"ngày {moment.day:02d} tháng {moment.month:02d} năm {moment.year}"
    )


def format_processing_time(working_days: int) -> str:
    """'05 ngày làm việc', or the same-day wording for 0."""
    if working_days < 0:
        raise ValueError(f"processing time cannot be negative: {working_days}")
    if working_days == 0:
        return SAME_DAY_TEXT
    return f"{working_days:02d} ngày làm việc"


def render_receipt(data: ReceiptData, out: Path, *, template: Path | None = None) -> Path:
    """Fills Mẫu 01 with ``data`` and writes it to ``out``; returns ``out``."""
    from docx.shared import Mm
    from docxtpl import InlineImage

    def context(doc: Any) -> dict[str, Any]:
        qr = InlineImage(doc, io.BytesIO(qr_png(data.qr_text or data.code)), width=Mm(QR_WIDTH_MM))
        return _context(data, qr)

    return fill_template(
        template or resource_path(*TEMPLATE_PARTS),
        out,
        context,
        template_name=TEMPLATE_NAME,
        document_name="giấy tiếp nhận",
    )


def qr_png(text: str) -> bytes:
    """A black-on-white QR of ``text`` as PNG bytes, small enough for a 24 mm square."""
    import qrcode  # type: ignore[import-untyped]
    from qrcode.constants import ERROR_CORRECT_M  # type: ignore[import-untyped]

    # A fixed mask is valid QR; choosing the "best" of eight costs time for no reader's benefit.
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=2, mask_pattern=0)
    qr.add_data(text)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image().save(buffer)
    return buffer.getvalue()


def _context(data: ReceiptData, qr: object) -> dict[str, Any]:
    received = data.received_at
    return {
        "unit_name": data.unit_name,
        "place": data.place,
        "d": f"{received.day:02d}",
        "m": f"{received.month:02d}",
        "y": str(received.year),
        "number": data.number,
        "code": data.code,
        "qr": qr,
        "desk_name": data.desk_name,
        "applicant_name": data.applicant_name,
        "address": data.address,
        "phone": data.phone or NOT_GIVEN,
        "email": data.email or NOT_GIVEN,
        "id_number": data.id_number,
        "procedure_name": data.procedure_name,
        "lines": [
            {"name": line.name, "count": f"{line.count:02d}", "kind_label": line.kind_label}
            for line in data.documents
        ],
        "set_count": f"{data.set_count:02d}",
        "processing_time": format_processing_time(data.processing_working_days),
        "received_text": format_moment(data.received_at),
        "due_text": format_moment(data.due_at),
        "result_channel": data.result_channel,
        "fee": data.fee or NOT_GIVEN,
        "book_volume": data.book_volume,
        "book_sequence": str(data.book_sequence),
        "receiver_name": data.receiver_name,
    }
