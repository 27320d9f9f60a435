"""Regenerate the waiting-room display's screenshots in docs/screenshots (board, calling).

Run from the repository root, without a display::

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_display_shots.py [OUT_DIR]

OUT_DIR defaults to this folder. The demo office is seeded into a fresh temporary SQLite file; a
busy morning is issued and called at the four counters at fixed times of today (the board shows
today's queue). The header's clock shows one fixed moment (Tuesday 24/11/2026, 09:41:29) and the
voice is muted, so two runs give the same pixels: compare a run before and after a change of the
display's code to see that it still looks the same.

display.png and display-1366.png: the board at 1920x1080 and 1366x768, the latest call on the
big panel. display-calling.png: a new call at counter 3, in the bright phase of its blinking.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # tests.support: the event-pumping helpers of the tests
WORK = Path(tempfile.mkdtemp(prefix="onestop-display-shots-"))
for _name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
    os.environ[_name] = str(WORK / "xdg" / _name.lower())  # nothing written in the user's home

from PySide6.QtCore import QThreadPool  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from tests.support.qt_keys import pump, wait_until  # noqa: E402

import onestop_desk.gui.display.window as display_window  # noqa: E402
from onestop_desk.config import Settings, resolve_paths  # noqa: E402
from onestop_desk.context import AppContext  # noqa: E402
from onestop_desk.db.database import Database  # noqa: E402
from onestop_desk.db.migrate import upgrade  # noqa: E402
from onestop_desk.gui.display.window import DisplayWindow  # noqa: E402
from onestop_desk.services.office import find_office  # noqa: E402
from onestop_desk.services.queue import call_next, issue_ticket  # noqa: E402
from onestop_desk.services.seed import DEMO_WARD_CODE, seed  # noqa: E402
from onestop_desk.services.uow import UnitOfWork  # noqa: E402

NOW = datetime(2026, 11, 24, 9, 41, 29)  # a Tuesday morning, on the header's clock
# Tickets issued per field code, in this order, before the counters call.
ISSUED = {"HT": 14, "CT": 8, "CTR": 6, "DD": 3, "BTXH": 2, "HKD": 1}
# The counters that call, one after another (each calls the next ticket it serves).
CALLS = (1, 2, 3, 4, 1, 3, 2, 4, 1)


class _FixedClock(datetime):
    """``datetime`` whose ``now()`` is NOW: the header's clock and "read at" stand still."""

    @classmethod
    def now(cls, tz: object = None) -> _FixedClock:  # type: ignore[override]
        return cls(NOW.year, NOW.month, NOW.day, NOW.hour, NOW.minute, NOW.second)


def settle(seconds: float = 0.3) -> None:
    """Let the board lay itself out and paint (fitted text is sized on the first paint)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pump()
        time.sleep(0.02)


def busy_morning(database: Database) -> datetime:
    """Issue ISSUED and make the CALLS, a minute apart from 8:00 today (the board's day)."""
    moment = datetime.combine(date.today(), datetime.min.time()) + timedelta(hours=8)
    with UnitOfWork(database) as uow:
        office_id = find_office(uow, DEMO_WARD_CODE).id
        for code, count in ISSUED.items():
            for _ in range(count):
                moment += timedelta(seconds=20)
                issue_ticket(uow, office_id=office_id, field_code=code, now=moment)
    for counter in CALLS:
        moment += timedelta(minutes=1)
        with UnitOfWork(database) as uow:
            call_next(uow, office_id=office_id, counter_number=counter, now=moment)
    return moment


def open_display(ctx: AppContext, size: tuple[int, int]) -> DisplayWindow:
    window = DisplayWindow(ctx)
    window.resize(*size)
    window.show()
    wait_until(lambda: window.board is not None, "the board")
    settle()
    return window


def save(window: DisplayWindow, path: Path) -> None:
    window.grab().toImage().save(str(path))
    print("wrote", path)


def main() -> None:
    out = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    display_window.datetime = _FixedClock  # type: ignore[misc]
    app = QApplication(sys.argv[:1])
    database = Database(f"sqlite:///{WORK / 'onestop.sqlite3'}")
    upgrade(database)
    with UnitOfWork(database) as uow:
        seed(uow, demo=True)
    last_call = busy_morning(database)
    settings = Settings()
    settings.display.muted = True
    ctx = AppContext(paths=resolve_paths(WORK), settings=settings, database=database)

    window = open_display(ctx, (1366, 768))
    save(window, out / "display-1366.png")
    window.close()

    window = open_display(ctx, (1920, 1080))
    save(window, out / "display.png")
    # A new call: the board finds it on its next read and blinks it while it is spoken.
    with UnitOfWork(database) as uow:
        office_id = find_office(uow, DEMO_WARD_CODE).id
        call_next(uow, office_id=office_id, counter_number=3, now=last_call + timedelta(minutes=1))
    window.refresh()
    wait_until(lambda: window.call_panel.shown_call() == (_latest(window), 3), "the call")
    wait_until(window.call_panel.is_lit, "the bright phase")
    save(window, out / "display-calling.png")
    window.close()
    QThreadPool.globalInstance().waitForDone(10_000)

    database.dispose()
    app.processEvents()
    shutil.rmtree(WORK, ignore_errors=True)


def _latest(window: DisplayWindow) -> str | None:
    board = window.board
    return board.recent_calls[0].display if board is not None and board.recent_calls else None


if __name__ == "__main__":
    main()
