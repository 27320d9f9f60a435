"""Command line: a stable contract for scripts, tests and the IT person (``--json``)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn

from onestop_desk import __version__, cli_dossier, cli_portal
from onestop_desk.errors import InputError, KnownError
from onestop_desk.log import cli as log
from onestop_desk.log import log_file

# Until open_context starts the log file (cccd parse never does), logging's last-resort handler
# would echo every warning to stderr, class name and all, beside the Vietnamese message.
log.addHandler(logging.NullHandler())

EXIT_OK = 0
EXIT_BUG = 1
EXIT_USER = 2

# argparse speaks English; these patterns give its usual complaints in Vietnamese.
_ARGPARSE_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (.*)", r"thiếu tham số bắt buộc: \1"),
    (r"unrecognized arguments: (.*)", r"tham số không nhận ra: \1"),
    (r"one of the arguments (.*) is required", r"cần một trong các tham số: \1"),
    (r"argument (.*): not allowed with argument (.*)", r"tham số \1 không dùng cùng với \2"),
    (r"argument (.*): invalid int value: (.*)", r"tham số \1: \2 không phải số nguyên"),
    (
        r"argument (.*): invalid choice: (.*?) \(choose from (.*)\)",
        r"tham số \1: \2 không hợp lệ (chọn một trong: \3)",
    ),
    (r"argument (.*): expected one argument", r"tham số \1 cần một giá trị"),
    (r"invalid choice: (.*?) \(choose from (.*)\)", r"lệnh \1 không có (các lệnh: \2)"),
)


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are Vietnamese and exit with code 2."""

    def format_usage(self) -> str:
        formatter = self._get_formatter()
        formatter.add_usage(
            self.usage, self._actions, self._mutually_exclusive_groups, prefix="Cách dùng: "
        )
        return formatter.format_help()

    def error(self, message: str) -> NoReturn:
        for pattern, replacement in _ARGPARSE_MESSAGES:
            if re.fullmatch(pattern, message):
                message = re.sub(pattern, replacement, message)
                break
        self.print_usage(sys.stderr)
        self.exit(EXIT_USER, f"Lỗi: {message}\n")


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "hex") and type(value).__name__ == "UUID":
        return str(value)
    return value


def _print_json(value: Any) -> None:
    print(json.dumps(_jsonable(value), ensure_ascii=False))


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"Ngày '{text}' không đúng dạng YYYY-MM-DD.", "Ví dụ: 2026-11-24."
        ) from None


