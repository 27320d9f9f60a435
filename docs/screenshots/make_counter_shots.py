"""Regenerate the counter window's screenshots in docs/screenshots (reception steps and queue).

Run from the repository root, without a display::

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_counter_shots.py [OUT_DIR]

OUT_DIR defaults to this folder. Everything happens in a fresh temporary folder: the demo
office is seeded into ``onestop.sqlite3`` there, opened by a relative URL, so the status bar
reads ``sqlite:///onestop.sqlite3`` and no path of the machine ends up in a picture.

The pictures are taken at one fixed moment (Monday 23/11/2026, 09:54) whatever the day the
script runs: the reception pane is given that clock, and the queue's reads and calls, which
ask the wall clock, see it too (``datetime`` in the counter's data.py and in the modules of
services/queue is swapped for a frozen one).

The reception is driven from the keyboard as in tests/gui/test_reception_flow.py: a card QR
scanned, "khai sinh" typed in the procedure picker, the birth declaration, the papers, the fee
and due date, then Ctrl+S. The queue is a busy morning at counter 2, built with the queue
services at explicit times; ``counter-transfer.png`` has the transfer dialog drawn over it.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # tests.support: the keyboard helpers of the GUI tests

WORK = Path(tempfile.mkdtemp(prefix="onestop-shots-"))
for _name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
    os.environ[_name] = str(WORK / "xdg" / _name.lower())  # nothing written in the user's home

from PySide6.QtCore import QEvent, QPoint, Qt, QThreadPool  # noqa: E402
from PySide6.QtGui import QColor, QImage, QKeyEvent, QPainter  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402
from tests.support.qt_keys import (  # noqa: E402
    SCRIPT_KEYS,
    focus_widget,
    pick_commune,
    press,
    pump,
    type_text,
    wait_until,
)

from onestop_desk.config import Settings, resolve_paths  # noqa: E402
from onestop_desk.context import AppContext  # noqa: E402
from onestop_desk.core.ticket import PriorityReason, TicketAction  # noqa: E402
from onestop_desk.db.database import Database  # noqa: E402
from onestop_desk.db.migrate import upgrade  # noqa: E402
from onestop_desk.gui.counter import data as queue_data  # noqa: E402
from onestop_desk.gui.counter.window import CounterWindow  # noqa: E402
from onestop_desk.gui.reception import flow  # noqa: E402
from onestop_desk.services import queue  # noqa: E402
from onestop_desk.services.office import find_office  # noqa: E402
from onestop_desk.services.queue import board as queue_board  # noqa: E402
from onestop_desk.services.queue import calling as queue_calling  # noqa: E402
from onestop_desk.services.queue import issuing as queue_issuing  # noqa: E402
from onestop_desk.services.seed import DEMO_PASSWORD, seed  # noqa: E402
from onestop_desk.services.staff import authenticate  # noqa: E402
from onestop_desk.services.uow import UnitOfWork  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 54)  # a Monday morning
TODAY = NOW.date()
SIZE = (1366, 768)
# The QR on the chip-based Căn cước: number|old ID|name|birth|sex|address|issued.
CARD = "066090012345|241234567|Nguyễn Văn An|15051990|Nam|Thôn 1, xã Hòa Sơn, tỉnh Đắk Lắk|20042021"


class _FrozenDateTime(datetime):
    """``datetime`` whose ``now()`` is always NOW."""

    @classmethod
    def now(cls, tz: object = None) -> _FrozenDateTime:  # type: ignore[override]
        return cls.combine(NOW.date(), NOW.time())


# The queue panel reads the queue and calls tickets at the wall clock's time.
queue_data.datetime = _FrozenDateTime  # type: ignore[misc]
# The queue services are a package: each module that asks the clock has its own ``datetime``.
for _module in (queue_board, queue_calling, queue_issuing):
    _module.datetime = _FrozenDateTime  # type: ignore[attr-defined]


def settle(window: CounterWindow, extra: float = 0.4) -> None:
    """Let background reads finish and the layout catch up before a grab."""
    wait_until(
        lambda: not (window.reception.is_busy() or window.panel.is_busy()), "background work"
    )
    end = time.monotonic() + extra
    while time.monotonic() < end:
        pump()
        time.sleep(0.02)


def shoot(window: CounterWindow, out: Path, name: str, dialog: QWidget | None = None) -> None:
    image = window.grab().toImage()
    if dialog is not None:
        # Offscreen, a dialog is a window of its own: draw it where a window manager would.
        layer = dialog.grab()
        painter = QPainter(image)
        at = QPoint((image.width() - layer.width()) // 2, (image.height() - layer.height()) // 2)
        painter.fillRect(layer.rect().translated(at).adjusted(-1, -1, 1, 1), QColor("#7b8794"))
        painter.drawPixmap(at, layer)
        painter.end()
    image.save(str(out / name))
    print("wrote", out / name)


def scan(payload: str) -> None:
    """A keyboard-wedge scanner: the payload as a burst of key presses ending in Enter."""
    for ch in payload:
        target = focus_widget()
        code = Qt.Key.Key_unknown if not ch.isascii() else Qt.Key(ord(ch.upper()))
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                target, QKeyEvent(kind, code, Qt.KeyboardModifier.NoModifier, ch)
            )
    QTest.keyClick(focus_widget(), Qt.Key.Key_Return)


def key(k: Qt.Key, modifier: Qt.KeyboardModifier | None = None) -> None:
    press(SCRIPT_KEYS, k, modifier)  # type: ignore[arg-type]
    pump()


def write(text: str) -> None:
    type_text(SCRIPT_KEYS, text)  # type: ignore[arg-type]
    pump()


def commune(window: CounterWindow, letters: str) -> None:
    """Pick the first commune matching ``letters`` in the focused commune picker."""
    pick_commune(SCRIPT_KEYS, letters)  # type: ignore[arg-type]
    # The picker's popup took the activation; a window manager gives it back, offscreen not.
    window.activateWindow()
    wait_until(lambda: QApplication.activeWindow() is window, "the window to be active again")


def scan_image(path: Path) -> Path:
    """A scanned A4 page (grey, a few lines) as the specialist's scanner saves it."""
    page = QImage(1240, 1754, QImage.Format.Format_RGB32)
    page.fill(QColor("#f4f4f0"))
    painter = QPainter(page)
    painter.setPen(QColor("#555555"))
    for y in range(220, 1500, 60):
        painter.drawLine(140, y, 1100, y)
    painter.end()
    page.save(str(path), "JPG", 80)
    return path


