"""Command line: a stable contract for scripts, tests and the IT person (``--json``).

``main()`` parses the line and hands it to one command group's handler; the groups (faces, db,
office, catalog, queue, calendar, dossier and lifecycle, portal, cccd) each add their own parsers
and import only ``common``, never each other.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from onestop_desk import __version__
from onestop_desk.cli import (
    calendar,
    catalog,
    cccd,
    db,
    dossier,
    faces,
    lifecycle,
    office,
    portal,
    queue,
)
from onestop_desk.cli.common import EXIT_BUG, EXIT_OK, EXIT_USER, Handler, Parser
from onestop_desk.errors import KnownError
from onestop_desk.log import cli as log
from onestop_desk.log import log_file

__all__ = ["EXIT_BUG", "EXIT_OK", "EXIT_USER", "build_parser", "main"]

_HANDLERS: dict[tuple[str, str], Handler] = {
    **faces.HANDLERS,
    **db.HANDLERS,
    **office.HANDLERS,
    **catalog.HANDLERS,
    **queue.HANDLERS,
    **calendar.HANDLERS,
    **dossier.HANDLERS,
    **lifecycle.HANDLERS,
    **portal.HANDLERS,
}


def build_parser() -> Parser:
    """The whole command line; the groups add their commands in the order ``--help`` lists them."""
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
    faces.add_parsers(sub)
    db.add_parsers(sub)
    office.add_parsers(sub)
    catalog.add_parsers(sub)
    queue.add_parsers(sub)
    calendar.add_parsers(sub)
    lifecycle.add_parsers(dossier.add_parsers(sub))
    portal.add_parsers(sub)
    cccd.add_parsers(sub)
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
    # These two never open the office's context (no log file, no database).
    if args.command == "cccd":
        return cccd.cccd_parse(args)
    if args.command == "portal-sim":
        return portal.run_simulator(args)
    from onestop_desk.context import open_context

    ctx = open_context(args.data_dir, args.db)
    try:
        handler = _HANDLERS[(args.command, _subcommand(args))]
        return handler(ctx, args)
    finally:
        ctx.close()


def _subcommand(args: argparse.Namespace) -> str:
    name = f"{args.command}_command"
    sub = getattr(args, name, "")
    if args.command == "calendar" and sub == "override":
        return f"override-{args.override_command}"
    return str(sub)
