"""Keyboard input as a specialist gives it, for the GUI tests."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
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
