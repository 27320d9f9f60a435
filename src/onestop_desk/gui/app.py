"""Starting the Qt application: display check, schema upgrade, first-run seed, main window."""

from __future__ import annotations

import os
import sys

from onestop_desk.context import AppContext
from onestop_desk.errors import KnownError
from onestop_desk.log import gui as log


def display_available() -> bool:
    """False on a Linux/BSD machine with no screen (Windows and macOS always have one)."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd")):
        return True
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in {"offscreen", "minimal", "vnc"}:
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


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


def run_app(ctx: AppContext, *, demo: bool) -> int:
    """Open the main window and run the event loop until it closes."""
    if not display_available():
        raise KnownError(
            "Không tìm thấy màn hình để mở cửa sổ chương trình (máy không có giao diện đồ hoạ).",
            "Chạy trên máy có màn hình, hoặc trên máy chủ dùng Xvfb: "
            "xvfb-run ./onestop run. Các lệnh không cần cửa sổ: onestop-desk --help.",
        )
    prepare_database(ctx, demo=demo)

    from PySide6.QtWidgets import QApplication

    from onestop_desk.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("OneStop Desk")
    app.setOrganizationName("OneStopDesk")
    window = MainWindow(ctx)
    window.show()
    log.info("main window open on %s", ctx.database.describe())
    return int(app.exec())
