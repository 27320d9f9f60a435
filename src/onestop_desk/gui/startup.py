"""Starting a face: the QApplication, the display check, the schema upgrade and first-run seed."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, cast

from onestop_desk.context import AppContext
from onestop_desk.errors import KnownError
from onestop_desk.log import gui as log

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication


def display_available() -> bool:
    """False on a Linux/BSD machine with no screen (Windows and macOS always have one)."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd")):
        return True
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in {"offscreen", "minimal", "vnc"}:
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def require_display(what: str, hint: str) -> None:
    """KnownError when there is no screen to open ``what`` on (``hint``: what to do instead)."""
    if not display_available():
        raise KnownError(
            f"Không tìm thấy màn hình để mở {what} (máy không có giao diện đồ hoạ).", hint
        )


def qt_application() -> QApplication:
    """The process's QApplication (made on first call), named for settings and the OS."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    if isinstance(app, QApplication):
        app.setApplicationName("OneStop Desk")
        app.setOrganizationName("OneStopDesk")
    return cast("QApplication", app)


def prepare_database(ctx: AppContext, *, demo: bool) -> None:
    """Upgrade the schema; on an empty database, create the demo office and catalog."""
    from onestop_desk.db.migrate import upgrade
    from onestop_desk.services.office import find_office
    from onestop_desk.services.seed import seed
    from onestop_desk.services.uow import UnitOfWork

    ctx.database.check()
    upgrade(ctx.database)
    with UnitOfWork(ctx.database, readonly=True) as uow:
        try:
            find_office(uow, ctx.settings.office.ward_code)
            return
        except KnownError:
            if not demo:
                raise
    with UnitOfWork(ctx.database, source="app") as uow:
        seed(uow, demo=True)
    log.info("first run: demo office and catalog created")
