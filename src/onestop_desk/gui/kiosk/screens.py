"""The kiosk's screens and touch widgets: big tiles in a grid that adapts to the screen."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from PySide6.QtCore import QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionFrame,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.core.calendar import weekday_name
from onestop_desk.core.ticket import PriorityReason, priority_label
from onestop_desk.gui.kiosk import style
from onestop_desk.gui.kiosk.data import KioskHome
from onestop_desk.gui.widgets import bundled_font_family
from onestop_desk.services.queue import TicketInfo

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


@lru_cache(maxsize=1024)
def _font(family: str, pixels: int, *, bold: bool = False) -> QFont:
    """A shared font (callers must not change it): tiles repaint often, fonts rarely change."""
    font = QFont(family)
    font.setPixelSize(max(8, pixels))
    font.setBold(bold)
    return font


def _mix(colour: QColor, other: QColor, amount: float) -> QColor:
    """``colour`` moved ``amount`` (0-1) of the way towards ``other``."""
    return QColor(
        round(colour.red() + (other.red() - colour.red()) * amount),
        round(colour.green() + (other.green() - colour.green()) * amount),
        round(colour.blue() + (other.blue() - colour.blue()) * amount),
    )


def _fits(font: QFont, text: str, width: float, height: float, max_lines: int) -> bool:
    metrics = QFontMetrics(font)
    if any(metrics.horizontalAdvance(word) > width for word in text.split()):
        return False  # a word that would be broken in the middle
    flags = int(Qt.TextFlag.TextWordWrap)
    box = metrics.boundingRect(QRect(0, 0, max(1, int(width)), 100_000), flags, text)
    return box.height() <= height and box.height() <= metrics.lineSpacing() * max_lines + 1


@lru_cache(maxsize=1024)
def _largest_fit(
    family: str, text: str, width: float, height: float, *, largest: int, lines: int
) -> int:
    low, high = 10, max(10, largest)
    while low < high:
        middle = (low + high + 1) // 2
        if _fits(_font(family, middle, bold=True), text, width, height, lines):
            low = middle
        else:
            high = middle - 1
    return low


def fitted_font(
    family: str, text: str, width: float, height: float, largest: int, *, max_lines: int = 4
) -> QFont:
    """The biggest bold font (up to ``largest`` px) that shows ``text`` wrapped in the box.

    Fewer lines win when they cost little size: "Bảo trợ xã hội" on one line reads better than
    in two slightly bigger lines.
    """
    width, height = int(width), int(height)  # whole pixels: the results are cached
    sizes = [
        _largest_fit(family, text, width, height, largest=largest, lines=lines)
        for lines in range(1, max_lines + 1)
    ]
    best = max(sizes)
    return _font(family, next(s for s in sizes if s >= best * 0.85), bold=True)


def balanced_width(font: QFont, text: str, width: float) -> int:
    """The narrowest width that wraps ``text`` into as few lines as ``width`` does.

    Lines of even length: "Thành lập và hoạt động / của hộ kinh doanh", never a lone last word.
    """
    metrics = QFontMetrics(font)
    flags = int(Qt.TextFlag.TextWordWrap)

    def height(w: int) -> int:
        return metrics.boundingRect(QRect(0, 0, max(1, w), 100_000), flags, text).height()

    target = height(int(width))
    low = max(1, max((metrics.horizontalAdvance(w) for w in text.split()), default=1))
    high = max(low, int(width))
    while low < high:
        middle = (low + high) // 2
        if height(middle) <= target:
            high = middle
        else:
            low = middle + 1
    return high


@lru_cache(maxsize=1024)
def _balanced_width(font_key: str, text: str, width: int) -> int:
    """``balanced_width`` cached by ``QFont.toString()``: labels and tiles repaint often."""
    font = QFont()
    font.fromString(font_key)
    return balanced_width(font, text, width)


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
            painter.setFont(_font(family, round(badge.height() * 0.56), bold=True))
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
            return _font(family, 10), 0.0, 0.0
        pixels = round(min(max(16, box.height() * 0.17), 26 * self.scale))
        bold = bool(self._busy_text)
        # Narrow tiles (the demo's small window): the line shrinks rather than being cut.
        while pixels > 11 and QFontMetrics(_font(family, pixels, bold=bold)).horizontalAdvance(
            detail
        ) > int(box.width()):
            pixels -= 1
        font = _font(family, pixels, bold=bold)
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
        title_font = _font(family, min(natural, self.title_px or natural), bold=True)
        flags = int(Qt.TextFlag.TextWordWrap)
        align = Qt.AlignmentFlag.AlignHCenter if centred else Qt.AlignmentFlag.AlignLeft
        title_width = _balanced_width(title_font.toString(), self.text(), int(box.width()))
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
        probe = QFontMetrics(_font(family, 100, bold=True)).tightBoundingRect(self._text)
        size = 100 * min(
            self.width() * 0.96 / max(1, probe.width()),
            self.height() * 0.9 / max(1, probe.height()),
        )
        font = _font(family, int(size), bold=True)
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
            width = _balanced_width(self.font().toString(), text, area.width())
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


def _label(name: str, parent: QWidget, *, wrap: bool = True, centre: bool = True) -> QLabel:
    label = BalancedLabel(parent) if wrap else QLabel(parent)
    label.setObjectName(name)
    if centre:
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


class Header(QFrame):
    """The center's name and the clock, on every screen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("header")
        self.center_line1 = _label("centerLine1", self, centre=False)
        self.center_line2 = _label("centerLine2", self, centre=False)
        self.clock_time = _label("clockTime", self, wrap=False, centre=False)
        self.clock_date = _label("clockDate", self, wrap=False, centre=False)
        for clock in (self.clock_time, self.clock_date):
            clock.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
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


