"""The display's building blocks: text that fills its box, panels, counter tiles, the call panel.

Every size is a share of the window (layouts with stretch factors, text fitted to its box), so
one layout reads as well on a 1920×1080 TV as on a 1366×768 one.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QSizePolicy,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.resources import resource_path

log = logging.getLogger("onestop.gui.display")

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

BLINK_HALF_PERIOD_MS = 500
_FONT_FILES = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf")
_family: str | None = None


def display_font_family() -> str:
    """The bundled Noto Sans (full Vietnamese coverage), registered once per process."""
    global _family  # noqa: PLW0603 - the font database is process-wide too
    if _family is None:
        families: list[str] = []
        for name in _FONT_FILES:
            font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts", name)))
            if font_id < 0:
                log.warning("bundled font %s could not be loaded", name)
            else:
                families += QFontDatabase.applicationFontFamilies(font_id)
        _family = families[0] if families else QFont().family()
    return _family


def _ignored(widget: QWidget) -> None:
    # Sizes come from the layouts' stretch factors, never from the text: no layout feedback.
    widget.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
    widget.setMinimumSize(0, 0)


@dataclass(frozen=True)
class _Fitted:
    font: QFont
    text: str
    baseline: float


class FitText(QWidget):
    """One line of text as large as its box allows (or elided, for names in a list)."""

    def __init__(
        self,
        text: str = "",
        *,
        color: QColor = TEXT,
        bold: bool = False,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        fill: float = 1.0,
        caps_only: bool = False,
        elide: bool = False,
        size_like: str = "",
        parent: QWidget | None = None,
    ) -> None:
        """``fill`` is the share of the box height the line takes; ``caps_only`` sizes the text
        by its capital height (ticket numbers: no accents, no descenders, so they can be bigger);
        a shorter text than ``size_like`` (a dash for "none") is drawn at that text's size.
        """
        super().__init__(parent)
        _ignored(self)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self._text = text
        self._color = QColor(color)
        self._bold = bold
        self._align = align
        self._fill = fill
        self._caps_only = caps_only
        self._elide = elide
        self._size_like = size_like
        self.max_px = 0  # an upper bound on the size, 0 for none
        self._cache: tuple[tuple[str, int, int, int], _Fitted] | None = None
        self._size_cache: tuple[tuple[str, int, int, int], int] | None = None
        self._group: list[FitText] = []

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's naming, like QLabel
        if text != self._text:
            self._text = text
            self.update()
            for member in self._group:
                member.update()

    def color(self) -> QColor:
        return QColor(self._color)

    def setColor(self, color: QColor) -> None:  # noqa: N802
        if color != self._color:
            self._color = QColor(color)
            self.update()

    def pixel_size(self) -> int:
        """The font's pixel size at the current widget size (0 when nothing is shown)."""
        fitted = self._fitted()
        return fitted.font.pixelSize() if fitted else 0

    def shown_text(self) -> str:
        """The text as painted (elided when the box is too narrow)."""
        fitted = self._fitted()
        return fitted.text if fitted else ""

    def share_size_with(self, *others: FitText) -> None:
        """Draw this text and ``others`` at one size, the largest that fits every one of them."""
        group = [self, *others]
        for member in group:
            member._group = group

    def _base_font(self, size: int) -> QFont:
        font = QFont(display_font_family())
        font.setBold(self._bold)
        font.setPixelSize(size)
        return font

    def _natural_size(self) -> int:
        """The largest pixel size at which the text fits the box (by height only when eliding)."""
        rect = self.contentsRect()
        if not self._text or rect.width() <= 0 or rect.height() <= 0:
            return 0
        key = (self._text, rect.width(), rect.height(), self.max_px)
        if self._size_cache is not None and self._size_cache[0] == key:
            return self._size_cache[1]
        metrics = QFontMetricsF(self._base_font(100))
        per_px = (metrics.capHeight() if self._caps_only else metrics.height()) / 100
        size = max(1, int(rect.height() * self._fill / per_px))
        if self.max_px:
            size = min(size, self.max_px)
        if not self._elide:
            font = self._base_font(size)
            sample = max(self._text, self._size_like, key=QFontMetricsF(font).horizontalAdvance)
            width = QFontMetricsF(font).horizontalAdvance(sample)
            if width > rect.width():
                size = max(1, int(size * rect.width() / width))
                font.setPixelSize(size)
                while size > 1 and QFontMetricsF(font).horizontalAdvance(sample) > rect.width():
                    size -= 1
                    font.setPixelSize(size)
        self._size_cache = (key, size)
        return size

    def _fitted(self) -> _Fitted | None:
        size = self._natural_size()
        if size == 0:
            return None
        for member in self._group:
            other = member._natural_size()  # 0 for an empty member: it does not constrain
            if other:
                size = min(size, other)
        rect = self.contentsRect()
        key = (self._text, rect.width(), rect.height(), size)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        font = self._base_font(size)
        metrics = QFontMetricsF(font)
        text = self._text
        if self._elide and metrics.horizontalAdvance(text) > rect.width():
            text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        if self._caps_only and not any(c.isalnum() for c in text):
            tight = metrics.tightBoundingRect(text)  # a dash for "none": centre the dash itself
            baseline = rect.top() + (rect.height() - tight.height()) / 2 - tight.top()
        elif self._caps_only:
            baseline = rect.top() + (rect.height() + metrics.capHeight()) / 2
        else:
            line = metrics.ascent() + metrics.descent()
            baseline = rect.top() + (rect.height() - line) / 2 + metrics.ascent()
        fitted = _Fitted(font, text, baseline)
        self._cache = (key, fitted)
        return fitted

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        fitted = self._fitted()
        if fitted is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setFont(fitted.font)
        painter.setPen(self._color)
        rect = self.contentsRect()
        width = QFontMetricsF(fitted.font).horizontalAdvance(fitted.text)
        if self._align & Qt.AlignmentFlag.AlignHCenter:
            x = rect.left() + (rect.width() - width) / 2
        elif self._align & Qt.AlignmentFlag.AlignRight:
            x = rect.right() + 1 - width
        else:
            x = rect.left()
        painter.drawText(QPointF(x, fitted.baseline), fitted.text)
        painter.end()


