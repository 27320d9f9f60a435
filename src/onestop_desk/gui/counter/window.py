"""The counter face (`onestop-desk counter`): a window around the queue panel."""

from __future__ import annotations

import sys

from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QWidget

from onestop_desk.context import AppContext
from onestop_desk.errors import KnownError
from onestop_desk.gui.counter.panel import QueuePanel
from onestop_desk.gui.live import ChangeWatcher
from onestop_desk.log import gui as log
from onestop_desk.printing.printers import PreviewSink


class CounterWindow(QMainWindow):
    """One counter's window: the queue panel, its actions in a menu, the database in the status bar.

    The reception dossier form will sit beside the panel in a later version.
    """

    def __init__(
        self,
        ctx: AppContext,
        *,
        counter_number: int | None = None,
        preview: PreviewSink | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.resize(1280, 720)
        self.watcher = ChangeWatcher(ctx.database, self)
        self.panel = QueuePanel(
            ctx, counter_number=counter_number, watcher=self.watcher, preview=preview, parent=self
        )
        self.setCentralWidget(self.panel)

        menu = self.menuBar().addMenu(self.tr("&Gọi số"))
        for action in self.panel.queue_actions.all():
            menu.addAction(action)
        menu.addSeparator()
        close = QAction(self.tr("Đóng cửa sổ"), self)
        close.setShortcut(QKeySequence.StandardKey.Close)
        close.triggered.connect(self.close)
        menu.addAction(close)

        self.database_label = QLabel(ctx.database.describe())
        self.statusBar().addPermanentWidget(self.database_label)
        self.panel.sig_counter_changed.connect(self._retitle)
        self._retitle(self.panel.counter_number)

        self.watcher.start()
        self.panel.start()

    def _retitle(self, number: int | None) -> None:
        title = self.tr("Quầy {n}").format(n=number) if number else self.tr("Quầy")
        self.setWindowTitle(f"{title} — OneStop Desk")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.panel.stop()
        self.watcher.stop()
        super().closeEvent(event)


def run_counter(ctx: AppContext, *, counter_number: int | None = None) -> int:
    """Open the counter window and run the event loop until it closes."""
    from onestop_desk.gui.app import display_available, prepare_database

    if not display_available():
        raise KnownError(
            "Không tìm thấy màn hình để mở cửa sổ quầy (máy không có giao diện đồ hoạ).",
            "Chạy trên máy có màn hình, hoặc trên máy chủ dùng Xvfb: "
            "xvfb-run onestop-desk counter.",
        )
    prepare_database(ctx, demo=False)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("OneStop Desk")
    app.setOrganizationName("OneStopDesk")
    # Standalone there is no preview window: a reprint to "preview" says so instead of
    # pretending to print. The demo passes its own sink to CounterWindow.
    window = CounterWindow(ctx, counter_number=counter_number)
    window.showMaximized()
    log.info("counter window open on %s", ctx.database.describe())
    return int(app.exec())