def _waiting_text(widget: QWidget, waiting: int) -> str:
    if waiting == 0:
        return widget.tr("Chưa có người chờ")
    return widget.tr("Đang chờ: {n} người").format(n=waiting)


def _priority_groups() -> str:
    """'Người cao tuổi, người khuyết tật, ... gia đình có công với cách mạng', on two lines."""
    labels = [priority_label(reason) for reason in PriorityReason]
    words = [labels[0]] + [label[:1].lower() + label[1:] for label in labels[1:]]
    half = (len(words) + 1) // 2
    return ", ".join(words[:half]) + ",\n" + ", ".join(words[half:])


class HomeScreen(QWidget):
    """One tile per field with its waiting count, and the way into the priority step."""

    #: The citizen tapped the field with this code.
    sig_field_tapped = Signal(str)
    #: The citizen tapped "Tôi thuộc đối tượng ưu tiên".
    sig_priority_tapped = Signal()
    #: The citizen cancelled the priority chosen earlier.
    sig_priority_cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field_buttons: dict[str, TileButton] = {}
        self._fields_key: tuple[tuple[str, str, str], ...] = ()
        self._waiting: dict[str, int] = {}
        self._busy_code: str | None = None
        self._reason: PriorityReason | None = None

        self.prompt = _label("prompt", self)
        self.message = _label("message", self)
        self.message.hide()
        self.banner = QFrame(self)
        self.banner.setObjectName("priorityBanner")
        self.banner_title = _label("bannerTitle", self.banner, centre=False)
        self.banner_text = _label("bannerText", self.banner, centre=False)
        self.cancel_priority_button = QPushButton(self.banner)
        self.cancel_priority_button.setObjectName("cancelPriority")
        self.cancel_priority_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cancel_priority_button.clicked.connect(
            lambda _checked=False: self.sig_priority_cancelled.emit()
        )
        banner_text = QVBoxLayout()
        banner_text.setSpacing(2)
        banner_text.addWidget(self.banner_title)
        banner_text.addWidget(self.banner_text)
        self._banner_layout = QHBoxLayout(self.banner)
        self._banner_layout.addLayout(banner_text, 1)
        self._banner_layout.addWidget(self.cancel_priority_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.banner.hide()

        self.grid = TileGrid(self, aspect=1.4)

        self.priority_button = QPushButton(self)
        self.priority_button.setObjectName("priorityButton")
        self.priority_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.priority_button.clicked.connect(lambda _checked=False: self.sig_priority_tapped.emit())
        self.hint = _label("hint", self, centre=False)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._footer = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._footer.addWidget(self.priority_button, 0, Qt.AlignmentFlag.AlignCenter)
        self._footer.addWidget(self.hint, 1)

        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.prompt)
        self._layout.addWidget(self.message)
        self._layout.addWidget(self.banner)
        self._layout.addWidget(self.grid, 1)
        self._layout.addLayout(self._footer)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.prompt.setText(self.tr("Xin mời ông/bà chạm vào lĩnh vực cần giải quyết"))
        self.cancel_priority_button.setText(self.tr("Huỷ ưu tiên"))
        self.priority_button.setText(self.tr("Tôi thuộc đối tượng ưu tiên"))
        self.hint.setText(_priority_groups())
        self._show_priority()
        for code, tile in self.field_buttons.items():
            tile.set_detail(_waiting_text(self, self._waiting.get(code, 0)))

    def set_scale(self, scale: float, tall: float = 1.0) -> None:
        margin = style.px(28, scale)
        self._layout.setContentsMargins(margin, style.px(16, scale), margin, style.px(20, scale))
        self._layout.setSpacing(style.px(16, scale))
        self._footer.setSpacing(style.px(24, scale))
        self._banner_layout.setContentsMargins(
            style.px(24, scale), style.px(10, scale), style.px(14, scale), style.px(10, scale)
        )
        self.grid.set_scale(scale * tall)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        # Portrait: the list of priority groups goes under the button, not beside it.
        portrait = self.height() > self.width()
        self._footer.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        self.hint.setAlignment(
            Qt.AlignmentFlag.AlignCenter
            if portrait
            else Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )

    def set_home(self, home: KioskHome) -> None:
        """Show the fields (rebuilt only when they changed) and their waiting counts."""
        self._waiting = dict(home.waiting)
        key = tuple((f.code, f.name, f.ticket_prefix) for f in home.fields)
        if key != self._fields_key:
            self._fields_key = key
            self.field_buttons = {}
            tiles = []
            for index, field in enumerate(home.fields):
                tile = TileButton(
                    field.name, colour=style.field_colour(index), badge=field.ticket_prefix
                )
                tile.clicked.connect(lambda _=False, code=field.code: self._tapped(code))
                self.field_buttons[field.code] = tile
                tiles.append(tile)
            self.grid.set_tiles(tiles)
        for code, tile in self.field_buttons.items():
            tile.set_detail(_waiting_text(self, self._waiting.get(code, 0)))
        self.grid.refit()  # a detail line takes room from the titles
        self.set_busy(self._busy_code)

    def _tapped(self, code: str) -> None:
        if self._busy_code is None:
            self.sig_field_tapped.emit(code)

    def set_busy(self, code: str | None) -> None:
        """While a ticket is being issued every tile is off; the tapped one says so."""
        self._busy_code = code
        for field_code, tile in self.field_buttons.items():
            tile.setEnabled(code is None)
            tile.set_busy_text(self.tr("Đang cấp số…") if field_code == code else "")
        self.priority_button.setEnabled(code is None)
        self.cancel_priority_button.setEnabled(code is None)

    def set_priority(self, reason: PriorityReason | None) -> None:
        self._reason = reason
        self._show_priority()

    def _show_priority(self) -> None:
        reason = self._reason
        self.banner.setVisible(reason is not None)
        self.prompt.setVisible(reason is None)
        self.priority_button.setVisible(reason is None)
        self.hint.setVisible(reason is None)
        if reason is not None:
            self.banner_title.setText(
                self.tr("Ưu tiên: {reason}").format(reason=priority_label(reason))
            )
            self.banner_text.setText(self.tr("Mời ông/bà chạm vào lĩnh vực để lấy số ưu tiên"))

    def show_message(self, text: str | None) -> None:
        """A short notice above the tiles (e.g. after a failed attempt); None hides it."""
        self.message.setText(text or "")
        self.message.setVisible(bool(text))


