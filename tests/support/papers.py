"""A filled-in Mẫu 01 (receipt) for the document tests: a birth registration at Hòa Sơn."""

from __future__ import annotations

from datetime import datetime

from onestop_desk.documents.receipt import ReceiptData, ReceiptDocumentLine

RECEIPT_CODE = "000.24481.H15-261123-0001"


def sample_receipt() -> ReceiptData:
    """A new copy each call: tests may vary it with dataclasses.replace."""
    return ReceiptData(
        unit_name="UBND XÃ HÒA SƠN",
        place="Hòa Sơn",
        number="0001/TN",
        code=RECEIPT_CODE,
        desk_name="Trung tâm Phục vụ hành chính công xã Hòa Sơn",
        applicant_name="Nguyễn Văn An",
        address="Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk",
        phone="0905123456",
        email="an.nguyen@example.vn",
        id_number="001203012345",
        procedure_name="Đăng ký khai sinh",
        documents=[
            ReceiptDocumentLine("Tờ khai đăng ký khai sinh", 1, "Bản chính"),
            ReceiptDocumentLine("Giấy chứng sinh", 1, "Bản chính"),
            ReceiptDocumentLine("Giấy chứng nhận kết hôn của cha, mẹ", 1, "Bản sao chứng thực"),
        ],
        set_count=1,
        processing_working_days=2,
        received_at=datetime(2026, 11, 23, 9, 30),
        due_at=datetime(2026, 11, 25, 17, 0),
        result_channel="Bộ phận Một cửa",
        fee="Miễn phí",
        receiver_name="Trần Thị Bình",
        book_volume="01/2026",
        book_sequence=137,
    )
