"""The dossier as the portal receives it: its create request, read in three plain queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from onestop_desk.db.models import (
    Citizen,
    Dossier,
    DossierAttachment,
    DossierDocument,
    Office,
    Procedure,
)
from onestop_desk.errors import NotFound
from onestop_desk.portal.client import Applicant, AttachmentRef, DocumentItem, DossierPayload

# Our checklist kinds as the portal spells them; showing an original counts as an original.
_PORTAL_KINDS: Final = {
    "original": "original",
    "certified_copy": "certified_copy",
    "copy": "photocopy",
    "present": "original",
}
#: The checklist line under which scans of the dossier as a whole travel.
WHOLE_DOSSIER_DOCUMENT: Final = "Tệp đính kèm chung của hồ sơ"


def build_payload(session: Session, dossier: Dossier) -> DossierPayload:
    """The create request of ``dossier``: applicant, form, received papers with their scans."""
    session.flush()  # plain SQL below: send what the session holds first
    payload = load_payloads(session.connection(), [dossier.id]).get(dossier.id)
    if payload is None:
        raise NotFound(f"Không tìm thấy hồ sơ {dossier.code} cùng đơn vị và thủ tục của nó.")
    return payload


# The outbox's hot path: statements built once, sent on the plain connection (no ORM session,
# no statement construction per pass), lists of ids as expanding parameters.
_HEADS: Final = (
    select(
        Dossier.id,
        Dossier.code,
        Dossier.received_at,
        Dossier.due_at,
        Dossier.result_channel,
        Dossier.result_address,
        Dossier.fee_amount,
        Dossier.form_data,
        Procedure.code.label("procedure_code"),
        Office.agency_code,
        Citizen.id_number,
        Citizen.full_name,
        Citizen.date_of_birth,
        Citizen.sex,
        Citizen.address,
        Citizen.phone,
        Citizen.email,
    )
    .join(Procedure, Procedure.id == Dossier.procedure_id)
    .join(Office, Office.id == Dossier.office_id)
    .join(Citizen, Citizen.id == Dossier.applicant_id)
    .where(Dossier.id.in_(bindparam("ids", expanding=True)))
)
_PAPERS: Final = (
    select(
        DossierDocument.id,
        DossierDocument.dossier_id,
        DossierDocument.name,
        DossierDocument.kind,
        DossierDocument.count,
    )
    # A paper still to come is not part of what the portal receives.
    .where(
        DossierDocument.dossier_id.in_(bindparam("ids", expanding=True)),
        DossierDocument.received.is_(True),
    )
    .order_by(DossierDocument.position)
)
_SCANS: Final = (
    select(
        DossierAttachment.dossier_id,
        DossierAttachment.document_id,
        DossierAttachment.sha256,
        DossierAttachment.name,
        DossierAttachment.size,
    )
    .where(DossierAttachment.dossier_id.in_(bindparam("ids", expanding=True)))
    .order_by(DossierAttachment.position)
)


def load_payloads(
    connection: Connection, dossier_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, DossierPayload]:
    """The create requests of several dossiers in three queries (the outbox reads a batch).

    Plain column rows rather than ORM objects: this is the outbox's hot path, and the eager
    loads of a ``Dossier`` (the procedure's catalog JSON...) are not needed to send it.
    """
    if not dossier_ids:
        return {}
    ids = {"ids": list(dossier_ids)}
    heads = connection.execute(_HEADS, ids).all()
    papers: dict[uuid.UUID, list[Any]] = {}
    for paper in connection.execute(_PAPERS, ids):
        papers.setdefault(paper.dossier_id, []).append(paper)
    scans: dict[uuid.UUID | None, list[AttachmentRef]] = {}
    loose: dict[uuid.UUID, list[AttachmentRef]] = {}
    for a in connection.execute(_SCANS, ids):
        ref = AttachmentRef(a.sha256, a.name, a.size)
        if a.document_id is None:
            loose.setdefault(a.dossier_id, []).append(ref)
        else:
            scans.setdefault(a.document_id, []).append(ref)
    payloads: dict[uuid.UUID, DossierPayload] = {}
    for h in heads:
        documents = [
            DocumentItem(
                name=p.name,
                count=p.count,
                kind=_PORTAL_KINDS.get(p.kind, "photocopy"),
                attachments=tuple(scans.get(p.id, ())),
            )
            for p in papers.get(h.id, ())
        ]
        if h.id in loose:
            documents.append(
                DocumentItem(WHOLE_DOSSIER_DOCUMENT, 1, "photocopy", tuple(loose[h.id]))
            )
        payloads[h.id] = DossierPayload(
            local_code=h.code,
            agency_code=h.agency_code,
            procedure_code=h.procedure_code,
            received_at=h.received_at,
            due_at=h.due_at,
            result_channel=h.result_channel,
            result_address=h.result_address,
            fee=h.fee_amount,
            applicant=Applicant(
                id_number=h.id_number,
                full_name=h.full_name,
                birth_date=h.date_of_birth.isoformat() if h.date_of_birth else None,
                sex=h.sex,
                address=h.address,
                phone=h.phone,
                email=h.email,
            ),
            form=dict(h.form_data or {}),
            documents=tuple(documents),
        )
    return payloads