class Panel(QWidget):
    """A rounded box with a fill and an optional edge, its corners scaled with its size."""

    def __init__(
        self,
        *,
        fill: QColor = PANEL,
        edge: QColor | None = None,
        radius: float = 0.045,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        _ignored(self)
        self._fill = QColor(fill)
        self._edge = QColor(edge) if edge is not None else None
        self._radius = radius
        self.edge_width = 3.0
        self.band: QColor | None = None  # a strip across the top, down to ``band_bottom()``

    def set_colors(self, fill: QColor, edge: QColor | None = None) -> None:
        edge = QColor(edge) if edge is not None else None
        if fill != self._fill or edge != self._edge:
            self._fill = QColor(fill)
            self._edge = edge
            self.update()

    def fill(self) -> QColor:
        return QColor(self._fill)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect())
        radius = min(rect.width(), rect.height()) * self._radius + 4
        if self._edge is not None:
            pen = QPen(self._edge, self.edge_width)
            half = self.edge_width / 2
            rect = rect.adjusted(half, half, -half, -half)
            painter.setPen(pen)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._fill)
        painter.drawRoundedRect(rect, radius, radius)
        if self.band is not None:
            outline = QPainterPath()
            outline.addRoundedRect(rect, radius, radius)
            painter.setClipPath(outline)
            painter.fillRect(QRectF(0, 0, self.width(), self.band_bottom()), self.band)
            painter.setClipping(False)
            if self._edge is not None:  # the edge over the band, so the corners stay clean
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(rect, radius, radius)
        painter.end()

    def band_bottom(self) -> float:
        return 0.0


def spacer() -> QWidget:
    """Empty room that takes its share of a layout."""
    widget = QWidget()
    _ignored(widget)
    return widget


def vbox(parent: QWidget, *items: tuple[QWidget, int]) -> QVBoxLayout:
    """A vertical layout of ``(widget, stretch)`` pairs; margins are set by the window."""
    layout = QVBoxLayout(parent)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    for widget, stretch in items:
        layout.addWidget(widget, stretch)
    return layout


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
        _ignored(self._call_page)
        ticket_col = QWidget(self._call_page)
        _ignored(ticket_col)
        counter_col = QWidget(self._call_page)
        _ignored(counter_col)
        self.ticket_column = vbox(ticket_col, (self.ticket_caption, 16), (self.ticket, 60))
        self.counter_column = vbox(counter_col, (self.counter_caption, 16), (self.counter, 60))
        self.call_row = QHBoxLayout(self._call_page)
        self.call_row.setContentsMargins(0, 0, 0, 0)
        self.call_row.addWidget(ticket_col, 62)
        self.call_row.addWidget(counter_col, 38)

        self._idle_page = QWidget(self)
        _ignored(self._idle_page)
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


