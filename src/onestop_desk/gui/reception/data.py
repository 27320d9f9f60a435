"""The reception's background work, no widgets: look-ups, fee and due date, saving, drafts, log-in.

The widgets run these in the thread pool (through ``gui.operations``); each opens its own unit of
work. Two are read on the GUI thread: ``declaration_form`` (a bundled file) and ``office_name``
(one small read as the log-in dialog opens). ``ReceptionData`` reads the office once per window.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from onestop_desk.config import Paths, Settings
from onestop_desk.core.catalog import ProcedureSpec
from onestop_desk.core.forms import FormDefinition
from onestop_desk.db.database import Database
from onestop_desk.errors import KnownError
from onestop_desk.gui.widgets import papers
from onestop_desk.printing.printers import PreviewSink
from onestop_desk.services.catalog import (
    ProcedureSummary,
    find_procedure,
    load_form,
    search_procedures,
)
from onestop_desk.services.dossier import (
    Assessment,
    CitizenView,
    DossierRequest,
    DossierView,
    assess,
    card_sex,
    create_dossier,
    find_citizen,
    procedure_for_reception,
)
from onestop_desk.services.drafts import (
    DraftInfo,
    discard_draft,
    list_drafts,
    load_draft,
    save_draft,
)
from onestop_desk.services.office import OfficeInfo, find_office, office_info
from onestop_desk.services.reception import Applicant, ReceptionDraft
from onestop_desk.services.staff import StaffInfo, authenticate
from onestop_desk.services.uow import UnitOfWork

log = logging.getLogger("onestop.gui.reception")

SOURCE = "counter"
T = TypeVar("T")


@dataclass(frozen=True)
class OpenedDraft:
    """A stored draft read back, with the catalog entry of its procedure (if it has one)."""

    info: DraftInfo
    draft: ReceptionDraft
    spec: ProcedureSpec | None
    procedure: ProcedureSummary | None


def applicant_of(view: CitizenView | None) -> Applicant | None:
    """A returning citizen as the citizen step fills them in (None if too little is known)."""
    if view is None or view.date_of_birth is None:
        return None
    sex = card_sex(view.sex)
    if sex is None:
        return None
    return Applicant(
        id_number=view.id_number,
        old_id_number=view.old_id_number,
        full_name=view.full_name,
        date_of_birth=view.date_of_birth,
        sex=sex,
        address=view.address or "",
        phone=view.phone,
        email=view.email,
    )


def declaration_form(spec: ProcedureSpec) -> FormDefinition | None:
    """The declaration (tờ khai) the procedure asks for, if any."""
    return load_form(spec.form) if spec.form is not None else None


class ReceptionData:
    """The reception's reads and writes on one database, for one office."""

    def __init__(self, database: Database, ward_code: int) -> None:
        self._database = database
        self._ward_code = ward_code
        self.office: OfficeInfo | None = None  # read on first use, kept for the papers

    def _run(self, work: Callable[[UnitOfWork, OfficeInfo], T], *, readonly: bool = False) -> T:
        with UnitOfWork(self._database, readonly=readonly, source=SOURCE) as uow:
            # The office is read once per window, not again for every search keystroke.
            office = self.office
            if office is None:
                office = office_info(find_office(uow, self._ward_code))
                self.office = office
            return work(uow, office)

    def _office(self) -> OfficeInfo:
        assert self.office is not None, "the papers follow a save, which read the office"
        return self.office

    # --- the steps ------------------------------------------------------------------------------

    def lookup_citizen(self, id_number: str) -> Applicant | None:
        """A citizen who has filed here before, by ID number."""
        return applicant_of(self._run(lambda uow, _o: find_citizen(uow, id_number), readonly=True))

    def search(self, text: str, field_code: str | None) -> list[ProcedureSummary]:
        """Procedures matching ``text`` (the picker groups them and puts ``field_code`` first)."""
        return self._run(
            lambda uow, office: search_procedures(uow, office_id=office.id, text=text),
            readonly=True,
        )

    def procedure(self, code: str) -> ProcedureSpec:
        """The catalog entry the counter needs once a procedure is chosen."""
        return self._run(lambda uow, office: procedure_for_reception(uow, office.id, code))

    def assess(self, request: DossierRequest, now: datetime) -> Assessment:
        """The fee and due date of the dossier as entered (ValidationFailed if it is not whole)."""
        return self._run(
            lambda uow, office: assess(uow, office_id=office.id, request=request, now=now),
            readonly=True,
        )

    def create(self, request: DossierRequest, now: datetime) -> DossierView:
        """Save the dossier."""
        return self._run(
            lambda uow, office: create_dossier(uow, office_id=office.id, request=request, now=now)
        )

    # --- drafts ---------------------------------------------------------------------------------

    def save_draft(
        self,
        *,
        payload: Mapping[str, Any],
        title: str,
        draft_id: uuid.UUID,
        staff_id: uuid.UUID | None,
        counter_number: int | None,
        ticket_id: uuid.UUID | None,
    ) -> uuid.UUID:
        """Write (or overwrite) the draft."""
        return self._run(
            lambda uow, office: save_draft(
                uow,
                office_id=office.id,
                payload=payload,
                title=title,
                draft_id=draft_id,
                staff_id=staff_id,
                counter_number=counter_number,
                ticket_id=ticket_id,
            )
        )

    def drafts(self, staff_id: uuid.UUID | None) -> list[DraftInfo]:
        """The drafts this specialist left."""
        return self._run(
            lambda uow, office: list_drafts(uow, office_id=office.id, staff_id=staff_id),
            readonly=True,
        )

    def discard_draft(self, draft_id: uuid.UUID) -> None:
        """Throw a draft away."""
        self._run(lambda uow, _office: discard_draft(uow, draft_id))

    def open_draft(self, draft_id: uuid.UUID) -> OpenedDraft:
        """A draft read back (DraftUnreadable if it cannot be), with its procedure."""

        def work(uow: UnitOfWork, office: OfficeInfo) -> OpenedDraft:
            info = load_draft(uow, draft_id)
            draft = ReceptionDraft.from_json(info.payload)
            code = draft.procedure_code
            if not code:
                return OpenedDraft(info, draft, None, None)
            spec = procedure_for_reception(uow, office.id, code)
            return OpenedDraft(
                info, draft, spec, find_procedure(uow, office_id=office.id, code=code)
            )

        return self._run(work, readonly=True)

    # --- papers ---------------------------------------------------------------------------------

    def receipt(self, paths: Paths, view: DossierView) -> Path:
        """Mẫu 01, the receipt, made as a file."""
        return papers.receipt_paper(paths, view, self._office())

    def declaration(self, paths: Paths, view: DossierView) -> Path:
        """The filled declaration the citizen signs, made as a file."""
        return papers.declaration_paper(paths, view, self._office())

    def slip(self, settings: Settings, view: DossierView, preview: PreviewSink | None) -> None:
        """The appointment slip, on the slip printer."""
        papers.print_slip(settings, view, self._office(), preview)


# --- log-in ---------------------------------------------------------------------------------------


def authenticate_staff(
    database: Database,
    *,
    source: str,
    username: str,
    password: str,
    allow: Callable[[StaffInfo], StaffInfo] | None = None,
) -> StaffInfo:
    """Check a name and password (AuthenticationFailed if wrong); ``allow`` may refuse a role."""
    with UnitOfWork(database, source=source) as uow:
        return authenticate(uow, username=username, password=password, allow=allow)


def office_name(database: Database, ward_code: int) -> str | None:
    """The office's name for the log-in dialog's heading; None (logged) if it cannot be read."""
    try:
        with UnitOfWork(database, readonly=True) as uow:
            return find_office(uow, ward_code).center_name
    except KnownError as exc:
        log.warning("office name for the log-in dialog: %s", exc.message)
        return None
