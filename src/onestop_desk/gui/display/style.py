"""The display's look: its dark, high-contrast palette and the bundled font it writes in.

The board paints itself (text fitted to its box, rounded panels), so it has no style sheet:
these colours are what its widgets paint with.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

from onestop_desk.gui.widgets import bundled_font_family

# Dark, high-contrast theme: light text on deep navy, ticket numbers in amber.
BACKGROUND = QColor("#07111f")
HEADER = QColor("#0c2c5a")
PANEL = QColor("#10213a")
PANEL_EDGE = QColor("#1d3a63")
TEXT = QColor("#ffffff")
MUTED = QColor("#a9bdd6")
ACCENT = QColor("#ffc62b")
ON_ACCENT = QColor("#1b1300")
IDLE_NUMBER = QColor("#4a6283")
ALERT = QColor("#c62828")


def display_font_family() -> str:
    """The bundled Noto Sans (full Vietnamese coverage), registered once per process."""
    return bundled_font_family()