# --- the reception, step by step --------------------------------------------------------------


def reception(window: CounterWindow, out: Path) -> None:
    pane = window.reception
    window.activateWindow()
    wait_until(lambda: QApplication.activeWindow() is window, "the window to be active")
    window.panel.setFocus()
    scan(CARD)
    wait_until(lambda: window.tabs.currentIndex() == window.RECEPTION_TAB, "reception tab")
    wait_until(lambda: pane.current_step() == flow.CITIZEN, "citizen step")
    wait_until(lambda: not pane.citizen.is_busy(), "citizen lookup")
    settle(window)
    shoot(window, out, "counter-reception-1-citizen.png")

    key(Qt.Key.Key_Return)  # what the card says is right
    # Typed by hand from here: the scanner detector would hold a burst of synthetic keys.
    window.wedge.set_enabled(False)
    wait_until(lambda: pane.current_step() == flow.PROCEDURE, "procedure step")
    write("khai sinh")
    wait_until(lambda: len(pane.picker.results()) >= 2 and not pane.picker.is_busy(), "search")
    settle(window)
    shoot(window, out, "counter-reception-2-procedure.png")

    key(Qt.Key.Key_Down)
    for _ in range(5):
        current = pane.picker.current()
        if current is not None and current.code == "1.001193":
            break
        key(Qt.Key.Key_Down)
    key(Qt.Key.Key_Return)
    wait_until(lambda: pane.current_step() == flow.FORM, "form step")
    wizard = pane.form_wizard()
    assert wizard is not None

    # 1. Nơi nhận.
    write("Ủy ban nhân dân xã Hòa Sơn, tỉnh Đắk Lắk")
    key(Qt.Key.Key_Return)
    # 2. Người yêu cầu: from the card; the relation to the child is "Cha".
    for _ in range(5):
        key(Qt.Key.Key_Return)
    key(Qt.Key.Key_Down)
    key(Qt.Key.Key_Return)
    assert wizard.current_step() == 2, wizard.errors()
    # 3. Người được khai sinh: born ten days ago, a girl, at the commune's health station.
    born = TODAY - timedelta(days=10)
    write("Nguyễn Ngọc Bảo Anh")
    key(Qt.Key.Key_Return)
    QTest.keyClicks(focus_widget(), f"{born:%d%m%Y}")
    key(Qt.Key.Key_Return)
    key(Qt.Key.Key_Down)
    key(Qt.Key.Key_Down)  # "Nữ"
    for _ in range(3):
        key(Qt.Key.Key_Return)
    key(Qt.Key.Key_Return)  # province: the office's own, Đắk Lắk
    commune(window, "hoa son")
    key(Qt.Key.Key_Return)
    write("Trạm Y tế")
    key(Qt.Key.Key_Return)
    write("xã Hòa Sơn, tỉnh Đắk Lắk")
    settle(window)
    shoot(window, out, "counter-reception-3-form.png")
    key(Qt.Key.Key_Return)
    assert wizard.current_step() == 3, wizard.errors()
    # 4. Mẹ.
    write("Trần Thị Ngọc Ánh")
    key(Qt.Key.Key_Return)
    QTest.keyClicks(focus_widget(), "1996")
    for _ in range(4):
        key(Qt.Key.Key_Return)
    commune(window, "hoa son")
    key(Qt.Key.Key_Return)
    write("Thôn 1")
    key(Qt.Key.Key_Return)
    assert wizard.current_step() == 4, wizard.errors()
    # 5. Cha: the requester.
    write("Nguyễn Văn An")
    key(Qt.Key.Key_Return)
    QTest.keyClicks(focus_widget(), "1990")
    for _ in range(4):
        key(Qt.Key.Key_Return)
    commune(window, "hoa son")
    key(Qt.Key.Key_Return)
    write("Thôn 1")
    key(Qt.Key.Key_Return)
    assert wizard.errors() == {}, wizard.errors()
    wait_until(lambda: pane.current_step() == flow.CHECKLIST, "checklist step")

    # The papers: the birth certificate with its scan, the form, the father's Căn cước.
    window.activateWindow()
    checklist = pane.checklist
    certificate = next(
        checklist.row(i)
        for i in range(checklist.row_count())
        if checklist.row(i).name() == "Giấy chứng sinh"
    )
    checklist.add_files([scan_image(WORK / "giay-chung-sinh.jpg")], target=certificate)
    wait_until(lambda: not checklist.is_busy(), "the scan to be stored")
    for i in range(checklist.row_count()):  # Space ticks each paper handed over
        row = checklist.row(i)
        if row.required and not row.received_box.isChecked():
            row.received_box.setFocus(Qt.FocusReason.TabFocusReason)
            key(Qt.Key.Key_Space)
    assert checklist.validate() == []
    settle(window)
    shoot(window, out, "counter-reception-4-checklist.png")

    key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_until(lambda: pane.current_step() == flow.SUMMARY, "summary step")
    settle(window)
    shoot(window, out, "counter-reception-5-summary.png")

    key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_until(lambda: pane.current_step() == flow.DONE, "saved")
    slip = WORK / "slip.bin"
    wait_until(lambda: slip.exists() and slip.stat().st_size > 0, "the slip to print")
    settle(window)
    shoot(window, out, "counter-reception-6-done.png")


