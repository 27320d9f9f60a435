"""Keyboard input as a specialist gives it, for the GUI tests (and, without pytest, the
screenshot scripts in docs/screenshots)."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, QThreadPool
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QWidget
from pytestqt.qtbot import QtBot


def focus_widget() -> QWidget:
    """The widget with the keyboard focus (there must be one)."""
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier | None = None) -> None:
    """A key pressed wherever the focus is, as on the real keyboard."""
    qtbot.keyClick(focus_widget(), key, modifier or Qt.KeyboardModifier.NoModifier)


def type_text(qtbot: QtBot, text: str, widget: QWidget | None = None) -> None:
    """Type like a Vietnamese input method: QTest only knows ASCII keys, an IME sends text.

    Without ``widget`` each character goes to whatever has the focus when it is typed.
    """
    for ch in text:
        target = widget or focus_widget()
        if ch.isascii():
            qtbot.keyClicks(target, ch)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch)
                QApplication.sendEvent(target, event)


def pick_commune(qtbot: QtBot, letters: str) -> None:
    """Type a few letters in the focused commune picker and take the first line of its list."""
    combo = focus_widget()
    assert isinstance(combo, QComboBox)
    qtbot.keyClicks(combo, letters)
    popup = combo.completer().popup()
    assert popup.isVisible()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert not popup.isVisible()


# --- without pytest: the screenshot scripts drive the windows with these ----------------------


class ScriptKeys:
    """The two QtBot calls the helpers above make, for a script that has no QtBot."""

    keyClick = staticmethod(QTest.keyClick)  # noqa: N815 - QtBot's names
    keyClicks = staticmethod(QTest.keyClicks)  # noqa: N815


SCRIPT_KEYS = ScriptKeys()


def pump(ms: int = 30) -> None:
    """Deliver pending events and let background operations finish their callbacks."""
    app = QApplication.instance()
    assert app is not None
    app.processEvents()
    QThreadPool.globalInstance().waitForDone(ms)
    app.processEvents()


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    """Pump events until ``condition`` holds; a script gives up with SystemExit naming ``what``."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        pump()
        if condition():
            return
        time.sleep(0.02)
    raise SystemExit(f"timed out waiting for: {what}")
