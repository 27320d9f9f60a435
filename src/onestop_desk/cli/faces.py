"""``onestop-desk run|kiosk|counter|display|admin``: the commands that open a window.

Qt is imported inside the handlers only, so the headless commands start fast and run without it.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from onestop_desk.cli.common import Handler, Subparsers
from onestop_desk.log import cli as log

if TYPE_CHECKING:
    from onestop_desk.context import AppContext


def add_parsers(sub: Subparsers) -> None:
    """The face commands (no subcommands of their own)."""
    run = sub.add_parser("run", help="mở cửa sổ chương trình")
    run.add_argument(
        "--no-demo", action="store_true", help="không tạo đơn vị mẫu khi cơ sở dữ liệu trống"
    )

    sub.add_parser("kiosk", help="mở máy lấy số cảm ứng (toàn màn hình)")
    counter = sub.add_parser("counter", help="mở màn hình quầy: gọi số, tiếp nhận")
    counter.add_argument("--counter", type=int, help="số quầy (mặc định theo cài đặt)")
    sub.add_parser("display", help="mở màn hình gọi số cho TV phòng chờ (toàn màn hình)")
    sub.add_parser(
        "admin", help="mở phần quản trị (lãnh đạo, quản trị hệ thống): kết nối dịch vụ công"
    )


def _run(ctx: AppContext, args: argparse.Namespace) -> int:
    """The demo window with every face (``run``, and no command at all)."""
    from onestop_desk.gui.app import run_app

    return run_app(ctx, demo=not args.no_demo)


def _run_face(ctx: AppContext, args: argparse.Namespace) -> int:
    """Open one face (kiosk, counter, display or admin) on its own, as on the center's PCs."""
    if args.command == "kiosk":
        from onestop_desk.errors import DatabaseUnavailable
        from onestop_desk.gui.kiosk import run_kiosk
        from onestop_desk.gui.startup import prepare_database

        try:
            prepare_database(ctx, demo=False)
        except DatabaseUnavailable:
            log.warning("kiosk starting without its database; it shows out-of-service")
        return run_kiosk(ctx)
    if args.command == "counter":
        from onestop_desk.gui.counter import run_counter

        return run_counter(ctx, counter_number=args.counter)
    if args.command == "admin":
        from onestop_desk.gui.admin import run_admin

        return run_admin(ctx)
    from onestop_desk.gui.display.window import run_display

    return run_display(ctx)


# The face commands have no subcommand: their key's second part is empty.
HANDLERS: dict[tuple[str, str], Handler] = {
    ("run", ""): _run,
    ("kiosk", ""): _run_face,
    ("counter", ""): _run_face,
    ("display", ""): _run_face,
    ("admin", ""): _run_face,
}