# --- the queue: a busy morning at counter 2 ---------------------------------------------------


# What happened at the desk since opening, in order: (time, what, detail). Issued tickets are
# numbered per field (A Hộ tịch, B Chứng thực, C Cư trú); counter 1 serves Hộ tịch, counter 2
# Hộ tịch and Cư trú, counter 3 Chứng thực. "call", "start" and "skip" are at that counter.
PREGNANT, ELDERLY, DISABILITY = (
    PriorityReason.PREGNANT,
    PriorityReason.ELDERLY,
    PriorityReason.DISABILITY,
)
MORNING: tuple[tuple[str, str, object], ...] = (
    ("08:52", "issue", "HT"),  # A001
    ("08:55", "issue", "HT"),  # A002
    ("08:57", "issue", "CTR"),  # C001
    ("09:00", "call", 2),  # A001
    ("09:00", "call", 1),  # A002
    ("09:01", "start", 1),
    ("09:01", "issue", "HT"),  # A003
    ("09:03", "issue", "CT"),  # B001
    ("09:04", "call", 3),  # B001
    ("09:05", "start", 3),
    ("09:06", "skip", 2),  # A001 did not come up
    ("09:06", "call", 2),  # C001
    ("09:08", "issue", "CTR"),  # C002
    ("09:10", "issue", "HT"),  # A004
    ("09:11", "skip", 2),  # nor did C001
    ("09:11", "call", 2),  # A003
    ("09:12", "start", 2),
    ("09:13", "issue", "HT"),  # A005
    ("09:16", "issue", "CT"),  # B002
    ("09:17", "issue", "HT"),  # A006
    ("09:19", "call", 1),  # A004
    ("09:20", "start", 1),
    ("09:22", "issue", "CTR"),  # C003
    ("09:24", "issue", "HT"),  # A007
    ("09:26", "call", 2),  # C002
    ("09:27", "start", 2),
    ("09:28", "issue", "HT"),  # A008
    ("09:30", "issue", "CTR"),  # C004
    ("09:33", "issue", "HT"),  # A009
    ("09:35", "call", 1),  # A005
    ("09:36", "start", 1),
    ("09:37", "issue", "CTR"),  # C005
    ("09:41", "issue", "HT"),  # A010
    ("09:43", "issue", "HT"),  # A011
    ("09:46", "call", 2),  # A006
    ("09:47", "start", 2),
    # Counter 3 sends B001 on to counter 2: what she needs is a residence matter.
    ("09:47", "transfer", (3, 2, "CTR")),
    ("09:49", "priority", ("CTR", PREGNANT)),  # C006
    ("09:50", "priority", ("HT", ELDERLY)),  # A012
    ("09:51", "issue", "HT"),  # A013
    ("09:52", "priority", ("CTR", DISABILITY)),  # C007
    ("09:53", "issue", "HT"),  # A014
    ("09:53", "paper out", "Máy in hết giấy. Thay cuộn giấy rồi bấm In lại"),
)


