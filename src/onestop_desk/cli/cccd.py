"""``onestop-desk cccd parse``: read the QR code of a citizen ID card (no database, no log file)."""

from __future__ import annotations

import argparse

from onestop_desk.cli import common
from onestop_desk.cli.common import Subparsers
from onestop_desk.errors import InputError


def add_parsers(sub: Subparsers) -> None:
    """The ``cccd`` command group."""
    cccd = sub.add_parser("cccd", help="thẻ Căn cước").add_subparsers(
        dest="cccd_command", metavar="LỆNH", required=True
    )
    cp = cccd.add_parser("parse", help="đọc nội dung mã QR trên thẻ")
    cp.add_argument("payload", metavar="NỘI_DUNG_QR")
    cp.add_argument("--json", action="store_true")


def cccd_parse(args: argparse.Namespace) -> int:
    """Run before any context is opened: a card read needs no database."""
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
        common.print_json(data)
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
    return common.EXIT_OK
