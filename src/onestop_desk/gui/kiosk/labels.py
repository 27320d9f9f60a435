"""The kiosk's text widgets: the issued number drawn huge, labels wrapped in even lines."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QStyle, QStyleOptionFrame, QWidget

from onestop_desk.gui.kiosk import style
from onestop_desk.gui.kiosk.fitting import cached_balanced_width, shared_font
from onestop_desk.gui.widgets import bundled_font_family


class BigText(QWidget):
    """One line of text drawn as big as the widget allows (the issued number)."""

    def __init__(self, parent: QWidget | None = None, *, colour: str = style.BLUE) -> None:
        super().__init__(parent)
        self._text = ""
        self._colour = QColor(colour)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 - QLabel's name, so tests read alike
        self._text = text
        self.setAccessibleName(text)
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(400, 200)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        if not self._text:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        family = bundled_font_family()
        probe = QFontMetrics(shared_font(family, 100, bold=True)).tightBoundingRect(self._text)
        size = 100 * min(
            self.width() * 0.96 / max(1, probe.width()),
            self.height() * 0.9 / max(1, probe.height()),
        )
        font = shared_font(family, int(size), bold=True)
        ink = QFontMetrics(font).tightBoundingRect(self._text)
        x = (self.width() - ink.width()) / 2 - ink.left()
        y = (self.height() - ink.height()) / 2 - ink.top()
        painter.setFont(font)
        painter.setPen(self._colour)
        painter.drawText(round(x), round(y), self._text)
        painter.end()


class BalancedLabel(QLabel):
    """A wrapping label whose lines have even lengths: never one lone word on the last line.

    Qt wraps (and sizes the label) as usual; only the painting narrows the text to the
    smallest width that needs no more lines, so the label's height is never wrong.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        option = QStyleOptionFrame()
        self.initStyleOption(option)
        self.style().drawControl(QStyle.ControlElement.CE_ShapedFrame, option, painter, self)
        area = self.contentsRect().adjusted(
            self.margin(), self.margin(), -self.margin(), -self.margin()
        )
        text = self.text()
        if text and area.width() > 0:
            align = self.alignment()
            width = cached_balanced_width(self.font().toString(), text, area.width())
            if align & Qt.AlignmentFlag.AlignHCenter:
                left = area.left() + (area.width() - width) // 2
            elif align & Qt.AlignmentFlag.AlignRight:
                left = area.right() - width + 1
            else:
                left = area.left()
            painter.setFont(self.font())
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(
                QRect(left, area.top(), width, area.height()),
                int(align) | int(Qt.TextFlag.TextWordWrap),
                text,
            )
        painter.end()


def make_label(name: str, parent: QWidget, *, wrap: bool = True, centre: bool = True) -> QLabel:
    label = BalancedLabel(parent) if wrap else QLabel(parent)
    label.setObjectName(name)
    if centre:
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label
