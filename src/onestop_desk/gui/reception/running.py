"""The reception pane's background work: counted while under way, every failure said one way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from onestop_desk.gui import messages
from onestop_desk.gui.operations import QueryOp
from onestop_desk.log import gui as log


class PaneWork:
    """Runs the pane's ops; ``busy`` while any is under way (a save waits for them)."""

    def __init__(
        self, failed: Callable[[Exception, str], None], failed_quietly: Callable[[], None]
    ) -> None:
        self._failed = failed
        self._failed_quietly = failed_quietly
        self.pending = 0

    @property
    def busy(self) -> bool:
        return self.pending > 0

    def run(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        what: str,
        *,
        quiet: bool = False,
    ) -> None:
        """``work`` in the background, then ``done``; a failure is said on the pane.

        ``quiet``: a known problem is only logged (a draft not written is tried again later).
        """

        def failure(exc: Exception) -> None:
            if quiet and not messages.is_bug(exc):
                messages.report(exc, what=f"{what} failed", bug_text="", logger=log)
                self._failed_quietly()
                return
            self._failed(exc, what)

        self.run_with(work, done, failure)

    def run_with(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failure: Callable[[Exception], None],
    ) -> None:
        """``work`` in the background, then ``done`` or ``failure`` (the caller's own)."""
        self.pending += 1
        QueryOp(
            work,
            success=lambda r: self._finish(done, r),
            failure=lambda e: self._finish(failure, e),
        ).run_in_background()

    def _finish(self, callback: Callable[[Any], None], value: Any) -> None:
        self.pending -= 1
        callback(value)
