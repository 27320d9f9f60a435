"""The reception pane's keyboard shortcuts (the steps' own buttons say them in their tooltips)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

BACK = "Ctrl+PgUp"
NEW = "Ctrl+N"
CHECKLIST_DONE = ("Ctrl+Return", "Ctrl+Enter")
PRINT_RECEIPT = "Ctrl+P"


def _shortcut(keys: str, owner: QWidget, slot: Callable[[], None], *, local: bool) -> QShortcut:
    shortcut = QShortcut(QKeySequence(keys), owner)
    if local:
        # Only while the focus is on that page: Ctrl+Enter means something else elsewhere.
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(slot)
    return shortcut


def install_shortcuts(
    pane: QWidget,
    *,
    back: Callable[[], None],
    start_new: Callable[[], None],
    checklist_page: QWidget,
    checklist_done: Callable[[], None],
    done_page: QWidget,
    print_receipt: Callable[[], None],
) -> list[QShortcut]:
    """The pane's shortcuts: back a step, a new dossier, papers received, print the receipt."""
    made = [
        _shortcut(BACK, pane, back, local=False),
        _shortcut(NEW, pane, start_new, local=False),
    ]
    made += [_shortcut(keys, checklist_page, checklist_done, local=True) for keys in CHECKLIST_DONE]
    made.append(_shortcut(PRINT_RECEIPT, done_page, print_receipt, local=True))
    return made
