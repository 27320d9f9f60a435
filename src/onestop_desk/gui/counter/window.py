"""The counter face (`onestop-desk counter`): the queue, the reception and the dossier list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QTabWidget, QWidget

from onestop_desk.context import AppContext
from onestop_desk.core.dossier_code import is_dossier_code
from onestop_desk.gui.changes import change_hub
from onestop_desk.gui.counter.outbox_worker import OutboxWorker
from onestop_desk.gui.counter.panel import QueuePanel
from onestop_desk.gui.dossiers import DossiersPane
from onestop_desk.gui.reception.flow import ReceptionPane
from onestop_desk.gui.reception.scanner import SerialScanReader, WedgeScanDetector
from onestop_desk.gui.widgets import add_close_action, show_who_and_where
from onestop_desk.log import gui as log
from onestop_desk.printing.printers import PreviewSink
from onestop_desk.services.staff import StaffInfo

if TYPE_CHECKING:
    from onestop_desk.gui.reception.login import LoginDialog


class CounterWindow(QMainWindow):
    """One counter's window: calling tickets, receiving dossiers and following them, in tabs.

    A card scanned anywhere in the window (keyboard-wedge scanner, or the serial scanner named
    in the settings) opens the reception at the citizen step; the QR of a dossier code (the
    appointment slip) opens that dossier in the dossier tab.
    """

    QUEUE_TAB, RECEPTION_TAB, DOSSIERS_TAB = 0, 1, 2

    def __init__(
        self,
        ctx: AppContext,
        *,
        counter_number: int | None = None,
        preview: PreviewSink | None = None,
        staff: StaffInfo | None = None,
        opener: Any = None,
        clock: Callable[[], datetime] = datetime.now,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.staff = staff
        self.resize(1280, 760)
        self.changes = change_hub(ctx.database)
        self.panel = QueuePanel(
            ctx, counter_number=counter_number, changes=self.changes, preview=preview, parent=self
        )
        self.reception = ReceptionPane(
            ctx,
            staff=staff,
            counter_number=self.panel.counter_number,
            preview=preview,
            opener=opener,
            parent=self,
        )
        self.dossiers = DossiersPane(
            ctx,
            changes=self.changes,
            staff=staff,
            preview=preview,
            opener=opener,
            clock=clock,
            parent=self,
        )
        self.tabs = QTabWidget()
        self.tabs.addTab(self.panel, self.tr("Gọi số (Ctrl+1)"))
        self.tabs.addTab(self.reception, self.tr("Tiếp nhận hồ sơ (Ctrl+2)"))
        self.tabs.addTab(self.dossiers, self.tr("Hồ sơ (Ctrl+3)"))
        self.setCentralWidget(self.tabs)
        for index, keys in (
            (self.QUEUE_TAB, "Ctrl+1"),
            (self.RECEPTION_TAB, "Ctrl+2"),
            (self.DOSSIERS_TAB, "Ctrl+3"),
        ):
            switch = QAction(self)
            switch.setShortcut(QKeySequence(keys))
            switch.triggered.connect(lambda _c=False, i=index: self.tabs.setCurrentIndex(i))
            self.addAction(switch)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.panel.sig_ticket_in_hand.connect(self.reception.set_ticket)
        self.panel.sig_counter_changed.connect(self.reception.set_counter)
        self.reception.sig_status.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.dossiers.sig_status.connect(lambda text: self.statusBar().showMessage(text, 8000))
        # Online submission for citizens without a level-2 VNeID account: where this PC has
        # the portal set up, saved dossiers go out in the background while the window is open.
        self.outbox = OutboxWorker.for_counter(ctx.database, ctx.settings, self)
        if self.outbox is not None:
            self.reception.sig_saved.connect(lambda _view: self._poke_outbox())
            self.outbox.sig_failed.connect(self._submission_failed)
            self.outbox.sig_problem.connect(lambda text: self.statusBar().showMessage(text))
            self.outbox.sig_report.connect(
                lambda report: self.statusBar().showMessage(report.summary(), 8000)
            )

        self.wedge = WedgeScanDetector(self)
        self.wedge.sig_scanned.connect(self._scanned)
        self.wedge.install()
        self.serial: SerialScanReader | None = None
        if ctx.settings.scanner.port:
            self.serial = SerialScanReader(ctx.settings.scanner.port, parent=self)
            self.serial.sig_scanned.connect(self._scanned)
            self.serial.sig_failed.connect(lambda text: self.statusBar().showMessage(text))

        menu = self.menuBar().addMenu(self.tr("&Gọi số"))
        for action in self.panel.queue_actions.all():
            menu.addAction(action)
        menu.addSeparator()
        add_close_action(self, menu)
        show_who_and_where(self, staff, ctx.database.describe())
        self.panel.sig_counter_changed.connect(self._retitle)
        self._retitle(self.panel.counter_number)

        self.changes.hold(self)
        self.panel.start()
        self.reception.start()
        self.dossiers.start()
        if self.serial is not None:
            self.serial.start()
        if self.outbox is not None:
            self.outbox.start()

    def _poke_outbox(self) -> None:
        if self.outbox is not None:
            self.outbox.poke()

    def _submission_failed(self, code: str, reason: str) -> None:
        """The outbox gave up on a dossier: say so until something else is shown."""
        first = reason.strip().splitlines()[0] if reason.strip() else ""
        self.statusBar().showMessage(
            self.tr(
                "Hồ sơ {code} chưa gửi trực tuyến được: {reason} — xem mục “Gửi trực tuyến lỗi”."
            ).format(code=code, reason=first)
        )

    def _scanned(self, payload: str) -> None:
        """A QR from either scanner: a slip's dossier code opens that dossier, a card reception."""
        if is_dossier_code(payload):
            self.tabs.setCurrentIndex(self.DOSSIERS_TAB)
            self.dossiers.open_scan(payload)
            return
        self.tabs.setCurrentIndex(self.RECEPTION_TAB)
        self.reception.load_scan(payload)

    def _tab_changed(self, index: int) -> None:
        if index == self.DOSSIERS_TAB:
            self.dossiers.take_focus()

    def _retitle(self, number: int | None) -> None:
        title = self.tr("Quầy {n}").format(n=number) if number else self.tr("Quầy")
        who = f" — {self.staff.full_name}" if self.staff is not None else ""
        self.setWindowTitle(f"{title}{who} — OneStop Desk")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        try:
            self.reception.closing()
        finally:
            # Whatever happened to the draft, the scanners and the change listener stop.
            self.wedge.uninstall()
            if self.serial is not None:
                self.serial.stop()
            self.panel.stop()
            self.dossiers.stop()
            if self.outbox is not None:
                self.outbox.stop()
            self.changes.release(self)
            super().closeEvent(event)