class PriorityScreen(QWidget):
    """The five priority groups and "Không ưu tiên"."""

    #: The citizen's choice: a PriorityReason, or None for "Không ưu tiên".
    sig_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prompt = _label("prompt", self)
        self.hint = _label("hint", self)
        self.grid = TileGrid(self, aspect=2.6)
        self.reason_buttons: dict[PriorityReason, TileButton] = {}
        tiles = []
        for reason in PriorityReason:
            tile = TileButton(priority_label(reason), colour=QColor(style.PRIORITY))
            tile.clicked.connect(lambda _=False, r=reason: self.sig_chosen.emit(r))
            self.reason_buttons[reason] = tile
            tiles.append(tile)
        self.no_priority_button = TileButton("", colour=QColor(style.NEUTRAL_COLOUR))
        self.no_priority_button.clicked.connect(lambda _checked=False: self.sig_chosen.emit(None))
        tiles.append(self.no_priority_button)
        self.grid.set_tiles(tiles)
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.prompt)
        self._layout.addWidget(self.hint)
        self._layout.addWidget(self.grid, 1)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.prompt.setText(self.tr("Ông/bà thuộc đối tượng ưu tiên nào?"))
        self.hint.setText(self.tr("Chạm vào một mục dưới đây để được ưu tiên gọi số trước"))
        self.no_priority_button.setText(self.tr("Không ưu tiên"))
        self.no_priority_button.set_detail(self.tr("Quay lại lấy số thường"))
        self.grid.refit()

    def set_scale(self, scale: float, tall: float = 1.0) -> None:
        margin = style.px(40, scale)
        self._layout.setContentsMargins(margin, style.px(20, scale), margin, style.px(28, scale))
        self._layout.setSpacing(style.px(12, scale))
        self.grid.set_scale(scale * tall)


