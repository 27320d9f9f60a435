"""The crash handler: an exception nobody caught is logged and shown with where the log is."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from onestop_desk.gui.crash import CrashHandler


def _broken_button(qtbot: QtBot) -> QPushButton:
    button = QPushButton("Lưu")
    qtbot.addWidget(button)

    def broken() -> None:
        raise ZeroDivisionError("chia cho không")

    button.clicked.connect(broken)
    button.show()
    return button


@pytest.mark.logs_errors
def test_an_error_in_a_slot_is_logged_and_shown_with_the_log_path(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log_path = tmp_path / "logs" / "onestop-desk.log"
    handler = CrashHandler(log_path=lambda: log_path).install()
    try:
        button = _broken_button(qtbot)
        with caplog.at_level(logging.ERROR, logger="onestop"):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: handler.dialog is not None and handler.dialog.isVisible())
    finally:
        handler.uninstall()
    dialog = handler.dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert "lỗi không mong muốn" in dialog.summary_label.text()
    assert "ZeroDivisionError: chia cho không" in dialog.summary_label.text()
    assert str(log_path) in dialog.log_label.text()
    assert "ZeroDivisionError" in dialog.details.toPlainText()  # the traceback, to copy
    assert any(
        r.exc_info and isinstance(r.exc_info[1], ZeroDivisionError) for r in caplog.records
    ), "the traceback must be in the log"
    dialog.continue_button.click()
    assert not dialog.isVisible()  # the program goes on


@pytest.mark.logs_errors
def test_an_error_in_another_thread_is_shown_on_the_gui_thread(
    qtbot: QtBot, tmp_path: Path
) -> None:
    handler = CrashHandler(log_path=lambda: None).install()
    try:

        def broken() -> None:
            raise ValueError("mất dữ liệu")

        thread = threading.Thread(target=broken, name="scanner")
        thread.start()
        thread.join()
        qtbot.waitUntil(lambda: handler.dialog is not None and handler.dialog.isVisible())
    finally:
        handler.uninstall()
    dialog = handler.dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert "ValueError: mất dữ liệu" in dialog.summary_label.text()
    assert "chưa ghi nhật ký ra tệp" in dialog.log_label.text()


@pytest.mark.logs_errors
def test_the_display_mode_logs_without_a_dialog(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    handler = CrashHandler(dialog=False).install()
    try:
        button = _broken_button(qtbot)
        with caplog.at_level(logging.ERROR, logger="onestop"):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    finally:
        handler.uninstall()
    assert handler.dialog is None
    assert any(r.exc_info for r in caplog.records)
