"""The kiosk face: citizens pick a field (and a priority) on a touch screen and get a ticket."""

from __future__ import annotations

import logging

from onestop_desk.context import AppContext
from onestop_desk.gui.kiosk.window import KioskTiming, KioskWindow

__all__ = ["KioskTiming", "KioskWindow", "run_kiosk"]

log = logging.getLogger("onestop.gui.kiosk")


def run_kiosk(ctx: AppContext, *, printer_url: str | None = None, full_screen: bool = True) -> int:
    """Open the kiosk (full screen) and run the event loop until it is closed (Ctrl+Shift+Q).

    The database may be down at start: the kiosk shows its out-of-service screen and recovers.
    """
    from onestop_desk.gui.crash import install_crash_handler
    from onestop_desk.gui.startup import qt_application, require_display

    require_display(
        "máy lấy số",
        "Chạy trên máy có màn hình cảm ứng, hoặc thử trên máy chủ bằng Xvfb: "
        "xvfb-run onestop-desk kiosk.",
    )
    app = qt_application()
    window = KioskWindow(ctx, printer_url=printer_url)
    # A kiosk never shows a crash dialog: the error goes to the log, the citizen gets home.
    crash = install_crash_handler(recover=window.recover)
    try:
        if full_screen:
            # Without a window manager (a bare X kiosk) full screen alone keeps the old size.
            window.setGeometry(window.screen().geometry())
            window.showFullScreen()
        else:
            window.show()
        log.info("kiosk open on %s, printer %s", ctx.database.describe(), window.printer_url)
        return int(app.exec())
    finally:
        crash.uninstall()
