"""``onestop-desk portal …``, ``outbox run`` and ``portal-sim``: the online-submission commands.

The secret is only ever read from standard input, so it never shows in the process list or the
shell history.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from datetime import datetime
from types import FrameType
from typing import TYPE_CHECKING

from onestop_desk.cli import common
from onestop_desk.cli.common import Handler, Subparsers
from onestop_desk.errors import InputError, KnownError

if TYPE_CHECKING:
    from onestop_desk.context import AppContext


def add_parsers(sub: Subparsers) -> None:
    """The ``portal``, ``outbox`` and ``portal-sim`` command groups."""
    portal = sub.add_parser(
        "portal", help="kết nối hệ thống dịch vụ công trực tuyến"
    ).add_subparsers(dest="portal_command", metavar="LỆNH", required=True)
    login = portal.add_parser(
        "login", help="khai báo địa chỉ, mã ứng dụng và khoá bí mật (kiểm tra trước khi lưu)"
    )
    login.add_argument("--url", required=True, metavar="ĐỊA_CHỈ", help="ví dụ https://dvc.tinh")
    login.add_argument("--client-id", required=True, metavar="MÃ", help="mã ứng dụng được cấp")
    login.add_argument(
        "--secret-stdin",
        action="store_true",
        required=True,
        help="đọc khoá bí mật từ đầu vào chuẩn (không bao giờ ghi trên dòng lệnh)",
    )
    status = portal.add_parser("status", help="tình hình gửi hồ sơ lên hệ thống")
    status.add_argument("--json", action="store_true")
    retry = portal.add_parser("retry", help="gửi lại một hồ sơ đã gửi lỗi")
    retry.add_argument("code", metavar="MÃ_HỒ_SƠ")
    retry.add_argument("--staff", metavar="TÊN_ĐĂNG_NHẬP", help="cán bộ cho gửi lại")

    outbox = sub.add_parser(
        "outbox", help="hàng đợi gửi hồ sơ lên hệ thống dịch vụ công"
    ).add_subparsers(dest="outbox_command", metavar="LỆNH", required=True)
    run = outbox.add_parser(
        "run", help="gửi hồ sơ đang chờ và cập nhật trạng thái, lặp lại cho đến khi dừng"
    )
    run.add_argument("--once", action="store_true", help="chạy một lượt rồi thoát")
    run.add_argument(
        "--interval",
        type=float,
        metavar="GIÂY",
        help="nghỉ giữa hai lượt (mặc định theo cài đặt [portal] poll_interval_s)",
    )

    sim = sub.add_parser(
        "portal-sim",
        help="máy chủ giả lập hệ thống dịch vụ công trực tuyến (đào tạo, thử nghiệm)",
        add_help=False,
    )
    sim.set_defaults(sim_args=[])


def run_simulator(args: argparse.Namespace) -> int:
    """``portal-sim``: run before any context is opened, with the options main() split off."""
    # The simulator stands apart from the office's database: it parses its own options.
    from onestop_desk.portal.sim import main as sim_main

    return sim_main(list(args.sim_args))


def _read_secret() -> str:
    line = sys.stdin.readline()
    secret = line.rstrip("\r\n")
    if not secret.strip():
        raise InputError(
            "Chưa nhận được khoá bí mật trên đầu vào chuẩn.",
            'Ví dụ: echo "$KHOA_BI_MAT" | onestop-desk portal login --url … --client-id … '
            "--secret-stdin",
        )
    return secret


def _portal_login(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.portal.credentials import check_login_input, login

    check_login_input(args.url, args.client_id)  # a typo is reported before stdin is read
    secret = _read_secret()
    stored = login(ctx.paths, ctx.settings, args.url, args.client_id, secret)
    print(
        f"Đã kết nối hệ thống dịch vụ công {stored.url} với mã ứng dụng '{stored.client_id}'. "
        "Khoá bí mật được lưu trong kho mật khẩu của hệ điều hành."
    )
    return common.EXIT_OK


def _portal_status(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.core.submission import submission_state_label
    from onestop_desk.services.submissions import outbox_summary

    common.ready(ctx)
    with common.unit_of_work(ctx, readonly=True) as uow:
        summary = outbox_summary(uow)
    portal = ctx.settings.portal
    if args.json:
        common.print_json(
            {
                "portal": {"url": portal.url or None, "client_id": portal.client_id or None},
                "counts": summary.counts,
                "failed": [
                    {
                        "code": f.dossier_code,
                        "attempts": f.attempts,
                        "error": f.last_error,
                        "at": f.updated_at,
                    }
                    for f in summary.failed
                ],
            }
        )
        return common.EXIT_OK
    if portal.url:
        print(f"Hệ thống dịch vụ công: {portal.url} (mã ứng dụng '{portal.client_id}')")
    else:
        print("Chưa khai báo kết nối hệ thống dịch vụ công (onestop-desk portal login …).")
    print(
        "Hồ sơ gửi trực tuyến: "
        + ", ".join(
            f"{submission_state_label(state).lower()} {number}"
            for state, number in summary.counts.items()
        )
    )
    for f in summary.failed:
        print(f"- {f.dossier_code} (gửi lỗi lúc {f.updated_at:%H:%M %d/%m/%Y}, {f.attempts} lần):")
        for line in (f.last_error or "").splitlines():
            print(f"    {line}")
    return common.EXIT_OK


def _portal_retry(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.services.submissions import retry_submission

    common.ready(ctx)
    staff_id = None
    if args.staff:
        with common.unit_of_work(ctx, readonly=True) as uow:
            staff_id = common.staff_id(uow, args.staff)
    with common.unit_of_work(ctx, source="outbox") as uow:
        info = retry_submission(uow, args.code, staff_id)
    print(f"Hồ sơ {info.dossier_code} đã vào lại hàng đợi gửi lên hệ thống dịch vụ công.")
    return common.EXIT_OK


def _outbox_run(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.portal.outbox import Outbox
    from onestop_desk.portal.sync import run_pass

    common.ready(ctx)
    portal = ctx.settings.portal
    interval = args.interval if args.interval is not None else portal.poll_interval_s
    if interval < 0:
        raise InputError("Thời gian nghỉ (--interval) không được âm.")
    outbox = Outbox.from_settings(ctx.database, ctx.settings)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()  # the pass in progress finishes its current dossier, then we leave

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        outbox.client()  # not configured: say so now, not after the first pass
        while not stop.is_set():
            try:
                report = run_pass(outbox, limit=max(1, portal.batch_size), stop=stop)
            except KnownError as exc:
                if args.once:
                    raise
                # A server restart or a lost keyring entry must not end the worker: say so
                # and try again next round.
                print(f"Lỗi: {exc.user_text()}", file=sys.stderr, flush=True)
            else:
                if report.busy:
                    print(f"[{datetime.now():%H:%M:%S}] {report.summary()}", flush=True)
            if args.once:
                break
            stop.wait(interval)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        outbox.close()
    return common.EXIT_OK


HANDLERS: dict[tuple[str, str], Handler] = {
    ("portal", "login"): _portal_login,
    ("portal", "status"): _portal_status,
    ("portal", "retry"): _portal_retry,
    ("outbox", "run"): _outbox_run,
}
