"""The kiosk's big touch tiles and the grid that lays them out to fit the screen."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QAbstractButton, QSizePolicy, QWidget

from onestop_desk.gui.kiosk import style
from onestop_desk.gui.kiosk.fitting import cached_balanced_width, fitted_font, shared_font
from onestop_desk.gui.widgets import bundled_font_family


def _mix(colour: QColor, other: QColor, amount: float) -> QColor:
    """``colour`` moved ``amount`` (0-1) of the way towards ``other``."""
    return QColor(
        round(colour.red() + (other.red() - colour.red()) * amount),
        round(colour.green() + (other.green() - colour.green()) * amount),
        round(colour.blue() + (other.blue() - colour.blue()) * amount),
    )


class TileButton(QAbstractButton):
    """A big touch tile: a title that wraps and shrinks to fit, a detail line, a letter badge."""

    def __init__(
        self,
        title: str,
        *,
        colour: QColor,
        detail: str = "",
        badge: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setText(title)
        self._colour = QColor(colour)
        self._detail = detail
        self._badge = badge
        self._busy_text = ""
        self.scale = 1.0
        #: The grid's common title size, so neighbouring tiles match (0: fit alone).
        self.title_px = 0
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(title)

    def detail(self) -> str:
        return self._detail

    def set_detail(self, detail: str) -> None:
        if detail != self._detail:
            self._detail = detail
            self.update()

    def busy_text(self) -> str:
        return self._busy_text

    def set_busy_text(self, text: str) -> None:
        """Shown instead of the detail while this tile's ticket is being issued."""
        if text != self._busy_text:
            self._busy_text = text
            self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(320, 140)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(120, style.MIN_TARGET_PX)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        family = bundled_font_family()
        busy = bool(self._busy_text)
        if not self.isEnabled() and not busy:
            painter.setOpacity(0.45)
        shadow = max(2.0, 4 * self.scale)
        card = self._card()
        radius = min(card.height(), card.width()) * 0.11
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(16, 36, 62, 34))
        painter.drawRoundedRect(card.translated(0, shadow), radius, radius)
        white = QColor("white")
        pressed = self.isDown() or busy
        painter.setBrush(_mix(self._colour, white, 0.82) if pressed else white)
        painter.setPen(QPen(_mix(self._colour, white, 0.45), max(2.0, 2.5 * self.scale)))
        painter.drawRoundedRect(card, radius, radius)

        badge, text_box, wide = self._boxes(card)
        if badge is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self._colour)
            painter.drawEllipse(badge)
            painter.setPen(white)
            painter.setFont(shared_font(family, round(badge.height() * 0.56), bold=True))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, self._badge)
        else:
            pad = text_box.top() - card.top()
            strip = max(6.0, 10 * self.scale)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self._colour)
            painter.drawRoundedRect(
                QRectF(card.left() + pad * 0.6, card.top() + pad, strip, card.height() - 2 * pad),
                strip / 2,
                strip / 2,
            )
        self._paint_text(painter, family, text_box, centred=not wide)
        painter.end()

    def _card(self) -> QRectF:
        shadow = max(2.0, 4 * self.scale)
        return QRectF(self.rect()).adjusted(2, 2, -2, -2 - shadow)

    def _boxes(self, card: QRectF) -> tuple[QRectF | None, QRectF, bool]:
        """The badge's circle (if any), the text's box, and whether the tile is laid out wide."""
        wide = card.width() >= card.height() * 2.0
        pad = min(card.height(), card.width()) * (0.13 if wide else 0.09)
        inner = card.adjusted(pad, pad, -pad, -pad)
        if not self._badge:
            strip = max(6.0, 10 * self.scale)
            return None, inner.adjusted(strip + pad * 0.4, 0, 0, 0), wide
        if wide:
            size = min(inner.height() * 0.72, inner.width() * 0.26)
            badge = QRectF(inner.left(), inner.center().y() - size / 2, size, size)
            return badge, inner.adjusted(size + pad, 0, 0, 0), wide
        size = min(inner.width() * 0.36, inner.height() * 0.3)
        badge = QRectF(inner.center().x() - size / 2, inner.top(), size, size)
        return badge, inner.adjusted(0, size + pad * 0.8, 0, 0), wide

    def _detail_font(self, family: str, box: QRectF) -> tuple[QFont, float, float]:
        """The detail line's font, its height and the gap above it (zeros without a detail)."""
        detail = self._busy_text or self._detail
        if not detail:
            return shared_font(family, 10), 0.0, 0.0
        pixels = round(min(max(16, box.height() * 0.17), 26 * self.scale))
        bold = bool(self._busy_text)
        # Narrow tiles (the demo's small window): the line shrinks rather than being cut.
        while pixels > 11 and QFontMetrics(
            shared_font(family, pixels, bold=bold)
        ).horizontalAdvance(detail) > int(box.width()):
            pixels -= 1
        font = shared_font(family, pixels, bold=bold)
        return font, float(QFontMetrics(font).height()), pixels * 0.45

    def natural_title_px(self) -> int:
        """The biggest title size this tile could show at its current size."""
        family = bundled_font_family()
        _, box, _ = self._boxes(self._card())
        _, detail_height, gap = self._detail_font(family, box)
        largest = round(min(box.height() * 0.4, 42 * self.scale))
        height = box.height() - detail_height - gap
        return fitted_font(family, self.text(), box.width(), height, largest).pixelSize()

    def _paint_text(self, painter: QPainter, family: str, box: QRectF, *, centred: bool) -> None:
        detail = self._busy_text or self._detail
        detail_font, detail_height, gap = self._detail_font(family, box)
        detail_metrics = QFontMetrics(detail_font)
        natural = self.natural_title_px()
        title_font = shared_font(family, min(natural, self.title_px or natural), bold=True)
        flags = int(Qt.TextFlag.TextWordWrap)
        align = Qt.AlignmentFlag.AlignHCenter if centred else Qt.AlignmentFlag.AlignLeft
        title_width = cached_balanced_width(title_font.toString(), self.text(), int(box.width()))
        title_box = QFontMetrics(title_font).boundingRect(
            QRect(0, 0, title_width, 100_000), flags | int(align), self.text()
        )
        block = title_box.height() + gap + detail_height
        top = box.top() + max(0.0, (box.height() - block) / 2)
        left = box.left() + ((box.width() - title_width) / 2 if centred else 0)
        painter.setFont(title_font)
        painter.setPen(QColor(style.INK))
        painter.drawText(
            QRectF(left, top, title_width, title_box.height()),
            flags | int(align | Qt.AlignmentFlag.AlignTop),
            self.text(),
        )
        if detail:
            painter.setFont(detail_font)
            painter.setPen(QColor(style.BLUE if self._busy_text else style.MUTED))
            text = detail_metrics.elidedText(detail, Qt.TextElideMode.ElideRight, int(box.width()))
            painter.drawText(
                QRectF(box.left(), top + title_box.height() + gap, box.width(), detail_height),
                int(align | Qt.AlignmentFlag.AlignVCenter),
                text,
            )


