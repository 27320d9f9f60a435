"""One path for telling the user that something failed: log it, then say it.

A ``KnownError`` (an environment or input problem) becomes its message and hint; anything else is
a bug: logged as one, and shown as "an unexpected error, details in the log". A background
operation has already logged the bug's traceback (operations.py) by the time its failure arrives.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from onestop_desk.errors import KnownError

log = logging.getLogger("onestop.gui")


def is_bug(exc: BaseException) -> bool:
    """True for an error the program did not foresee (not a ``KnownError``)."""
    return not isinstance(exc, KnownError)


def user_text(exc: BaseException, *, bug_text: str, hint: bool = True) -> str:
    """The text for ``exc`` without logging it (for a caller that logs only what is new)."""
    if isinstance(exc, KnownError):
        return exc.user_text() if hint else exc.message
    return bug_text


def report(
    exc: BaseException,
    *,
    what: str,
    bug_text: str,
    logger: logging.Logger = log,
    level: int = logging.WARNING,
    hint: bool = True,
    prefix: bool = False,
) -> str:
    """Log ``exc`` (``what`` failed), then return the text to show for it.

    A known problem is logged at ``level`` and shown as its message (with its hint unless
    ``hint=False``; after "``what``: " with ``prefix``); a bug is logged as an error and shown as
    ``bug_text``.
    """
    text = user_text(exc, bug_text=bug_text, hint=hint)
    if isinstance(exc, KnownError):
        logger.log(level, "%s: %s", what, exc.message)
        return f"{what}: {text}" if prefix else text
    logger.error("%s: unexpected %s: %s", what, type(exc).__name__, exc)
    return text


def unexpected_text() -> str:
    """What a bug is shown as where there is nothing more specific to say."""
    return QCoreApplication.translate(
        "messages", "Lỗi không mong muốn; chi tiết đã ghi vào nhật ký."
    )


def show_exception(exc: BaseException, *, parent: QWidget | None = None) -> None:
    """The default for an op given no failure callback: log, then a message box (not modal)."""
    text = report(exc, what="background operation", bug_text=unexpected_text())
    box = QMessageBox(
        QMessageBox.Icon.Warning if isinstance(exc, KnownError) else QMessageBox.Icon.Critical,
        QCoreApplication.translate("messages", "OneStop Desk"),
        text,
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
