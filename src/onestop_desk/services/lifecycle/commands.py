"""The dossier actions as typed commands: what the counter's dialogs and the CLI ask the desk to do.

One frozen dataclass per action, holding what its form collects; ``actions.perform`` runs any of
them. Nothing here touches the database, so the GUI and the CLI build them freely.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Final

from onestop_desk.core.lifecycle import DossierAction
from onestop_desk.services.dossier import DOCUMENT_KINDS

#: How a paper asked for in Mẫu 02 must be brought: the checklist's kinds, less "shown only".
SUPPLEMENT_KINDS: Final[Mapping[str, str]] = {
    kind: DOCUMENT_KINDS[kind] for kind in ("original", "certified_copy", "copy")
}


@dataclass(frozen=True)
class SupplementItem:
    """A paper the citizen must still bring (Mẫu 02)."""

    name: str
    count: int
    kind: str  # original | certified_copy | copy (as on the checklist)


@dataclass(frozen=True)
class StartProcessing:
    """Hand the dossier to the deciding body (None: the one already named, else the commune's)."""

    action: ClassVar[DossierAction] = DossierAction.START_PROCESSING
    deciding_body: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class RequestSupplement:
    """Ask the citizen for missing or corrected papers (Mẫu 02)."""

    action: ClassVar[DossierAction] = DossierAction.REQUEST_SUPPLEMENT
    items: tuple[SupplementItem, ...]
    reason: str


@dataclass(frozen=True)
class ReceiveSupplement:
    """The citizen brought what Mẫu 02 asked for."""

    action: ClassVar[DossierAction] = DossierAction.SUPPLEMENT_RECEIVED
    note: str | None = None


@dataclass(frozen=True)
class Refuse:
    """Refuse to accept the dossier, with the specific reasons (Mẫu 03)."""

    action: ClassVar[DossierAction] = DossierAction.REFUSE
    reasons: str


@dataclass(frozen=True)
class Extend:
    """Move the due date later, with the apology letter (Mẫu 04)."""

    action: ClassVar[DossierAction] = DossierAction.EXTEND
    new_due_at: datetime
    reason: str


@dataclass(frozen=True)
class Stop:
    """Stop handling the dossier, with the reason and its legal basis (Mẫu 05)."""

    action: ClassVar[DossierAction] = DossierAction.STOP
    reason: str
    legal_basis: str


@dataclass(frozen=True)
class MarkResultReady:
    """The deciding body handed the result back to the desk."""

    action: ClassVar[DossierAction] = DossierAction.MARK_RESULT_READY
    note: str | None = None


@dataclass(frozen=True)
class ReturnResult:
    """Hand the result over to ``to`` (``channel`` None: the way chosen at reception)."""

    action: ClassVar[DossierAction] = DossierAction.RETURN_RESULT
    to: str
    channel: str | None = None


DossierCommand = (
    StartProcessing
    | RequestSupplement
    | ReceiveSupplement
    | Refuse
    | Extend
    | Stop
    | MarkResultReady
    | ReturnResult
)
