"""Which calls on a fresh display board are new since the last one (Qt-free, so easily tested)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from onestop_desk.services.queue import CallRecord

CallKey = tuple[uuid.UUID, int]

# Keys remembered beyond the ones on the board: a day of a busy commune is a few hundred calls,
# and a key that slips off the board's window and back (equal call times) must not speak twice.
REMEMBERED = 2000


def call_key(call: CallRecord) -> CallKey:
    """A call is one ticket at one call count: a recall has the same ticket, the next count."""
    return (call.ticket_id, call.call_count)


class CallTracker:
    """Tells the calls of a board not seen on any earlier board, oldest first.

    The first board only primes the tracker: calls made before the display started are shown
    on screen but never announced.
    """

    def __init__(self) -> None:
        self._seen: dict[CallKey, None] | None = None  # a dict keeps insertion order for pruning

    @property
    def primed(self) -> bool:
        """True once a first board has been seen."""
        return self._seen is not None

    def update(self, calls: Sequence[CallRecord]) -> list[CallRecord]:
        """The calls in ``calls`` that are new, in the order they were made."""
        if self._seen is None:
            self._seen = dict.fromkeys(map(call_key, calls))
            return []
        new = [call for call in calls if call_key(call) not in self._seen]
        new.sort(key=lambda call: (call.called_at, call.call_count))
        for call in new:
            self._seen[call_key(call)] = None
        while len(self._seen) > REMEMBERED:
            del self._seen[next(iter(self._seen))]
        return new
