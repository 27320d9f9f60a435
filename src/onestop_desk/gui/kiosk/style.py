"""The kiosk's look: colours, sizes that grow with the screen, and its style sheet."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor

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
    """The whole kiosk's style sheet for one screen size.

    ``tall`` enlarges the number and out-of-service screens, which have height to spare
    in portrait.
    """

    def s(base: float) -> int:
        return px(base, scale)

    def t(base: float) -> int:
        return px(base, scale * tall)

    target = min_target(scale)
    return f"""
    #kiosk {{ background: {BACKGROUND}; font-family: "{family}"; }}
    #kiosk QLabel {{ color: {INK}; }}

    #kiosk #header {{ background: {HEADER}; border-bottom: {s(5)}px solid {HEADER_ACCENT}; }}
    #kiosk #header QLabel {{ color: white; }}
    #kiosk #centerLine1 {{ font-size: {s(20)}px; font-weight: bold; }}
    #kiosk #centerLine2 {{ font-size: {s(31)}px; font-weight: bold; color: {HEADER_ACCENT}; }}
    #kiosk #clockTime {{ font-size: {s(32)}px; font-weight: bold; }}
    #kiosk #clockDate {{ font-size: {s(17)}px; }}

    #kiosk #prompt {{ font-size: {s(30)}px; font-weight: bold; color: {BLUE}; }}
    #kiosk #message {{
        font-size: {s(24)}px; font-weight: bold; color: {ALERT};
        background: #fde8e6; border-radius: {s(12)}px; padding: {s(8)}px {s(20)}px;
    }}
    #kiosk #priorityBanner {{
        background: {PRIORITY}; border-radius: {s(16)}px;
    }}
    #kiosk #priorityBanner QLabel {{ color: {PRIORITY_INK}; }}
    #kiosk #bannerTitle {{ font-size: {s(27)}px; font-weight: bold; }}
    #kiosk #bannerText {{ font-size: {s(19)}px; }}
    #kiosk #hint {{ font-size: {t(18)}px; color: {MUTED}; }}

    #kiosk QPushButton {{
        min-height: {target}px; border-radius: {target // 2}px; padding: 0 {s(34)}px;
        font-size: {s(25)}px; font-weight: bold;
    }}
    #kiosk QPushButton#priorityButton {{
        background: {PRIORITY}; color: {PRIORITY_INK}; border: none; font-size: {t(25)}px;
        min-height: {max(target, t(74))}px; border-radius: {max(target, t(74)) // 2}px;
    }}
    #kiosk QPushButton#priorityButton:pressed {{ background: #d98c00; }}
    #kiosk QPushButton#secondaryButton {{
        background: white; color: {BLUE}; border: {s(3)}px solid {BLUE};
    }}
    #kiosk QPushButton#secondaryButton:pressed {{ background: #dce7f7; }}
    #kiosk QPushButton#cancelPriority {{
        background: white; color: {PRIORITY_INK}; border: none;
    }}
    #kiosk QPushButton#cancelPriority:pressed {{ background: #fbe3b0; }}

    #kiosk #numberCaption {{ font-size: {t(30)}px; font-weight: bold; color: {MUTED}; }}
    #kiosk #numberField {{ font-size: {t(38)}px; font-weight: bold; }}
    #kiosk #numberPriority {{
        font-size: {t(24)}px; font-weight: bold; color: {PRIORITY_INK};
        background: {PRIORITY}; border-radius: {t(14)}px; padding: {t(6)}px {t(22)}px;
    }}
    #kiosk #numberAhead {{ font-size: {t(27)}px; }}
    #kiosk #printStatus {{ font-size: {t(28)}px; font-weight: bold; color: {BLUE}; }}
    #kiosk #printStatus[state="ok"] {{ color: {OK}; }}
    #kiosk #printWarning {{
        background: {WARNING_BG}; border: {s(3)}px solid {WARNING_BORDER};
        border-radius: {s(18)}px;
    }}
    #kiosk #printWarning QLabel {{ color: {WARNING_INK}; }}
    #kiosk #warningTitle {{ font-size: {t(28)}px; font-weight: bold; }}
    #kiosk #warningText {{ font-size: {t(21)}px; }}

    #kiosk #oosTitle {{ font-size: {t(58)}px; font-weight: bold; color: {ALERT}; }}
    #kiosk #oosText {{ font-size: {t(34)}px; font-weight: bold; }}
    #kiosk #oosFoot {{ font-size: {t(21)}px; color: {MUTED}; }}
    #kiosk #startingText {{ font-size: {s(30)}px; color: {MUTED}; }}
    """