def choose_columns(count: int, width: float, height: float, gap: float, aspect: float) -> int:
    """The column count giving the biggest tiles of about ``aspect`` (width/height) that fit."""
    best, best_size = 1, -1.0
    for columns in range(1, max(1, count) + 1):
        rows = math.ceil(count / columns)
        cell_w = (width - gap * (columns - 1)) / columns
        cell_h = (height - gap * (rows - 1)) / rows
        size = min(cell_w, cell_h * aspect)
        if size > best_size + 0.5:
            best, best_size = columns, size
    return best


class TileGrid(QWidget):
    """Lays tiles out in as many columns as makes them biggest; short last rows are centred."""

    def __init__(self, parent: QWidget | None = None, *, aspect: float = 2.0) -> None:
        super().__init__(parent)
        self._tiles: list[TileButton] = []
        self._aspect = aspect
        self.scale = 1.0
        self.columns = 1
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def tiles(self) -> list[TileButton]:
        return list(self._tiles)

    def set_tiles(self, tiles: Sequence[TileButton]) -> None:
        for old in self._tiles:
            old.hide()
            old.setParent(None)
            old.deleteLater()
        self._tiles = list(tiles)
        for tile in self._tiles:
            tile.setParent(self)
            tile.scale = self.scale
            tile.show()
        self._relayout()

    def set_scale(self, scale: float) -> None:
        self.scale = scale
        for tile in self._tiles:
            tile.scale = scale
            tile.update()
        self._relayout()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(200, style.min_target(self.scale))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._relayout()

    def _relayout(self) -> None:
        count = len(self._tiles)
        if not count:
            return
        width, height = self.width(), self.height()
        gap = style.px(20, self.scale)
        columns = choose_columns(count, width, height, gap, self._aspect)
        rows = math.ceil(count / columns)
        cell_w = (width - gap * (columns - 1)) / columns
        cell_h = (height - gap * (rows - 1)) / rows
        # Few tiles on a big screen: keep them tile-shaped rather than tall columns.
        tile_h = max(style.min_target(self.scale), min(cell_h, cell_w))
        top = max(0.0, (height - (rows * tile_h + (rows - 1) * gap)) / 2)
        self.columns = columns
        for index, tile in enumerate(self._tiles):
            row, column = divmod(index, columns)
            in_row = min(columns, count - row * columns)
            left = (width - (in_row * cell_w + (in_row - 1) * gap)) / 2
            x = left + column * (cell_w + gap)
            y = top + row * (tile_h + gap)
            # Edges rounded, not sizes: neighbours keep their gap and the last edge stays inside.
            x0, y0 = math.floor(x), math.floor(y)
            tile.setGeometry(x0, y0, math.floor(x + cell_w) - x0, math.floor(y + tile_h) - y0)
        self._match_titles()

    def refit(self) -> None:
        """Size the titles again (after a tile's text changed)."""
        if self._tiles:
            self._match_titles()

    def _match_titles(self) -> None:
        """One title size for all tiles: the size the longest ordinary name allows.

        A name far longer than the next (at most two such outliers) shrinks on its own tile
        rather than shrinking them all.
        """
        ordered = sorted(tile.natural_title_px() for tile in self._tiles)
        common = ordered[0]
        for index in range(min(2, len(ordered) - 1)):
            if ordered[index] >= ordered[index + 1] * 0.8:
                break
            common = ordered[index + 1]
        for tile in self._tiles:
            tile.title_px = common
            tile.update()
