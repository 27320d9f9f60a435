"""Saving a checked dossier with everything that belongs to it, in one transaction."""

from __future__ import annotations

import hashlib
import mimetypes
import uuid
from datetime import datetime
from typing import Final

from sqlalchemy import select

from onestop_desk.core.dossier_code import format_dossier_code
from onestop_desk.core.lifecycle import DossierState
from onestop_desk.core.submission import SubmissionState
from onestop_desk.core.text import nfc, search_key
from onestop_desk.db.models import (
    Citizen,
    Dossier,
    DossierAttachment,
    DossierCounter,
    DossierDocument,
    DossierEvent,
    LogbookCounter,
    Office,
    StoredFile,
    Submission,
)
from onestop_desk.errors import InputError, NotFound
from onestop_desk.services.dossier.assessment import assess, card_sex
from onestop_desk.services.dossier.request import ApplicantInput, AttachmentFile, DossierRequest
from onestop_desk.services.dossier.views import (
    AttachmentView,
    DocumentView,
    DossierView,
    _document_view,
    _Known,
    _view,
)
from onestop_desk.services.drafts import delete_draft_in
from onestop_desk.services.uow import UnitOfWork

_HASH_CHUNK: Final = 1024 * 1024


def _upsert_citizen(uow: UnitOfWork, applicant: ApplicantInput, now: datetime) -> Citizen:
    number = applicant.id_number.strip()
    citizen = uow.session.scalar(select(Citizen).where(Citizen.id_number == number))
    name = nfc(applicant.full_name).strip()
    if citizen is None:
        citizen = Citizen(id_number=number, created_at=now)
        uow.session.add(citizen)
    citizen.full_name = name
    citizen.name_key = search_key(name)
    citizen.updated_at = now
    # Keep what we knew when this visit leaves a detail out; a new value replaces the old.
    if applicant.date_of_birth is not None:
        citizen.date_of_birth = applicant.date_of_birth
    if applicant.sex is not None and nfc(applicant.sex).strip():
        # The column holds a Sex: a plain string would stay on the row object until reloaded.
        sex = card_sex(nfc(applicant.sex).strip())
        if sex is None:
            raise InputError(f"Giới tính “{applicant.sex}” không hợp lệ.", "Chọn Nam hoặc Nữ.")
        citizen.sex = sex
    for attr in ("address", "old_id_number", "phone", "email"):
        value = getattr(applicant, attr)
        if value is not None and nfc(value).strip():
            setattr(citizen, attr, nfc(value).strip())
    return citizen


def _store_file(uow: UnitOfWork, attachment: AttachmentFile, now: datetime) -> tuple[str, int, str]:
    digest = hashlib.sha256()
    chunks: list[bytes] = []
    with attachment.path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
            chunks.append(chunk)
    content = b"".join(chunks)
    sha = digest.hexdigest()
    if uow.session.get(StoredFile, sha) is None:
        uow.session.add(StoredFile(sha256=sha, size=len(content), content=content, created_at=now))
        uow.session.flush()
    media_type = mimetypes.guess_type(attachment.path.name)[0] or "application/octet-stream"
    return sha, len(content), media_type


