"""The dossier tab's look: its style sheets, read once from ``resources/styles/``."""

from __future__ import annotations

from functools import cache

from onestop_desk.resources import resource_path


@cache
def pane_sheet() -> str:
    """The pane's style sheet (``dossiers.qss``): filters, banner, the opened dossier, messages."""
    return resource_path("styles", "dossiers.qss").read_text(encoding="utf-8")


@cache
def dialog_sheet() -> str:
    """The action dialogs' own sheet (``dossier-dialogs.qss``): the error line and the hints."""
    return resource_path("styles", "dossier-dialogs.qss").read_text(encoding="utf-8")
