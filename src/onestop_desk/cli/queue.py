"""``onestop-desk ticket issue``, ``printer test``, ``queue call-next``: numbers and their slips."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from onestop_desk.cli import common
from onestop_desk.cli.common import Handler, Subparsers
from onestop_desk.errors import InputError, KnownError
from onestop_desk.log import cli as log

if TYPE_CHECKING:
    from onestop_desk.context import AppContext
    from onestop_desk.services.queue import TicketInfo


def add_parsers(sub: Subparsers) -> None:
    """The ``ticket``, ``printer`` and ``queue`` command groups."""
    ticket = sub.add_parser("ticket", help="số thứ tự").add_subparsers(
        dest="ticket_command", metavar="LỆNH", required=True
    )
    ti = ticket.add_parser("issue", help="lấy số thứ tự")
    ti.add_argument("--field", required=True, help="mã lĩnh vực, ví dụ HT")
    ti.add_argument(
        "--priority",
        nargs="?",
        const="",
        metavar="LÝ_DO",
        help="số ưu tiên; lý do: elderly, disability, pregnant, small_children, merit",
    )
    ti.add_argument("--json", action="store_true")
    ti.add_argument(
        "--print",
        dest="print_url",
        nargs="?",
        const="",
        metavar="ĐỊA_CHỈ",
        help="in phiếu ra máy in, ví dụ net:192.168.1.50 (bỏ trống: máy in trong cài đặt)",
    )
    ti.add_argument(
        "--width", type=int, metavar="ĐIỂM", help="khổ in: 384 (58 mm), 576 (80 mm) hoặc 512"
    )

    printer = sub.add_parser("printer", help="máy in phiếu").add_subparsers(
        dest="printer_command", metavar="LỆNH", required=True
    )
    pt = printer.add_parser("test", help="in trang thử: chữ tiếng Việt đủ dấu và thước đo khổ in")
    pt.add_argument(
        "url",
        nargs="?",
        metavar="ĐỊA_CHỈ",
        help="usb:VID:PID, net:MÁY[:CỔNG], serial:CỔNG[@TỐC_ĐỘ], win32:TÊN, file:ĐƯỜNG_DẪN, "
        "dummy hoặc preview (bỏ trống: máy in trong cài đặt)",
    )
    pt.add_argument(
        "--width", type=int, metavar="ĐIỂM", help="khổ in: 384 (58 mm), 576 (80 mm) hoặc 512"
    )
    pt.add_argument("--no-cut", action="store_true", help="không cắt giấy (máy không có dao cắt)")

    queue = sub.add_parser("queue", help="gọi số").add_subparsers(
        dest="queue_command", metavar="LỆNH", required=True
    )
    qc = queue.add_parser("call-next", help="gọi số tiếp theo tới quầy")
    qc.add_argument("--counter", type=int, required=True, help="số quầy")
    qc.add_argument("--json", action="store_true")


def _ticket_json(t: TicketInfo) -> dict[str, Any]:
    return {
        "id": str(t.id),
        "number": t.number,
        "display": t.display,
        "field": t.field_code,
        "field_name": t.field_name,
        "priority": t.ticket_class.value == "priority",
        "priority_reason": t.priority_reason.value if t.priority_reason else None,
        "state": t.state.value,
        "waiting_ahead": t.waiting_ahead,
        "issued_at": t.issued_at.isoformat(timespec="seconds"),
        "called_at": t.called_at.isoformat(timespec="seconds") if t.called_at else None,
        "counter": t.counter_number,
    }


def _printer_test(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.printing.printers import PreviewSink, print_test_page

    url, width = common.printer_choice(ctx, args.url, args.width)
    sink = PreviewSink()
    data = print_test_page(url, width_dots=width, cut=not args.no_cut, preview=sink)
    print(f"Trang in thử khổ {width} điểm: {common.after_print(url, data, sink)}")
    return common.EXIT_OK


def _print_issued_ticket(
    ctx: AppContext, args: argparse.Namespace, ticket: TicketInfo, center_name: str
) -> tuple[str | None, KnownError | None]:
    """Print a committed ticket; a printer problem leaves the ticket valid and is returned."""
    from onestop_desk.printing.printers import PreviewSink, print_ticket
    from onestop_desk.services.queue import ticket_content

    url, width = common.printer_choice(ctx, args.print_url, args.width)
    content = ticket_content(ticket, center_name)
    sink = PreviewSink()
    try:
        data = print_ticket(url, content, width_dots=width, preview=sink)
    except KnownError as exc:  # printer offline, out of paper, unusable width...
        log.warning("ticket %s issued, not printed: %s", ticket.display, exc.message)
        return None, exc
    return common.after_print(url, data, sink), None


def _ticket_issue(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.core.ticket import PriorityReason
    from onestop_desk.services.queue import issue_ticket

    reason = None
    if args.priority:
        try:
            reason = PriorityReason(args.priority)
        except ValueError:
            choices = ", ".join(r.value for r in PriorityReason)
            raise InputError(
                f"Lý do ưu tiên '{args.priority}' không có.", f"Chọn một trong: {choices}."
            ) from None
    if args.print_url is not None:
        from onestop_desk.printing.targets import parse_printer_url

        url = common.printer_choice(ctx, args.print_url, args.width)[0]
        parse_printer_url(url)  # before issuing
    common.ready(ctx)
    with common.unit_of_work(ctx) as uow:
        office = common.office(ctx, uow)
        center_name = office.center_name
        ticket = issue_ticket(
            uow,
            office_id=office.id,
            field_code=args.field,
            priority=args.priority is not None,
            priority_reason=reason,
        )
    # The ticket is committed: whatever the printer does, the number stays valid.
    printed, print_error = None, None
    if args.print_url is not None:
        printed, print_error = _print_issued_ticket(ctx, args, ticket, center_name)
    if args.json:
        data = _ticket_json(ticket)
        if args.print_url is not None:
            data["printed"] = print_error is None
            data["print_error"] = print_error.user_text() if print_error else None
        common.print_json(data)
    else:
        print(f"SỐ THỨ TỰ {ticket.display} — {ticket.field_name}")
        print(f"Số người đang chờ trước: {ticket.waiting_ahead}")
        print(f"Giờ lấy số: {ticket.issued_at:%d/%m/%Y %H:%M}")
        if printed:
            print(f"In phiếu: {printed}")
    if print_error is not None:
        print(
            f"Cảnh báo: đã cấp số {ticket.display} nhưng chưa in được phiếu. "
            f"{print_error.user_text()}",
            file=sys.stderr,
        )
        return common.EXIT_USER
    return common.EXIT_OK


def _queue_call_next(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.services.queue import call_next

    common.ready(ctx)
    with common.unit_of_work(ctx) as uow:
        office = common.office(ctx, uow)
        ticket = call_next(uow, office_id=office.id, counter_number=args.counter)
    if args.json:
        common.print_json(_ticket_json(ticket) if ticket else None)
    elif ticket is None:
        print("Không còn ai đang chờ.")
    else:
        print(f"Xin mời công dân có số thứ tự {ticket.display} đến quầy số {args.counter}.")
    return common.EXIT_OK


HANDLERS: dict[tuple[str, str], Handler] = {
    ("ticket", "issue"): _ticket_issue,
    ("printer", "test"): _printer_test,
    ("queue", "call-next"): _queue_call_next,
}
