"""The band on every kiosk screen: the center's name on two lines and the clock."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from onestop_desk.core.calendar import weekday_name
from onestop_desk.gui.kiosk import style
from onestop_desk.gui.kiosk.labels import make_label

# Center names read "Trung tâm ... xã Hòa Sơn": the commune or ward goes on a line of its own.
PLACE_WORDS = ("xã ", "phường ", "thị trấn ", "đặc khu ")


def split_center_name(name: str) -> tuple[str, str]:
    """('TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG', 'XÃ HÒA SƠN'), or ('', NAME) when it has no place."""
    name = " ".join(name.split())
    lowered = name.lower()
    cut = min((i for w in PLACE_WORDS if (i := lowered.find(" " + w)) > 0), default=-1)
    if cut < 0:
        return "", name.upper()
    return name[:cut].upper(), name[cut + 1 :].upper()


class Header(QFrame):
    """The center's name and the clock, on every screen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("header")
        self.center_line1 = make_label("centerLine1", self, centre=False)
        self.center_line2 = make_label("centerLine2", self, centre=False)
        self.clock_time = make_label("clockTime", self, wrap=False, centre=False)
        self.clock_date = make_label("clockDate", self, wrap=False, centre=False)
        for label in (self.clock_time, self.clock_date):
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.center_line1)
        names.addWidget(self.center_line2)
        clock = QVBoxLayout()
        clock.setSpacing(0)
        clock.addWidget(self.clock_time)
        clock.addWidget(self.clock_date)
        self._layout = QHBoxLayout(self)
        self._layout.addLayout(names, 1)
        self._layout.addLayout(clock, 0)
        self.set_center_name("")
        self.tick()

    def set_scale(self, scale: float) -> None:
        self._layout.setContentsMargins(
            style.px(28, scale), style.px(12, scale), style.px(28, scale), style.px(12, scale)
        )
        self._layout.setSpacing(style.px(24, scale))

    def set_center_name(self, name: str) -> None:
        line1, line2 = split_center_name(name)
        self.center_line1.setText(line1)
        self.center_line1.setVisible(bool(line1))
        self.center_line2.setText(line2)

    def center_name(self) -> str:
        return " ".join(t for t in (self.center_line1.text(), self.center_line2.text()) if t)

    def tick(self, now: datetime | None = None) -> None:
        now = now or datetime.now()
        time_text, date_text = f"{now:%H:%M}", f"{weekday_name(now)}, {now:%d/%m/%Y}"
        if time_text != self.clock_time.text():  # once a minute, not every second
            self.clock_time.setText(time_text)
            self.clock_date.setText(date_text)
