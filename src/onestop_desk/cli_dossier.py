"""``onestop-desk dossier …``: scriptable intake and the papers of a saved dossier.

Part of the CLI contract (see cli.py); kept apart so the main module stays readable.
"""

from __future__ import annotations

import argparse
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from onestop_desk.errors import InputError, KnownError


def add_parsers(sub: Any) -> None:
    """The ``dossier`` command group."""
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

    _add_lifecycle_parsers(dossier)


def _action_parser(dossier: Any, name: str, help_text: str) -> Any:
    """A lifecycle subcommand: the dossier code, who acts, and ``--json``."""
    parser = dossier.add_parser(name, help=help_text)
    parser.add_argument("code", metavar="MÃ_HỒ_SƠ")
    parser.add_argument("--staff", metavar="TÊN_ĐĂNG_NHẬP", help="cán bộ thực hiện")
    parser.add_argument("--json", action="store_true")
    return parser


def _add_lifecycle_parsers(dossier: Any) -> None:
    """From receipt to returned result: status, actions, notices (Mẫu 02-06), log book (Mẫu 07)."""
    status = dossier.add_parser("status", help="tình trạng, hạn trả và lịch sử xử lý hồ sơ")
    status.add_argument("code", metavar="MÃ_HỒ_SƠ")
    status.add_argument("--json", action="store_true")

    process = _action_parser(dossier, "process", "chuyển hồ sơ cho cơ quan giải quyết")
    process.add_argument(
        "--body", metavar="TÊN", help="cơ quan giải quyết (mặc định: UBND xã, phường)"
    )
    process.add_argument("--note", help="ghi chú")

    supplement = _action_parser(dossier, "supplement", "yêu cầu bổ sung hồ sơ (Mẫu 02)")
    supplement.add_argument(
        "--item",
        action="append",
        required=True,
        metavar="TÊN[:SỐ_LƯỢNG[:HÌNH_THỨC]]",
        help="giấy tờ cần bổ sung, lặp lại cho từng giấy; hình thức: original (bản chính), "
        "certified_copy (bản sao chứng thực), copy (bản chụp); "
        'ví dụ "Giấy chứng sinh:1:original"',
    )
    supplement.add_argument("--reason", required=True, help="lý do yêu cầu bổ sung")

    received = _action_parser(dossier, "supplement-received", "đã nhận hồ sơ bổ sung")
    received.add_argument("--note", help="ghi chú")

    refuse = _action_parser(dossier, "refuse", "từ chối tiếp nhận hồ sơ (Mẫu 03)")
    refuse.add_argument("--reason", required=True, help="lý do từ chối")

    extend = _action_parser(dossier, "extend", "gia hạn thời gian giải quyết (Mẫu 04)")
    extend.add_argument(
        "--new-due", required=True, metavar='"YYYY-MM-DD HH:MM"', help="hạn trả kết quả mới"
    )
    extend.add_argument("--reason", required=True, help="lý do chậm trễ")

    stop = _action_parser(dossier, "stop", "dừng giải quyết hồ sơ (Mẫu 05)")
    stop.add_argument("--reason", required=True, help="lý do dừng giải quyết")
    stop.add_argument("--legal-basis", required=True, metavar="CĂN_CỨ", help="căn cứ pháp lý")

    ready = _action_parser(dossier, "ready", "đã có kết quả giải quyết, chờ trả")
    ready.add_argument("--note", help="ghi chú")

    back = _action_parser(dossier, "return", "trả kết quả cho người dân")
    back.add_argument("--to", required=True, metavar="HỌ_TÊN", help="người nhận kết quả")
    back.add_argument(
        "--channel",
        choices=("desk", "post", "online"),
        help="hình thức trả (mặc định: như đã đăng ký khi nộp)",
    )
    back.add_argument(
        "--at", metavar='"YYYY-MM-DD HH:MM"', help="thời điểm trả (mặc định: bây giờ)"
    )

    notice = dossier.add_parser("notice", help="in phiếu, thông báo của hồ sơ (Mẫu 02-06)")
    notice.add_argument("code", metavar="MÃ_HỒ_SƠ")
    notice.add_argument(
        "--form",
        required=True,
        choices=("02", "03", "04", "05", "06"),
        help="02 yêu cầu bổ sung, 03 từ chối, 04 xin lỗi và gia hạn, 05 dừng giải quyết, "
        "06 phiếu kiểm soát",
    )
    notice.add_argument("--out", type=Path, required=True, metavar="TỆP.docx")
    notice.add_argument("--pdf", action="store_true", help="kèm bản PDF (cần LibreOffice)")

    book = dossier.add_parser("logbook", help="sổ theo dõi hồ sơ (Mẫu 07) trong một khoảng ngày")
    book.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
    book.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
    book.add_argument("--out", type=Path, required=True, metavar="TỆP.docx")
    book.add_argument("--pdf", action="store_true", help="kèm bản PDF (cần LibreOffice)")


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


