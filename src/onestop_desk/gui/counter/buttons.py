"""The queue panel's big buttons, each showing one of the counter's actions with its key."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import QGridLayout, QSizePolicy, QToolButton, QWidget

from onestop_desk.gui.counter.actions import CounterActions
from onestop_desk.gui.widgets import scaled


def queue_button(action: QAction, base: QFont, *, big: bool = False) -> QToolButton:
    """A button for ``action`` (its text "F2  Gọi số tiếp theo"), styled as a queue action."""
    button = QToolButton()
    button.setDefaultAction(action)
    button.setProperty("role", "queueAction")
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    button.setFont(scaled(base, 1.35 if big else 1.1, bold=big))
    button.setMinimumHeight(58 if big else 42)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return button


class ActionButtons(QWidget):
    """Call next across the top, then start/finish, recall/no-show, and transfer."""

    def __init__(self, actions: CounterActions, base: QFont, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)  # as when the grid sat in the panel's column
        grid.setSpacing(6)
        self.call_next = queue_button(actions.call_next, base, big=True)
        self.call_next.setObjectName("callNextButton")
        self.recall = queue_button(actions.recall, base)
        self.start = queue_button(actions.start, base)
        self.finish = queue_button(actions.finish, base)
        self.skip = queue_button(actions.skip, base)
        self.transfer = queue_button(actions.transfer, base)
        grid.addWidget(self.call_next, 0, 0, 1, 2)
        grid.addWidget(self.start, 1, 0)
        grid.addWidget(self.finish, 1, 1)
        grid.addWidget(self.recall, 2, 0)
        grid.addWidget(self.skip, 2, 1)
        grid.addWidget(self.transfer, 3, 0, 1, 2)
