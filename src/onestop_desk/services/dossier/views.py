"""A saved dossier and its citizen as the counter and the papers show them, and the look-ups."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select

from onestop_desk.core.catalog import format_vnd
from onestop_desk.core.citizen_id import Sex as CardSex
from onestop_desk.core.forms import derive
from onestop_desk.core.lifecycle import DossierState
from onestop_desk.core.submission import SubmissionState
from onestop_desk.core.text import search_key
from onestop_desk.db.models import (
    Citizen,
    Dossier,
    DossierAttachment,
    DossierDocument,
    StaffUser,
    StoredFile,
    Submission,
)
from onestop_desk.errors import NotFound
from onestop_desk.services.catalog import load_form, procedure_spec
from onestop_desk.services.dossier.request import DOCUMENT_KINDS, RESULT_CHANNELS, ResultChannel
from onestop_desk.services.uow import UnitOfWork


@dataclass(frozen=True)
class AttachmentView:
    name: str
    size: int
    sha256: str
    media_type: str


@dataclass(frozen=True)
class DocumentView:
    name: str
    kind: str
    kind_label: str
    count: int
    received: bool
    attachments: tuple[AttachmentView, ...]


@dataclass(frozen=True)
class CitizenView:
    """A citizen as the counter shows and pre-fills them."""

    id: uuid.UUID
    id_number: str
    full_name: str
    date_of_birth: date | None
    sex: CardSex | None
    address: str | None
    old_id_number: str | None
    phone: str | None
    email: str | None
    dossier_count: int = 0


@dataclass(frozen=True)
class DossierView:
    """A saved dossier with what its papers print."""

    id: uuid.UUID
    code: str
    state: DossierState
    procedure_code: str
    procedure_name: str
    procedure_form: str | None
    field_code: str
    applicant: CitizenView
    received_at: datetime
    due_at: datetime
    processing_working_days: int
    fee_amount: int
    fee_lines: tuple[str, ...]
    fee_exempted: bool
    result_channel: ResultChannel
    result_address: str | None
    counter_number: int | None
    logbook_year: int | None
    logbook_number: int | None
    form_values: dict[str, str]
    derived: dict[str, str]
    documents: tuple[DocumentView, ...]
    received_by: str | None
    submission_state: SubmissionState | None
    attachments: tuple[AttachmentView, ...] = ()  # of the dossier as a whole

    def as_json(self) -> dict[str, Any]:
        """The dossier as the CLI's ``--json`` prints it."""
        return {
            "code": self.code,
            "state": self.state,
            "procedure": {"code": self.procedure_code, "name": self.procedure_name},
            "applicant": {
                "id_number": self.applicant.id_number,
                "full_name": self.applicant.full_name,
                "address": self.applicant.address,
            },
            "received_at": self.received_at.isoformat(timespec="minutes"),
            "due_at": self.due_at.isoformat(timespec="minutes"),
            "fee": self.fee_amount,
            "fee_text": format_vnd(self.fee_amount) if self.fee_amount else "Miễn phí",
            "fee_lines": list(self.fee_lines),
            "fee_exempted": self.fee_exempted,
            "result_channel": self.result_channel,
            "result_address": self.result_address,
            "logbook": {"year": self.logbook_year, "number": self.logbook_number},
            "documents": [
                {
                    "name": d.name,
                    "kind": d.kind,
                    "count": d.count,
                    "received": d.received,
                    "attachments": [
                        {"name": a.name, "size": a.size, "sha256": a.sha256} for a in d.attachments
                    ],
                }
                for d in self.documents
            ],
            "attachments": [
                {"name": a.name, "size": a.size, "sha256": a.sha256} for a in self.attachments
            ],
            "form": self.form_values,
            "submission": self.submission_state,
        }


def _document_view(document: DossierDocument, scans: tuple[AttachmentView, ...]) -> DocumentView:
    return DocumentView(
        name=document.name,
        kind=document.kind,
        kind_label=DOCUMENT_KINDS.get(document.kind, document.kind),  # type: ignore[call-overload]
        count=document.count,
        received=document.received,
        attachments=scans,
    )


@dataclass(frozen=True)
class _Known:
    """Parts of a dossier's view its caller already has in hand (it has just written them)."""

    documents: tuple[DocumentView, ...]
    attachments: tuple[AttachmentView, ...]
    submission_state: SubmissionState | None


def _citizen_view(citizen: Citizen, dossier_count: int = 0) -> CitizenView:
    return CitizenView(
        id=citizen.id,
        id_number=citizen.id_number,
        full_name=citizen.full_name,
        date_of_birth=citizen.date_of_birth,
        sex=citizen.sex,
        address=citizen.address,
        old_id_number=citizen.old_id_number,
        phone=citizen.phone,
        email=citizen.email,
        dossier_count=dossier_count,
    )


