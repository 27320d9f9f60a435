"""Text that fills its box, and the layout helpers every part of the board is built with.

Every size is a share of the window (layouts with stretch factors, text fitted to its box), so
one layout reads as well on a 1920×1080 TV as on a 1366×768 one.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from onestop_desk.gui.display.style import TEXT, display_font_family


def ignored(widget: QWidget) -> None:
    """Let the layout alone size ``widget`` (its stretch factor, never its content)."""
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
        ignored(self)
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


def spacer() -> QWidget:
    """Empty room that takes its share of a layout."""
    widget = QWidget()
    ignored(widget)
    return widget


def vbox(parent: QWidget, *items: tuple[QWidget, int]) -> QVBoxLayout:
    """A vertical layout of ``(widget, stretch)`` pairs; margins are set by the window."""
    layout = QVBoxLayout(parent)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    for widget, stretch in items:
        layout.addWidget(widget, stretch)
    return layout
