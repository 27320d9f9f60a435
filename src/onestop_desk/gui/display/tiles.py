"""A counter's tile on the board: its name and the number it is serving."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from onestop_desk.gui.display.fitting import FitText, vbox
from onestop_desk.gui.display.panels import Panel
from onestop_desk.gui.display.style import ACCENT, IDLE_NUMBER, ON_ACCENT, PANEL, PANEL_EDGE, TEXT


class CounterTile(Panel):
    """One counter: its name and the number it is serving ("—" when it has none)."""

    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self.number = number
        self.name = FitText(color=TEXT, bold=True, align=Qt.AlignmentFlag.AlignHCenter, fill=0.72)
        self.ticket = FitText(
            "—",
            color=IDLE_NUMBER,
            bold=True,
            align=Qt.AlignmentFlag.AlignHCenter,
            caps_only=True,
            size_like="A000",
        )
        self.ticket.setContentsMargins(0, 0, 0, 0)
        self.layout_ = vbox(self, (self.name, 24), (self.ticket, 76))
        self.band = PANEL_EDGE
        self._latest = False

    def band_bottom(self) -> float:
        return float(self.name.geometry().bottom() + 1)

    def show_counter(self, name: str, display: str | None) -> None:
        self.name.setText(name.upper())
        self.ticket.setText(display or "—")
        self.ticket.setColor(ACCENT if display else IDLE_NUMBER)

    def set_latest(self, latest: bool) -> None:
        """Mark the counter whose call is on the big panel (amber band and edge)."""
        self._latest = latest
        self.band = ACCENT if latest else PANEL_EDGE
        self.name.setColor(ON_ACCENT if latest else TEXT)
        self.set_colors(PANEL, ACCENT if latest else PANEL_EDGE)
        self.update()

    def is_latest(self) -> bool:
        return self._latest
