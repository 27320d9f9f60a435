"""The display's keys: a TV has no buttons, only a keyboard plugged in to set it up."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class DisplayActions:
    """The display window's actions; the window connects what they do."""

    #: F11: full screen on, or off again.
    full_screen: QAction
    #: Esc: leave full screen (it does nothing in a window).
    leave_full_screen: QAction
    #: Ctrl+Q: close the display.
    quit: QAction


def create_actions(window: QWidget) -> DisplayActions:
    """The actions, added to ``window`` so their keys work wherever the focus is in it."""
    full_screen = QAction(window.tr("Toàn màn hình"), window)
    full_screen.setShortcut(QKeySequence(Qt.Key.Key_F11))
    leave = QAction(window.tr("Thoát toàn màn hình"), window)
    leave.setShortcut(QKeySequence(Qt.Key.Key_Escape))
    quit_display = QAction(window.tr("Đóng màn hình gọi số"), window)
    quit_display.setShortcut(QKeySequence("Ctrl+Q"))
    for action in (full_screen, leave, quit_display):
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        window.addAction(action)
    return DisplayActions(full_screen=full_screen, leave_full_screen=leave, quit=quit_display)
