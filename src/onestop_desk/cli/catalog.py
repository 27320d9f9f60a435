"""``onestop-desk field list`` and ``procedure search|form``: the office's catalog of procedures."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from onestop_desk.cli import common
from onestop_desk.cli.common import Handler, Subparsers
from onestop_desk.errors import InputError

if TYPE_CHECKING:
    from onestop_desk.context import AppContext


def add_parsers(sub: Subparsers) -> None:
    """The ``field`` and ``procedure`` command groups."""
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


def _field_list(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.services.office import list_fields

    common.ready(ctx)
    with common.unit_of_work(ctx, readonly=True) as uow:
        fields = list_fields(uow, common.office(ctx, uow).id)
    if args.json:
        common.print_json({"fields": fields})
    else:
        for f in fields:
            print(f"{f.code:<5} {f.ticket_prefix}  {f.name}")
    return common.EXIT_OK


def _procedure_search(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.services.catalog import search_procedures

    common.ready(ctx)
    with common.unit_of_work(ctx, readonly=True) as uow:
        found = search_procedures(uow, office_id=common.office(ctx, uow).id, text=args.text)
    if args.json:
        common.print_json({"procedures": found})
    elif not found:
        print(f"Không tìm thấy thủ tục nào với “{args.text}”.")
    else:
        for p in found:
            print(f"{p.code:<10} {p.name} — {p.field_name}")
            print(f"{'':<10} Thời hạn: {p.processing_time}. Lệ phí: {p.fee}")
    return common.EXIT_OK


def _procedure_form(ctx: AppContext, args: argparse.Namespace) -> int:
    from onestop_desk.core.forms import as_json
    from onestop_desk.services.catalog import find_procedure, load_form

    common.ready(ctx)
    with common.unit_of_work(ctx, readonly=True) as uow:
        procedure = find_procedure(uow, office_id=common.office(ctx, uow).id, code=args.code)
    if procedure.form is None:
        raise InputError(
            f"Thủ tục {procedure.code} ({procedure.name}) chưa có tờ khai điện tử.",
            "Hồ sơ của thủ tục này chỉ cần thông tin người nộp và danh mục giấy tờ.",
        )
    form = as_json(load_form(procedure.form))
    if args.json:
        common.print_json({"procedure": procedure.code, "procedure_name": procedure.name, **form})
        return common.EXIT_OK
    print(f"{form['title']} — thủ tục {procedure.code} {procedure.name} (* bắt buộc)")
    for section in form["sections"]:
        print(f"\n{section['title']}")
        for f in section["fields"]:
            mark = "*" if f["required"] else " "
            print(f"  {mark} {f['id']:<34} {f['label']}")
    return common.EXIT_OK


HANDLERS: dict[tuple[str, str], Handler] = {
    ("field", "list"): _field_list,
    ("procedure", "search"): _procedure_search,
    ("procedure", "form"): _procedure_form,
}
