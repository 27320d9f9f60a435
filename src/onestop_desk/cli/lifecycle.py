"""``onestop-desk dossier status|process|…|return|notice|logbook``: from receipt to returned result.

The ``dossier`` group itself, intake and the receipt's papers, is dossier.py's.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from onestop_desk.cli import common
from onestop_desk.cli.common import Handler, Parser, Subparsers

if TYPE_CHECKING:
    from onestop_desk.context import AppContext
    from onestop_desk.services.lifecycle.commands import DossierCommand, SupplementItem
    from onestop_desk.services.lifecycle.status import DossierStatus


def _action_parser(dossier: Subparsers, name: str, help_text: str) -> Parser:
    """A lifecycle subcommand: the dossier code, who acts, and ``--json``."""
    parser = dossier.add_parser(name, help=help_text)
    parser.add_argument("code", metavar="MÃ_HỒ_SƠ")
    parser.add_argument("--staff", metavar="TÊN_ĐĂNG_NHẬP", help="cán bộ thực hiện")
    parser.add_argument("--json", action="store_true")
    return parser


def add_parsers(dossier: Subparsers) -> None:
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


# --- from receipt to returned result ------------------------------------------------------------


# The outbox's states (portal.outbox), as the desk says them.
_SUBMISSION_WORDS = {
    "pending": "đang chờ gửi",
    "sending": "đang gửi",
    "sent": "đã gửi",
    "failed": "gửi không được, cần xử lý",
}


def _print_status(status: DossierStatus) -> None:
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


def _dossier_status(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.services.lifecycle.status import dossier_status

    common.ready(ctx)
    with common.unit_of_work(ctx, readonly=True) as uow:
        status = dossier_status(uow, args.code)
    if args.json:
        common.print_json(status.as_json())
    else:
        _print_status(status)
    return common.EXIT_OK


def _done(ctx: AppContext, args: argparse.Namespace, status: DossierStatus, what: str) -> int:
    if args.json:
        common.print_json(status.as_json())
    else:
        print(f"Hồ sơ {status.code}: {what}. Trạng thái: {status.state_label}.")
    return common.EXIT_OK


def _parse_item(text: str) -> SupplementItem:
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
    ctx: AppContext,
    args: argparse.Namespace,
    command: DossierCommand,
    what: Callable[[DossierStatus], str],
    *,
    now: datetime | None = None,
) -> int:
    """One lifecycle command through the same service call as the counter's dialogs."""
    from onestop_desk.services.lifecycle.actions import perform

    common.ready(ctx)
    with common.unit_of_work(ctx) as uow:
        # The acting staff member is looked up in the action's own transaction.
        staff_id = common.staff_id(uow, args.staff)
        status = perform(uow, args.code, command, staff_id=staff_id, now=now)
    return _done(ctx, args, status, what(status))


def _dossier_process(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.services.lifecycle.commands import StartProcessing

    return _run_action(
        ctx,
        args,
        StartProcessing(deciding_body=args.body, note=args.note),
        lambda status: f"đã chuyển {status.events[-1].data.get('deciding_body', '')} giải quyết",
    )


def _dossier_supplement(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.services.lifecycle.commands import RequestSupplement

    items = tuple(_parse_item(text) for text in args.item)
    return _run_action(
        ctx,
        args,
        RequestSupplement(items=items, reason=args.reason),
        lambda _: f"đã yêu cầu bổ sung {len(items)} giấy tờ (in Mẫu 02 bằng lệnh notice)",
    )


def _dossier_supplement_received(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.services.lifecycle.commands import ReceiveSupplement

    return _run_action(
        ctx, args, ReceiveSupplement(note=args.note), lambda _: "đã nhận hồ sơ bổ sung"
    )


def _dossier_refuse(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.services.lifecycle.commands import Refuse

    return _run_action(
        ctx,
        args,
        Refuse(reasons=args.reason),
        lambda _: "đã từ chối tiếp nhận (in Mẫu 03 bằng lệnh notice)",
    )


def _dossier_extend(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.services.lifecycle.commands import Extend

    new_due = common.parse_moment(args.new_due)
    return _run_action(
        ctx,
        args,
        Extend(new_due_at=new_due, reason=args.reason),
        lambda status: f"đã gia hạn đến {status.due_at:%H:%M %d/%m/%Y} (in Mẫu 04)",
    )


def _dossier_stop(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.services.lifecycle.commands import Stop

    return _run_action(
        ctx,
        args,
        Stop(reason=args.reason, legal_basis=args.legal_basis),
        lambda _: "đã dừng giải quyết (in Mẫu 05 bằng lệnh notice)",
    )


def _dossier_ready(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.services.lifecycle.commands import MarkResultReady

    return _run_action(
        ctx, args, MarkResultReady(note=args.note), lambda _: "đã có kết quả, chờ trả"
    )


def _dossier_return(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.core.lifecycle import timing_label
    from onestop_desk.services.lifecycle.commands import ReturnResult

    def what(status: DossierStatus) -> str:
        timing = timing_label(status.result_timing) if status.result_timing else ""
        return f"đã trả kết quả cho {status.returned_to}, {timing.lower()}"

    at = common.parse_moment(args.at) if args.at else None
    # Without --channel the result goes the way the citizen chose at the desk.
    command = ReturnResult(to=args.to, channel=args.channel or None)
    return _run_action(ctx, args, command, what, now=at)


def _dossier_notice(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.services.lifecycle.notices import notice_document

    common.ready(ctx)
    with common.unit_of_work(ctx, readonly=True) as uow:
        write = notice_document(uow, args.code, args.form)
    out = write(args.out)
    also = common.maybe_pdf(out, args.pdf)
    print(f"Đã ghi Mẫu {args.form} của hồ sơ {args.code.strip().upper()} vào {out}{also}.")
    return common.EXIT_OK


def _dossier_logbook(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.services.lifecycle.notices import logbook_document

    start, end = common.parse_day(args.start), common.parse_day(args.end)
    common.ready(ctx)
    with common.unit_of_work(ctx, readonly=True) as uow:
        write = logbook_document(uow, common.office(ctx, uow).id, start, end)
    out = write(args.out)
    also = common.maybe_pdf(out, args.pdf)
    print(
        f"Đã ghi sổ theo dõi hồ sơ (Mẫu 07) từ {start:%d/%m/%Y} đến {end:%d/%m/%Y} vào {out}{also}."
    )
    return common.EXIT_OK


HANDLERS: dict[tuple[str, str], Handler] = {
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
