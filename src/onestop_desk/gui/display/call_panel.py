"""The big panel of the latest call: "MỜI SỐ A012 — ĐẾN QUẦY 3", blinking while it is new."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QStackedLayout, QWidget

from onestop_desk.gui.display.fitting import FitText, ignored, spacer, vbox
from onestop_desk.gui.display.panels import Panel
from onestop_desk.gui.display.style import ACCENT, MUTED, ON_ACCENT, PANEL, TEXT

BLINK_HALF_PERIOD_MS = 500


class CallPanel(Panel):
    """The latest call, big: "MỜI SỐ A012 — ĐẾN QUẦY 3"; blinks while it is new."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(fill=PANEL, edge=ACCENT, radius=0.04, parent=parent)
        self.edge_width = 5.0
        center = Qt.AlignmentFlag.AlignHCenter
        self.ticket_caption = FitText(self.tr("MỜI SỐ"), color=MUTED, bold=True, align=center)
        self.ticket = FitText(color=ACCENT, bold=True, align=center, caps_only=True)
        self.counter_caption = FitText(self.tr("ĐẾN QUẦY"), color=MUTED, bold=True, align=center)
        self.counter = FitText(color=ACCENT, bold=True, align=center, caps_only=True)
        self.ticket.share_size_with(self.counter)
        self.ticket_caption.share_size_with(self.counter_caption)
        self.welcome = FitText(
            self.tr("KÍNH CHÀO QUÝ KHÁCH"), color=TEXT, bold=True, align=center, fill=0.8
        )
        self.welcome_hint = FitText(
            self.tr("Mời quý khách lấy số thứ tự và chờ đến lượt"),
            color=MUTED,
            align=center,
            fill=0.8,
        )

        self._call_page = QWidget(self)
        ignored(self._call_page)
        ticket_col = QWidget(self._call_page)
        ignored(ticket_col)
        counter_col = QWidget(self._call_page)
        ignored(counter_col)
        self.ticket_column = vbox(ticket_col, (self.ticket_caption, 16), (self.ticket, 60))
        self.counter_column = vbox(counter_col, (self.counter_caption, 16), (self.counter, 60))
        self.call_row = QHBoxLayout(self._call_page)
        self.call_row.setContentsMargins(0, 0, 0, 0)
        self.call_row.addWidget(ticket_col, 62)
        self.call_row.addWidget(counter_col, 38)

        self._idle_page = QWidget(self)
        ignored(self._idle_page)
        self.idle_column = vbox(
            self._idle_page,
            (spacer(), 10),
            (self.welcome, 30),
            (self.welcome_hint, 18),
            (spacer(), 10),
        )

        self.idle_column.setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedLayout(self)
        self.pages.addWidget(self._idle_page)
        self.pages.addWidget(self._call_page)

        self._blink = QTimer(self)
        self._blink.setInterval(BLINK_HALF_PERIOD_MS)
        self._blink.timeout.connect(self._toggle)
        self._lit = False
        self._blink_until = 0.0
        self._hold = False
        self._paint_state()

    def show_call(self, display: str, counter: int) -> None:
        self.ticket.setText(display)
        self.counter.setText(str(counter))
        self.pages.setCurrentWidget(self._call_page)

    def show_idle(self) -> None:
        self.stop_blinking()
        self.ticket.setText("")
        self.counter.setText("")
        self.pages.setCurrentWidget(self._idle_page)

    def shown_call(self) -> tuple[str, int] | None:
        """The (ticket, counter) on the panel, None when it greets instead."""
        if self.pages.currentWidget() is not self._call_page:
            return None
        return self.ticket.text(), int(self.counter.text())

    def blink(self, min_ms: int, *, hold: bool = False) -> None:
        """Blink for at least ``min_ms``, and longer while ``hold`` (the call is being spoken)."""
        self._blink_until = time.monotonic() + min_ms / 1000
        self._hold = hold
        if not self._blink.isActive():
            self._lit = True
            self._paint_state()
            self._blink.start()

    def release(self) -> None:
        """The call has been spoken: blink on only until its minimum time is up."""
        self._hold = False

    def stop_blinking(self) -> None:
        self._blink.stop()
        self._hold = False
        self._lit = False
        self._paint_state()

    def is_blinking(self) -> bool:
        return self._blink.isActive()

    def is_lit(self) -> bool:
        """True while the panel is in its bright (filled amber) phase."""
        return self._lit

    def _toggle(self) -> None:
        if not self._hold and time.monotonic() >= self._blink_until and not self._lit:
            self._blink.stop()  # ends on the calm phase: dark panel, amber edge and digits
            return
        self._lit = not self._lit
        self._paint_state()

    def _paint_state(self) -> None:
        if self._lit:
            self.set_colors(ACCENT, ACCENT)
            digits, captions = ON_ACCENT, ON_ACCENT
        else:
            self.set_colors(PANEL, ACCENT)
            digits, captions = ACCENT, MUTED
        self.ticket.setColor(digits)
        self.counter.setColor(digits)
        self.ticket_caption.setColor(captions)
        self.counter_caption.setColor(captions)
