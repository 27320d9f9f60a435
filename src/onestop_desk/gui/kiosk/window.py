"""The kiosk window: home, priority, the issued number; out of service; recovery from anything."""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from onestop_desk.context import AppContext
from onestop_desk.core.ticket import PriorityReason
from onestop_desk.errors import DatabaseUnavailable, KnownError
from onestop_desk.gui import messages
from onestop_desk.gui.changes import change_hub
from onestop_desk.gui.kiosk import data, style
from onestop_desk.gui.kiosk.actions import create_actions
from onestop_desk.gui.kiosk.data import KioskHome, PrintOutcome
from onestop_desk.gui.kiosk.header import Header
from onestop_desk.gui.kiosk.screens import (
    HomeScreen,
    NumberScreen,
    OutOfServiceScreen,
    PriorityScreen,
    StartingScreen,
)
from onestop_desk.gui.operations import LatestRead, QueryOp
from onestop_desk.gui.widgets import bundled_font_family
from onestop_desk.gui.widgets.ticket_preview import TicketPreviewWindow
from onestop_desk.printing.targets import PrinterError, PrinterKind, parse_printer_url
from onestop_desk.services.queue import TicketInfo

log = logging.getLogger("onestop.gui.kiosk")

F = TypeVar("F", bound=Callable[..., None])

STARTING = "starting"
HOME = "home"
PRIORITY = "priority"
NUMBER = "number"
OUT_OF_SERVICE = "out_of_service"


@dataclass(frozen=True)
class KioskTiming:
    """How long things stay on screen and how often the kiosk tries again (milliseconds)."""

    number_ms: int = 6000  # the issued number, counted from the moment it appears
    after_print_ms: int = 2500  # at least this long once the paper is out
    print_failed_ms: int = 20000  # long enough to note the number down
    idle_ms: int = 30000  # a half-made priority choice is forgotten (next citizen)
    retry_ms: int = 5000  # out of service: read the database again
    bug_retry_ms: int = 30000  # the same after an unexpected error (spares the log)
    refresh_ms: int = 30000  # counts re-read without change signals (a new day...)
    message_ms: int = 6000  # a notice above the tiles
    tap_guard_ms: int = 450  # taps ignored after a screen change: a double tap's second half


def _guarded(method: F) -> F:
    """Slots never let an exception out: it is logged and the kiosk goes back home."""

    @functools.wraps(method)
    def wrapper(self: KioskWindow, *args: Any) -> None:
        try:
            method(self, *args)
        except Exception:
            log.exception("kiosk: unexpected error in %s; back to the home screen", method.__name__)
            self.recover()

    return wrapper  # type: ignore[return-value]


