"""Widgets and helpers shared by every face: the bundled font, styling, the ticket preview."""

from __future__ import annotations

import logging
from functools import cache
from string import Template
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QFont, QFontDatabase, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QWidget

from onestop_desk.resources import resource_path

if TYPE_CHECKING:
    from onestop_desk.services.staff import StaffInfo

log = logging.getLogger("onestop.gui")

BUNDLED_FONTS = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf")
FALLBACK_FAMILY = "Sans Serif"


@cache
def bundled_font_family() -> str:
    """Register the bundled Noto Sans with Qt (once) and return its family name.

    Screens then look the same on every PC, whatever fonts Windows or Linux has. Needs a
    QGuiApplication; falls back to the system sans-serif font when the files are missing.
    """
    family = ""
    for name in BUNDLED_FONTS:
        path = resource_path("fonts", name)
        font_id = QFontDatabase.addApplicationFont(str(path)) if path.is_file() else -1
        if font_id < 0:
            log.warning("bundled font not loaded: %s", path)
            continue
        family = family or next(iter(QFontDatabase.applicationFontFamilies(font_id)), "")
    return family or FALLBACK_FAMILY


def load_style(name: str, **values: str) -> str:
    """The style sheet ``resources/styles/<name>`` with its ``${placeholders}`` filled in.

    A placeholder without a value is an error (``KeyError``), so a typo cannot pass unnoticed.
    """
    return _style_template(name).substitute(values)


@cache
def _style_template(name: str) -> Template:
    return Template(resource_path("styles", name).read_text(encoding="utf-8"))


def restyle(widget: QWidget, name: str, value: Any) -> None:
    """Set a property the style sheet selects on, and make the style notice."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def scaled(font: QFont, factor: float, *, bold: bool = False) -> QFont:
    """A copy of ``font``, ``factor`` times as large (never below 1 pt), bold or not."""
    result = QFont(font)
    result.setPointSizeF(max(1.0, font.pointSizeF() * factor))
    result.setBold(bold)
    return result


def add_close_action(window: QMainWindow, menu: QMenu) -> None:
    """ "Đóng cửa sổ" (Ctrl+W) at the end of a signed-in face's menu."""
    close = QAction(window.tr("Đóng cửa sổ"), window)
    close.setShortcut(QKeySequence.StandardKey.Close)
    close.triggered.connect(window.close)
    menu.addAction(close)


def show_who_and_where(window: QMainWindow, staff: StaffInfo | None, database: str) -> None:
    """The signed-in specialist and the database, on the right of the status bar."""
    who = window.tr("Cán bộ: {name}").format(name=staff.full_name) if staff else ""
    window.statusBar().addPermanentWidget(QLabel(who))
    window.statusBar().addPermanentWidget(QLabel(database))
