"""``onestop-desk calendar due|override …``: working days, the 15:00 rule, declared days off."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from onestop_desk.cli import common
from onestop_desk.cli.common import Handler, Subparsers
from onestop_desk.errors import InputError

if TYPE_CHECKING:
    from onestop_desk.context import AppContext


def add_parsers(sub: Subparsers) -> None:
    """The ``calendar`` command group."""
    cal = sub.add_parser("calendar", help="lịch làm việc").add_subparsers(
        dest="calendar_command", metavar="LỆNH", required=True
    )
    due = cal.add_parser("due", help="tính ngày hẹn trả kết quả")
    due.add_argument("--received", required=True, help='thời điểm nhận, "YYYY-MM-DD HH:MM"')
    how = due.add_mutually_exclusive_group(required=True)
    how.add_argument("--days", type=int, help="số ngày làm việc theo quy định")
    how.add_argument(
        "--same-day", action="store_true", help="thủ tục giải quyết trong ngày (quy tắc 15 giờ)"
    )
    due.add_argument("--json", action="store_true")
    ov = cal.add_parser(
        "override", help="ngày nghỉ, ngày làm bù do cơ quan công bố"
    ).add_subparsers(dest="override_command", metavar="LỆNH", required=True)
    oa = ov.add_parser("add", help="khai báo ngày nghỉ hoặc ngày làm việc")
    kind = oa.add_mutually_exclusive_group(required=True)
    kind.add_argument("--off", action="store_true", help="ngày nghỉ thêm")
    kind.add_argument("--working", action="store_true", help="ngày làm việc thêm (làm bù)")
    oa.add_argument("day", metavar="YYYY-MM-DD")
    oa.add_argument("--note", default="", help="ghi chú, ví dụ số văn bản")
    ov.add_parser("list", help="danh sách ngày đã khai báo").add_argument(
        "--json", action="store_true"
    )


def _calendar_due(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.services.calendar import office_calendar

    received = common.parse_moment(args.received)
    if args.days is not None and args.days < 0:
        raise InputError("Số ngày làm việc không được âm.")
    common.ready(ctx)
    with common.unit_of_work(ctx, readonly=True) as uow:
        calendar = office_calendar(uow, common.office(ctx, uow).id)
    result = calendar.due(received, working_days=args.days, same_day=args.same_day)
    if args.json:
        common.print_json(
            {
                "received_at": result.received_at,
                "effective_received_at": result.effective_received_at,
                "due_date": result.due_date,
                "due_at": result.due_at,
                "working_days": result.working_days,
                "same_day": result.same_day,
                "skipped": [{"day": s.day, "reason": s.reason} for s in result.skipped],
                "explanation": list(result.explanation),
            }
        )
    else:
        print(f"Hẹn trả kết quả: {result.due_at:%H giờ %M phút, ngày %d/%m/%Y}")
        for line in result.explanation:
            print(f"- {line}")
    return common.EXIT_OK


def _override_add(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.services.calendar import set_override

    day = common.parse_day(args.day)
    common.ready(ctx)
    with common.unit_of_work(ctx) as uow:
        spec = set_override(
            uow, office_id=common.office(ctx, uow).id, day=day, working=args.working, note=args.note
        )
    kind = "ngày làm việc" if spec.working else "ngày nghỉ"
    print(f"Đã khai báo {spec.day:%d/%m/%Y} là {kind}.")
    return common.EXIT_OK


def _override_list(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.services.calendar import list_overrides

    common.ready(ctx)
    with common.unit_of_work(ctx, readonly=True) as uow:
        overrides = list_overrides(uow, common.office(ctx, uow).id)
    if args.json:
        common.print_json(
            {"overrides": [{"day": o.day, "working": o.working, "note": o.note} for o in overrides]}
        )
    elif not overrides:
        print("Chưa khai báo ngày nghỉ hay ngày làm bù nào.")
    else:
        for o in overrides:
            kind = "làm việc" if o.working else "nghỉ"
            print(f"{o.day:%d/%m/%Y}  {kind:<9} {o.note}")
    return common.EXIT_OK


# ``calendar override add|list`` nest one level deeper; the dispatcher joins the two names.
HANDLERS: dict[tuple[str, str], Handler] = {
    ("calendar", "due"): _calendar_due,
    ("calendar", "override-add"): _override_add,
    ("calendar", "override-list"): _override_list,
}