class KioskWindow(QWidget):
    """The citizens' ticket kiosk: a field tile → a ticket committed, shown and printed.

    Database and printer work run in the background; the window only shows outcomes.
    ``printer_url`` overrides the settings (``preview`` opens ``preview_window``).
    """

    #: A ticket was issued and committed (TicketInfo), before printing.
    sig_ticket_issued = Signal(object)
    #: Printing a ticket finished (PrintOutcome), successfully or not.
    sig_print_finished = Signal(object)
    #: The screen on show changed: "starting", "home", "priority", "number", "out_of_service".
    sig_screen_changed = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        *,
        printer_url: str | None = None,
        timing: KioskTiming | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.timing = timing or KioskTiming()
        self.printer_url = printer_url or ctx.settings.printer.ticket_url
        self.width_dots = ctx.settings.printer.width_dots
        self.setObjectName("kiosk")
        self._family = bundled_font_family()
        self._scale = 0.0
        self._tall = 0.0

        self._home: KioskHome | None = None
        self._priority: PriorityReason | None = None
        self._issuing = False
        self._printing_id: uuid.UUID | None = None
        self._unavailable = False
        self._closed = False
        # The home screen's read: one in flight, a change meanwhile reads once more after it.
        self._home_read: LatestRead[KioskHome] = LatestRead(
            self._home_work, success=self._loaded, failure=self._load_failed, parent=self
        )
        self._tap_guard_until = 0.0
        self._watching = False

        self.preview_window: TicketPreviewWindow | None = None
        try:
            if parse_printer_url(self.printer_url).kind is PrinterKind.PREVIEW:
                self.preview_window = TicketPreviewWindow(self)
        except PrinterError as exc:  # every print will fail with this; the counters reprint
            log.error("kiosk printer unusable: %s", exc.user_text())

        self.header = Header(self)
        self.starting = StartingScreen(self)
        self.home = HomeScreen(self)
        self.priority = PriorityScreen(self)
        self.number = NumberScreen(self)
        self.out_of_service = OutOfServiceScreen(self)
        self._screens: dict[str, QWidget] = {
            STARTING: self.starting,
            HOME: self.home,
            PRIORITY: self.priority,
            NUMBER: self.number,
            OUT_OF_SERVICE: self.out_of_service,
        }
        self.stack = QStackedWidget(self)
        for screen in self._screens.values():
            self.stack.addWidget(screen)
        # The screen decides the kiosk's size, never the other way round: a page's wrapped
        # text must not grow the window past the screen (or the demo's share of it).
        self.stack.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)

        self.home.sig_field_tapped.connect(self._field_tapped)
        self.home.sig_priority_tapped.connect(self._priority_tapped)
        self.home.sig_priority_cancelled.connect(self._priority_cancelled)
        self.priority.sig_chosen.connect(self._reason_chosen)
        self.number.sig_done.connect(self._done_tapped)

        self._return_timer = self._timer(self._return_home, single=True)
        self._idle_timer = self._timer(self._idle, single=True)
        self._retry_timer = self._timer(self.reload, single=True)
        self._message_timer = self._timer(lambda: self.home.show_message(None), single=True)
        self._refresh_timer = self._timer(self.reload, single=False)
        self._refresh_timer.start(self.timing.refresh_ms)
        self._clock_timer = self._timer(self.header.tick, single=False)
        self._clock_timer.start(1000)

        self.changes = change_hub(ctx.database)
        self.changes.sig_changed.connect(self._database_changed)
        self.changes.sig_connection.connect(self._database_changed)
        # Staff only (a keyboard is not needed otherwise): leave the full-screen kiosk.
        self.kiosk_actions = create_actions(self)
        self.kiosk_actions.quit.triggered.connect(self.close)

        self.setWindowTitle(self.tr("Lấy số thứ tự"))
        self.resize(1024, 768)
        self._apply_scale()
        self._show(STARTING)
        QueryOp(
            lambda: data.warm_up_printing(self.width_dots),
            success=lambda _none: None,
            failure=lambda _exc: None,
            parent=self,
        ).run_in_background()
        self.reload()

    def _timer(self, slot: Callable[[], None], *, single: bool) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(single)
        timer.timeout.connect(slot)
        return timer

    # --- what tests and the demo look at ---------------------------------------------------

    def current_screen(self) -> str:
        """The name of the screen on show (see ``sig_screen_changed``)."""
        current = self.stack.currentWidget()
        return next(name for name, screen in self._screens.items() if screen is current)

    def is_busy(self) -> bool:
        """True while a ticket is being issued or shown (taps on fields are ignored)."""
        return self._issuing

    def is_printing(self) -> bool:
        return self._printing_id is not None

    # --- screens -----------------------------------------------------------------------------

    def _show(self, name: str) -> None:
        self.stack.setCurrentWidget(self._screens[name])
        self._tap_guard_until = time.monotonic() + self.timing.tap_guard_ms / 1000
        if name == PRIORITY or (name == HOME and self._priority is not None):
            self._idle_timer.start(self.timing.idle_ms)
        else:
            self._idle_timer.stop()
        self.sig_screen_changed.emit(name)

    def _accepting_taps(self) -> bool:
        return time.monotonic() >= self._tap_guard_until

    def _set_priority(self, reason: PriorityReason | None) -> None:
        self._priority = reason
        self.home.set_priority(reason)

    @_guarded
    def _idle(self) -> None:
        """Nobody finished the priority step: the next citizen starts from scratch."""
        self._set_priority(None)
        if self.current_screen() == PRIORITY:
            self._show(HOME)

    @_guarded
    def _priority_tapped(self) -> None:
        if self._issuing or not self._accepting_taps():
            return
        self._show(PRIORITY)

    @_guarded
    def _reason_chosen(self, reason: PriorityReason | None) -> None:
        if not self._accepting_taps():
            return
        self._set_priority(reason)
        self._show(HOME)

    @_guarded
    def _priority_cancelled(self) -> None:
        if self._issuing:
            return
        self._set_priority(None)
        self._idle_timer.stop()

    # --- reading the home screen ---------------------------------------------------------------

    def reload(self) -> None:
        """Read office, fields and counts in the background (coalesced while one read runs)."""
        if not self._closed:
            self._home_read.request()

    def _home_work(self) -> Callable[[], KioskHome]:
        database, ward_code = self.ctx.database, self.ctx.settings.office.ward_code
        return lambda: data.load_home(database, ward_code)

    @_guarded
    def _loaded(self, home: KioskHome) -> None:
        if self._closed:
            return
        if self._unavailable:
            log.info("kiosk back in service: database reachable again")
        self._unavailable = False
        self._retry_timer.stop()
        self._home = home
        self.header.set_center_name(home.office.center_name)
        self.home.set_home(home)
        if self.current_screen() in (STARTING, OUT_OF_SERVICE):
            self._show(HOME)
        self._watch(True)

    @_guarded
    def _load_failed(self, exc: Exception) -> None:
        if self._closed:
            return
        first = not self._unavailable
        messages.report(
            exc,
            what="kiosk out of service",
            bug_text="",
            logger=log,
            level=logging.WARNING if first else logging.DEBUG,
        )
        # A bug and a database that is down each retry on their own timing.
        retry = self.timing.bug_retry_ms if messages.is_bug(exc) else self.timing.retry_ms
        self._go_out_of_service(retry)

    def _go_out_of_service(self, retry_ms: int) -> None:
        self._unavailable = True
        self._set_priority(None)
        # The watcher would reconnect on the GUI thread; our background retries do it instead.
        self._watch(False)
        if self.current_screen() != NUMBER:  # an issued number stays until its time is up
            self._show(OUT_OF_SERVICE)
        self._retry_timer.start(retry_ms)

    def _watch(self, on: bool) -> None:
        was, self._watching = self._watching, on  # set first: holding may report at once
        if on and not was:
            self.changes.hold(self)
        elif not on and was:
            self.changes.release(self)

    def _database_changed(self, *_connected: bool) -> None:
        # In the demo the hub runs on for the other faces: an out-of-service kiosk ignores it.
        if self._watching:
            self.reload()

    # --- issuing and printing ----------------------------------------------------------------

    @_guarded
    def _field_tapped(self, code: str) -> None:
        home = self._home
        if self._issuing or home is None or not self._accepting_taps():
            log.debug("tap on %s ignored (busy or too soon)", code)
            return
        self._issuing = True  # every further tap is ignored until the home screen is back
        self.home.set_busy(code)
        self._idle_timer.stop()
        database, reason = self.ctx.database, self._priority
        QueryOp(
            lambda: data.issue(
                database, office_id=home.office.id, field_code=code, priority_reason=reason
            ),
            success=self._issued,
            failure=self._issue_failed,
            parent=self,
        ).run_in_background()

    @_guarded
    def _issued(self, ticket: TicketInfo) -> None:
        if self._closed:  # the kiosk is shutting down: the counters can print it
            log.warning("ticket %s issued while the kiosk closed; not printed", ticket.display)
            return
        log.info("ticket %s issued (%s)", ticket.display, ticket.field_name)
        self._set_priority(None)
        self.number.show_ticket(ticket)
        self.number.set_print_state("printing")
        self._show(NUMBER)
        self._return_timer.start(self.timing.number_ms)
        self._printing_id = ticket.id
        self.sig_ticket_issued.emit(ticket)
        home = self._home
        center_name = home.office.center_name if home else self.header.center_name()
        database, url, width = self.ctx.database, self.printer_url, self.width_dots
        preview = self.preview_window.sink() if self.preview_window is not None else None
        QueryOp(
            lambda: data.print_and_record(
                database,
                ticket=ticket,
                center_name=center_name,
                printer_url=url,
                width_dots=width,
                preview=preview,
            ),
            success=self._printed,
            failure=lambda exc: self._printed(PrintOutcome(ticket.id, _as_known(exc), False)),
            parent=self,
        ).run_in_background()

    @_guarded
    def _issue_failed(self, exc: Exception) -> None:
        if self._closed:
            return
        self._issuing = False
        self.home.set_busy(None)
        if isinstance(exc, DatabaseUnavailable):
            log.warning("ticket not issued, database unreachable: %s", exc.user_text())
            self._go_out_of_service(self.timing.retry_ms)
            return
        messages.report(exc, what="ticket not issued", bug_text="", logger=log)
        self._notify(self.tr("Xin lỗi, chưa cấp được số. Mời ông/bà chạm lại vào lĩnh vực."))
        if self.current_screen() != HOME:
            self._show(HOME)
        self.reload()

    @_guarded
    def _printed(self, outcome: PrintOutcome) -> None:
        if self._closed or outcome.ticket_id != self._printing_id:
            return  # a ticket the kiosk has moved on from (after a recovery)
        self._printing_id = None
        self.sig_print_finished.emit(outcome)
        if outcome.error is not None:
            self.number.set_print_state("failed")
            self._return_timer.start(self.timing.print_failed_ms)
            return
        self.number.set_print_state("printed")
        left = self._return_timer.remainingTime() if self._return_timer.isActive() else 0
        self._return_timer.start(max(left, self.timing.after_print_ms))

    @_guarded
    def _done_tapped(self) -> None:
        if self._accepting_taps():
            self._return_home()

    @_guarded
    def _return_home(self) -> None:
        if self._printing_id is not None:
            return  # the number stays until the printer has answered; _printed restarts us
        self._return_timer.stop()
        self._issuing = False
        self.home.set_busy(None)
        self._show(OUT_OF_SERVICE if self._unavailable else HOME)
        self.reload()

    def _notify(self, text: str) -> None:
        self.home.show_message(text)
        self._message_timer.start(self.timing.message_ms)

    def recover(self) -> None:
        """After an unexpected error: forget the citizen's half-done steps, show the home screen."""
        try:
            self._return_timer.stop()
            self._issuing = False
            self._printing_id = None
            self._set_priority(None)
            self.home.set_busy(None)
            if self._unavailable:
                self._show(OUT_OF_SERVICE)
            else:
                self._show(HOME if self._home is not None else STARTING)
            self.reload()
        except Exception:
            log.exception("kiosk could not restore its home screen")

    # --- Qt ----------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._apply_scale()

    def _apply_scale(self) -> None:
        scale, tall = style.scale_for(self.size()), style.tall_factor(self.size())
        if abs(scale - self._scale) < 0.01 and abs(tall - self._tall) < 0.01:
            return
        self._scale, self._tall = scale, tall
        self.setStyleSheet(style.stylesheet(self._family, scale, tall))
        self.header.set_scale(scale)
        for screen in self._screens.values():
            screen.set_scale(scale, tall)  # type: ignore[attr-defined]

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.setWindowTitle(self.tr("Lấy số thứ tự"))
            for screen in self._screens.values():
                screen.retranslate_ui()  # type: ignore[attr-defined]
            if self.preview_window is not None:
                self.preview_window.retranslate_ui()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self._closed = True
        self._home_read.stop()
        for timer in (
            self._return_timer,
            self._idle_timer,
            self._retry_timer,
            self._message_timer,
            self._refresh_timer,
            self._clock_timer,
        ):
            timer.stop()
        self._watch(False)
        if self.preview_window is not None:
            self.preview_window.close()
        super().closeEvent(event)


def _as_known(exc: Exception) -> KnownError:
    if isinstance(exc, KnownError):
        return exc
    return PrinterError("Lỗi không mong muốn khi in phiếu.", "Chi tiết trong nhật ký.")
