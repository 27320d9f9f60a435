"""The dossier tab's keys: Alt+1… for the piles, Alt+0 for the banner, Ctrl+F, Ctrl+P."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from onestop_desk.gui.dossiers.filters import FILTERS
from onestop_desk.services.dossier_list import DossierFilter


@dataclass(frozen=True)
class DossierShortcuts:
    """The tab's shortcuts; the pane connects what they do."""

    #: Alt+1… : one per pile, in the filter bar's order.
    filters: dict[DossierFilter, QShortcut]
    #: Ctrl+F: to the search box.
    search: QShortcut
    #: Ctrl+P: open the paper offered after an action.
    offered_paper: QShortcut
    #: Alt+0: the dossiers about to be late, or back to the list.
    soon_late: QShortcut


def _shortcut(pane: QWidget, keys: str) -> QShortcut:
    shortcut = QShortcut(QKeySequence(keys), pane)
    # Only while the focus is in the tab: Alt+1 means something else on the other tabs.
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    return shortcut


def create_shortcuts(pane: QWidget) -> DossierShortcuts:
    """The shortcuts, made on ``pane`` so they work wherever the focus is in the tab."""
    filters = {which: _shortcut(pane, f"Alt+{n}") for n, which in enumerate(FILTERS, start=1)}
    return DossierShortcuts(
        filters=filters,
        search=_shortcut(pane, "Ctrl+F"),
        offered_paper=_shortcut(pane, "Ctrl+P"),
        soon_late=_shortcut(pane, "Alt+0"),
    )