class NumberScreen(QWidget):
    """The issued number, huge, while the ticket prints; then what to do next."""

    #: The citizen tapped "Xong".
    sig_done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = _label("numberCaption", self)
        self.number = BigText(self)
        self.field = _label("numberField", self)
        self.priority = _label("numberPriority", self, wrap=False)
        self.ahead = _label("numberAhead", self)
        self.status = _label("printStatus", self)
        self.warning = QFrame(self)
        self.warning.setObjectName("printWarning")
        self.warning_title = _label("warningTitle", self.warning)
        self.warning_text = _label("warningText", self.warning)
        self._warning_layout = QVBoxLayout(self.warning)
        self._warning_layout.addWidget(self.warning_title)
        self._warning_layout.addWidget(self.warning_text)
        self.warning.hide()
        self.done_button = QPushButton(self)
        self.done_button.setObjectName("secondaryButton")
        self.done_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.done_button.clicked.connect(lambda _checked=False: self.sig_done.emit())
        self.done_button.hide()
        self._ticket: TicketInfo | None = None
        self._state = "printing"

        self._layout = QVBoxLayout(self)
        self._layout.addStretch(1)
        self._layout.addWidget(self.caption)
        self._layout.addWidget(self.number, 6)
        self._layout.addWidget(self.field)
        self._layout.addWidget(self.priority, 0, Qt.AlignmentFlag.AlignHCenter)
        self._layout.addWidget(self.ahead)
        self._layout.addSpacing(12)
        self._layout.addWidget(self.status)
        self._layout.addWidget(self.warning)
        self._layout.addWidget(self.done_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self._layout.addStretch(1)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.caption.setText(self.tr("Số thứ tự của ông/bà"))
        self.warning_title.setText(
            self.tr("Máy in đang gặp sự cố, ông/bà vui lòng ghi nhớ số và chờ gọi")
        )
        self.warning_text.setText(
            self.tr("Số thứ tự vẫn có hiệu lực. Cán bộ sẽ in lại phiếu cho ông/bà tại quầy.")
        )
        self.done_button.setText(self.tr("Xong"))
        if self._ticket is not None:
            self.show_ticket(self._ticket)
        self._show_state()

    def set_scale(self, scale: float, tall: float = 1.0) -> None:
        margin = style.px(40, scale)
        self._layout.setContentsMargins(margin, style.px(12, scale), margin, style.px(24, scale))
        self._layout.setSpacing(style.px(10, scale))
        self.number.setMinimumHeight(style.px(150, scale))
        self._warning_layout.setContentsMargins(
            style.px(24, scale), style.px(14, scale), style.px(24, scale), style.px(14, scale)
        )
        self.done_button.setMinimumWidth(style.px(260, scale))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        # Width limits the number on a portrait screen: no empty bands above and below it.
        self.number.setMaximumHeight(max(1, int(min(self.height() * 0.42, self.width() * 0.36))))

    def ticket(self) -> TicketInfo | None:
        return self._ticket

    def show_ticket(self, ticket: TicketInfo) -> None:
        self._ticket = ticket
        self.number.setText(ticket.display)
        self.field.setText(self.tr("Lĩnh vực: {name}").format(name=ticket.field_name))
        if ticket.priority_reason is not None:
            self.priority.setText(
                self.tr("Ưu tiên: {reason}").format(reason=priority_label(ticket.priority_reason))
            )
        self.priority.setVisible(ticket.priority_reason is not None)
        if ticket.waiting_ahead:
            self.ahead.setText(
                self.tr("Trước ông/bà còn {n} người đang chờ").format(n=ticket.waiting_ahead)
            )
        else:
            self.ahead.setText(self.tr("Không có ai chờ trước ông/bà"))

    def set_print_state(self, state: str) -> None:
        """``printing``, ``printed`` or ``failed``."""
        self._state = state
        self._show_state()

    def print_state(self) -> str:
        return self._state

    def _show_state(self) -> None:
        failed = self._state == "failed"
        self.warning.setVisible(failed)
        self.status.setVisible(not failed)
        self.done_button.setVisible(self._state != "printing")
        if self._state == "printing":
            self.status.setText(self.tr("Đang in phiếu…"))
            self.status.setProperty("state", "printing")
        elif self._state == "printed":
            self.status.setText(self.tr("Mời ông/bà nhận phiếu và chờ đến lượt"))
            self.status.setProperty("state", "ok")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)