def _view(uow: UnitOfWork, dossier: Dossier, *, known: _Known | None = None) -> DossierView:
    spec = procedure_spec(dossier.procedure)
    timing = spec.processing_time
    form = load_form(spec.form) if spec.form else None
    values = {str(k): str(v) for k, v in dossier.form_data.items()}
    if known is None:
        known = _Known(
            documents=tuple(
                _document_view(
                    d,
                    tuple(
                        AttachmentView(a.name, a.size, a.sha256, a.media_type)
                        for a in d.attachments
                    ),
                )
                for d in dossier.documents
            ),
            attachments=tuple(
                AttachmentView(a.name, a.size, a.sha256, a.media_type)
                for a in uow.session.scalars(
                    select(DossierAttachment)
                    .where(
                        DossierAttachment.dossier_id == dossier.id,
                        DossierAttachment.document_id.is_(None),
                    )
                    .order_by(DossierAttachment.position)
                )
            ),
            submission_state=uow.session.scalar(
                select(Submission.state).where(Submission.dossier_id == dossier.id)
            ),
        )
    received_by = None
    if dossier.received_by_id is not None:
        received_by = uow.session.scalar(
            select(StaffUser.full_name).where(StaffUser.id == dossier.received_by_id)
        )
    details = dossier.fee_details or {}
    channel = dossier.result_channel
    return DossierView(
        id=dossier.id,
        code=dossier.code,
        state=dossier.state,
        procedure_code=dossier.procedure.code,
        procedure_name=dossier.procedure.name,
        procedure_form=spec.form,
        field_code=dossier.procedure.field.code,
        applicant=_citizen_view(dossier.applicant),
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        processing_working_days=(timing.days or 0) if timing.kind == "working_days" else 0,
        fee_amount=dossier.fee_amount,
        fee_lines=tuple(str(line) for line in details.get("lines", [])),
        fee_exempted=bool(details.get("exempted", False)),
        result_channel=_channel(channel),
        result_address=dossier.result_address,
        counter_number=dossier.counter_number,
        logbook_year=dossier.logbook_year,
        logbook_number=dossier.logbook_number,
        form_values=values,
        derived=derive(form, values) if form is not None else {},
        documents=known.documents,
        received_by=received_by,
        submission_state=known.submission_state,
        attachments=known.attachments,
    )


def get_dossier(uow: UnitOfWork, code: str) -> DossierView:
    """A dossier by its code (as typed or scanned from the slip's QR)."""
    wanted = code.strip().upper()
    dossier = uow.session.scalar(select(Dossier).where(Dossier.code == wanted))
    if dossier is None:
        raise NotFound(
            f"Không có hồ sơ mã '{code.strip()}'.",
            "Kiểm tra lại mã trên giấy hẹn (dạng 000.24481.H15-261123-0001).",
        )
    return _view(uow, dossier)


def attachment_content(uow: UnitOfWork, sha256: str) -> bytes:
    """The stored bytes of an attachment."""
    stored = uow.session.get(StoredFile, sha256)
    if stored is None:
        raise NotFound(f"Không còn tệp đính kèm {sha256[:12]}… trong cơ sở dữ liệu.")
    return stored.content


def find_citizen(uow: UnitOfWork, id_number: str) -> CitizenView | None:
    """A returning citizen by ID number (12 digits) or old 9-digit ID, with their dossier count."""
    number = id_number.strip()
    column = Citizen.old_id_number if len(number) == 9 else Citizen.id_number
    citizen = uow.session.scalar(select(Citizen).where(column == number).limit(1))
    if citizen is None:
        return None
    count = uow.session.scalar(
        select(func.count()).select_from(Dossier).where(Dossier.applicant_id == citizen.id)
    )
    return _citizen_view(citizen, int(count or 0))


def search_citizens(uow: UnitOfWork, name: str, *, limit: int = 20) -> list[CitizenView]:
    """Citizens whose name starts with ``name``, with or without diacritics."""
    key = search_key(name)
    if not key:
        return []
    if uow.session.get_bind().dialect.name == "postgresql":
        escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        condition: ColumnElement[bool] = Citizen.name_key.like(escaped + "%", escape="\\")
    else:
        # SQLite's LIKE ignores the index; a range on the binary-ordered key uses it.
        condition = (Citizen.name_key >= key) & (Citizen.name_key < key + "\U0010ffff")
    rows = uow.session.scalars(
        select(Citizen).where(condition).order_by(Citizen.name_key, Citizen.id_number).limit(limit)
    ).all()
    return [_citizen_view(row) for row in rows]


def _channel(value: str) -> ResultChannel:
    for channel in RESULT_CHANNELS:
        if channel == value:
            return channel
    return "desk"
