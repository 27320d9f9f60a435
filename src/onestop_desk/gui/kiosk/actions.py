"""The kiosk's staff keys: the touch screen has no buttons for staff, only shortcuts."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class KioskActions:
    """The kiosk window's actions; the window connects what they do."""

    #: Ctrl+Shift+Q: leave the full-screen kiosk (a keyboard is plugged in only for this).
    quit: QAction


def create_actions(window: QWidget) -> KioskActions:
    """The actions, added to ``window`` so their keys work wherever the focus is in it."""
    quit_kiosk = QAction(window.tr("Đóng máy lấy số"), window)
    quit_kiosk.setShortcut(QKeySequence("Ctrl+Shift+Q"))
    quit_kiosk.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    window.addAction(quit_kiosk)
    return KioskActions(quit=quit_kiosk)