def _applicant(payload: str, phone: str | None, email: str | None) -> tuple[Any, tuple[str, ...]]:
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


def _staff_id(uow: Any, username: str | None) -> uuid.UUID | None:
    if username is None:
        return None
    from sqlalchemy import select

    from onestop_desk.db.models import StaffUser
    from onestop_desk.errors import NotFound

    staff = uow.session.scalar(select(StaffUser).where(StaffUser.username == username.lower()))
    if staff is None:
        raise NotFound(f"Không có cán bộ với tên đăng nhập '{username}'.")
    return staff.id  # type: ignore[no-any-return]


def _dossier_new(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk import cli
    from onestop_desk.services.dossier import DossierRequest, create_dossier

    values = _read_data(args.data)
    applicant, warnings = _applicant(args.applicant_qr, args.phone, args.email)
    cli._ready(ctx)
    with cli._uow(ctx) as uow:
        office = cli._office(ctx, uow)
        request = DossierRequest(
            procedure_code=args.procedure,
            applicant=applicant,
            form_values=values,
            exemption=args.exemption,
            result_channel=args.channel,
            result_address=args.address,
            copies=args.copies,
            pages=args.pages,
            staff_id=_staff_id(uow, args.staff),
            counter_number=args.counter,
        )
        view = create_dossier(uow, office_id=office.id, request=request)
    if args.json:
        cli._print_json({**view.as_json(), "warnings": list(warnings)})
        return cli.EXIT_OK
    for warning in warnings:
        print(f"Lưu ý: {warning}")
    print(f"Đã tiếp nhận hồ sơ {view.code}: {view.procedure_name}")
    print(f"Người nộp: {view.applicant.full_name} ({view.applicant.id_number})")
    print(f"Hẹn trả: {view.due_at:%H:%M} ngày {view.due_at:%d/%m/%Y}")
    print(f"Lệ phí: {view.as_json()['fee_text']}")
    return cli.EXIT_OK


def _load(ctx: Any, code: str) -> tuple[Any, Any]:
    from onestop_desk import cli
    from onestop_desk.services.dossier import get_dossier
    from onestop_desk.services.office import office_info

    cli._ready(ctx)
    with cli._uow(ctx, readonly=True) as uow:
        office = office_info(cli._office(ctx, uow))
        view = get_dossier(uow, code)
    return view, office


def _dossier_show(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk import cli

    view, _office = _load(ctx, args.code)
    if args.json:
        cli._print_json(view.as_json())
        return cli.EXIT_OK
    data = view.as_json()
    print(f"Hồ sơ {view.code} — {view.procedure_name}")
    print(f"Người nộp: {view.applicant.full_name} ({view.applicant.id_number})")
    print(f"Tiếp nhận: {view.received_at:%H:%M %d/%m/%Y}   Hẹn trả: {view.due_at:%H:%M %d/%m/%Y}")
    print(f"Lệ phí: {data['fee_text']}   Trạng thái: {view.state}")
    for d in view.documents:
        mark = "x" if d.received else " "
        print(f"  [{mark}] {d.name} — {d.count:02d} {d.kind_label.lower()}")
    return cli.EXIT_OK


def _maybe_pdf(docx: Path, wanted: bool) -> str:
    if not wanted:
        return ""
    from onestop_desk.documents.pdf import to_pdf

    pdf = to_pdf(docx, docx.parent)
    return f" và {pdf}"


def _dossier_receipt(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk import cli
    from onestop_desk.documents.receipt import render_receipt
    from onestop_desk.services.papers import receipt_data

    view, office = _load(ctx, args.code)
    out = render_receipt(receipt_data(view, office), args.out)
    also = _maybe_pdf(out, args.pdf)
    print(f"Đã ghi giấy tiếp nhận (Mẫu 01) của hồ sơ {view.code} vào {out}{also}.")
    return cli.EXIT_OK


def _dossier_form(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk import cli
    from onestop_desk.documents.declaration import render_declaration
    from onestop_desk.services.papers import declaration_data

    view, office = _load(ctx, args.code)
    if view.procedure_form is None:
        raise InputError(
            f"Thủ tục của hồ sơ {view.code} ({view.procedure_name}) không có tờ khai.",
            "Chỉ cần in giấy tiếp nhận: 'onestop-desk dossier receipt MÃ --out TỆP.docx'.",
        )
    out = render_declaration(declaration_data(view, office), args.out)
    print(f"Đã ghi tờ khai của hồ sơ {view.code} vào {out}{_maybe_pdf(out, args.pdf)}.")
    return cli.EXIT_OK


def _dossier_slip(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk import cli
    from onestop_desk.printing.printers import PreviewSink, print_slip
    from onestop_desk.services.papers import slip_content

    view, office = _load(ctx, args.code)
    url, width = cli._printer_choice(ctx, args.printer, args.width)
    sink = PreviewSink()
    try:
        data = print_slip(slip_content(view, office), url, width_dots=width, preview=sink)
    except KnownError:
        raise
    print(f"Giấy hẹn hồ sơ {view.code}: {cli._after_print(url, data, sink)}")
    return cli.EXIT_OK


# --- from receipt to returned result ------------------------------------------------------------


# The outbox's states (portal.outbox), as the desk says them.
_SUBMISSION_WORDS = {
    "pending": "đang chờ gửi",
    "sending": "đang gửi",
    "sent": "đã gửi",
    "failed": "gửi không được, cần xử lý",
}


def _print_status(status: Any) -> None:
    from onestop_desk.core.lifecycle import action_label, timing_label

    late = " — QUÁ HẠN" if status.late else ""
    print(f"Hồ sơ {status.code} — {status.procedure_name}")
    print(f"Người nộp: {status.applicant_name} ({status.applicant_id_number})")
    print(f"Trạng thái: {status.state_label}{late}")
    print(
        f"Tiếp nhận: {status.received_at:%H:%M %d/%m/%Y}   Hẹn trả: {status.due_at:%H:%M %d/%m/%Y}"
    )
    if status.returned_at is not None:
        timing = f" ({timing_label(status.result_timing)})" if status.result_timing else ""
        print(f"Đã trả: {status.returned_at:%H:%M %d/%m/%Y} cho {status.returned_to}{timing}")
    state = status.submission_state
    submission = _SUBMISSION_WORDS.get(state, state) if state else "không gửi trực tuyến"
    if status.submission_attempts:
        submission += f", đã thử {status.submission_attempts} lần"
    if status.submission_error:
        submission += f"; lỗi gần nhất: {status.submission_error}"
    print(f"Gửi hệ thống trực tuyến: {submission}")
    if status.portal_reference or status.portal_status:
        print(
            f"Trên hệ thống trực tuyến: {status.portal_reference or '—'}, "
            f"trạng thái {status.portal_status or 'chưa rõ'}"
        )
    if status.allowed_actions:
        print("Có thể: " + ", ".join(action_label(a) for a in status.allowed_actions))
    print("Lịch sử:")
    for event in status.events:
        who = f" — {event.actor_name}" if event.actor_name else ""
        note = f": {event.note}" if event.note else ""
        print(f"  {event.at:%H:%M %d/%m/%Y}  {event.label}{note}{who}")


def _dossier_status(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk import cli
    from onestop_desk.services.lifecycle.status import dossier_status

    cli._ready(ctx)
    with cli._uow(ctx, readonly=True) as uow:
        status = dossier_status(uow, args.code)
    if args.json:
        cli._print_json(status.as_json())
    else:
        _print_status(status)
    return cli.EXIT_OK


def _done(ctx: Any, args: argparse.Namespace, status: Any, what: str) -> int:
    from onestop_desk import cli

    if args.json:
        cli._print_json(status.as_json())
    else:
        print(f"Hồ sơ {status.code}: {what}. Trạng thái: {status.state_label}.")
    return cli.EXIT_OK


def _parse_item(text: str) -> Any:
    from onestop_desk.services.lifecycle.commands import SupplementItem

    # The name may itself hold a colon; count and kind are the last parts when they parse.
    parts = text.rsplit(":", 2)
    kind = "original"
    count = 1
    if len(parts) == 3 and not parts[2].strip().isdigit():
        kind = parts.pop().strip()
    if len(parts) >= 2 and parts[-1].strip().isdigit():
        count = int(parts.pop().strip())
    name = ":".join(parts)
    return SupplementItem(name=name, count=count, kind=kind)


def _run_action(
    ctx: Any,
    args: argparse.Namespace,
    command: Any,
    what: Callable[[Any], str],
    *,
    now: datetime | None = None,
) -> int:
    """One lifecycle command through the same service call as the counter's dialogs."""
    from onestop_desk import cli
    from onestop_desk.services.lifecycle.actions import perform

    cli._ready(ctx)
    with cli._uow(ctx) as uow:
        # The acting staff member is looked up in the action's own transaction.
        status = perform(uow, args.code, command, staff_id=_staff_id(uow, args.staff), now=now)
    return _done(ctx, args, status, what(status))


def _dossier_process(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.services.lifecycle.commands import StartProcessing

    return _run_action(
        ctx,
        args,
        StartProcessing(deciding_body=args.body, note=args.note),
        lambda status: f"đã chuyển {status.events[-1].data.get('deciding_body', '')} giải quyết",
    )


def _dossier_supplement(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.services.lifecycle.commands import RequestSupplement

    items = tuple(_parse_item(text) for text in args.item)
    return _run_action(
        ctx,
        args,
        RequestSupplement(items=items, reason=args.reason),
        lambda _: f"đã yêu cầu bổ sung {len(items)} giấy tờ (in Mẫu 02 bằng lệnh notice)",
    )


def _dossier_supplement_received(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.services.lifecycle.commands import ReceiveSupplement

    return _run_action(
        ctx,
        args,
        ReceiveSupplement(note=args.note),
        lambda _: "đã nhận hồ sơ bổ sung",
    )


def _dossier_refuse(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.services.lifecycle.commands import Refuse

    return _run_action(
        ctx,
        args,
        Refuse(reasons=args.reason),
        lambda _: "đã từ chối tiếp nhận (in Mẫu 03 bằng lệnh notice)",
    )


def _dossier_extend(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk import cli
    from onestop_desk.services.lifecycle.commands import Extend

    new_due = cli._parse_moment(args.new_due)
    return _run_action(
        ctx,
        args,
        Extend(new_due_at=new_due, reason=args.reason),
        lambda status: f"đã gia hạn đến {status.due_at:%H:%M %d/%m/%Y} (in Mẫu 04)",
    )


def _dossier_stop(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.services.lifecycle.commands import Stop

    return _run_action(
        ctx,
        args,
        Stop(reason=args.reason, legal_basis=args.legal_basis),
        lambda _: "đã dừng giải quyết (in Mẫu 05 bằng lệnh notice)",
    )


def _dossier_ready(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.services.lifecycle.commands import MarkResultReady

    return _run_action(
        ctx,
        args,
        MarkResultReady(note=args.note),
        lambda _: "đã có kết quả, chờ trả",
    )


def _dossier_return(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk import cli
    from onestop_desk.core.lifecycle import timing_label
    from onestop_desk.services.lifecycle.commands import ReturnResult

    def what(status: Any) -> str:
        timing = timing_label(status.result_timing) if status.result_timing else ""
        return f"đã trả kết quả cho {status.returned_to}, {timing.lower()}"

    at = cli._parse_moment(args.at) if args.at else None
    # Without --channel the result goes the way the citizen chose at the desk.
    command = ReturnResult(to=args.to, channel=args.channel or None)
    return _run_action(ctx, args, command, what, now=at)


def _dossier_notice(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk import cli
    from onestop_desk.services.lifecycle.notices import notice_document

    cli._ready(ctx)
    with cli._uow(ctx, readonly=True) as uow:
        write = notice_document(uow, args.code, args.form)
    out = write(args.out)
    also = _maybe_pdf(out, args.pdf)
    print(f"Đã ghi Mẫu {args.form} của hồ sơ {args.code.strip().upper()} vào {out}{also}.")
    return cli.EXIT_OK


def _dossier_logbook(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk import cli
    from onestop_desk.services.lifecycle.notices import logbook_document

    start, end = cli._parse_day(args.start), cli._parse_day(args.end)
    cli._ready(ctx)
    with cli._uow(ctx, readonly=True) as uow:
        write = logbook_document(uow, cli._office(ctx, uow).id, start, end)
    out = write(args.out)
    also = _maybe_pdf(out, args.pdf)
    print(
        f"Đã ghi sổ theo dõi hồ sơ (Mẫu 07) từ {start:%d/%m/%Y} đến {end:%d/%m/%Y} vào {out}{also}."
    )
    return cli.EXIT_OK


HANDLERS = {
    ("dossier", "new"): _dossier_new,
    ("dossier", "show"): _dossier_show,
    ("dossier", "receipt"): _dossier_receipt,
    ("dossier", "form"): _dossier_form,
    ("dossier", "slip"): _dossier_slip,
    ("dossier", "status"): _dossier_status,
    ("dossier", "process"): _dossier_process,
    ("dossier", "supplement"): _dossier_supplement,
    ("dossier", "supplement-received"): _dossier_supplement_received,
    ("dossier", "refuse"): _dossier_refuse,
    ("dossier", "extend"): _dossier_extend,
    ("dossier", "stop"): _dossier_stop,
    ("dossier", "ready"): _dossier_ready,
    ("dossier", "return"): _dossier_return,
    ("dossier", "notice"): _dossier_notice,
    ("dossier", "logbook"): _dossier_logbook,
}
