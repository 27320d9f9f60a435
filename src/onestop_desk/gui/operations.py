"""Background operations: database and device work off the GUI thread, results marshalled back."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from onestop_desk.errors import KnownError

log = logging.getLogger("onestop.gui")
T = TypeVar("T")


class _Relay(QObject):
    """Lives on the GUI thread; queued signals deliver the worker's outcome there."""

    sig_success = Signal(object)
    sig_failure = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._work()
        except Exception as exc:  # every failure goes back to the GUI thread to be shown
            if not isinstance(exc, KnownError):
                log.exception("background operation failed")
            self._deliver(self._relay.sig_failure, exc)
        else:
            self._deliver(self._relay.sig_success, result)

    @staticmethod
    def _deliver(signal: Any, value: object) -> None:
        try:
            signal.emit(value)
        except RuntimeError:
            # The widget that asked was closed meanwhile: nobody is left to tell.
            log.debug("background result dropped: its window is gone")


class QueryOp(Generic[T]):
    """Run ``work`` in the thread pool; ``success`` or ``failure`` is called on the GUI thread.

    With a ``parent`` widget, the callbacks are dropped if the widget is destroyed first.
    """

    _alive: ClassVar[set[_Relay]] = set()  # keeps parentless relays alive until they fire

    def __init__(
        self,
        work: Callable[[], T],
        *,
        success: Callable[[T], None],
        failure: Callable[[Exception], None],
        parent: QObject | None = None,
    ) -> None:
        self._work = work
        self._success = success
        self._failure = failure
        self._parent = parent

    def run_in_background(self, pool: QThreadPool | None = None) -> None:
        relay = _Relay(self._parent)
        QueryOp._alive.add(relay)
        relay.destroyed.connect(lambda: QueryOp._alive.discard(relay))

        def done_ok(result: Any) -> None:
            QueryOp._alive.discard(relay)
            self._success(result)

        def done_err(exc: Any) -> None:
            QueryOp._alive.discard(relay)
            self._failure(exc)

        relay.sig_success.connect(done_ok)
        relay.sig_failure.connect(done_err)
        (pool or QThreadPool.globalInstance()).start(_Runnable(self._work, relay))
