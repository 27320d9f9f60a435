"""Background operations: database and device work off the GUI thread, results marshalled back.

``QueryOp`` reads, ``MutationOp`` writes and then announces the change on the change hub,
``LatestRead`` keeps a pane's refreshes to one read in flight showing only the newest answer, and
``activity()`` counts the operations under way. An op given no ``failure`` callback reports
through ``messages.show_exception``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QWidget

from onestop_desk.errors import KnownError
from onestop_desk.gui.changes import ChangeHub

log = logging.getLogger("onestop.gui")
T = TypeVar("T")


class Activity(QObject):
    """How many background operations are under way in this process (for a busy indicator)."""

    #: True when the first operation starts, False when the last one ends.
    sig_busy = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def started(self) -> None:
        self.count += 1
        if self.count == 1:
            self.sig_busy.emit(True)

    def ended(self) -> None:
        self.count -= 1
        if self.count == 0:
            self.sig_busy.emit(False)


_activity: Activity | None = None


def activity() -> Activity:
    """The process's operation counter (made on first use, on the GUI thread)."""
    global _activity  # noqa: PLW0603 - one counter per process by design
    if _activity is None:
        _activity = Activity()
    return _activity


class _Relay(QObject):
    """Lives on the GUI thread; queued signals deliver the worker's outcome there."""

    sig_success = Signal(object)
    sig_failure = Signal(object)


class _Runnable(QRunnable):
    def __init__(
        self, work: Callable[[], Any], relay: _Relay, expected: tuple[type[Exception], ...]
    ) -> None:
        super().__init__()
        self._work = work
        self._relay = relay
        self._expected = expected

    def run(self) -> None:
        try:
            result = self._work()
        except Exception as exc:  # every failure goes back to the GUI thread to be shown
            if isinstance(exc, self._expected):
                log.debug("background operation failed as foreseen: %r", exc)
            elif not isinstance(exc, KnownError):
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

    With a ``parent`` widget, the callbacks are dropped if the widget is destroyed first. Without
    ``failure``, the error is logged and shown by ``messages.show_exception``. ``expected``: error
    types (besides ``KnownError``) that ``failure`` handles as foreseen (a file that cannot be
    read): not logged as bugs.
    """

    _alive: ClassVar[set[_Relay]] = set()  # keeps parentless relays alive until they fire

    def __init__(
        self,
        work: Callable[[], T],
        *,
        success: Callable[[T], None],
        failure: Callable[[Exception], None] | None = None,
        parent: QObject | None = None,
        expected: tuple[type[Exception], ...] = (),
    ) -> None:
        self._work = work
        self._success = success
        self._failure = failure
        self._parent = parent
        self._expected = expected

    def run_in_background(self, pool: QThreadPool | None = None) -> None:
        relay = _Relay(self._parent)
        QueryOp._alive.add(relay)
        counter = activity()
        counter.started()
        ended = False

        def end() -> None:
            nonlocal ended
            if not ended:
                ended = True
                QueryOp._alive.discard(relay)
                counter.ended()

        relay.destroyed.connect(lambda *_args: end())

        def done_ok(result: Any) -> None:
            end()
            self._succeeded(result)

        def done_err(exc: Any) -> None:
            end()
            self._failed(exc)

        relay.sig_success.connect(done_ok)
        relay.sig_failure.connect(done_err)
        (pool or QThreadPool.globalInstance()).start(_Runnable(self._work, relay, self._expected))

    def _succeeded(self, result: T) -> None:
        self._success(result)

    def _failed(self, exc: Exception) -> None:
        if self._failure is not None:
            self._failure(exc)
            return
        from onestop_desk.gui.messages import show_exception

        show_exception(exc, parent=_widget(self._parent))


class MutationOp(QueryOp[T]):
    """A write: like ``QueryOp``, and on success the change is announced on ``changes``.

    The announcement follows the ``success`` callback, so every pane (this one included) refreshes
    from the hub as it does after another PC's change.
    """

    def __init__(
        self,
        work: Callable[[], T],
        *,
        changes: ChangeHub,
        success: Callable[[T], None],
        failure: Callable[[Exception], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(work, success=success, failure=failure, parent=parent)
        self._changes = changes

    def _succeeded(self, result: T) -> None:
        try:
            super()._succeeded(result)
        finally:
            self._changes.announce()


class LatestRead(Generic[T]):
    """A pane's refresh: one read in flight at a time, only the newest answer shown.

    ``request()`` while a read runs asks for one more read after it (however many requests came);
    ``invalidate()`` marks the reads under way as stale (an action changed what they would see):
    their answers are dropped and one more read follows. ``prepare`` runs on the GUI thread when a
    read starts and returns the work for the thread pool (it captures the pane's current query).
    """

    def __init__(
        self,
        prepare: Callable[[], Callable[[], T]],
        *,
        success: Callable[[T], None],
        failure: Callable[[Exception], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        self._prepare = prepare
        self._success = success
        self._failure = failure
        self._parent = parent
        self._generation = 0
        self._in_flight = False
        self._again = False
        self._stopped = False

    @property
    def busy(self) -> bool:
        """True while a read is under way."""
        return self._in_flight

    @property
    def wanted(self) -> bool:
        """True when another read will follow the one under way."""
        return self._again

    def request(self) -> None:
        """Read now, or once more as soon as the read under way ends."""
        if self._stopped:
            return
        if self._in_flight:
            self._again = True
            return
        self._in_flight = True
        self._again = False
        generation = self._generation
        QueryOp(
            self._prepare(),
            success=lambda result: self._done(generation, result),
            failure=lambda exc: self._done_failed(generation, exc),
            parent=self._parent,
        ).run_in_background()

    def invalidate(self) -> None:
        """The reads under way started before a change: drop their answers, read again."""
        self._generation += 1
        if self._in_flight:
            self._again = True

    def stop(self) -> None:
        """No more reads (the pane closes): the answer of the one under way is dropped."""
        self._stopped = True
        self._again = False

    def _done(self, generation: int, result: T) -> None:
        self._in_flight = False
        if self._stopped:
            return
        if generation == self._generation:
            self._success(result)
        else:
            self._again = True
        self._follow_up()

    def _done_failed(self, generation: int, exc: Exception) -> None:
        self._in_flight = False
        if self._stopped:
            return
        if generation != self._generation:
            self._again = True  # a newer read will say whether the problem stays
        elif self._failure is not None:
            self._failure(exc)
        else:
            from onestop_desk.gui.messages import show_exception

            show_exception(exc, parent=_widget(self._parent))
        self._follow_up()

    def _follow_up(self) -> None:
        if self._again and not self._in_flight:
            self.request()


def _widget(obj: QObject | None) -> QWidget | None:
    """The window a message box belongs over, if the op's parent is one."""
    return obj if isinstance(obj, QWidget) else None
