"""The outbox's statements, built once: claiming and leasing due rows, writing a pass's outcomes."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import Connection, Update, bindparam, case, insert, or_, select, update

from onestop_desk.core.submission import SubmissionState
from onestop_desk.db.models import Dossier, DossierEvent, Submission

#: The due rows, oldest first; PostgreSQL skips rows another worker is claiming right now.
_DUE: Final = (
    select(
        Submission.id,
        Submission.dossier_id,
        Submission.idempotency_key,
        Submission.attempts,
    )
    .where(
        Submission.state.in_((SubmissionState.PENDING, SubmissionState.SENDING)),
        Submission.next_attempt_at <= bindparam("now"),
    )
    .order_by(Submission.next_attempt_at)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)
#: Lease the picked rows: ``attempts`` + 1 becomes the claim's token.
_LEASE: Final = (
    update(Submission)
    .where(Submission.id.in_(bindparam("ids", expanding=True)))
    .values(
        state=SubmissionState.SENDING,
        attempts=Submission.attempts + 1,
        next_attempt_at=bindparam("until"),
        updated_at=bindparam("now"),
    )
)
#: The rows of ``ids`` still leased to someone, locked until the outcomes are written.
_HELD: Final = (
    select(Submission.id, Submission.attempts)
    .where(
        Submission.id.in_(bindparam("ids", expanding=True)),
        Submission.state == SubmissionState.SENDING,
    )
    # In id order: two workers locking overlapping rows never deadlock.
    .order_by(Submission.id)
    .with_for_update()
)
_RENEW: Final = (
    update(Submission)
    .where(Submission.id.in_(bindparam("ids", expanding=True)))
    .values(next_attempt_at=bindparam("until"))
)


@dataclass
class _Writes:
    """The rows one ``_record`` changes, sent as one executemany per kind of change."""

    submissions: list[dict[str, Any]] = field(default_factory=list)
    dossiers: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def apply(self, connection: Connection) -> None:
        # Core statements, plain executemany: no ORM bookkeeping. executemany wants the same
        # keys in every row: one statement per shape of change.
        shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in self.submissions:
            shapes.setdefault(tuple(sorted(row)), []).append(row)
        for keys, rows in shapes.items():
            connection.execute(_submission_update(keys), rows)
        if self.dossiers:
            connection.execute(_PORTAL_REFERENCE, self.dossiers)
        if self.events:
            connection.execute(_NEW_EVENT, self.events)


@functools.cache
def _submission_update(keys: tuple[str, ...]) -> Update:
    """UPDATE of the submission ``b_id`` setting the columns ``keys`` (a handful of shapes)."""
    return (
        update(Submission)
        .where(Submission.id == bindparam("b_id"))
        .values({k: bindparam(k) for k in keys if k != "b_id"})
    )


# The status feed may already have told us something newer: keep that.
_NEWER: Final = or_(
    Dossier.portal_status_at.is_(None),
    Dossier.portal_status_at <= bindparam("portal_status_at"),
)
_PORTAL_REFERENCE: Final = (
    update(Dossier)
    .where(Dossier.id == bindparam("b_id"))
    .values(
        portal_reference=bindparam("portal_reference"),
        portal_status=case((_NEWER, bindparam("portal_status")), else_=Dossier.portal_status),
        portal_status_at=case(
            (_NEWER, bindparam("portal_status_at")), else_=Dossier.portal_status_at
        ),
    )
)
_NEW_EVENT: Final = insert(DossierEvent)
