"""The reception's keyboard shortcuts: the pane's steps, the declaration's pages, Ctrl+S."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
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


def wizard_actions(
    wizard: QWidget, *, previous: Callable[[], object], following: Callable[[], object]
) -> tuple[QAction, QAction]:
    """The declaration's "previous step" (Alt+Left) and "next step" (Alt+Right, Ctrl+Enter)."""
    back = QAction(wizard.tr("Bước trước"), wizard)
    back.setShortcut(QKeySequence("Alt+Left"))
    forward = QAction(wizard.tr("Bước tiếp theo"), wizard)
    forward.setShortcuts(
        [QKeySequence("Alt+Right"), QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")]
    )
    for action in (back, forward):
        # The keys work wherever the focus is inside the form, not elsewhere in the window.
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        wizard.addAction(action)
    back.triggered.connect(previous)
    forward.triggered.connect(following)
    return back, forward


def save_action(summary: QWidget, save: Callable[[], object]) -> QAction:
    """The "save the dossier and print the slip" action on Ctrl+S, anywhere in the window."""
    action = QAction(summary.tr("Lưu hồ sơ và in phiếu hẹn"), summary)
    action.setShortcut(QKeySequence("Ctrl+S"))
    # Window-wide: Ctrl+S saves from the form or the checklist beside this panel.
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(save)
    summary.addAction(action)
    return action
