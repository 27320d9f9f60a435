"""The counter's online-submission worker: outbox and status sync on a thread of their own.

While a counter window is open on a PC with the portal configured, queued dossiers go out and
statuses come back without anyone waiting on the screen: the HTTP calls and database writes
run on a plain Python thread, and only the outcome reaches the GUI thread, through signals.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from onestop_desk.config import Settings
from onestop_desk.db.database import Database
from onestop_desk.gui import messages
from onestop_desk.portal.client import PortalClient
from onestop_desk.portal.credentials import is_configured
from onestop_desk.portal.outbox import Outbox
from onestop_desk.portal.sync import PassReport, run_pass

log = logging.getLogger("onestop.gui.outbox")

#: How long ``stop()`` waits for a request in flight before leaving the thread to finish alone.
STOP_TIMEOUT_S = 30.0
#: What staff read when a pass failed on a bug (its traceback is in the log).
UNEXPECTED_TEXT = "Lỗi không mong muốn khi gửi hồ sơ trực tuyến; chi tiết đã ghi vào nhật ký."


class OutboxWorker(QObject):
    """Runs an outbox pass and a status sync every ``interval`` seconds until ``stop()``.

    Signals are emitted from the worker thread; Qt queues them to the GUI thread, where the
    counter's slots run.
    """

    #: A pass that did something: a ``portal.sync.PassReport`` (sent/retried/failed counts,
    #: statuses synced, a one-line Vietnamese ``summary()``).
    sig_report = Signal(object)
    #: A dossier's submission gave up: its code and the Vietnamese reason to show staff.
    sig_failed = Signal(str, str)
    #: The pass could not run (database unreachable, portal login missing): the message.
    sig_problem = Signal(str)

    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        client_factory: Callable[[], PortalClient] | None = None,
        interval: float | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._outbox = Outbox.from_settings(database, settings, client_factory)
        self._limit = max(1, settings.portal.batch_size)
        self._interval = settings.portal.poll_interval_s if interval is None else interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def for_counter(
        cls, database: Database, settings: Settings, parent: QObject | None = None
    ) -> OutboxWorker | None:
        """A worker for this PC, or None when the portal is not configured here."""
        if not is_configured(settings):
            return None
        return cls(database, settings, parent=parent)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="outbox-worker", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        """Run a pass now (a dossier was just saved) instead of at the next tick."""
        self._wake.set()

    def stop(self) -> None:
        """Stop after the dossier in hand and wait for the thread (the window is closing)."""
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is None:
            self._outbox.close()
            return
        thread.join(STOP_TIMEOUT_S)
        if thread.is_alive():
            # A request hanging past every timeout: the thread closes its client on the way out.
            log.warning("outbox worker still busy after %.0f s; left to finish", STOP_TIMEOUT_S)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._wake.clear()
                self._one_pass()
                self._wake.wait(self._interval)
        finally:
            self._outbox.close()

    def _one_pass(self) -> None:
        try:
            report: PassReport = run_pass(self._outbox, limit=self._limit, stop=self._stop)
        except Exception as exc:
            # Not in a background op, so a bug's traceback is logged here; then the one path of
            # log-and-say. The worker lives on for the next pass either way.
            if messages.is_bug(exc):
                log.exception("outbox pass failed")
            text = messages.report(
                exc,
                what="outbox pass skipped",
                bug_text=UNEXPECTED_TEXT,
                logger=log,
            )
            self._emit(self.sig_problem, text)
            return
        for failure in report.outbox.failures:
            self._emit(self.sig_failed, failure.dossier_code, failure.reason)
        if report.busy:
            self._emit(self.sig_report, report)

    def _emit(self, signal: object, *args: object) -> None:
        try:
            signal.emit(*args)  # type: ignore[attr-defined]
        except RuntimeError:
            # The QObject was deleted under us (window torn down without stop()).
            log.debug("outbox worker signal dropped: its window is gone")