def _parse_moment(text: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise InputError(
            f"Thời điểm '{text}' không đúng dạng 'YYYY-MM-DD HH:MM'.",
            'Ví dụ: --received "2026-11-23 09:30".',
        ) from None


def build_parser() -> Parser:
    parser = Parser(
        prog="onestop-desk",
        description="OneStop Desk — phần mềm Bộ phận Một cửa, Trung tâm Phục vụ hành chính công.",
    )
    parser.add_argument("--version", action="version", version=f"onestop-desk {__version__}")
    parser.add_argument("--data-dir", type=Path, help="thư mục dữ liệu thay cho thư mục mặc định")
    parser.add_argument(
        "--db", metavar="URL", help="địa chỉ cơ sở dữ liệu (postgresql://... hoặc sqlite:///...)"
    )
    sub = parser.add_subparsers(dest="command", metavar="LỆNH", parser_class=Parser)

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

    db = sub.add_parser("db", help="cơ sở dữ liệu").add_subparsers(
        dest="db_command", metavar="LỆNH", required=True
    )
    db.add_parser("upgrade", help="tạo mới hoặc nâng cấp cấu trúc cơ sở dữ liệu")
    seed = db.add_parser("seed", help="nạp danh mục lĩnh vực, thủ tục")
    seed.add_argument(
        "--demo", action="store_true", help="tạo thêm đơn vị mẫu (Xã Hòa Sơn, Đắk Lắk)"
    )
    pw = db.add_parser(
        "set-password", help="lưu mật khẩu PostgreSQL vào kho mật khẩu của hệ điều hành"
    )
    pw.add_argument("--url", required=True, help="postgresql://NGƯỜI_DÙNG@MÁY_CHỦ:CỔNG/TÊN_CSDL")
    db.add_parser("info", help="xem cơ sở dữ liệu đang dùng")

    office = sub.add_parser("office", help="đơn vị").add_subparsers(
        dest="office_command", metavar="LỆNH", required=True
    )
    oc = office.add_parser("create", help="tạo đơn vị (xã, phường)")
    oc.add_argument("--ward-code", type=int, required=True, help="mã xã/phường sau 1/7/2025")
    oc.add_argument("--agency-code", required=True, help="mã định danh điện tử của cơ quan")
    oc.add_argument("--center-name", help="tên trung tâm (mặc định theo tên xã/phường)")
    office.add_parser("show", help="xem đơn vị đang dùng").add_argument(
        "--json", action="store_true"
    )
    op = office.add_parser("policy", help="thứ tự gọi số ưu tiên")
    op.add_argument("kind", choices=["strict", "interleaved"], help="strict: ưu tiên trước hết")
    op.add_argument("--every", type=int, default=3, metavar="N", help="1 ưu tiên sau N số thường")

    staff = sub.add_parser("staff", help="tài khoản cán bộ").add_subparsers(
        dest="staff_command", metavar="LỆNH", required=True
    )
    sa = staff.add_parser("add", help="tạo tài khoản (mật khẩu đọc từ đầu vào chuẩn)")
    sa.add_argument("--username", required=True)
    sa.add_argument("--full-name", required=True)
    sa.add_argument("--role", choices=["reception", "head", "admin"], default="reception")
    sa.add_argument("--password-stdin", action="store_true", required=True)

    field = sub.add_parser("field", help="lĩnh vực").add_subparsers(
        dest="field_command", metavar="LỆNH", required=True
    )
    field.add_parser("list", help="danh sách lĩnh vực").add_argument("--json", action="store_true")

    procedure = sub.add_parser("procedure", help="thủ tục hành chính").add_subparsers(
        dest="procedure_command", metavar="LỆNH", required=True
    )
    ps = procedure.add_parser("search", help="tìm thủ tục theo tên (có dấu hoặc không) hay mã")
    ps.add_argument("text", metavar="TỪ_KHOÁ")
    ps.add_argument("--json", action="store_true")
    pf = procedure.add_parser("form", help="tờ khai của thủ tục: các mục, trường, quy tắc")
    pf.add_argument("code", metavar="MÃ_THỦ_TỤC")
    pf.add_argument("--json", action="store_true")

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

    cli_dossier.add_parsers(sub)
    cli_portal.add_parsers(sub)

    sim = sub.add_parser(
        "portal-sim",
        help="máy chủ giả lập hệ thống dịch vụ công trực tuyến (đào tạo, thử nghiệm)",
        add_help=False,
    )
    sim.set_defaults(sim_args=[])

    cccd = sub.add_parser("cccd", help="thẻ Căn cước").add_subparsers(
        dest="cccd_command", metavar="LỆNH", required=True
    )
    cp = cccd.add_parser("parse", help="đọc nội dung mã QR trên thẻ")
    cp.add_argument("payload", metavar="NỘI_DUNG_QR")
    cp.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; exit code 0 ok, 2 bad input or environment, 1 a bug."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    parser = build_parser()
    words = list(sys.argv[1:] if argv is None else argv)
    if "portal-sim" in words:
        # The simulator's options are its own: argparse's REMAINDER would refuse ones that
        # start with '-' straight after the command name, so split the line by hand.
        at = words.index("portal-sim")
        args = parser.parse_args(words[: at + 1])
        args.sim_args = words[at + 1 :]
    else:
        args = parser.parse_args(words)
    if args.command is None:
        args.command = "run"
        args.no_demo = False
    try:
        return _dispatch(args)
    except KnownError as exc:
        log.warning("%s: %s", type(exc).__name__, exc.message)
        print(f"Lỗi: {exc.user_text()}", file=sys.stderr)
        return EXIT_USER
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``| head``): nothing left to say, and not a bug.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception:
        log.exception("unexpected error in command %s", args.command)
        if log_file() is None:
            traceback.print_exc()  # no log file yet: stderr is the only place left
        print(
            "Lỗi không mong muốn trong chương trình. Chi tiết đã ghi vào nhật ký; "
            "hãy gửi tệp nhật ký cho bộ phận hỗ trợ.",
            file=sys.stderr,
        )
        return EXIT_BUG


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "cccd":
        return _cccd_parse(args)
    if args.command == "portal-sim":
        # The simulator stands apart from the office's database: it parses its own options.
        from onestop_desk.portal.sim import main as sim_main

        return sim_main(list(args.sim_args))
    from onestop_desk.context import open_context

    ctx = open_context(args.data_dir, args.db)
    try:
        if args.command == "run":
            from onestop_desk.gui.app import run_app

            return run_app(ctx, demo=not args.no_demo)
        if args.command in {"kiosk", "counter", "display", "admin"}:
            return _run_face(ctx, args)
        if args.command == "db" and args.db_command == "set-password":
            return _db_set_password(args)
        handler = _HANDLERS[(args.command, _subcommand(args))]
        return handler(ctx, args)
    finally:
        ctx.close()