def log_in(ctx: AppContext, counter_number: int | None) -> StaffInfo | None:
    """Ask for a staff login before the counter opens; None when the specialist gives up."""
    dialog = login_dialog(ctx, counter_number)
    if dialog.exec() and dialog.staff() is not None:
        return dialog.staff()
    return None


def login_dialog(ctx: AppContext, counter_number: int | None) -> LoginDialog:
    """The log-in dialog checking accounts in this PC's database."""
    from onestop_desk.gui.reception.login import staff_login_dialog

    return staff_login_dialog(ctx, source="counter", counter_number=counter_number)


def run_counter(ctx: AppContext, *, counter_number: int | None = None) -> int:
    """Open the counter window and run the event loop until it closes."""
    from onestop_desk.gui.crash import install_crash_handler
    from onestop_desk.gui.startup import prepare_database, qt_application, require_display

    require_display(
        "cửa sổ quầy",
        "Chạy trên máy có màn hình, hoặc trên máy chủ dùng Xvfb: xvfb-run onestop-desk counter.",
    )
    prepare_database(ctx, demo=False)
    app = qt_application()
    # Standalone there is no preview window: a reprint to "preview" says so instead of
    # pretending to print. The demo passes its own sink to CounterWindow.
    number = counter_number or ctx.settings.office.counter_number or None
    staff = log_in(ctx, number)
    if staff is None:
        return 0
    window = CounterWindow(ctx, counter_number=counter_number, staff=staff)
    window.showMaximized()
    log.info("counter window open on %s", ctx.database.describe())
    crash = install_crash_handler(parent_window=window)
    try:
        return int(app.exec())
    finally:
        crash.uninstall()
