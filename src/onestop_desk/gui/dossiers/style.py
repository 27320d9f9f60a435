"""The dossier tab's look: its style sheets, read once from ``resources/styles/``."""

from __future__ import annotations

from functools import cache

from onestop_desk.gui.widgets import load_style


@cache
def pane_sheet() -> str:
    """The pane's style sheet (``dossiers.qss``): filters, banner, the opened dossier, messages."""
    return load_style("dossiers.qss")


@cache
def dialog_sheet() -> str:
    """The action dialogs' own sheet (``dossier-dialogs.qss``): the error line and the hints."""
    return load_style("dossier-dialogs.qss")
