"""Drafts of receptions in progress: saved as the specialist types, reopened after any stop.

A draft lives in the shared database, so closing the window, a crash or a power cut leaves it
there, and it reopens on whichever PC the specialist logs in next. Saving the dossier deletes
its draft in the same transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import delete, select

from onestop_desk.db.models import DossierDraft
from onestop_desk.errors import InputError, NotFound
from onestop_desk.services.uow import UnitOfWork

# A draft is what one person typed: a megabyte means something else went in by mistake.
MAX_DRAFT_BYTES: Final = 1024 * 1024


@dataclass(frozen=True)
class DraftInfo:
    """A draft as the "unfinished dossiers" list shows it."""

    id: uuid.UUID
    title: str
    counter_number: int | None
    ticket_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    payload: dict[str, Any]


def _info(row: DossierDraft) -> DraftInfo:
    return DraftInfo(
        id=row.id,
        title=row.title,
        counter_number=row.counter_number,
        ticket_id=row.ticket_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        payload=dict(row.payload),
    )


def save_draft(
    uow: UnitOfWork,
    *,
    office_id: uuid.UUID,
    payload: Mapping[str, Any],
    title: str,
    draft_id: uuid.UUID | None = None,
    staff_id: uuid.UUID | None = None,
    counter_number: int | None = None,
    ticket_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> uuid.UUID:
    """Create or overwrite a draft; returns its id. Commits (the point is to survive a crash)."""
    now = now or datetime.now()
    data = dict(payload)
    size = len(json.dumps(data, ensure_ascii=False).encode("utf-8"))
    if size > MAX_DRAFT_BYTES:
        raise InputError(
            "Bản nháp quá lớn để lưu.", "Tệp đính kèm được lưu khi lưu hồ sơ, không lưu trong nháp."
        )
    row = uow.session.get(DossierDraft, draft_id) if draft_id is not None else None
    if row is None:
        row = DossierDraft(office_id=office_id, created_at=now)
        if draft_id is not None:
            row.id = draft_id  # the window chose the id: a save after a purge recreates it
        uow.session.add(row)
    row.staff_id = staff_id
    row.counter_number = counter_number
    row.ticket_id = ticket_id
    row.title = title[:300]
    row.payload = data
    row.updated_at = now
    uow.session.flush()
    draft = row.id
    uow.commit()
    return draft


def list_drafts(
    uow: UnitOfWork, *, office_id: uuid.UUID, staff_id: uuid.UUID | None = None
) -> list[DraftInfo]:
    """The office's drafts, newest first; only one specialist's when ``staff_id`` is given."""
    query = select(DossierDraft).where(DossierDraft.office_id == office_id)
    if staff_id is not None:
        query = query.where(DossierDraft.staff_id == staff_id)
    rows = uow.session.scalars(query.order_by(DossierDraft.updated_at.desc())).all()
    return [_info(row) for row in rows]


def load_draft(uow: UnitOfWork, draft_id: uuid.UUID) -> DraftInfo:
    row = uow.session.get(DossierDraft, draft_id)
    if row is None:
        raise NotFound("Bản nháp này không còn (có thể hồ sơ đã được lưu ở máy khác).")
    return _info(row)


def delete_draft_in(uow: UnitOfWork, draft_id: uuid.UUID) -> None:
    """Delete a draft inside the caller's transaction (the dossier save)."""
    uow.session.execute(delete(DossierDraft).where(DossierDraft.id == draft_id))


def discard_draft(uow: UnitOfWork, draft_id: uuid.UUID) -> None:
    """Throw a draft away on purpose; commits."""
    delete_draft_in(uow, draft_id)
    uow.commit()