class ListPanel(Panel):
    """A captioned panel of rows, each a name on the left and a value on the right."""

    def __init__(
        self,
        caption: str,
        rows: int,
        *,
        name_color: QColor = TEXT,
        value_color: QColor = TEXT,
        name_share: int = 50,
        value_share: int = 50,
        elide_names: bool = False,
        placeholder: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent=parent)
        self.placeholder = FitText(placeholder, color=MUTED, fill=0.84)
        self.caption = FitText(caption, color=MUTED, bold=True, fill=0.85)
        self.caption_value = FitText(
            color=MUTED, bold=True, align=Qt.AlignmentFlag.AlignRight, fill=0.85
        )
        self._name_color = name_color
        self._value_color = value_color
        self._shares = (name_share, value_share)
        self._elide = elide_names
        head = QWidget(self)
        _ignored(head)
        self.head_row = QHBoxLayout(head)
        self.head_row.setContentsMargins(0, 0, 0, 0)
        self.head_row.addWidget(self.caption, 60)
        self.head_row.addWidget(self.caption_value, 40)
        self.column = vbox(self, (head, 12))
        self._body = QWidget(self)
        _ignored(self._body)
        rows_page = QWidget(self._body)
        _ignored(rows_page)
        self.rows_column = vbox(rows_page)
        empty_page = QWidget(self._body)
        _ignored(empty_page)
        vbox(empty_page, (self.placeholder, 10), (spacer(), 30))
        self._pages = QStackedLayout(self._body)
        self._pages.addWidget(rows_page)
        self._pages.addWidget(empty_page)
        self.column.addWidget(self._body, 10 * rows)
        self.names: list[FitText] = []
        self.values: list[FitText] = []
        self._max_text_px = 0
        self._row_widgets: list[QWidget] = []
        self.set_row_count(rows)

    def set_row_count(self, rows: int) -> None:
        if rows == len(self.names):
            return
        for widget in self._row_widgets:
            self.rows_column.removeWidget(widget)
            widget.deleteLater()
        self._row_widgets.clear()
        self.names.clear()
        self.values.clear()
        for _ in range(rows):
            row = QWidget(self)
            _ignored(row)
            layout = QHBoxLayout(row)
            layout.setContentsMargins(0, 0, 0, 0)
            name = FitText(color=self._name_color, bold=True, fill=0.95, elide=self._elide)
            value = FitText(
                color=self._value_color, bold=True, align=Qt.AlignmentFlag.AlignRight, fill=0.95
            )
            layout.addWidget(name, self._shares[0])
            layout.addWidget(value, self._shares[1])
            self.rows_column.addWidget(row, 10)
            self._row_widgets.append(row)
            self.names.append(name)
            self.values.append(value)
        self.column.setStretchFactor(self._body, 10 * max(1, rows))
        for label in (*self.names, *self.values):
            label.max_px = self._max_text_px

    def show_placeholder(self, shown: bool) -> None:
        """The placeholder instead of the rows (nothing to list yet)."""
        self._pages.setCurrentIndex(1 if shown and self.placeholder.text() else 0)

    def placeholder_shown(self) -> bool:
        return self._pages.currentIndex() == 1

    def rows(self) -> list[tuple[str, str]]:
        """What the rows show now, empty rows left out."""
        return [
            (n.text(), v.text()) for n, v in zip(self.names, self.values, strict=True) if n.text()
        ]

    def rescale(self, unit: float, max_text_px: int = 0) -> None:
        """Margins for the window's scale; row text no larger than ``max_text_px``."""
        self._max_text_px = max_text_px
        for label in (*self.names, *self.values, self.placeholder):
            label.max_px = max_text_px
        pad = round(22 * unit)
        self.column.setContentsMargins(pad, round(14 * unit), pad, round(14 * unit))
        for widget in self._row_widgets:
            layout = widget.layout()
            if layout is not None:
                layout.setSpacing(round(16 * unit))
        self.rows_column.setContentsMargins(0, 0, 0, 0)