def _run_face(ctx: Any, args: argparse.Namespace) -> int:
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


def _subcommand(args: argparse.Namespace) -> str:
    name = f"{args.command}_command"
    sub = getattr(args, name, "")
    if args.command == "calendar" and sub == "override":
        return f"override-{args.override_command}"
    return str(sub)


# --- handlers ---------------------------------------------------------------------------------
Handler = Callable[[Any, argparse.Namespace], int]


def _ready(ctx: Any) -> None:
    """Connect and bring the schema up to date (every command that uses the database)."""
    from onestop_desk.db.migrate import upgrade

    ctx.database.check()
    upgrade(ctx.database)


def _uow(ctx: Any, readonly: bool = False) -> Any:
    from onestop_desk.services.uow import UnitOfWork

    return UnitOfWork(ctx.database, readonly=readonly, source="cli")


def _office(ctx: Any, uow: Any) -> Any:
    from onestop_desk.services.office import find_office

    return find_office(uow, ctx.settings.office.ward_code)


def _db_upgrade(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.db.migrate import upgrade

    ctx.database.check()
    before, after = upgrade(ctx.database)
    if before == after:
        print(f"Cơ sở dữ liệu đã ở phiên bản mới nhất ({after}): {ctx.database.describe()}")
    else:
        print(
            f"Đã nâng cấp cơ sở dữ liệu từ {before or 'trống'} lên {after}: "
            f"{ctx.database.describe()}"
        )
    return EXIT_OK


def _db_seed(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.services.seed import DEMO_PASSWORD, seed

    _ready(ctx)
    with _uow(ctx) as uow:
        report = seed(uow, demo=args.demo)
    if not report.catalogs:
        raise InputError(
            "Cơ sở dữ liệu chưa có đơn vị nào để nạp danh mục.",
            "Dùng 'onestop-desk db seed --demo' hoặc tạo đơn vị bằng 'onestop-desk office create'.",
        )
    if report.demo_office_created:
        print(
            "Đã tạo đơn vị mẫu Xã Hòa Sơn (Đắk Lắk) với 4 quầy và các tài khoản mẫu "
            f"admin, lanhdao, tiepnhan1, tiepnhan2 (mật khẩu {DEMO_PASSWORD})."
        )
    for ward, r in report.catalogs.items():
        print(
            f"Đơn vị {ward}: thêm {r.fields_added} lĩnh vực, {r.procedures_added} thủ tục; "
            f"cập nhật {r.fields_updated} lĩnh vực, {r.procedures_updated} thủ tục."
        )
    return EXIT_OK


def _db_info(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.db.migrate import current_revision, head_revision

    ctx.database.check()
    with ctx.database.engine.connect() as conn:
        current = current_revision(conn)
    print(f"Cơ sở dữ liệu: {ctx.database.describe()}")
    print(f"Phiên bản cấu trúc: {current or 'chưa tạo'} (chương trình: {head_revision()})")
    print(f"Thư mục dữ liệu: {ctx.paths.data_dir}")
    print(f"Nhật ký: {ctx.paths.log_dir}")
    return EXIT_OK


def _db_set_password(args: argparse.Namespace) -> int:
    from onestop_desk.db.engine import parse_url
    from onestop_desk.secrets import database_secret_name, set_secret

    url = parse_url(args.url)
    if url.get_backend_name() != "postgresql" or not url.username:
        raise InputError(
            "Cần địa chỉ PostgreSQL có tên người dùng: postgresql://NGƯỜI_DÙNG@MÁY_CHỦ/CSDL."
        )
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise InputError("Chưa nhận được mật khẩu từ đầu vào chuẩn.")
    set_secret(database_secret_name(url), password)
    print("Đã lưu mật khẩu vào kho mật khẩu của hệ điều hành.")
    return EXIT_OK


def _office_create(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.services.office import create_office

    _ready(ctx)
    with _uow(ctx) as uow:
        office = create_office(
            uow,
            ward_code=args.ward_code,
            agency_code=args.agency_code,
            center_name=args.center_name,
        )
        uow.commit()
    print(f"Đã tạo đơn vị {office.name}, {office.province_name}: {office.center_name}.")
    print("Tiếp theo: 'onestop-desk db seed' để nạp danh mục thủ tục.")
    return EXIT_OK


def _office_show(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.services.office import office_info

    _ready(ctx)
    with _uow(ctx, readonly=True) as uow:
        info = office_info(_office(ctx, uow))
    if args.json:
        _print_json(info)
    else:
        print(f"{info.center_name}\n{info.name}, {info.province_name} (mã {info.ward_code})")
        print(f"Mã định danh cơ quan: {info.agency_code}")
    return EXIT_OK


def _office_policy(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.core.queue_policy import PolicyKind
    from onestop_desk.services.office import set_queue_policy

    _ready(ctx)
    with _uow(ctx) as uow:
        info = set_queue_policy(
            uow,
            office_id=_office(ctx, uow).id,
            kind=PolicyKind(args.kind),
            normal_per_priority=args.every,
        )
    if info.policy.kind.value == "strict":
        print("Thứ tự gọi: số ưu tiên luôn được gọi trước.")
    else:
        print(f"Thứ tự gọi: 1 số ưu tiên sau mỗi {info.policy.normal_per_priority} số thường.")
    return EXIT_OK


def _staff_add(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.services.staff import Role, create_staff

    password = sys.stdin.readline().rstrip("\r\n")
    _ready(ctx)
    with _uow(ctx) as uow:
        office = _office(ctx, uow)
        info = create_staff(
            uow,
            office_id=office.id,
            username=args.username,
            full_name=args.full_name,
            password=password,
            role=Role(args.role),
        )
        uow.commit()
    print(f"Đã tạo tài khoản {info.username} ({info.full_name}).")
    return EXIT_OK


def _field_list(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.services.office import list_fields

    _ready(ctx)
    with _uow(ctx, readonly=True) as uow:
        fields = list_fields(uow, _office(ctx, uow).id)
    if args.json:
        _print_json({"fields": fields})
    else:
        for f in fields:
            print(f"{f.code:<5} {f.ticket_prefix}  {f.name}")
    return EXIT_OK


def _ticket_json(t: Any) -> dict[str, Any]:
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


def _procedure_search(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.services.catalog import search_procedures

    _ready(ctx)
    with _uow(ctx, readonly=True) as uow:
        found = search_procedures(uow, office_id=_office(ctx, uow).id, text=args.text)
    if args.json:
        _print_json({"procedures": found})
    elif not found:
        print(f"Không tìm thấy thủ tục nào với “{args.text}”.")
    else:
        for p in found:
            print(f"{p.code:<10} {p.name} — {p.field_name}")
            print(f"{'':<10} Thời hạn: {p.processing_time}. Lệ phí: {p.fee}")
    return EXIT_OK


def _procedure_form(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.core.forms import as_json
    from onestop_desk.services.catalog import find_procedure, load_form

    _ready(ctx)
    with _uow(ctx, readonly=True) as uow:
        procedure = find_procedure(uow, office_id=_office(ctx, uow).id, code=args.code)
    if procedure.form is None:
        raise InputError(
            f"Thủ tục {procedure.code} ({procedure.name}) chưa có tờ khai điện tử.",
            "Hồ sơ của thủ tục này chỉ cần thông tin người nộp và danh mục giấy tờ.",
        )
    form = as_json(load_form(procedure.form))
    if args.json:
        _print_json({"procedure": procedure.code, "procedure_name": procedure.name, **form})
        return EXIT_OK
    print(f"{form['title']} — thủ tục {procedure.code} {procedure.name} (* bắt buộc)")
    for section in form["sections"]:
        print(f"\n{section['title']}")
        for f in section["fields"]:
            mark = "*" if f["required"] else " "
            print(f"  {mark} {f['id']:<34} {f['label']}")
    return EXIT_OK


def _printer_choice(ctx: Any, url: str | None, width: int | None) -> tuple[str, int]:
    """The printer URL and paper width: from the command line, else this PC's settings."""
    return url or ctx.settings.printer.ticket_url, width or ctx.settings.printer.width_dots


def _after_print(url: str, data: bytes | None, sink: Any) -> str:
    """What the user learns once a job went out (dummy bytes, preview saved as PNG)."""
    import tempfile

    from onestop_desk.printing.printers import parse_printer_url

    image = sink.latest()
    if image is not None:
        path = Path(tempfile.gettempdir()) / "onestop-desk-preview.png"
        image.save(path)
        return f"Đã lưu bản xem trước vào {path}."
    if data is not None:
        return f"Máy in giả lập đã nhận {len(data)} byte."
    return f"Đã gửi tới {parse_printer_url(url).describe()}."


def _printer_test(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.printing.printers import PreviewSink, print_test_page

    url, width = _printer_choice(ctx, args.url, args.width)
    sink = PreviewSink()
    data = print_test_page(url, width_dots=width, cut=not args.no_cut, preview=sink)
    print(f"Trang in thử khổ {width} điểm: {_after_print(url, data, sink)}")
    return EXIT_OK


def _print_issued_ticket(
    ctx: Any, args: argparse.Namespace, ticket: Any, center_name: str
) -> tuple[str | None, KnownError | None]:
    """Print a committed ticket; a printer problem leaves the ticket valid and is returned."""
    from onestop_desk.printing.printers import PreviewSink, print_ticket
    from onestop_desk.services.queue import ticket_content

    url, width = _printer_choice(ctx, args.print_url, args.width)
    content = ticket_content(ticket, center_name)
    sink = PreviewSink()
    try:
        data = print_ticket(url, content, width_dots=width, preview=sink)
    except KnownError as exc:  # printer offline, out of paper, unusable width...
        log.warning("ticket %s issued, not printed: %s", ticket.display, exc.message)
        return None, exc
    return _after_print(url, data, sink), None


def _ticket_issue(ctx: Any, args: argparse.Namespace) -> int:
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
        from onestop_desk.printing.printers import parse_printer_url

        parse_printer_url(_printer_choice(ctx, args.print_url, args.width)[0])  # before issuing
    _ready(ctx)
    with _uow(ctx) as uow:
        office = _office(ctx, uow)
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
        _print_json(data)
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
        return EXIT_USER
    return EXIT_OK


def _queue_call_next(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.services.queue import call_next

    _ready(ctx)
    with _uow(ctx) as uow:
        office = _office(ctx, uow)
        ticket = call_next(uow, office_id=office.id, counter_number=args.counter)
    if args.json:
        _print_json(_ticket_json(ticket) if ticket else None)
    elif ticket is None:
        print("Không còn ai đang chờ.")
    else:
        print(f"Xin mời công dân có số thứ tự {ticket.display} đến quầy số {args.counter}.")
    return EXIT_OK


def _calendar_due(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.services.calendar import office_calendar

    received = _parse_moment(args.received)
    if args.days is not None and args.days < 0:
        raise InputError("Số ngày làm việc không được âm.")
    _ready(ctx)
    with _uow(ctx, readonly=True) as uow:
        calendar = office_calendar(uow, _office(ctx, uow).id)
    result = calendar.due(received, working_days=args.days, same_day=args.same_day)
    if args.json:
        _print_json(
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
    return EXIT_OK


def _override_add(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.services.calendar import set_override

    day = _parse_day(args.day)
    _ready(ctx)
    with _uow(ctx) as uow:
        spec = set_override(
            uow, office_id=_office(ctx, uow).id, day=day, working=args.working, note=args.note
        )
    kind = "ngày làm việc" if spec.working else "ngày nghỉ"
    print(f"Đã khai báo {spec.day:%d/%m/%Y} là {kind}.")
    return EXIT_OK


def _override_list(ctx: Any, args: argparse.Namespace) -> int:
    from onestop_desk.services.calendar import list_overrides

    _ready(ctx)
    with _uow(ctx, readonly=True) as uow:
        overrides = list_overrides(uow, _office(ctx, uow).id)
    if args.json:
        _print_json(
            {"overrides": [{"day": o.day, "working": o.working, "note": o.note} for o in overrides]}
        )
    elif not overrides:
        print("Chưa khai báo ngày nghỉ hay ngày làm bù nào.")
    else:
        for o in overrides:
            kind = "làm việc" if o.working else "nghỉ"
            print(f"{o.day:%d/%m/%Y}  {kind:<9} {o.note}")
    return EXIT_OK


def _cccd_parse(args: argparse.Namespace) -> int:
    from onestop_desk.core.citizen_id import InvalidCardPayload, parse_card_qr

    try:
        card = parse_card_qr(args.payload)
    except InvalidCardPayload as exc:
        raise InputError(str(exc)) from None
    data = {
        "id_number": card.id_number,
        "old_id_number": card.old_id_number,
        "full_name": card.full_name,
        "date_of_birth": card.date_of_birth,
        "sex": card.sex.value,
        "address": card.address,
        "issue_date": card.issue_date,
        "extra": list(card.extra),
        "warnings": list(card.warnings),
    }
    if args.json:
        _print_json(data)
    else:
        print(f"Số định danh: {card.id_number}")
        if card.old_id_number:
            print(f"Số CMND cũ: {card.old_id_number}")
        print(f"Họ và tên: {card.full_name}")
        print(f"Ngày sinh: {card.date_of_birth:%d/%m/%Y}   Giới tính: {card.sex.value}")
        print(f"Nơi thường trú: {card.address}")
        if card.issue_date:
            print(f"Ngày cấp: {card.issue_date:%d/%m/%Y}")
        for w in card.warnings:
            print(f"Cảnh báo: {w}")
    return EXIT_OK


_HANDLERS: dict[tuple[str, str], Handler] = {
    ("db", "upgrade"): _db_upgrade,
    ("db", "seed"): _db_seed,
    ("db", "info"): _db_info,
    ("office", "create"): _office_create,
    ("office", "show"): _office_show,
    ("office", "policy"): _office_policy,
    ("staff", "add"): _staff_add,
    ("field", "list"): _field_list,
    ("ticket", "issue"): _ticket_issue,
    ("queue", "call-next"): _queue_call_next,
    ("printer", "test"): _printer_test,
    ("procedure", "search"): _procedure_search,
    ("procedure", "form"): _procedure_form,
    ("calendar", "due"): _calendar_due,
    ("calendar", "override-add"): _override_add,
    ("calendar", "override-list"): _override_list,
    **cli_dossier.HANDLERS,
    **cli_portal.HANDLERS,
}
