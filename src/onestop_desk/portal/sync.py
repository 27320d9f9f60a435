"""Status sync: the portal's change feed read back into dossiers, their history and lifecycle.

The cursor (``sync_cursor`` "portal.changes") moves in the same transaction as the events a page
produced, so a crash between the two can only replay a page; a replayed change is recognised
(same dossier, status and time) and changes nothing twice. Several PCs may sync at once: the
cursor row is locked, and a page someone else already applied is dropped.

A supplement request the local state follows is written as the action's own event
(``request_supplement``) with the papers and the reason in the shape the desk's
``services.lifecycle.actions.request_supplement`` writes, so Mẫu 02, the tracking slip and the
counter's history read it like one made at the desk. A further request while the dossier already
waits for papers is written the same way (state unchanged): it replaces the earlier list on Mẫu 02.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from onestop_desk.core.lifecycle import (
    TRANSITIONS,
    DossierAction,
    DossierState,
    classify_return,
)
from onestop_desk.core.text import nfc
from onestop_desk.db.database import Database
from onestop_desk.db.models import Dossier, DossierEvent, SyncCursor
from onestop_desk.portal.client import PortalClient, PortalError, StatusChange
from onestop_desk.portal.http import to_office_time
from onestop_desk.portal.outbox import Outbox, OutboxReport
from onestop_desk.services.uow import UnitOfWork

log = logging.getLogger("onestop.portal.sync")

CURSOR: Final = "portal.changes"
PAGE_SIZE: Final = 200
#: Pages per call: a backlog of months is caught up over several passes, not in one long one.
MAX_PAGES: Final = 50

#: docs/portal-api.md, "Statuses and our lifecycle"; ``received`` moves nothing.
STATUS_ACTIONS: Final[dict[str, DossierAction]] = {
    "processing": DossierAction.START_PROCESSING,
    "supplement_requested": DossierAction.REQUEST_SUPPLEMENT,
    "result_ready": DossierAction.MARK_RESULT_READY,
    "refused": DossierAction.REFUSE,
    "stopped": DossierAction.STOP,
    "returned": DossierAction.RETURN_RESULT,
}
PORTAL_STATUS_LABELS: Final[dict[str, str]] = {
    "received": "Đã tiếp nhận trực tuyến",
    "processing": "Đang giải quyết",
    "supplement_requested": "Yêu cầu bổ sung hồ sơ",
    "result_ready": "Đã có kết quả",
    "refused": "Từ chối",
    "stopped": "Dừng giải quyết",
    "returned": "Đã trả kết quả",
}


#: The portal's spelling of how a paper must come -> the checklist's (outbox maps the other way).
LOCAL_KINDS: Final[dict[str, str]] = {
    "original": "original",
    "certified_copy": "certified_copy",
    "photocopy": "copy",
}
SUPPLEMENT_STATUS: Final = "supplement_requested"
# The history kinds a change from the feed is written under.
_FEED_EVENT_KINDS: Final = ("portal_status", DossierAction.REQUEST_SUPPLEMENT.value)


def portal_status_label(status: str) -> str:
    """The Vietnamese label of a portal status (an unknown one as it came)."""
    return PORTAL_STATUS_LABELS.get(status, status)


@dataclass(frozen=True)
class SyncReport:
    """What one sync did."""

    pages: int = 0
    changes: int = 0  # entries read from the feed
    applied: int = 0  # moved the local state
    recorded: int = 0  # recorded only (status the local state does not allow, or ``received``)
    unknown: int = 0  # about dossiers this database does not have
    replayed: int = 0  # already applied before (a replayed page)

    @property
    def busy(self) -> bool:
        return bool(self.applied or self.recorded)


def sync_statuses(
    database: Database,
    client: PortalClient,
    *,
    clock: Callable[[], datetime] = datetime.now,
    page_size: int = PAGE_SIZE,
    max_pages: int = MAX_PAGES,
) -> SyncReport:
    """Read the change feed from the cursor on and apply it, page by page."""
    totals = SyncReport()
    for _ in range(max_pages):
        since = _read_cursor(database)
        page = client.changes_since(since, limit=page_size)
        outcome = _apply_page(database, since, page.changes, page.until, clock())
        if outcome is None:
            continue  # another PC applied this page meanwhile: read on from where it got
        totals = _add(totals, outcome)
        if not page.more:
            break
    return totals


def _add(a: SyncReport, b: SyncReport) -> SyncReport:
    return SyncReport(
        pages=a.pages + b.pages,
        changes=a.changes + b.changes,
        applied=a.applied + b.applied,
        recorded=a.recorded + b.recorded,
        unknown=a.unknown + b.unknown,
        replayed=a.replayed + b.replayed,
    )


def _read_cursor(database: Database) -> datetime | None:
    with UnitOfWork(database, readonly=True) as uow:
        value = uow.session.scalar(select(SyncCursor.value).where(SyncCursor.name == CURSOR))
    return datetime.fromisoformat(value) if value else None


def _lock_cursor(uow: UnitOfWork, now: datetime) -> SyncCursor:
    # The row may not exist yet and two PCs may create it at once: insert-or-nothing, then lock.
    insert = postgresql.insert if uow.database.is_postgresql else sqlite.insert
    uow.session.execute(
        insert(SyncCursor)
        .values(name=CURSOR, value="", updated_at=now)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    return uow.session.scalars(
        select(SyncCursor).where(SyncCursor.name == CURSOR).with_for_update()
    ).one()


def _apply_page(
    database: Database,
    since: datetime | None,
    changes: tuple[StatusChange, ...],
    until: datetime,
    now: datetime,
) -> SyncReport | None:
    with UnitOfWork(database, source="portal-sync") as uow:
        cursor = _lock_cursor(uow, now)
        current = datetime.fromisoformat(cursor.value) if cursor.value else None
        if current != since:
            return None
        report = SyncReport(pages=1, changes=len(changes))
        for change in changes:
            report = _add(report, _apply_change(uow.session, change))
        cursor.value = until.isoformat(timespec="microseconds")
        cursor.updated_at = now
        uow.commit()
    if report.busy:
        log.info(
            "portal sync: %d changes, %d applied, %d recorded",
            report.changes,
            report.applied,
            report.recorded,
        )
    return report


def _find_dossier(session: Session, change: StatusChange) -> Dossier | None:
    return session.scalars(
        select(Dossier)
        .where(
            or_(
                Dossier.portal_reference == change.portal_code,
                Dossier.code == change.local_code,
            )
        )
        .with_for_update(of=Dossier)
    ).first()


def _seen(session: Session, dossier: Dossier, change: StatusChange, at: datetime) -> bool:
    """True when this very change was applied before (the feed is oldest first per dossier)."""
    if dossier.portal_status_at is None or at > dossier.portal_status_at:
        return False
    if at < dossier.portal_status_at:
        return True
    if change.status == dossier.portal_status:
        return True
    # Two changes of one dossier in the same microsecond: look for this one in the history.
    events = session.scalars(
        select(DossierEvent).where(
            DossierEvent.dossier_id == dossier.id, DossierEvent.kind.in_(_FEED_EVENT_KINDS)
        )
    )
    return any(
        e.data.get("status") == change.status and e.data.get("at") == change.at.isoformat()
        for e in events
    )


def _supplement_data(change: StatusChange) -> dict[str, Any]:
    """The papers and reason of a supplement request, as ``request_supplement`` stores them.

    Without a reason the portal's note is the reason; with neither, Mẫu 02 leaves dots.
    """
    items = [
        {
            "name": nfc(paper.name).strip(),
            "count": paper.count,
            # An adapter's unknown kind is kept as it came: printed wrongly would be worse.
            "kind": LOCAL_KINDS.get(paper.kind, paper.kind),
        }
        for paper in change.requested_documents
    ]
    reason = nfc(change.reason or change.note or "").strip()
    return {"items": items, "reason": reason}


def _apply_change(session: Session, change: StatusChange) -> SyncReport:
    dossier = _find_dossier(session, change)
    if dossier is None:
        log.info("portal change for unknown dossier %s / %s", change.portal_code, change.local_code)
        return SyncReport(unknown=1)
    at = to_office_time(change.at)
    if _seen(session, dossier, change, at):
        return SyncReport(replayed=1)
    if dossier.portal_reference is None:
        # The portal created it but our worker died before recording the reply: the feed says.
        dossier.portal_reference = change.portal_code
    dossier.portal_status = change.status
    dossier.portal_status_at = at

    before = dossier.state
    action = STATUS_ACTIONS.get(change.status)
    after = TRANSITIONS.get((before, action)) if action is not None else None
    label = portal_status_label(change.status)
    said = change.note or change.reason
    note = f"Hệ thống dịch vụ công: {label}" + (f" — {said}" if said else "")
    kind = "portal_status"
    data: dict[str, Any] = {
        "status": change.status,
        "note": change.note,
        "portal_code": change.portal_code,
        "at": change.at.isoformat(),
        "applied": after is not None,
    }
    supplement = change.status == SUPPLEMENT_STATUS
    # A new request while the citizen is still bringing papers replaces the one before:
    # written as a request too, so Mẫu 02 prints the latest list.
    again = supplement and after is None and before is DossierState.SUPPLEMENT_REQUESTED
    if supplement:
        data.update(_supplement_data(change))
        if after is not None or again:
            kind = DossierAction.REQUEST_SUPPLEMENT.value
    if again:
        data["replaces_earlier"] = True
    if after is not None:
        dossier.state = after
        if after is DossierState.RETURNED:
            dossier.returned_at = at
            dossier.result_timing = classify_return(dossier.due_at, at)
    elif again:
        note += " (yêu cầu mới, thay cho yêu cầu bổ sung trước)"
    elif action is not None:
        note += " (trạng thái hồ sơ tại bộ phận một cửa không thay đổi)"
    session.add(
        DossierEvent(
            dossier_id=dossier.id,
            at=at,
            kind=kind,
            from_state=before if after is not None else None,
            to_state=after,
            note=note,
            data=data,
        )
    )
    return SyncReport(applied=1) if after is not None else SyncReport(recorded=1)


# --- one pass of the whole exchange ----------------------------------------------------------


@dataclass(frozen=True)
class PassReport:
    """One pass of the worker: the outbox drained, then statuses synced."""

    outbox: OutboxReport
    sync: SyncReport
    sync_error: str | None = None

    @property
    def busy(self) -> bool:
        return self.outbox.busy or self.sync.busy or self.sync_error is not None

    def summary(self) -> str:
        """One Vietnamese line for the log of ``outbox run`` and the counter's status bar."""
        o, s = self.outbox, self.sync
        parts = [f"đã gửi {o.sent} hồ sơ"]
        if o.retried:
            parts.append(f"{o.retried} hồ sơ chờ gửi lại")
        if o.failed:
            parts.append(f"{o.failed} hồ sơ gửi không được")
        if s.applied or s.recorded:
            parts.append(f"cập nhật {s.applied + s.recorded} trạng thái từ hệ thống")
        line = "Hệ thống dịch vụ công: " + ", ".join(parts) + "."
        if o.auth_error:
            line += f" {o.auth_error.splitlines()[0]}"
        elif self.sync_error:
            line += f" Chưa cập nhật được trạng thái: {self.sync_error.splitlines()[0]}"
        return line


def run_pass(
    outbox: Outbox,
    *,
    limit: int = 20,
    stop: threading.Event | None = None,
    clock: Callable[[], datetime] = datetime.now,
) -> PassReport:
    """Drain the outbox, then read the portal's changes; portal trouble ends up in the report."""
    sent = outbox.drain(limit, stop)
    if sent.auth_error or (stop is not None and stop.is_set()):
        return PassReport(sent, SyncReport())
    try:
        synced = sync_statuses(outbox.database, outbox.client(), clock=clock)
    except PortalError as exc:
        log.info("portal sync skipped: %s", exc.message)
        return PassReport(sent, SyncReport(), sync_error=exc.user_text())
    return PassReport(sent, synced)
