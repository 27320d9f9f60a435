"""The demo: kiosk, counter and display side by side in one process, on one database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from onestop_desk.context import AppContext
from onestop_desk.errors import KnownError
from onestop_desk.gui.startup import prepare_database, qt_application, require_display
from onestop_desk.log import gui as log

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from onestop_desk.gui.counter import CounterWindow
    from onestop_desk.gui.display.window import DisplayWindow
    from onestop_desk.gui.kiosk import KioskWindow
    from onestop_desk.gui.widgets.ticket_preview import TicketPreviewWindow
    from onestop_desk.services.staff import StaffInfo


def run_app(ctx: AppContext, *, demo: bool) -> int:
    """The demo: kiosk, counter and display side by side, tickets printed to an on-screen printer.

    Each face is also a program of its own (``onestop-desk kiosk|counter|display``) for the
    center's separate PCs; here they share one process and one database.
    """
    require_display(
        "cửa sổ chương trình",
        "Chạy trên máy có màn hình, hoặc trên máy chủ dùng Xvfb: "
        "xvfb-run ./onestop run. Các lệnh không cần cửa sổ: onestop-desk --help.",
    )
    from onestop_desk.gui.crash import install_crash_handler

    prepare_database(ctx, demo=demo)
    app = qt_application()
    demo_windows = open_demo(ctx)
    log.info("demo open on %s", ctx.database.describe())
    # One process, one handler: a crash is shown over the counter (the staff's window).
    crash = install_crash_handler(parent_window=demo_windows.counter)
    try:
        result = int(app.exec())
    finally:
        crash.uninstall()
    del demo_windows
    return result


@dataclass
class DemoWindows:
    """The faces of the demo, kept together so they live as long as the event loop."""

    kiosk: KioskWindow
    counter: CounterWindow
    display: DisplayWindow


def open_demo(ctx: AppContext) -> DemoWindows:
    """Open and arrange the demo's kiosk, counter and display (and the virtual printer)."""

    from onestop_desk.gui.counter import CounterWindow
    from onestop_desk.gui.display.window import DisplayWindow
    from onestop_desk.gui.kiosk import KioskWindow

    kiosk = KioskWindow(ctx)
    preview = kiosk.preview_window.sink() if kiosk.preview_window else None
    counter = CounterWindow(
        ctx,
        counter_number=ctx.settings.office.counter_number or 1,
        preview=preview,
        staff=_demo_staff(ctx),
    )
    display = DisplayWindow(ctx)
    kiosk.setWindowTitle(kiosk.tr("Máy lấy số — OneStop Desk (chạy thử)"))
    display.setWindowTitle(display.tr("Màn hình phòng chờ — OneStop Desk (chạy thử)"))
    _arrange(kiosk, counter, display, kiosk.preview_window)
    for window in (display, counter, kiosk, kiosk.preview_window):
        if window is not None:
            window.show()
    return DemoWindows(kiosk, counter, display)


def _demo_staff(ctx: AppContext) -> StaffInfo | None:
    """The demo counter is signed in as the demo reception specialist (standalone asks)."""
    from onestop_desk.core.accounts import DEMO_PASSWORD
    from onestop_desk.services.staff import authenticate
    from onestop_desk.services.uow import UnitOfWork

    try:
        with UnitOfWork(ctx.database, source="counter") as uow:
            return authenticate(uow, username="tiepnhan1", password=DEMO_PASSWORD)
    except KnownError as exc:
        log.warning("demo counter opens without a signed-in specialist: %s", exc.message)
        return None


def _arrange(
    kiosk: QWidget, counter: QWidget, display: QWidget, printer: TicketPreviewWindow | None
) -> None:
    """Kiosk top left, counter top right, display and the virtual printer below: one screen."""
    from PySide6.QtGui import QGuiApplication

    screen = QGuiApplication.primaryScreen()
    area = screen.availableGeometry() if screen else None
    if area is None:
        return
    x, y, w, h = area.x(), area.y(), area.width(), area.height()
    top = int(h * 0.55)
    kiosk.setGeometry(x, y, int(w * 0.42), top)
    counter.setGeometry(x + int(w * 0.42), y, w - int(w * 0.42), top)
    display_width = int((h - top) * 16 / 9)
    display.setGeometry(x, y + top, display_width, h - top)
    if printer is not None:
        printer.place(x + display_width + 10, y + top, 400, h - top)