class PauseSign(QWidget):
    """A red disc with the two bars of "pause": out of service, for a moment."""

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height())
        disc = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(style.ALERT))
        painter.drawEllipse(disc)
        painter.setBrush(QColor("white"))
        bar_w, bar_h = side * 0.12, side * 0.42
        for offset in (-0.13, 0.13):
            centre_x = disc.center().x() + offset * side
            bar = QRectF(centre_x - bar_w / 2, disc.center().y() - bar_h / 2, bar_w, bar_h)
            painter.drawRoundedRect(bar, bar_w / 3, bar_w / 3)
        painter.end()


class OutOfServiceScreen(QWidget):
    """Shown while the database cannot be reached; the kiosk leaves it by itself."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sign = PauseSign(self)
        self.title = _label("oosTitle", self)
        self.text = _label("oosText", self)
        self.foot = _label("oosFoot", self)
        self._layout = QVBoxLayout(self)
        self._layout.addStretch(2)
        self._layout.addWidget(self.sign, 0, Qt.AlignmentFlag.AlignHCenter)
        self._layout.addSpacing(12)
        self._layout.addWidget(self.title)
        self._layout.addWidget(self.text)
        self._layout.addSpacing(24)
        self._layout.addWidget(self.foot)
        self._layout.addStretch(3)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.title.setText(self.tr("TẠM NGỪNG PHỤC VỤ"))
        self.text.setText(self.tr("Xin mời ông/bà đến trực tiếp quầy tiếp nhận"))
        self.foot.setText(
            self.tr(
                "Máy lấy số sẽ tự hoạt động lại khi kết nối được khôi phục.\n"
                "Xin lỗi ông/bà vì sự bất tiện này."
            )
        )

    def set_scale(self, scale: float, tall: float = 1.0) -> None:
        margin = style.px(60, scale)
        self._layout.setContentsMargins(margin, margin, margin, margin)
        self._layout.setSpacing(style.px(16, scale))
        self.sign.setFixedSize(style.px(132, scale), style.px(132, scale))


class StartingScreen(QWidget):
    """The few moments before the first read of the database."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = _label("startingText", self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.text.setText(self.tr("Xin chờ trong giây lát…"))

    def set_scale(self, scale: float, tall: float = 1.0) -> None:
        """Nothing to resize beyond the style sheet."""
