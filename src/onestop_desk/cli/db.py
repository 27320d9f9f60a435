"""``onestop-desk db …``: create or upgrade the schema, seed the catalog, store the password."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from onestop_desk.cli import common
from onestop_desk.cli.common import Handler, Subparsers
from onestop_desk.errors import InputError

if TYPE_CHECKING:
    from onestop_desk.context import AppContext


def add_parsers(sub: Subparsers) -> None:
    """The ``db`` command group."""
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


def _db_upgrade(ctx: AppContext, args: argparse.Namespace) -> int:
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
    return common.EXIT_OK


def _db_seed(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.core.accounts import DEMO_PASSWORD
    from onestop_desk.services.seed import seed

    common.ready(ctx)
    with common.unit_of_work(ctx) as uow:
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
    return common.EXIT_OK


def _db_info(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.db.migrate import current_revision, head_revision

    ctx.database.check()
    with ctx.database.engine.connect() as conn:
        current = current_revision(conn)
    print(f"Cơ sở dữ liệu: {ctx.database.describe()}")
    print(f"Phiên bản cấu trúc: {current or 'chưa tạo'} (chương trình: {head_revision()})")
    print(f"Thư mục dữ liệu: {ctx.paths.data_dir}")
    print(f"Nhật ký: {ctx.paths.log_dir}")
    return common.EXIT_OK


def _db_set_password(ctx: AppContext, args: argparse.Namespace) -> int:
    # The context is opened but never connected: the password is what a connection lacks.
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
    return common.EXIT_OK


HANDLERS: dict[tuple[str, str], Handler] = {
    ("db", "upgrade"): _db_upgrade,
    ("db", "seed"): _db_seed,
    ("db", "set-password"): _db_set_password,
    ("db", "info"): _db_info,
}
