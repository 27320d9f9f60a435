"""The durable outbox: submissions queued with their dossier, sent to the portal exactly once.

A worker claims a batch of due rows in one short transaction and marks them with a lease
(``state`` sending, ``next_attempt_at`` = end of the lease, ``attempts`` + 1); no transaction
stays open while HTTP runs. The batch's outcomes are written together at its end (or every
couple of seconds, renewing the lease of the rows still to go), so a dossier costs a share of a
few transactions instead of several of its own. A worker that dies mid-send leaves its rows
leased: once the lease runs out any worker takes them over, and the idempotency key (the
dossier id) makes the portal answer the repeat with the dossier it already created.
``attempts`` doubles as a fencing token: a worker whose lease was taken over cannot overwrite
the newer worker's outcome.

The create request is read by ``payloads`` and the statements are built in ``outbox_sql``.
About 600 lines on purpose: ``Outbox`` and its ``_Batch`` are one lease protocol (claim, send,
record, renew) that reads best in one place.
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from onestop_desk.config import Settings
from onestop_desk.core.submission import SubmissionState
from onestop_desk.db.database import Database
from onestop_desk.db.models import StoredFile
from onestop_desk.errors import DatabaseUnavailable, KnownError, NotFound
from onestop_desk.portal.client import (
    Applicant,
    DossierPayload,
    PortalAuthError,
    PortalClient,
    PortalDossier,
    PortalRejected,
    PortalUnavailable,
)
from onestop_desk.portal.http import to_office_time
from onestop_desk.portal.outbox_sql import _DUE, _HELD, _LEASE, _RENEW, _Writes
from onestop_desk.portal.payloads import load_payloads
from onestop_desk.services.uow import UnitOfWork

log = logging.getLogger("onestop.portal.outbox")

DEFAULT_LEASE: Final = timedelta(minutes=2)
DEFAULT_MAX_ATTEMPTS: Final = 8
RETRY_BASE_S: Final = 5.0
RETRY_CAP_S: Final = 15 * 60.0
#: Outages in a row after which a pass hands the rest of its batch back instead of trying each.
OUTAGE_STREAK: Final = 3
#: Outcomes of a pass are written together, but never held longer than this (seconds).
RECORD_EVERY_S: Final = 2.0

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class FailedSubmission:
    """A submission that gave up: the counter shows the reason beside the dossier code."""

    dossier_code: str
    reason: str


@dataclass(frozen=True)
class OutboxReport:
    """What one pass did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0  # back to the queue for a later attempt (portal down, timeout...)
    failed: int = 0  # given up: staff must act
    released: int = 0  # handed back untried, or taken over by another worker meanwhile
    failures: tuple[FailedSubmission, ...] = ()
    auth_error: str | None = None  # the portal refused our credentials: nothing else will pass

    def __add__(self, other: OutboxReport) -> OutboxReport:
        return OutboxReport(
            claimed=self.claimed + other.claimed,
            sent=self.sent + other.sent,
            retried=self.retried + other.retried,
            failed=self.failed + other.failed,
            released=self.released + other.released,
            failures=self.failures + other.failures,
            auth_error=other.auth_error or self.auth_error,
        )

    @property
    def busy(self) -> bool:
        """True when the pass touched anything worth telling."""
        return bool(self.claimed or self.failures or self.auth_error)


@dataclass(frozen=True)
class _Claim:
    submission_id: uuid.UUID
    dossier_id: uuid.UUID
    key: str
    token: int  # ``attempts`` after the claim; the row is ours while it still says this


@dataclass
class _Work:
    """One claimed submission in flight (what it needs from the database, read up front)."""

    claim: _Claim
    code: str
    payload: DossierPayload
    uploads: list[tuple[str, str]] = field(default_factory=list)  # (sha256, file name)


def _uploads(payload: DossierPayload) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for document in payload.documents:
        for ref in document.attachments:
            seen.setdefault(ref.sha256, ref.file_name)  # one scan filed under two papers: once
    return list(seen.items())


