"""What the admin face reads and does: plain functions that run in background operations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from onestop_desk.context import AppContext
from onestop_desk.errors import KnownError
from onestop_desk.portal import credentials
from onestop_desk.portal.credentials import PortalLogin
from onestop_desk.secrets import get_secret
from onestop_desk.services.submissions import OutboxSummary, outbox_summary, retry_submission
from onestop_desk.services.uow import UnitOfWork


@dataclass(frozen=True)
class PortalConnection:
    """This PC's portal set-up as stored: address and id from settings, the secret's presence."""

    url: str
    client_id: str
    secret_stored: bool
    #: Why the keyring could not be read (then ``secret_stored`` is False).
    secret_problem: str | None = None


def portal_connection(ctx: AppContext) -> PortalConnection:
    """Read the settings and ask the keyring whether it holds the secret (never its value)."""
    portal = ctx.settings.portal
    url, client_id = portal.url, portal.client_id
    if not (url and client_id):
        return PortalConnection(url, client_id, secret_stored=False)
    try:
        stored = bool(get_secret(credentials.secret_name(url, client_id)))
    except KnownError as exc:
        return PortalConnection(url, client_id, False, exc.message)
    return PortalConnection(url, client_id, stored)


def save_portal_login(ctx: AppContext, url: str, client_id: str, secret: str) -> PortalLogin:
    """Check the login against the portal, then store it, as ``portal login`` does."""
    return credentials.login(ctx.paths, ctx.settings, url, client_id, secret)


def read_outbox(ctx: AppContext) -> OutboxSummary:
    """The submissions counted by state and the failed ones."""
    with UnitOfWork(ctx.database, readonly=True) as uow:
        return outbox_summary(uow)


def retry(ctx: AppContext, code: str, staff_id: uuid.UUID | None) -> str:
    """Queue a failed submission again; returns the dossier's code."""
    with UnitOfWork(ctx.database, source="outbox") as uow:
        return retry_submission(uow, code, staff_id).dossier_code
