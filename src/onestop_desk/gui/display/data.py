"""What the display reads: the board, in one read-only unit of work on a worker thread."""

from __future__ import annotations

from datetime import date

from onestop_desk.db.database import Database
from onestop_desk.services.office import find_office
from onestop_desk.services.queue import DisplayBoard, display_board
from onestop_desk.services.uow import UnitOfWork

# More calls than the board shows, so a burst of calls between two reads is not missed.
RECENT_FETCH = 20


def read_board(database: Database, ward_code: int, day: date) -> DisplayBoard:
    """The board for ``day`` in one read-only transaction (runs on a worker thread)."""
    with UnitOfWork(database, readonly=True) as uow:
        office = find_office(uow, ward_code)
        return display_board(uow, office_id=office.id, day=day, recent=RECENT_FETCH)
