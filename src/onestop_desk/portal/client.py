"""The ``PortalClient`` protocol: what OneStop Desk needs from an online public-service system.

The wire contract is ``docs/portal-api.md``; ``portal.http`` implements it with httpx. A province
with another system writes its own adapter to this protocol. Errors are typed so the outbox can
tell "try again later" (``PortalUnavailable``) from "staff must act" (``PortalRejected``,
``PortalAuthError``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from onestop_desk.errors import KnownError

#: The portal's statuses (docs/portal-api.md, "Statuses and our lifecycle").
PORTAL_STATUSES: tuple[str, ...] = (
    "received",
    "processing",
    "supplement_requested",
    "result_ready",
    "refused",
    "stopped",
    "returned",
)


class PortalError(KnownError):
    """Anything that went wrong talking to the portal."""


class PortalUnavailable(PortalError):
    """Transient: no connection, timeout, 5xx, 429, a malformed reply. Retry later."""

    def __init__(self, message: str, hint: str | None = None, retry_after: float | None = None):
        super().__init__(message, hint)
        self.retry_after = retry_after


class PortalAuthError(PortalError):
    """The portal refused our credentials: retrying will not help until they are fixed."""


class PortalRejected(PortalError):
    """The portal refused this request for good (400/404/409/422)."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        status: int = 400,
        code: str = "invalid_request",
        fields: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.status = status
        self.code = code
        self.fields = fields or {}


@dataclass(frozen=True)
class AttachmentRef:
    """One scan announced in a create request; its bytes go up with ``upload_attachment``."""

    sha256: str
    file_name: str
    size: int


@dataclass(frozen=True)
class DocumentItem:
    """One paper of the checklist."""

    name: str
    count: int
    kind: str  # original | certified_copy | photocopy
    attachments: tuple[AttachmentRef, ...] = ()


@dataclass(frozen=True)
class Applicant:
    id_number: str
    full_name: str
    birth_date: str | None = None  # ISO date
    sex: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class DossierPayload:
    """The body of ``POST /api/v1/dossiers``."""

    local_code: str
    agency_code: str
    procedure_code: str
    received_at: datetime
    due_at: datetime
    result_channel: str
    applicant: Applicant
    form: dict[str, Any] = field(default_factory=dict)
    documents: tuple[DocumentItem, ...] = ()
    result_address: str | None = None
    fee: int = 0


@dataclass(frozen=True)
class PortalDossier:
    """The portal's view of a dossier."""

    portal_code: str
    local_code: str
    status: str
    status_at: datetime
    note: str | None = None
    replayed: bool = False  # True when the answer came from an idempotent replay
    missing_attachments: tuple[str, ...] = ()


@dataclass(frozen=True)
class RequestedDocument:
    """A paper the deciding body asks the citizen to bring (``supplement_requested``)."""

    name: str
    count: int
    kind: str  # original | certified_copy | photocopy


@dataclass(frozen=True)
class StatusChange:
    """One entry of the change feed."""

    portal_code: str
    local_code: str
    status: str
    at: datetime
    note: str | None = None
    # A supplement request may list the papers and say why; a portal that does not, sends none.
    requested_documents: tuple[RequestedDocument, ...] = ()
    reason: str | None = None


@dataclass(frozen=True)
class ChangePage:
    changes: tuple[StatusChange, ...]
    until: datetime
    more: bool


class PortalClient(Protocol):
    """An online system OneStop Desk can submit to and read statuses from."""

    def create_dossier(self, payload: DossierPayload, *, idempotency_key: str) -> PortalDossier:
        """Create (or, for a key seen before, return) the dossier."""
        ...

    def upload_attachment(
        self, portal_code: str, sha256: str, file_name: str, content: bytes
    ) -> None:
        """Upload one scan; uploading the same hash again is harmless."""
        ...

    def get_dossier(self, portal_code: str) -> PortalDossier: ...

    def changes_since(self, since: datetime | None, *, limit: int = 200) -> ChangePage: ...

    def close(self) -> None: ...