def create_dossier(
    uow: UnitOfWork,
    *,
    office_id: uuid.UUID,
    request: DossierRequest,
    now: datetime | None = None,
) -> DossierView:
    """Save a dossier received at the desk and queue its online submission; commit."""
    now = (now or datetime.now()).replace(microsecond=0)
    assessment = assess(uow, office_id=office_id, request=request, now=now)
    office = uow.session.get(Office, office_id)
    if office is None:
        raise NotFound("Đơn vị không còn trong cơ sở dữ liệu.")
    row = assessment.procedure_row

    day = now.date()
    sequence = uow.next_number(DossierCounter, office_id=office_id, day=day)
    book_number = uow.next_number(LogbookCounter, office_id=office_id, year=day.year)
    # The counter upserts above lock this office's day row (PostgreSQL) or hold the write lock
    # (SQLite): two desks receiving the same new citizen serialise here, so the second finds
    # the first's row instead of failing on the unique ID number.
    citizen = _upsert_citizen(uow, request.applicant, now)
    fee = assessment.fee
    dossier = Dossier(
        office_id=office_id,
        code=format_dossier_code(office.agency_code, day, sequence),
        procedure_id=row.id,
        applicant=citizen,
        ticket_id=request.ticket_id,
        received_by_id=request.staff_id,
        received_at=now,
        due_at=assessment.due_at,
        state=DossierState.RECEIVED,
        result_channel=request.result_channel,
        result_address=(request.result_address or "").strip() or None,
        fee_amount=fee.amount,
        fee_details={
            "lines": list(fee.lines),
            "exempted": fee.exempted,
            "exemption": request.exemption,
            "amount_known": fee.amount_known,
            "late_registration": assessment.late_registration,
        },
        form_data=dict(assessment.form_values),
        counter_number=request.counter_number,
        logbook_year=day.year,
        logbook_number=book_number,
    )
    uow.session.add(dossier)
    uow.session.flush()
    # The view is built from what is written here, not read back: seven fewer round trips.
    document_views: list[DocumentView] = []
    loose_views: list[AttachmentView] = []
    for position, entry in enumerate(assessment.checklist):
        document = DossierDocument(
            id=uuid.uuid4(),  # known now: attachments refer to it without a flush per paper
            dossier_id=dossier.id,
            name=nfc(entry.name).strip(),
            kind=entry.kind,
            count=entry.count,
            received=entry.received,
            position=position,
        )
        uow.session.add(document)
        scans = [
            _add_attachment(
                uow,
                attachment,
                dossier_id=dossier.id,
                document_id=document.id,
                position=place,
                now=now,
            )
            for place, attachment in enumerate(entry.attachments)
        ]
        document_views.append(_document_view(document, tuple(scans)))
    for place, attachment in enumerate(request.attachments):
        loose_views.append(
            _add_attachment(
                uow, attachment, dossier_id=dossier.id, document_id=None, position=place, now=now
            )
        )
    uow.session.add(
        DossierEvent(
            dossier_id=dossier.id,
            at=now,
            actor_id=request.staff_id,
            kind="received",
            from_state=None,
            to_state=DossierState.RECEIVED,
            note=f"Tiếp nhận tại quầy {request.counter_number}" if request.counter_number else None,
            data={"due_at": assessment.due_at.isoformat(), "fee": fee.amount},
        )
    )
    uow.session.add(
        Submission(
            dossier_id=dossier.id,
            idempotency_key=dossier.id.hex,
            state=SubmissionState.PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
    )
    if request.draft_id is not None:
        delete_draft_in(uow, request.draft_id)
    uow.audit(
        "dossier.received",
        office_id=office_id,
        subject_id=dossier.id,
        actor_id=request.staff_id,
        at=now,
        code=dossier.code,
        procedure=row.code,
    )
    uow.session.flush()
    view = _view(
        uow,
        dossier,
        known=_Known(
            documents=tuple(document_views),
            attachments=tuple(loose_views),
            submission_state=SubmissionState.PENDING,
        ),
    )
    uow.commit()
    return view


def _add_attachment(
    uow: UnitOfWork,
    attachment: AttachmentFile,
    *,
    dossier_id: uuid.UUID,
    document_id: uuid.UUID | None,
    position: int,
    now: datetime,
) -> AttachmentView:
    """Store one scan (once per content) and link it to the dossier, or to one of its papers."""
    sha, size, media_type = _store_file(uow, attachment, now)
    name = attachment.name or attachment.path.name
    uow.session.add(
        DossierAttachment(
            dossier_id=dossier_id,
            document_id=document_id,
            name=name,
            size=size,
            sha256=sha,
            media_type=media_type,
            position=position,
            added_at=now,
        )
    )
    return AttachmentView(name, size, sha, media_type)
