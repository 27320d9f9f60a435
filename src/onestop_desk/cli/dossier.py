"""``onestop-desk dossier new|show|receipt|form|slip``: scriptable intake and a dossier's papers.

The ``dossier`` group's other commands, from receipt to returned result, are in lifecycle.py.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from onestop_desk.cli import common
from onestop_desk.cli.common import Handler, Subparsers
from onestop_desk.errors import InputError, KnownError

if TYPE_CHECKING:
    from onestop_desk.context import AppContext
    from onestop_desk.services.dossier import ApplicantInput, DossierView
    from onestop_desk.services.office import OfficeInfo


def add_parsers(sub: Subparsers) -> Subparsers:
    """The ``dossier`` command group and its intake and papers; lifecycle.py adds the rest."""
    dossier = sub.add_parser(
        "dossier", help="hồ sơ: tiếp nhận, giải quyết, trả kết quả, in giấy tờ"
    ).add_subparsers(dest="dossier_command", required=True, metavar="LỆNH")
    new = dossier.add_parser("new", help="tiếp nhận một hồ sơ mới")
    new.add_argument("--procedure", required=True, metavar="MÃ", help="mã thủ tục, ví dụ 1.001193")
    new.add_argument(
        "--applicant-qr", required=True, metavar="NỘI_DUNG", help="nội dung mã QR trên thẻ Căn cước"
    )
    new.add_argument("--data", type=Path, metavar="TỆP.json", help="các trường của tờ khai")
    new.add_argument("--phone", help="số điện thoại người nộp")
    new.add_argument("--email", help="thư điện tử người nộp")
    new.add_argument(
        "--exemption",
        choices=("poor_household", "disability", "merit"),
        help="đối tượng miễn lệ phí",
    )
    new.add_argument("--channel", choices=("desk", "post", "online"), default="desk")
    new.add_argument("--address", help="địa chỉ nhận kết quả qua bưu điện")
    new.add_argument("--copies", type=int, help="số bản (chứng thực, trích lục)")
    new.add_argument("--pages", type=int, help="số trang bản chính (chứng thực bản sao)")
    new.add_argument("--counter", type=int, help="số quầy tiếp nhận")
    new.add_argument("--staff", metavar="TÊN_ĐĂNG_NHẬP", help="cán bộ tiếp nhận")
    new.add_argument("--json", action="store_true")

    show = dossier.add_parser("show", help="xem một hồ sơ theo mã")
    show.add_argument("code", metavar="MÃ_HỒ_SƠ")
    show.add_argument("--json", action="store_true")

    receipt = dossier.add_parser("receipt", help="giấy tiếp nhận và hẹn trả kết quả (Mẫu 01)")
    receipt.add_argument("code", metavar="MÃ_HỒ_SƠ")
    receipt.add_argument("--out", type=Path, required=True, metavar="TỆP.docx")
    receipt.add_argument("--pdf", action="store_true", help="kèm bản PDF (cần LibreOffice)")

    form = dossier.add_parser("form", help="tờ khai đã điền để người nộp ký")
    form.add_argument("code", metavar="MÃ_HỒ_SƠ")
    form.add_argument("--out", type=Path, required=True, metavar="TỆP.docx")
    form.add_argument("--pdf", action="store_true", help="kèm bản PDF (cần LibreOffice)")

    slip = dossier.add_parser("slip", help="in giấy hẹn khổ nhiệt 80 mm")
    slip.add_argument("code", metavar="MÃ_HỒ_SƠ")
    slip.add_argument("--printer", metavar="URL", help="máy in (mặc định theo cài đặt)")
    slip.add_argument("--width", type=int, help="khổ in theo điểm: 576 (80 mm) hoặc 384 (58 mm)")

    return dossier


def _read_data(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"Không có tệp dữ liệu {path}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Không đọc được tệp dữ liệu {path}: {exc}.") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"Tệp {path} không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno}).",
            'Dạng đúng: {"child.full_name": "Nguyễn Văn A", ...}',
        ) from None
    if not isinstance(raw, dict):
        raise InputError(f'Tệp {path} phải là một đối tượng JSON {{"trường": "giá trị"}}.')
    values: dict[str, str] = {}
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise InputError(f"Trường {key!r} trong {path} phải là chữ hoặc số.")
        values[str(key)] = str(value)
    return values


def _applicant(
    payload: str, phone: str | None, email: str | None
) -> tuple[ApplicantInput, tuple[str, ...]]:
    from onestop_desk.core.citizen_id import InvalidCardPayload, parse_card_qr
    from onestop_desk.services.dossier import ApplicantInput

    try:
        card = parse_card_qr(payload)
    except InvalidCardPayload as exc:
        raise InputError(str(exc), "Quét lại mã QR trên thẻ Căn cước của người nộp.") from None
    applicant = ApplicantInput(
        id_number=card.id_number,
        full_name=card.full_name,
        date_of_birth=card.date_of_birth,
        sex=card.sex.value,
        address=card.address,
        old_id_number=card.old_id_number,
        phone=phone,
        email=email,
    )
    return applicant, tuple(card.warnings)


def _dossier_new(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.services.dossier import DossierRequest, create_dossier

    values = _read_data(args.data)
    applicant, warnings = _applicant(args.applicant_qr, args.phone, args.email)
    common.ready(ctx)
    with common.unit_of_work(ctx) as uow:
        office = common.office(ctx, uow)
        request = DossierRequest(
            procedure_code=args.procedure,
            applicant=applicant,
            form_values=values,
            exemption=args.exemption,
            result_channel=args.channel,
            result_address=args.address,
            copies=args.copies,
            pages=args.pages,
            staff_id=common.staff_id(uow, args.staff),
            counter_number=args.counter,
        )
        view = create_dossier(uow, office_id=office.id, request=request)
    if args.json:
        common.print_json({**view.as_json(), "warnings": list(warnings)})
        return common.EXIT_OK
    for warning in warnings:
        print(f"Lưu ý: {warning}")
    print(f"Đã tiếp nhận hồ sơ {view.code}: {view.procedure_name}")
    print(f"Người nộp: {view.applicant.full_name} ({view.applicant.id_number})")
    print(f"Hẹn trả: {view.due_at:%H:%M} ngày {view.due_at:%d/%m/%Y}")
    print(f"Lệ phí: {view.as_json()['fee_text']}")
    return common.EXIT_OK


def _load(ctx: AppContext, code: str) -> tuple[DossierView, OfficeInfo]:
    from onestop_desk.services.dossier import get_dossier
    from onestop_desk.services.office import office_info

    common.ready(ctx)
    with common.unit_of_work(ctx, readonly=True) as uow:
        office = office_info(common.office(ctx, uow))
        view = get_dossier(uow, code)
    return view, office


def _dossier_show(ctx: AppContext, args: argparse.Namespace) -> int:

    view, _office = _load(ctx, args.code)
    if args.json:
        common.print_json(view.as_json())
        return common.EXIT_OK
    data = view.as_json()
    print(f"Hồ sơ {view.code} — {view.procedure_name}")
    print(f"Người nộp: {view.applicant.full_name} ({view.applicant.id_number})")
    print(f"Tiếp nhận: {view.received_at:%H:%M %d/%m/%Y}   Hẹn trả: {view.due_at:%H:%M %d/%m/%Y}")
    print(f"Lệ phí: {data['fee_text']}   Trạng thái: {view.state}")
    for d in view.documents:
        mark = "x" if d.received else " "
        print(f"  [{mark}] {d.name} — {d.count:02d} {d.kind_label.lower()}")
    return common.EXIT_OK


def _dossier_receipt(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.documents.receipt import render_receipt
    from onestop_desk.services.papers import receipt_data

    view, office = _load(ctx, args.code)
    out = render_receipt(receipt_data(view, office), args.out)
    also = common.maybe_pdf(out, args.pdf)
    print(f"Đã ghi giấy tiếp nhận (Mẫu 01) của hồ sơ {view.code} vào {out}{also}.")
    return common.EXIT_OK


def _dossier_form(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.documents.declaration import render_declaration
    from onestop_desk.services.papers import declaration_data

    view, office = _load(ctx, args.code)
    if view.procedure_form is None:
        raise InputError(
            f"Thủ tục của hồ sơ {view.code} ({view.procedure_name}) không có tờ khai.",
            "Chỉ cần in giấy tiếp nhận: 'onestop-desk dossier receipt MÃ --out TỆP.docx'.",
        )
    out = render_declaration(declaration_data(view, office), args.out)
    print(f"Đã ghi tờ khai của hồ sơ {view.code} vào {out}{common.maybe_pdf(out, args.pdf)}.")
    return common.EXIT_OK


def _dossier_slip(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.printing.printers import PreviewSink, print_slip
    from onestop_desk.services.papers import slip_content

    view, office = _load(ctx, args.code)
    url, width = common.printer_choice(ctx, args.printer, args.width)
    sink = PreviewSink()
    try:
        data = print_slip(slip_content(view, office), url, width_dots=width, preview=sink)
    except KnownError:
        raise
    print(f"Giấy hẹn hồ sơ {view.code}: {common.after_print(url, data, sink)}")
    return common.EXIT_OK


HANDLERS: dict[tuple[str, str], Handler] = {
    ("dossier", "new"): _dossier_new,
    ("dossier", "show"): _dossier_show,
    ("dossier", "receipt"): _dossier_receipt,
    ("dossier", "form"): _dossier_form,
    ("dossier", "slip"): _dossier_slip,
}
