"""Regenerate the kiosk's screenshots in docs/screenshots (home, priority, number, outage).

Run from the repository root, without a display::

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_kiosk_shots.py [OUT_DIR]

OUT_DIR defaults to this folder. The demo office is seeded into a fresh temporary SQLite file
and a few tickets are issued so the tiles show waiting counts. The header's clock is stopped at
one fixed moment (Monday 23/11/2026, 09:54), so two runs give the same pixels: compare a run
before and after a change of the kiosk's code to see that it still looks the same.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
WORK = Path(tempfile.mkdtemp(prefix="onestop-kiosk-shots-"))
for _name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
    os.environ[_name] = str(WORK / "xdg" / _name.lower())  # nothing written in the user's home

from PySide6.QtCore import Qt, QThreadPool  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from onestop_desk.config import Settings, resolve_paths  # noqa: E402
from onestop_desk.context import AppContext  # noqa: E402
from onestop_desk.core.ticket import PriorityReason  # noqa: E402
from onestop_desk.db.database import Database  # noqa: E402
from onestop_desk.db.migrate import upgrade  # noqa: E402
from onestop_desk.gui.kiosk import KioskTiming, KioskWindow  # noqa: E402
from onestop_desk.services.office import find_office  # noqa: E402
from onestop_desk.services.queue import issue_ticket  # noqa: E402
from onestop_desk.services.seed import DEMO_WARD_CODE, seed  # noqa: E402
from onestop_desk.services.uow import UnitOfWork  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 54)  # a Monday morning, on the header's clock
# Nothing moves on by itself while the pictures are taken.
STILL = KioskTiming(
    number_ms=3_600_000,
    after_print_ms=3_600_000,
    print_failed_ms=3_600_000,
    idle_ms=3_600_000,
    retry_ms=3_600_000,
    bug_retry_ms=3_600_000,
    refresh_ms=3_600_000,
    tap_guard_ms=0,
)
# A busy morning: tickets already waiting per field code.
WAITING = {"HT": 11, "CT": 4, "DD": 2, "HKD": 1}


def wait_until(app: QApplication, done: object, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited too long for {what}")
        app.processEvents()
        time.sleep(0.01)


def settle(app: QApplication, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def open_kiosk(
    app: QApplication, ctx: AppContext, size: tuple[int, int], screen: str
) -> KioskWindow:
    window = KioskWindow(ctx, printer_url="dummy:", timing=STILL)
    window.resize(*size)
    window.show()
    wait_until(app, lambda: window.current_screen() == screen, f"the {screen} screen")
    window._clock_timer.stop()  # the clock would move on to the real time
    window.header.tick(NOW)
    settle(app)
    return window


def shoot(app: QApplication, window: KioskWindow, out: Path, name: str) -> None:
    settle(app)
    window.grab().toImage().save(str(out / name))
    print("wrote", out / name)


def close(window: KioskWindow) -> None:
    window.close()
    QThreadPool.globalInstance().waitForDone(10_000)


def main() -> None:
    out = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    database = Database(f"sqlite:///{WORK / 'onestop.sqlite3'}")
    upgrade(database)
    with UnitOfWork(database) as uow:
        seed(uow, demo=True)
    with UnitOfWork(database) as uow:
        office = find_office(uow, DEMO_WARD_CODE)
        for code, count in WAITING.items():
            for _ in range(count):
                issue_ticket(uow, office_id=office.id, field_code=code)
    ctx = AppContext(paths=resolve_paths(WORK), settings=Settings(), database=database)

    for size, name in (((1024, 768), "kiosk-1024x768.png"), ((1080, 1920), "kiosk-portrait.png")):
        window = open_kiosk(app, ctx, size, "home")
        shoot(app, window, out, name)
        close(window)

    window = open_kiosk(app, ctx, (1920, 1080), "home")
    shoot(app, window, out, "kiosk-home.png")
    QTest.mouseClick(window.home.priority_button, Qt.MouseButton.LeftButton)
    wait_until(app, lambda: window.current_screen() == "priority", "the priority screen")
    shoot(app, window, out, "kiosk-priority.png")
    QTest.mouseClick(
        window.priority.reason_buttons[PriorityReason.ELDERLY], Qt.MouseButton.LeftButton
    )
    wait_until(app, lambda: window.current_screen() == "home", "the home screen")
    shoot(app, window, out, "kiosk-home-priority.png")
    QTest.mouseClick(window.home.field_buttons["HT"], Qt.MouseButton.LeftButton)
    wait_until(app, lambda: window.number.print_state() == "printed", "the printed ticket")
    shoot(app, window, out, "kiosk-number.png")
    # The same number as a printer that failed leaves it (the citizen notes it down).
    window.number.set_print_state("failed")
    shoot(app, window, out, "kiosk-printer-problem.png")
    close(window)

    # A database nobody answers at: the kiosk goes out of service by itself.
    unreachable = Database("postgresql+psycopg://onestop@127.0.0.1:9/onestop")
    down = AppContext(paths=resolve_paths(WORK), settings=Settings(), database=unreachable)
    window = open_kiosk(app, down, (1920, 1080), "out_of_service")
    shoot(app, window, out, "kiosk-out-of-service.png")
    close(window)

    unreachable.dispose()
    database.dispose()
    app.processEvents()
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
