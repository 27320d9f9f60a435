"""The crash handler of every face: an exception nobody caught is logged, then shown or recovered.

After qutebrowser's ``misc/crashsignal.py``. A face installs it around its event loop
(``install_crash_handler``): the counter and admin faces show a crash dialog saying where the log
is; the kiosk logs and returns to its home screen (a citizen never sees a crash dialog); the
display logs and keeps showing the board (a TV has nobody to click a dialog away).
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.log import log_file

log = logging.getLogger("onestop.gui.crash")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class CrashDialog(QDialog):
    """What happened, where the details are, and the choice to go on or to quit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("OneStop Desk gặp lỗi"))
        self.resize(560, 360)
        layout = QVBoxLayout(self)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.log_label = QLabel()
        self.log_label.setWordWrap(True)
        self.log_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.buttons = QDialogButtonBox()
        self.continue_button = self.buttons.addButton(
            self.tr("Tiếp tục làm việc"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.quit_button = self.buttons.addButton(
            self.tr("Thoát chương trình"), QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.buttons.accepted.connect(self.accept)
        self.quit_button.clicked.connect(self._quit)
        for widget in (self.summary_label, self.log_label, self.details, self.buttons):
            layout.addWidget(widget)

    def show_crash(self, exc_info: ExcInfo, log_path: Path | None) -> None:
        """Fill in the latest crash (a second one replaces the first)."""
        kind, exc, _tb = exc_info
        self.summary_label.setText(
            self.tr(
                "Chương trình gặp một lỗi không mong muốn ({kind}: {message}). "
                "Công việc đã lưu không bị mất; việc đang làm dở có thể chưa xong, "
                "xin kiểm tra lại."
            ).format(kind=kind.__name__, message=str(exc) or "—")
        )
        if log_path is not None:
            self.log_label.setText(
                self.tr(
                    "Chi tiết lỗi đã ghi vào nhật ký: {path}\n"
                    "Gửi tệp này cho người quản trị hoặc bộ phận hỗ trợ."
                ).format(path=log_path)
            )
        else:
            self.log_label.setText(
                self.tr("Chương trình chưa ghi nhật ký ra tệp; chi tiết lỗi ở dưới đây.")
            )
        self.details.setPlainText("".join(traceback.format_exception(*exc_info)))

    def _quit(self) -> None:
        from PySide6.QtWidgets import QApplication

        self.reject()
        QApplication.exit(1)


class CrashHandler(QObject):
    """Takes over ``sys.excepthook`` and ``threading.excepthook`` while installed."""

    #: An uncaught exception from another thread, carried to the GUI thread to be shown.
    _sig_thread_crash = Signal(object)

    def __init__(
        self,
        *,
        recover: Callable[[], None] | None = None,
        dialog: bool = True,
        parent_window: QWidget | None = None,
        log_path: Callable[[], Path | None] = log_file,
    ) -> None:
        super().__init__()
        self._recover = recover
        self._show_dialog = dialog and recover is None
        self._parent_window = parent_window
        self._log_path = log_path
        self.dialog: CrashDialog | None = None
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self._sig_thread_crash.connect(self._handle)

    def install(self) -> CrashHandler:
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self._on_uncaught
        threading.excepthook = self._on_thread_uncaught
        return self

    def uninstall(self) -> None:
        sys.excepthook = self._previous_hook
        threading.excepthook = self._previous_thread_hook

    def _on_uncaught(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous_hook(kind, exc, tb)
            return
        log.error("uncaught exception", exc_info=(kind, exc, tb))
        self._handle((kind, exc, tb))

    def _on_thread_uncaught(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        exc_info: ExcInfo = (args.exc_type, args.exc_value, args.exc_traceback)
        name = args.thread.name if args.thread is not None else "?"
        log.error("uncaught exception in thread %s", name, exc_info=exc_info)
        self._sig_thread_crash.emit(exc_info)  # queued to the GUI thread

    def _handle(self, exc_info: ExcInfo) -> None:
        if self._recover is not None:
            try:
                self._recover()
            except Exception:
                log.exception("recovering from the uncaught exception failed")
            return
        if not self._show_dialog:
            return
        try:
            if self.dialog is None:
                self.dialog = CrashDialog(self._parent_window)
            self.dialog.show_crash(exc_info, self._log_path())
            self.dialog.open()
        except Exception:
            log.exception("the crash dialog could not be shown")


def install_crash_handler(
    *,
    recover: Callable[[], None] | None = None,
    dialog: bool = True,
    parent_window: QWidget | None = None,
) -> CrashHandler:
    """Install the face's crash handler; ``uninstall()`` it when the event loop ends.

    ``recover`` (the kiosk): log and call it instead of showing anything. ``dialog=False`` (the
    display): log only.
    """
    return CrashHandler(recover=recover, dialog=dialog, parent_window=parent_window).install()
