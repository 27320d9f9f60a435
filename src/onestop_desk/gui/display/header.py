"""The board's header: the center's name on the left, the weekday, date and clock on the right."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHBoxLayout, QWidget

from onestop_desk.gui.display.fitting import FitText, spacer, vbox
from onestop_desk.gui.display.panels import Panel
from onestop_desk.gui.display.style import ACCENT, HEADER, TEXT


def weekday_name(day: date) -> str:
    names = (
        QCoreApplication.translate("DisplayWindow", "Thứ Hai"),
        QCoreApplication.translate("DisplayWindow", "Thứ Ba"),
        QCoreApplication.translate("DisplayWindow", "Thứ Tư"),
        QCoreApplication.translate("DisplayWindow", "Thứ Năm"),
        QCoreApplication.translate("DisplayWindow", "Thứ Sáu"),
        QCoreApplication.translate("DisplayWindow", "Thứ Bảy"),
        QCoreApplication.translate("DisplayWindow", "Chủ Nhật"),
    )
    return names[day.weekday()]


class BoardHeader(Panel):
    """The band across the top of the board; the window sets its margins for the screen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(fill=HEADER, radius=0.12, parent=parent)
        right = Qt.AlignmentFlag.AlignRight
        self.title = FitText(color=TEXT, bold=True, fill=0.66)
        self.clock = FitText(color=TEXT, bold=True, align=right, caps_only=True, fill=0.52)
        self.weekday_label = FitText(color=ACCENT, bold=True, align=right, fill=0.9)
        self.date_label = FitText(color=ACCENT, bold=True, align=right, fill=0.9)
        self.weekday_label.share_size_with(self.date_label)
        date_box = QWidget()
        vbox(
            date_box, (spacer(), 6), (self.weekday_label, 40), (self.date_label, 40), (spacer(), 6)
        )
        clock_box = QWidget()
        clock_row = QHBoxLayout(clock_box)
        clock_row.setContentsMargins(0, 0, 0, 0)
        clock_row.addWidget(date_box, 36)
        clock_row.addWidget(self.clock, 64)
        self.clock_row = clock_row
        self.row = QHBoxLayout(self)
        self.row.addWidget(self.title, 66)
        self.row.addWidget(clock_box, 34)

    def show_time(self, now: datetime) -> None:
        """The clock (to the second), the weekday and the date of ``now``."""
        self.clock.setText(f"{now:%H:%M:%S}")
        self.weekday_label.setText(weekday_name(now.date()))
        self.date_label.setText(f"{now:%d/%m/%Y}")