class Outbox:
    """Sends queued submissions; any number of these may run at once on the shared database.

    ``client_factory`` is called once, lazily (the client keeps its token between passes).
    After refused credentials the outbox pauses for ``retry_cap_s`` (or until ``resume()``)
    rather than failing every queued dossier, then asks the factory for a new client.
    """

    def __init__(
        self,
        database: Database,
        client_factory: Callable[[], PortalClient],
        *,
        clock: Clock = datetime.now,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        rng: random.Random | None = None,
        lease: timedelta = DEFAULT_LEASE,
        retry_base_s: float = RETRY_BASE_S,
        retry_cap_s: float = RETRY_CAP_S,
    ) -> None:
        self.database = database
        self._factory = client_factory
        self._clock = clock
        self.max_attempts = max(1, max_attempts)
        self._rng = rng or random.Random()
        self.lease = lease
        self.retry_base_s = retry_base_s
        self.retry_cap_s = retry_cap_s
        self._client: PortalClient | None = None
        self._lock = threading.Lock()
        self._paused_until: datetime | None = None

    @classmethod
    def from_settings(
        cls,
        database: Database,
        settings: Settings,
        client_factory: Callable[[], PortalClient] | None = None,
    ) -> Outbox:
        """The outbox as this PC's ``[portal]`` settings describe it (client from the keyring)."""
        from onestop_desk.portal.credentials import client_from_settings

        portal = settings.portal
        return cls(
            database,
            client_factory or (lambda: client_from_settings(settings)),
            max_attempts=portal.max_attempts,
            lease=timedelta(seconds=max(1.0, portal.lease_s)),
            retry_base_s=max(0.0, portal.retry_base_s),
            retry_cap_s=max(0.0, portal.retry_cap_s),
        )

    # --- client --------------------------------------------------------------------------

    def client(self) -> PortalClient:
        """The portal client, created on first use."""
        with self._lock:
            if self._client is None:
                self._client = self._factory()
            return self._client

    def _drop_client(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def close(self) -> None:
        self._drop_client()

    # --- passes --------------------------------------------------------------------------

    def run_once(self, limit: int = 20, stop: threading.Event | None = None) -> OutboxReport:
        """Claim up to ``limit`` due submissions and send them, one after the other.

        Outcomes are written together at the end of the pass (and at each lease renewal), a
        few transactions per batch rather than one per dossier. With ``stop`` set midway, the
        rows not started yet are handed back at once.
        """
        now = self._clock()
        if stop is not None and stop.is_set():
            return OutboxReport()
        if self._paused_until is not None and now < self._paused_until:
            return OutboxReport()
        self._paused_until = None
        client = self.client()
        claims, payloads = self._claim(limit, now)
        if not claims:
            return OutboxReport()
        batch = _Batch(self, now)
        batch.report = OutboxReport(claimed=len(claims))
        works = batch.works(claims, payloads)
        outages = 0
        for index, work in enumerate(works):
            batch.upcoming = [w.claim for w in works[index + 1 :]]
            if not batch.keep_lease(work.claim):
                # Another worker took it over while the rows before took long.
                batch.report += OutboxReport(released=1)
                continue
            outcome = self._send(client, work, batch)
            batch.done.append(outcome)
            if outcome.auth_error:
                # Our credentials are refused: every other row would fail the same way. Hand
                # them back untouched, pause, and pick up new credentials after the pause.
                batch.finish(release=batch.upcoming)
                batch.report += OutboxReport(auth_error=outcome.auth_error)
                self._paused_until = self._clock() + timedelta(seconds=self.retry_cap_s)
                self._drop_client()
                return batch.report
            outages = outages + 1 if outcome.kind == _RETRY else 0
            if outages >= OUTAGE_STREAK and batch.upcoming:
                # The portal looks down: do not spend a timeout on every row of the batch.
                batch.finish(release=batch.upcoming, delay=self.retry_base_s)
                return batch.report
            if stop is not None and stop.is_set():
                batch.finish(release=batch.upcoming)
                return batch.report
        batch.finish()
        return batch.report

    def resume(self) -> None:
        """End a pause after refused credentials (staff logged in again)."""
        self._paused_until = None
        self._drop_client()

    def drain(self, limit: int = 20, stop: threading.Event | None = None) -> OutboxReport:
        """Passes until fewer than ``limit`` rows were due (or ``stop`` is set)."""
        total = OutboxReport()
        while stop is None or not stop.is_set():
            report = self.run_once(limit, stop)
            total += report
            if report.claimed < limit or report.auth_error:
                break
        return total

    def run_forever(
        self,
        stop: threading.Event,
        *,
        limit: int = 20,
        interval: float = 30.0,
        on_report: Callable[[OutboxReport], None] | None = None,
    ) -> None:
        """Drain, wait ``interval`` seconds, again, until ``stop`` is set.

        An unreachable database or a missing set-up is logged and tried again next time:
        a worker on a counter PC must outlive a server restart.
        """
        while not stop.is_set():
            try:
                report = self.drain(limit, stop)
            except KnownError as exc:
                log.warning("outbox pass failed: %s", exc.message)
            else:
                if on_report is not None and report.busy:
                    on_report(report)
            stop.wait(interval)

    # --- claiming ------------------------------------------------------------------------

    def _claim(
        self, limit: int, now: datetime
    ) -> tuple[list[_Claim], dict[uuid.UUID, DossierPayload]]:
        """Lease due rows and read what they will send, in one short transaction.

        PostgreSQL skips rows another worker is claiming right now (SKIP LOCKED); SQLite's
        write lock already serialises claimers.
        """
        with UnitOfWork(self.database, source="outbox") as uow:
            connection = uow.connection()
            rows = connection.execute(_DUE, {"now": now, "limit": limit}).all()
            if not rows:
                return [], {}
            connection.execute(
                _LEASE, {"ids": [r.id for r in rows], "now": now, "until": now + self.lease}
            )
            payloads = load_payloads(connection, [r.dossier_id for r in rows])
            # Committed without a change notification: "sending" lasts a moment and is not
            # worth a refresh on every PC; the outcome's commit announces itself.
            connection.commit()
        claims = [_Claim(r.id, r.dossier_id, r.idempotency_key, r.attempts + 1) for r in rows]
        return claims, payloads

    # --- sending -------------------------------------------------------------------------

    def _content(self, sha256: str) -> bytes:
        with UnitOfWork(self.database, readonly=True) as uow:
            stored = uow.session.get(StoredFile, sha256)
            if stored is None:
                raise NotFound(f"Không còn tệp đính kèm {sha256[:12]}… trong cơ sở dữ liệu.")
            return stored.content

    def _send(self, client: PortalClient, work: _Work, batch: _Batch) -> _Outcome:
        """Create the dossier on the portal, then upload its scans; never raises for the portal."""
        try:
            reply = client.create_dossier(work.payload, idempotency_key=work.claim.key)
            for sha256, file_name in work.uploads:
                if not batch.keep_lease(work.claim):
                    return _Outcome(work, _LOST)
                # Every announced scan again on a retry: PUT of a hash the portal already has is
                # a cheap 200, and it is the only way to be sure nothing is missing.
                client.upload_attachment(
                    reply.portal_code, sha256, file_name, self._content(sha256)
                )
            return _Outcome(work, _SENT, reply=reply)
        except PortalUnavailable as exc:
            log.info("submission %s: attempt %d failed: %s", work.code, work.claim.token, exc)
            return _Outcome(work, _RETRY, reason=exc.user_text(), retry_after=exc.retry_after)
        except PortalAuthError as exc:
            return _Outcome(
                work,
                _FAIL,
                reason=exc.user_text(),
                data={"error": type(exc).__name__},
                auth_error=exc.user_text(),
            )
        except PortalRejected as exc:
            data: dict[str, Any] = {
                "error": type(exc).__name__,
                "status": exc.status,
                "code": exc.code,
                "fields": exc.fields,
            }
            return _Outcome(work, _FAIL, reason=exc.user_text(), data=data)
        except DatabaseUnavailable:
            raise  # nothing can be written now; the lease brings the rows back later
        except KnownError as exc:
            # Our own data is wrong (a scan missing from the database...): staff must look.
            return _Outcome(work, _FAIL, reason=exc.user_text(), data={"error": type(exc).__name__})
        except Exception:
            # A bug must not wedge the queue: log it with its traceback and count the attempt
            # like an outage, so the row gives up after max_attempts.
            log.exception("unexpected error sending submission %s", work.code)
            return _Outcome(
                work,
                _RETRY,
                reason="Lỗi không mong muốn khi gửi hồ sơ; chi tiết đã ghi vào nhật ký.",
            )

    def backoff(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``attempts``-th failure: full jitter, at least Retry-After."""
        ceiling = min(self.retry_cap_s, self.retry_base_s * 2 ** max(0, attempts - 1))
        delay = self._rng.uniform(0, ceiling)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.retry_cap_s))
        return delay

    # --- recording -----------------------------------------------------------------------

    def _record(
        self,
        outcomes: Sequence[_Outcome],
        *,
        release: Sequence[_Claim] = (),
        delay: float = 0.0,
        renew: Sequence[_Claim] = (),
    ) -> tuple[OutboxReport, set[uuid.UUID]]:
        """Write outcomes, hand back ``release``, extend the lease of ``renew``: one transaction.

        Only rows still leased to us are touched (state sending, attempts = our token); the
        others were taken over and their new worker writes their outcome. Returns the report
        and the ``renew`` rows that turned out to be lost. Statements go out as executemany
        batches: a pass of twenty dossiers costs a handful of statements, not a hundred.
        """
        ids = [o.work.claim.submission_id for o in outcomes]
        ids += [c.submission_id for c in (*release, *renew)]
        if not ids:
            return OutboxReport(), set()
        now = self._clock()
        report = OutboxReport()
        writes = _Writes()
        with UnitOfWork(self.database, source="outbox") as uow:
            connection = uow.connection()
            held = {row.id: row.attempts for row in connection.execute(_HELD, {"ids": ids})}

            def owned(claim: _Claim) -> bool:
                return held.get(claim.submission_id) == claim.token

            for outcome in outcomes:
                if outcome.kind == _LOST or not owned(outcome.work.claim):
                    report += OutboxReport(released=1)
                elif outcome.kind == _SENT:
                    report += self._mark_sent(writes, outcome, now)
                elif outcome.kind == _RETRY and outcome.work.claim.token < self.max_attempts:
                    report += self._mark_retry(writes, outcome, now)
                else:
                    report += self._mark_failed(writes, outcome, now)
            for claim in release:
                if owned(claim):
                    writes.submissions.append(
                        {
                            "b_id": claim.submission_id,
                            "state": SubmissionState.PENDING,
                            "attempts": claim.token - 1,  # never tried: it does not count
                            "next_attempt_at": now + timedelta(seconds=delay),
                            "updated_at": now,
                        }
                    )
                report += OutboxReport(released=1)
            lost = {c.submission_id for c in renew if not owned(c)}
            renewed = [c.submission_id for c in renew if owned(c)]
            if renewed:
                connection.execute(_RENEW, {"ids": renewed, "until": now + self.lease})
            writes.apply(connection)
            if outcomes or release:
                uow.commit()
            else:
                connection.commit()  # a lease renewal alone changes nothing anyone looks at
        return report, lost

    def _mark_sent(self, writes: _Writes, outcome: _Outcome, now: datetime) -> OutboxReport:
        reply, work = outcome.reply, outcome.work
        assert reply is not None
        writes.submissions.append(
            {
                "b_id": work.claim.submission_id,
                "state": SubmissionState.SENT,
                "sent_at": now,
                "updated_at": now,
                "last_error": None,
                "portal_reply": {
                    "portal_code": reply.portal_code,
                    "local_code": reply.local_code,
                    "status": reply.status,
                    "status_at": reply.status_at.isoformat(),
                    "replayed": reply.replayed,
                },
            }
        )
        writes.dossiers.append(
            {
                "b_id": work.claim.dossier_id,
                "portal_reference": reply.portal_code,
                "portal_status": reply.status,
                "portal_status_at": to_office_time(reply.status_at),
            }
        )
        writes.events.append(
            {
                "id": uuid.uuid4(),
                "dossier_id": work.claim.dossier_id,
                "at": now,
                "actor_id": None,
                "kind": "submitted",
                "from_state": None,
                "to_state": None,
                "note": (
                    "Đã gửi hồ sơ lên hệ thống dịch vụ công trực tuyến, mã hồ sơ trên hệ "
                    f"thống: {reply.portal_code}"
                ),
                "data": {
                    "portal_code": reply.portal_code,
                    "attempts": work.claim.token,
                    "replayed": reply.replayed,
                    "attachments": len(work.uploads),
                },
            }
        )
        log.info(
            "submission %s sent as %s (attempt %d%s)",
            work.code,
            reply.portal_code,
            work.claim.token,
            ", replayed" if reply.replayed else "",
        )
        return OutboxReport(sent=1)

    def _mark_retry(self, writes: _Writes, outcome: _Outcome, now: datetime) -> OutboxReport:
        wait = self.backoff(outcome.work.claim.token, outcome.retry_after)
        writes.submissions.append(
            {
                "b_id": outcome.work.claim.submission_id,
                "state": SubmissionState.PENDING,
                "next_attempt_at": now + timedelta(seconds=wait),
                "last_error": outcome.reason,
                "updated_at": now,
            }
        )
        return OutboxReport(retried=1)

    def _mark_failed(self, writes: _Writes, outcome: _Outcome, now: datetime) -> OutboxReport:
        work, reason = outcome.work, outcome.reason or ""
        data = dict(outcome.data)
        if outcome.kind == _RETRY:  # out of attempts
            reason = f"Đã thử gửi {work.claim.token} lần không thành công. Lần cuối: {reason}"
            data.setdefault("error", "unavailable")
        writes.submissions.append(
            {
                "b_id": work.claim.submission_id,
                "state": SubmissionState.FAILED,
                "last_error": reason,
                "updated_at": now,
            }
        )
        writes.events.append(
            {
                "id": uuid.uuid4(),
                "dossier_id": work.claim.dossier_id,
                "at": now,
                "actor_id": None,
                "kind": "submission_failed",
                "from_state": None,
                "to_state": None,
                "note": f"Gửi hồ sơ lên hệ thống dịch vụ công không thành công: {reason}",
                "data": {**data, "attempts": work.claim.token},
            }
        )
        log.warning("submission of %s failed for good: %s", work.code, reason.splitlines()[0])
        return OutboxReport(failed=1, failures=(FailedSubmission(work.code, reason),))


_SENT: Final = "sent"
_RETRY: Final = "retry"
_FAIL: Final = "fail"
_LOST: Final = "lost"  # the lease went to another worker midway
_NO_PAYLOAD: Final = DossierPayload(
    local_code="",
    agency_code="",
    procedure_code="",
    received_at=datetime.min,
    due_at=datetime.min,
    result_channel="desk",
    applicant=Applicant("", ""),
)


@dataclass
class _Outcome:
    """What sending one claimed submission came to, waiting to be written."""

    work: _Work
    kind: str  # _SENT, _RETRY, _FAIL or _LOST
    reply: PortalDossier | None = None
    reason: str | None = None
    retry_after: float | None = None
    data: dict[str, Any] = field(default_factory=dict)
    auth_error: str | None = None


class _Batch:
    """One pass's claimed rows: outcomes waiting to be written and the lease kept alive."""

    def __init__(self, outbox: Outbox, claimed_at: datetime) -> None:
        self.outbox = outbox
        self.report = OutboxReport()
        self.done: list[_Outcome] = []
        self.upcoming: list[_Claim] = []
        self.lost: set[uuid.UUID] = set()
        self._written_at = claimed_at

    def works(
        self, claims: Sequence[_Claim], payloads: dict[uuid.UUID, DossierPayload]
    ) -> list[_Work]:
        """The claims with what they send; one whose dossier vanished fails at once."""
        works: list[_Work] = []
        for claim in claims:
            payload = payloads.get(claim.dossier_id)
            if payload is None:  # the foreign keys forbid it; a hand-edited database might not
                reason = "Không còn hồ sơ của yêu cầu gửi này trong cơ sở dữ liệu."
                work = _Work(claim, claim.key, _NO_PAYLOAD)
                self.done.append(_Outcome(work, _FAIL, reason=reason, data={"error": "NotFound"}))
            else:
                works.append(_Work(claim, payload.local_code, payload, _uploads(payload)))
        return works

    def keep_lease(self, current: _Claim) -> bool:
        """True while ``current`` is still ours.

        Every lease of the batch is renewed when a third of it is gone, and the outcomes so far
        are written when they are older than ``RECORD_EVERY_S`` (a slow portal must not keep
        a dossier showing "sending" for the whole batch) - both in one transaction.
        """
        clock, lease = self.outbox._clock, self.outbox.lease
        if current.submission_id in self.lost:
            return False
        elapsed = clock() - self._written_at
        if elapsed <= lease / 3 and not (self.done and elapsed.total_seconds() > RECORD_EVERY_S):
            return True
        report, lost = self.outbox._record(self.done, renew=[current, *self.upcoming])
        self.report += report
        self.done = []
        self.lost |= lost
        self._written_at = clock()
        return current.submission_id not in self.lost

    def finish(self, *, release: Sequence[_Claim] = (), delay: float = 0.0) -> None:
        kept = [c for c in release if c.submission_id not in self.lost]
        report, _ = self.outbox._record(self.done, release=kept, delay=delay)
        self.report += report
        self.done = []
