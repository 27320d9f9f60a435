"""The counter's look: its style sheet (``resources/styles/counter.qss``) and a few colours."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QColor

from onestop_desk.gui.widgets import load_style

# The preselected no-show is a suggestion: without focus its row shows pale, not alarm-blue.
# (A palette, not the sheet: a sheet rule for the selection would restyle the whole table.)
INACTIVE_HIGHLIGHT = QColor("#d6e6f5")
INACTIVE_HIGHLIGHTED_TEXT = QColor("#102a43")


@cache
def stylesheet() -> str:
    """The queue panel's style sheet, read once."""
    return load_style("counter.qss")
