"""The papers of a saved dossier: what the receipt, the declaration and the slip print.

Plain mappings from a ``DossierView`` and the office to the documents' and printers' own data
classes; the words a citizen reads are chosen here, once, for every face and the CLI.
"""

from __future__ import annotations

from onestop_desk.core.catalog import format_vnd
from onestop_desk.documents.declaration import DeclarationData
from onestop_desk.documents.receipt import ReceiptData, ReceiptDocumentLine
from onestop_desk.errors import InputError
from onestop_desk.printing.slip import SlipContent
from onestop_desk.services.catalog import load_form
from onestop_desk.services.dossier import DossierView
from onestop_desk.services.office import OfficeInfo

_UNIT_PREFIXES = ("Xã ", "Phường ", "Đặc khu ", "xã ", "phường ", "đặc khu ")


def place_name(office: OfficeInfo) -> str:
    """The commune's name without its kind, as the date line writes it: "Hòa Sơn"."""
    for prefix in _UNIT_PREFIXES:
        if office.name.startswith(prefix):
            return office.name[len(prefix) :]
    return office.name


def unit_name(office: OfficeInfo) -> str:
    """The body the centre belongs to, as the header writes it: "UBND XÃ HÒA SƠN"."""
    return f"UBND {office.name.upper()}"


def fee_text(view: DossierView) -> str:
    """The fee as the receipt writes it."""
    if view.fee_exempted:
        return next((line for line in view.fee_lines if line.startswith("Miễn")), "Miễn lệ phí")
    if view.fee_amount > 0:
        return format_vnd(view.fee_amount)
    if any("chưa có trong danh mục" in line for line in view.fee_lines):
        return "Theo mức thu do Hội đồng nhân dân tỉnh quy định"
    return "Miễn phí"


def result_channel_text(view: DossierView, office: OfficeInfo) -> str:
    """Item 6 of Mẫu 01: where the result will be received."""
    if view.result_channel == "post":
        return f"Nhà riêng, qua dịch vụ bưu chính công ích: {view.result_address or ''}".strip()
    if view.result_channel == "online":
        return "Trực tuyến (bản điện tử gửi qua Cổng Dịch vụ công)"
    return f"Bộ phận Một cửa – {office.center_name}"


def collect_text(view: DossierView, office: OfficeInfo) -> str:
    """Where to collect, as the thermal slip writes it (short)."""
    if view.result_channel == "post":
        return f"Gửi qua bưu điện đến: {view.result_address or ''}"
    if view.result_channel == "online":
        return "Nhận trực tuyến qua Cổng Dịch vụ công"
    counter = f"Quầy số {view.counter_number} – " if view.counter_number else ""
    return f"{counter}{office.center_name}"


def receipt_data(view: DossierView, office: OfficeInfo) -> ReceiptData:
    """Mẫu 01 for a saved dossier."""
    applicant = view.applicant
    year = view.logbook_year or view.received_at.year
    return ReceiptData(
        unit_name=unit_name(office),
        place=place_name(office),
        number=f"{view.logbook_number or 0:04d}/{year}",
        code=view.code,
        desk_name=office.center_name,
        applicant_name=applicant.full_name,
        address=applicant.address or "",
        id_number=applicant.id_number,
        procedure_name=view.procedure_name,
        documents=[
            ReceiptDocumentLine(d.name, d.count, d.kind_label) for d in view.documents if d.received
        ],
        processing_working_days=view.processing_working_days,
        received_at=view.received_at,
        due_at=view.due_at,
        result_channel=result_channel_text(view, office),
        fee=fee_text(view),
        receiver_name=view.received_by or "",
        book_volume=f"01/{year}",
        book_sequence=view.logbook_number or 0,
        phone=applicant.phone or "",
        email=applicant.email or "",
    )


def declaration_data(view: DossierView, office: OfficeInfo) -> DeclarationData:
    """The filled declaration the citizen signs; the dossier's procedure must have a form."""
    if view.procedure_form is None:
        raise InputError(f"Thủ tục {view.procedure_name} không có tờ khai.")
    return DeclarationData(
        unit_name=unit_name(office),
        place=place_name(office),
        form=load_form(view.procedure_form),
        values=view.form_values,
        derived=view.derived,
        code=view.code,
        procedure_name=view.procedure_name,
        received_at=view.received_at,
        applicant_name=view.applicant.full_name,
    )


def slip_content(view: DossierView, office: OfficeInfo) -> SlipContent:
    """The 80 mm thermal appointment slip."""
    return SlipContent(
        center_name=office.center_name,
        code=view.code,
        procedure_name=view.procedure_name,
        applicant_name=view.applicant.full_name,
        received_at=view.received_at,
        due_at=view.due_at,
        where_to_collect=collect_text(view, office),
        fee=fee_text(view),
        lookup_hint="Tra cứu tình trạng hồ sơ: quét mã QR hoặc nhập mã hồ sơ tại dichvucong.gov.vn",
    )
