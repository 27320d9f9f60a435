"""Text that fits a touch target: shared fonts, the largest size for a box, even lines."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics


@lru_cache(maxsize=1024)
def shared_font(family: str, pixels: int, *, bold: bool = False) -> QFont:
    """A shared font (callers must not change it): tiles repaint often, fonts rarely change."""
    font = QFont(family)
    font.setPixelSize(max(8, pixels))
    font.setBold(bold)
    return font


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
        if _fits(shared_font(family, middle, bold=True), text, width, height, lines):
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
    return shared_font(family, next(s for s in sizes if s >= best * 0.85), bold=True)


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
def cached_balanced_width(font_key: str, text: str, width: int) -> int:
    """``balanced_width`` cached by ``QFont.toString()``: labels and tiles repaint often."""
    font = QFont()
    font.fromString(font_key)
    return balanced_width(font, text, width)