def at(hh_mm: str) -> datetime:
    hours, minutes = (int(part) for part in hh_mm.split(":"))
    return datetime.combine(TODAY, datetime.min.time()).replace(hour=hours, minute=minutes)


def busy_morning(database: Database) -> None:
    """Play MORNING through the queue services, each step at its own time."""
    with UnitOfWork(database, readonly=True) as uow:
        office_id = find_office(uow).id
    last_issued = None
    for when, what, detail in MORNING:
        now = at(when)
        with UnitOfWork(database, source="counter") as uow:
            if what in {"issue", "priority"}:
                field, reason = detail if what == "priority" else (detail, None)  # type: ignore[misc]
                last_issued = queue.issue_ticket(
                    uow,
                    office_id=office_id,
                    field_code=field,
                    priority=reason is not None,
                    priority_reason=reason,
                    now=now,
                ).id
            elif what == "call":
                called = queue.call_next(
                    uow,
                    office_id=office_id,
                    counter_number=detail,
                    now=now,  # type: ignore[arg-type]
                )
                assert called is not None, when
            elif what in {"start", "skip"}:
                ticket = queue.ticket_in_hand(
                    uow,
                    office_id=office_id,
                    counter_number=detail,
                    day=TODAY,  # type: ignore[arg-type]
                )
                assert ticket is not None, when
                action = TicketAction.START if what == "start" else TicketAction.SKIP
                queue.act_on_ticket(uow, ticket_id=ticket.id, action=action, now=now)
            elif what == "transfer":
                source, counter, field = detail  # type: ignore[misc]
                ticket = queue.ticket_in_hand(
                    uow, office_id=office_id, counter_number=source, day=TODAY
                )
                assert ticket is not None, when
                queue.transfer_ticket(
                    uow,
                    office_id=office_id,
                    ticket_id=ticket.id,
                    to_counter=counter,
                    to_field=field,
                    now=now,
                )
            elif what == "paper out":
                assert last_issued is not None
                queue.record_print_result(uow, ticket_id=last_issued, error=str(detail), now=now)


def queue_shots(window: CounterWindow, database: Database, out: Path) -> None:
    busy_morning(database)
    window.statusBar().clearMessage()  # the reception's "slip printed" is long gone by now
    window.tabs.setCurrentIndex(window.QUEUE_TAB)
    window.panel.refresh()
    wait_until(lambda: window.panel.snapshot is not None, "the queue")
    settle(window)
    transfer = window.panel.queue_actions.transfer
    wait_until(transfer.isEnabled, "a ticket in hand to transfer")
    transfer.trigger()
    dialog = window.panel.transfer_dialog
    assert dialog is not None
    dialog.select(3, "CT")
    settle(window)
    shoot(window, out, "counter-transfer.png", dialog)
    dialog.reject()
    settle(window)

    window.panel.queue_actions.call_next.trigger()  # F2: done with this one, the next please
    wait_until(lambda: not window.panel.is_busy(), "the call")
    settle(window)
    shoot(window, out, "counter-queue.png")


def main() -> None:
    out = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    os.chdir(WORK)
    database = Database("sqlite:///onestop.sqlite3")
    upgrade(database)
    with UnitOfWork(database) as uow:
        seed(uow, demo=True, now=NOW - timedelta(days=30))
    with UnitOfWork(database) as uow:
        staff = authenticate(uow, username="tiepnhan1", password=DEMO_PASSWORD)
    settings = Settings()
    settings.printer.slip_url = f"file:{WORK / 'slip.bin'}"
    ctx = AppContext(paths=resolve_paths(WORK), settings=settings, database=database)
    opened: list[Path] = []
    window = CounterWindow(
        ctx, counter_number=2, staff=staff, opener=opened.append, clock=lambda: NOW
    )
    # The reception pane takes a clock too; the window does not pass one on.
    window.reception._now = lambda: NOW
    window.reception._today = lambda: TODAY
    window.reception.citizen._today = lambda: TODAY
    window.resize(*SIZE)
    window.show()
    settle(window)

    reception(window, out)
    queue_shots(window, database, out)

    window.close()
    QThreadPool.globalInstance().waitForDone(10_000)
    database.dispose()
    app.processEvents()
    os.chdir(ROOT)
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
