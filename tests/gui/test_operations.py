"""The GUI plumbing: latest-only reads, saves announced on the change hub, the default report."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from onestop_desk.db.database import Database
from onestop_desk.errors import KnownError
from onestop_desk.gui.app import DemoWindows
from onestop_desk.gui.changes import change_hub
from onestop_desk.gui.operations import LatestRead, MutationOp, QueryOp, activity

pytestmark = pytest.mark.gui


class _Gate:
    """Background work that waits until the test lets it finish, counting how often it ran."""

    def __init__(self) -> None:
        self.started = 0
        self.release = threading.Event()

    def work(self, answer: str) -> Callable[[], str]:
        def run() -> str:
            self.started += 1
            self.release.wait(10)
            return answer

        return run


def test_requests_during_a_read_become_one_more_read_and_stale_answers_are_dropped(
    qtbot: QtBot,
) -> None:
    gate = _Gate()
    shown: list[str] = []
    query = ["before"]
    reader = LatestRead(lambda: gate.work(query[0]), success=shown.append)
    reader.request()
    qtbot.waitUntil(lambda: gate.started == 1)
    query[0] = "after"  # an action changes what the read would see
    reader.invalidate()
    for _ in range(5):
        reader.request()
    gate.release.set()
    qtbot.waitUntil(lambda: not reader.busy and shown == ["after"])
    QThreadPool.globalInstance().waitForDone(5000)
    assert gate.started == 2  # the five requests made one more read, not five
    assert shown == ["after"]  # the answer from before the action never showed


def test_a_save_is_announced_on_the_hub_and_a_failed_one_is_not(
    qtbot: QtBot, database: Database
) -> None:
    hub = change_hub(database)
    assert change_hub(database) is hub  # one hub per database in the process
    saved: list[int] = []
    with qtbot.waitSignal(hub.sig_changed, timeout=5000):
        MutationOp(lambda: 7, changes=hub, success=saved.append).run_in_background()
    assert saved == [7]
    failures: list[Exception] = []

    def refused() -> int:
        raise KnownError("Không lưu được.")

    with qtbot.assertNotEmitted(hub.sig_changed, wait=300):
        MutationOp(
            refused, changes=hub, success=saved.append, failure=failures.append
        ).run_in_background()
        qtbot.waitUntil(lambda: bool(failures))
    assert [str(exc) for exc in failures] == ["Không lưu được."]


def test_the_busy_counter_follows_the_ops_in_flight(qtbot: QtBot) -> None:
    gate = _Gate()
    counter = activity()
    before = counter.count
    with qtbot.waitSignal(counter.sig_busy, timeout=5000) as busy:
        QueryOp(gate.work("x"), success=lambda _r: None).run_in_background()
    assert busy.args == [True] or before > 0
    assert counter.count == before + 1
    gate.release.set()
    qtbot.waitUntil(lambda: counter.count == before)


def test_an_op_without_a_failure_callback_shows_the_known_problem(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.show()

    def refused() -> None:
        raise KnownError("Máy in chưa sẵn sàng.", "Kiểm tra giấy rồi in lại.")

    QueryOp(refused, success=lambda _r: None, parent=window).run_in_background()

    def box() -> QMessageBox | None:
        found = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
        found += window.findChildren(QMessageBox)
        return next((b for b in found if b.isVisible()), None)

    qtbot.waitUntil(lambda: box() is not None)
    shown = box()
    assert shown is not None
    assert shown.text() == "Máy in chưa sẵn sàng.\nKiểm tra giấy rồi in lại."
    shown.close()


def test_the_demo_faces_share_one_change_feed(qtbot: QtBot, demo: DemoWindows) -> None:
    qtbot.waitUntil(lambda: demo.kiosk.current_screen() == "home", timeout=10000)
    assert demo.kiosk.changes is demo.counter.changes is demo.display.changes
    assert demo.counter.changes.watcher.connected
