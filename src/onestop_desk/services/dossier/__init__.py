"""Reception: check a dossier, price it, date it, and save it with its code in one transaction.

A dossier is saved with everything that belongs to it (the citizen, the checklist, the stored
attachments, the first history event and the submission queued for the online system), or not
at all: a problem anywhere raises before the first write and nothing is left half-way.

``request`` is what reception is given, ``assessment`` checks it and works out the fee and due
date, ``create`` saves it, ``views`` reads a saved dossier and looks citizens up. The names are
gathered here because the reception, the dossier list and the CLI reach for several of them.
"""

from onestop_desk.services.dossier.assessment import (
    BIRTH_REGISTRATION_DAYS,
    Assessment,
    applicant_warnings,
    assess,
    card_sex,
    procedure_for_reception,
)
from onestop_desk.services.dossier.create import create_dossier
from onestop_desk.services.dossier.request import (
    DOCUMENT_KINDS,
    MAX_ATTACHMENT_BYTES,
    RESULT_CHANNELS,
    ApplicantInput,
    AttachmentFile,
    ChecklistEntry,
    DossierRequest,
    ResultChannel,
    ValidationFailed,
)
from onestop_desk.services.dossier.views import (
    AttachmentView,
    CitizenView,
    DocumentView,
    DossierView,
    attachment_content,
    find_citizen,
    get_dossier,
    search_citizens,
)

__all__ = [
    "BIRTH_REGISTRATION_DAYS",
    "DOCUMENT_KINDS",
    "MAX_ATTACHMENT_BYTES",
    "RESULT_CHANNELS",
    "ApplicantInput",
    "Assessment",
    "AttachmentFile",
    "AttachmentView",
    "ChecklistEntry",
    "CitizenView",
    "DocumentView",
    "DossierRequest",
    "DossierView",
    "ResultChannel",
    "ValidationFailed",
    "applicant_warnings",
    "assess",
    "attachment_content",
    "card_sex",
    "create_dossier",
    "find_citizen",
    "get_dossier",
    "procedure_for_reception",
    "search_citizens",
]
