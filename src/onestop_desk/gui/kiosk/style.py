"""The kiosk's look: colours, sizes that grow with the screen, its style sheet filled in."""

from __future__ import annotations

import re
from functools import cache
from string import Template

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor

from onestop_desk.resources import resource_path

# Sizes below are pixels on a 1024x768 screen; bigger screens scale them up.
BASE_WIDTH = 1024
BASE_HEIGHT = 768
# 15 mm at 96 dpi: the smallest touch target on the smallest screen.
MIN_TARGET_PX = 57

BACKGROUND = "#eef3f9"
HEADER = "#0b3d91"
HEADER_ACCENT = "#ffd54f"
INK = "#10243e"
MUTED = "#4a5b70"
BLUE = "#0d47a1"
PRIORITY = "#f4a10b"
PRIORITY_INK = "#3a2500"
WARNING_BG = "#fff4d6"
WARNING_BORDER = "#e0a100"
WARNING_INK = "#5b3a00"
ALERT = "#b3261e"
OK = "#1e7b34"
# What kiosk.qss may name (${ink}, ${blue}, ...): one palette for the sheet and the painted tiles.
PALETTE: dict[str, str] = {
    "background": BACKGROUND,
    "header": HEADER,
    "header_accent": HEADER_ACCENT,
    "ink": INK,
    "muted": MUTED,
    "blue": BLUE,
    "priority": PRIORITY,
    "priority_ink": PRIORITY_INK,
    "warning_bg": WARNING_BG,
    "warning_border": WARNING_BORDER,
    "warning_ink": WARNING_INK,
    "alert": ALERT,
    "ok": OK,
}

# One colour per field, in kiosk order: citizens learn "the green one".
FIELD_COLOURS = (
    "#1565c0",
    "#00897b",
    "#6a1b9a",
    "#2e7d32",
    "#c75b00",
    "#3949ab",
    "#ad1457",
    "#00838f",
)
NEUTRAL_COLOUR = "#607089"


def field_colour(index: int) -> QColor:
    return QColor(FIELD_COLOURS[index % len(FIELD_COLOURS)])


def scale_for(size: QSize) -> float:
    """How much 1024x768 would have to grow to fill the window without spilling out.

    A line of text then has as much room as on 1024x768 (portrait 1080x1920: 1.05); the tiles
    take whatever space is left, so a tall screen gets tall tiles rather than long lines.
    """
    return max(0.6, min(size.width() / BASE_WIDTH, size.height() / BASE_HEIGHT))


def px(base: float, scale: float) -> int:
    return max(1, round(base * scale))


def min_target(scale: float) -> int:
    """The smallest height a touch target may have at this scale (never under 15 mm)."""
    return max(MIN_TARGET_PX, px(MIN_TARGET_PX, scale))


def tall_factor(size: QSize) -> float:
    """How much bigger the one-message screens may write on a portrait screen (up to 1.25)."""
    return max(1.0, min(1.25, size.height() / max(1, size.width()) * 0.7))


def stylesheet(family: str, scale: float, tall: float = 1.0) -> str:
    """The whole kiosk's style sheet (``resources/styles/kiosk.qss``) for one screen size.

    ``tall`` enlarges the number and out-of-service screens, which have height to spare
    in portrait.
    """
    target = min_target(scale)
    priority_height = max(target, px(74, scale * tall))
    named = {
        "family": family,
        "target": str(target),
        "target_radius": str(target // 2),
        "priority_height": str(priority_height),
        "priority_radius": str(priority_height // 2),
        **PALETTE,
    }
    template = _sheet()
    values: dict[str, str] = {}
    for name in template.get_identifiers():
        if name in named:
            values[name] = named[name]
        elif match := _SCALED.fullmatch(name):
            factor = scale * tall if match["kind"] == "t" else scale
            values[name] = str(px(int(match["base"]), factor))
        else:
            raise KeyError(f"kiosk.qss: unknown placeholder ${{{name}}}")
    return template.substitute(values)


# ${s20}: 20 px at 1024x768 scaled to the screen; ${t20}: the same, taller in portrait.
_SCALED = re.compile(r"(?P<kind>[st])(?P<base>\d+)")


@cache
def _sheet() -> Template:
    return Template(resource_path("styles", "kiosk.qss").read_text(encoding="utf-8"))
