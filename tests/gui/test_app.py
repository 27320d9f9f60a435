"""Starting the program: the demo's faces, and a clear message where there is no screen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from onestop_desk.gui.app import DemoWindows

pytestmark = pytest.mark.gui


def test_run_without_a_display_exits_with_advice(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    env.pop("QT_QPA_PLATFORM", None)
    env["PYTHONIOENCODING"] = "utf-8"
    result = subprocess.run(
        [sys.executable, "-m", "onestop_desk", "--data-dir", str(tmp_path), "run"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Không tìm thấy màn hình" in result.stderr
    assert "xvfb-run" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_ticket_goes_from_kiosk_to_counter_to_display(qtbot: QtBot, demo: DemoWindows) -> None:
    kiosk, panel, display = demo.kiosk, demo.counter.panel, demo.display
    assert kiosk.preview_window is not None  # the demo prints to the screen
    qtbot.waitUntil(lambda: kiosk.current_screen() == "home", timeout=10000)
    qtbot.wait(kiosk.timing.tap_guard_ms + 100)  # a real finger comes later than that

    # A citizen taps "Hộ tịch": the ticket appears on the virtual printer...
    with qtbot.waitSignal(kiosk.sig_print_finished, timeout=10000) as printed:
        qtbot.mouseClick(kiosk.home.field_buttons["HT"], Qt.MouseButton.LeftButton)
    assert printed.args[0].error is None
    qtbot.waitUntil(lambda: len(kiosk.preview_window.tickets()) == 1, timeout=5000)

    # ...the counter sees the citizen waiting and calls them...
    qtbot.waitUntil(
        lambda: [t.display for t in panel.lists.waiting_model.tickets()] == ["A001"],
        timeout=5000,
    )
    with qtbot.waitSignal(display.announcer.sig_started, timeout=10000) as spoken:
        qtbot.mouseClick(panel.buttons.call_next, Qt.MouseButton.LeftButton)
    # ...and the waiting room hears and sees the call.
    assert spoken.args == ["Xin mời công dân có số thứ tự A001 đến quầy số 1"]
    qtbot.waitUntil(lambda: display.counter_shows(1) == "A001", timeout=5000)
