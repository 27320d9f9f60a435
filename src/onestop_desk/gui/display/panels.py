"""The board's boxes: a rounded panel, and the captioned lists of the side column."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QHBoxLayout, QStackedLayout, QWidget

from onestop_desk.gui.display.fitting import FitText, ignored, spacer, vbox
from onestop_desk.gui.display.style import MUTED, PANEL, TEXT


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
        ignored(self)
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
        ignored(head)
        self.head_row = QHBoxLayout(head)
        self.head_row.setContentsMargins(0, 0, 0, 0)
        self.head_row.addWidget(self.caption, 60)
        self.head_row.addWidget(self.caption_value, 40)
        self.column = vbox(self, (head, 12))
        self._body = QWidget(self)
        ignored(self._body)
        rows_page = QWidget(self._body)
        ignored(rows_page)
        self.rows_column = vbox(rows_page)
        empty_page = QWidget(self._body)
        ignored(empty_page)
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
            ignored(row)
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
