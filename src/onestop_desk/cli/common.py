"""What every command group of the CLI shares: the parser, exit codes, JSON, dates, the database."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import uuid
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias

from onestop_desk.errors import InputError
from onestop_desk.log import cli as log

if TYPE_CHECKING:
    # Only for the annotations: importing the context pulls in SQLAlchemy, which ``cccd parse``
    # and ``portal-sim`` never need.
    from onestop_desk.context import AppContext
    from onestop_desk.db.models import Office
    from onestop_desk.printing.printers import PreviewSink
    from onestop_desk.services.uow import UnitOfWork

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


# What ``add_subparsers()`` returns; each command group adds its commands to one of these.
Subparsers: TypeAlias = "argparse._SubParsersAction[Parser]"

# One command: the opened context and the parsed line in, the exit code out.
Handler: TypeAlias = Callable[["AppContext", argparse.Namespace], int]


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types: dataclasses, enums, dates and UUIDs included."""
    if is_dataclass(value) and not isinstance(value, type):
        return {k: jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "hex") and type(value).__name__ == "UUID":
        return str(value)
    return value


def print_json(value: Any) -> None:
    """One line of JSON on standard output (``--json``), Vietnamese letters as they are."""
    print(json.dumps(jsonable(value), ensure_ascii=False))


def parse_day(text: str) -> date:
    """A ``YYYY-MM-DD`` day from the command line."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"Ngày '{text}' không đúng dạng YYYY-MM-DD.", "Ví dụ: 2026-11-24."
        ) from None


def parse_moment(text: str) -> datetime:
    """A ``YYYY-MM-DD HH:MM`` moment from the command line."""
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise InputError(
            f"Thời điểm '{text}' không đúng dạng 'YYYY-MM-DD HH:MM'.",
            'Ví dụ: --received "2026-11-23 09:30".',
        ) from None


def ready(ctx: AppContext) -> None:
    """Connect and bring the schema up to date (every command that uses the database)."""
    from onestop_desk.db.migrate import upgrade

    ctx.database.check()
    upgrade(ctx.database)


def unit_of_work(ctx: AppContext, readonly: bool = False, *, source: str = "cli") -> UnitOfWork:
    """A unit of work on the context's database, its audit events marked as from the CLI."""
    from onestop_desk.services.uow import UnitOfWork

    return UnitOfWork(ctx.database, readonly=readonly, source=source)


def office(ctx: AppContext, uow: UnitOfWork) -> Office:
    """The office this PC serves (settings ``[office] ward_code``, or the only one)."""
    from onestop_desk.services.office import find_office

    return find_office(uow, ctx.settings.office.ward_code)


def staff_id(uow: UnitOfWork, username: str | None) -> uuid.UUID | None:
    """The staff member named by ``--staff``, or None when the option was left out."""
    if username is None:
        return None
    from sqlalchemy import select

    from onestop_desk.db.models import StaffUser
    from onestop_desk.errors import NotFound

    staff = uow.session.scalar(select(StaffUser).where(StaffUser.username == username.lower()))
    if staff is None:
        raise NotFound(f"Không có cán bộ với tên đăng nhập '{username}'.")
    return staff.id


def printer_choice(ctx: AppContext, url: str | None, width: int | None) -> tuple[str, int]:
    """The printer URL and paper width: from the command line, else this PC's settings."""
    return url or ctx.settings.printer.ticket_url, width or ctx.settings.printer.width_dots


def after_print(url: str, data: bytes | None, sink: PreviewSink) -> str:
    """What the user learns once a job went out (dummy bytes, preview saved as PNG)."""
    import tempfile

    from onestop_desk.printing.targets import parse_printer_url

    image = sink.latest()
    if image is not None:
        path = Path(tempfile.gettempdir()) / "onestop-desk-preview.png"
        image.save(path)
        return f"Đã lưu bản xem trước vào {path}."
    if data is not None:
        return f"Máy in giả lập đã nhận {len(data)} byte."
    return f"Đã gửi tới {parse_printer_url(url).describe()}."


def maybe_pdf(docx: Path, wanted: bool) -> str:
    """With ``--pdf``, a PDF beside the written document; the words that say so, else ''."""
    if not wanted:
        return ""
    from onestop_desk.documents.pdf import to_pdf

    pdf = to_pdf(docx, docx.parent)
    return f" và {pdf}"
