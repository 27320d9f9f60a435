"""``onestop-desk office …`` and ``staff add``: the office this PC serves and its staff accounts."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from onestop_desk.cli import common
from onestop_desk.cli.common import Handler, Subparsers

if TYPE_CHECKING:
    from onestop_desk.context import AppContext


def add_parsers(sub: Subparsers) -> None:
    """The ``office`` and ``staff`` command groups."""
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


def _office_create(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.services.office import create_office

    common.ready(ctx)
    with common.unit_of_work(ctx) as uow:
        office = create_office(
            uow,
            ward_code=args.ward_code,
            agency_code=args.agency_code,
            center_name=args.center_name,
        )
        uow.commit()
    print(f"Đã tạo đơn vị {office.name}, {office.province_name}: {office.center_name}.")
    print("Tiếp theo: 'onestop-desk db seed' để nạp danh mục thủ tục.")
    return common.EXIT_OK


def _office_show(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.services.office import office_info

    common.ready(ctx)
    with common.unit_of_work(ctx, readonly=True) as uow:
        info = office_info(common.office(ctx, uow))
    if args.json:
        common.print_json(info)
    else:
        print(f"{info.center_name}\n{info.name}, {info.province_name} (mã {info.ward_code})")
        print(f"Mã định danh cơ quan: {info.agency_code}")
    return common.EXIT_OK


def _office_policy(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.core.queue_policy import PolicyKind
    from onestop_desk.services.office import set_queue_policy

    common.ready(ctx)
    with common.unit_of_work(ctx) as uow:
        info = set_queue_policy(
            uow,
            office_id=common.office(ctx, uow).id,
            kind=PolicyKind(args.kind),
            normal_per_priority=args.every,
        )
    if info.policy.kind.value == "strict":
        print("Thứ tự gọi: số ưu tiên luôn được gọi trước.")
    else:
        print(f"Thứ tự gọi: 1 số ưu tiên sau mỗi {info.policy.normal_per_priority} số thường.")
    return common.EXIT_OK


def _staff_add(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.core.roles import Role
    from onestop_desk.services.staff import create_staff

    password = sys.stdin.readline().rstrip("\r\n")
    common.ready(ctx)
    with common.unit_of_work(ctx) as uow:
        office = common.office(ctx, uow)
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
    return common.EXIT_OK


HANDLERS: dict[tuple[str, str], Handler] = {
    ("office", "create"): _office_create,
    ("office", "show"): _office_show,
    ("office", "policy"): _office_policy,
    ("staff", "add"): _staff_add,
}
