"""The outbox against a real simulator that fails: killed, flaky, slow, forgetful of tokens.

Whatever happens, the end is the same: every dossier sent, each exactly once on the portal, each
with its own portal code. Retries use a short backoff and lease so nothing sleeps for minutes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring
from sqlalchemy import select, update

from onestop_desk.config import PortalSettings, Settings, resolve_paths, save_settings
from onestop_desk.db.database import Database
from onestop_desk.db.models import Dossier, DossierEvent, Procedure
from onestop_desk.errors import KnownError
from onestop_desk.portal.credentials import secret_name
from onestop_desk.portal.http import HttpPortalClient
from onestop_desk.portal.outbox import Outbox, OutboxReport
from onestop_desk.secrets import set_secret
from onestop_desk.services.submissions import retry_submission
from onestop_desk.services.uow import UnitOfWork
from tests.support.portal_sim import (
    CLIENT_ID,
    SECRET,
    PortalSim,
    receive_dossiers,
    submissions,
    write_scans,
)

DEADLINE_S = 20


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[PortalSim]:
    portal = PortalSim(tmp_path, "--step-seconds", "0")
    yield portal
    portal.stop()


class Clients:
    """A client factory that remembers what it made (to count tokens, and to close them)."""

    def __init__(self, sim: PortalSim, timeout: float = 2.0) -> None:
        self.sim = sim
        self.timeout = timeout
        self.made: list[HttpPortalClient] = []

    def __call__(self) -> HttpPortalClient:
        client = HttpPortalClient(self.sim.url, CLIENT_ID, SECRET, timeout=self.timeout)
        self.made.append(client)
        return client


def fast_outbox(database: Database, clients: Clients) -> Outbox:
    # Outages must never turn into "failed" here: these tests are about draining.
    return Outbox(
        database,
        clients,
        max_attempts=10_000,
        lease=timedelta(seconds=5),
        retry_base_s=0.05,
        retry_cap_s=0.4,
    )


class Worker(threading.Thread):
    """An outbox pass after pass in the background, as on a counter PC."""

    def __init__(self, outbox: Outbox, limit: int = 5) -> None:
        super().__init__()
        self.outbox = outbox
        self.limit = limit
        self.halt = threading.Event()
        self.total = OutboxReport()

    def run(self) -> None:
        while not self.halt.is_set():
            with contextlib.suppress(KnownError):  # a database hiccup: the next pass retries
                self.total += self.outbox.drain(self.limit, self.halt)
            self.halt.wait(0.02)

    def finish(self) -> OutboxReport:
        self.halt.set()
        self.join(30)
        self.outbox.close()
        return self.total


def sent(database: Database) -> int:
    return sum(row.state == "sent" for row in submissions(database).values())


def wait_for(condition: Callable[[], bool], what: str, timeout: float = DEADLINE_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        time.sleep(0.05)


def assert_each_sent_exactly_once(database: Database, sim: PortalSim, codes: list[str]) -> None:
    rows = submissions(database)
    assert {code: rows[code].state for code in codes} == dict.fromkeys(codes, "sent")
    with UnitOfWork(database, readonly=True) as uow:
        references = dict(
            uow.session.execute(
                select(Dossier.code, Dossier.portal_reference).where(Dossier.code.in_(codes))
            ).all()
        )
        submitted = uow.session.execute(
            select(DossierEvent.dossier_id).where(DossierEvent.kind == "submitted")
        ).all()
    assert all(references[code] for code in codes), references
    assert len(set(references.values())) == len(codes)  # each dossier its own portal code
    assert len(submitted) == len(codes)  # one "submitted" line in each history
    stats = sim.stats()
    assert stats["dossiers_created"] == len(codes), stats
    assert stats["duplicate_dossiers"] == 0, stats


def test_portal_killed_mid_stream_and_restarted_drains(
    database: Database, sim: PortalSim, tmp_path: Path
) -> None:
    codes = receive_dossiers(database, 30, scans=write_scans(tmp_path / "scans", 1))
    sim.start("--step-seconds", "0", "--latency", "20")
    worker = Worker(fast_outbox(database, Clients(sim)))
    worker.start()
    try:
        wait_for(lambda: sent(database) >= 8, "the first dossiers sent")
        sim.kill()  # mid-stream: requests in flight lose their connection
        wait_for(
            lambda: any(
                "Không kết nối được" in (row.last_error or "")
                for row in submissions(database).values()
            ),
            "the outage noticed",
        )
        down_at = sent(database)
        time.sleep(0.3)
        assert sent(database) == down_at  # nothing goes through while the portal is down
        sim.start()  # same port, same state file
        wait_for(lambda: sent(database) == len(codes), "everything sent after the restart")
    finally:
        report = worker.finish()
    assert report.failed == 0
    assert report.retried > 0
    assert_each_sent_exactly_once(database, sim, codes)
    assert sim.stats()["attachments"] == len(codes)


def test_flaky_portal_with_thirty_percent_failures_drains(
    database: Database, sim: PortalSim, tmp_path: Path
) -> None:
    codes = receive_dossiers(database, 30, scans=write_scans(tmp_path / "scans", 1))
    sim.start("--step-seconds", "0", "--fail-rate", "0.3", "--seed", "11")
    worker = Worker(fast_outbox(database, Clients(sim)))
    worker.start()
    try:
        wait_for(lambda: sent(database) == len(codes), "everything sent through the failures")
    finally:
        report = worker.finish()
    stats = sim.stats()
    assert stats["failures_injected"] > 10  # 500s, lost replies, HTML pages, dropped sockets
    assert report.retried > 0
    assert max(row.attempts for row in submissions(database).values()) > 1
    assert_each_sent_exactly_once(database, sim, codes)
    assert stats["attachments"] == len(codes)


def test_slow_portal_times_out_then_drains_when_it_is_fast_again(
    database: Database, sim: PortalSim
) -> None:
    early = receive_dossiers(database, 3)
    sim.start("--step-seconds", "0")
    clients = Clients(sim, timeout=0.5)
    with closing(fast_outbox(database, clients)) as outbox:
        assert outbox.run_once().sent == 3  # the client now holds a token
        codes = early + receive_dossiers(database, 12)
        # Slower than the client waits: the portal does the work, the answer comes too late.
        sim.restart("--step-seconds", "0", "--latency", "800")
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            assert outbox.run_once(limit=5).sent == 0
            time.sleep(0.05)
        slow = [row for code, row in submissions(database).items() if code not in early]
        assert all(row.state in {"pending", "sending"} for row in slow)
        assert any("không trả lời trong 0.5 giây" in (row.last_error or "") for row in slow)
        assert sim.stats()["dossiers_created"] > 3  # created on the portal, replies lost

        sim.restart("--step-seconds", "0")
        deadline = time.monotonic() + DEADLINE_S
        while sent(database) < len(codes) and time.monotonic() < deadline:
            outbox.run_once(limit=5)
            time.sleep(0.05)
    assert sim.stats()["duplicate_keys"] > 0  # the lost replies were asked for again...
    assert_each_sent_exactly_once(database, sim, codes)  # ...and answered, not duplicated


def test_tokens_expired_mid_run_are_renewed_without_a_failed_attempt(
    database: Database, sim: PortalSim
) -> None:
    codes = receive_dossiers(database, 24)
    sim.start("--step-seconds", "0", "--latency", "20")
    clients = Clients(sim)
    worker = Worker(fast_outbox(database, clients), limit=3)
    worker.start()
    try:
        wait_for(lambda: sent(database) >= 6, "the first dossiers sent")
        assert sim.expire_tokens() >= 1
        wait_for(lambda: sent(database) == len(codes), "everything sent after the expiry")
    finally:
        report = worker.finish()
    assert (report.retried, report.failed) == (0, 0)
    rows = submissions(database).values()
    assert all(row.attempts == 1 and row.last_error is None for row in rows)
    (client,) = clients.made
    assert client.tokens_fetched == 2  # the refused token was replaced once, transparently
    assert_each_sent_exactly_once(database, sim, codes)


# The two programs that run the outbox: the server's loop, and the counter app (here the demo,
# whose counter window runs the outbox worker on its own thread, drawn offscreen).
WORKERS = {
    "outbox-run": ("outbox", "run", "--interval", "0.2"),
    "counter-app": ("run",),
}


def _worker_process(
    tmp_path: Path, db_url: str, out: Path, command: tuple[str, ...] = WORKERS["outbox-run"]
) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "ONESTOP_DB_URL"}
    env["PYTHONIOENCODING"] = "utf-8"
    env["QT_QPA_PLATFORM"] = "offscreen"
    with out.open("a", encoding="utf-8") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "onestop_desk",
                "--data-dir",
                str(tmp_path / "worker"),
                "--db",
                db_url,
                *command,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )


@pytest.mark.parametrize("worker", sorted(WORKERS))
def test_outbox_worker_killed_mid_send_and_restarted_drains(
    database: Database, db_url: str, sim: PortalSim, tmp_path: Path, worker: str
) -> None:
    codes = receive_dossiers(database, 12)
    sim.start("--step-seconds", "0", "--latency", "150")
    keyring.set_keyring(PlaintextKeyring())  # the file keyring the worker process reads too
    set_secret(secret_name(sim.url, CLIENT_ID), SECRET)
    settings = Settings(
        portal=PortalSettings(
            url=sim.url,
            client_id=CLIENT_ID,
            timeout_s=5,
            batch_size=20,
            lease_s=2,
            retry_base_s=0.05,
            retry_cap_s=0.4,
            poll_interval_s=0.2,
        )
    )
    save_settings(resolve_paths(tmp_path / "worker"), settings)
    out = tmp_path / "worker.out"
    command = WORKERS[worker]

    first = _worker_process(tmp_path, db_url, out, command)
    try:
        wait_for(lambda: sent(database) >= 3, "the worker's first dossiers sent")
    finally:
        first.kill()  # SIGKILL: no clean-up, a row is left half-sent under its lease
        first.wait(10)
    left = [row for row in submissions(database).values() if row.state != "sent"]
    assert left
    assert any(row.state == "sending" for row in left)  # still leased to the dead worker

    second = _worker_process(tmp_path, db_url, out, command)
    try:
        wait_for(lambda: sent(database) == len(codes), "the new worker taking over")
    finally:
        second.send_signal(signal.SIGTERM)
        code = second.wait(15)
    if worker == "outbox-run":
        assert code == 0  # SIGTERM is a clean stop
        assert "Hệ thống dịch vụ công: đã gửi" in out.read_text(encoding="utf-8")
    assert "Traceback" not in out.read_text(encoding="utf-8")
    assert_each_sent_exactly_once(database, sim, codes)


def test_a_dossier_the_portal_refuses_fails_with_its_reason_until_staff_retry(
    database: Database, sim: PortalSim
) -> None:
    (code,) = receive_dossiers(database, 1)
    sim.start("--step-seconds", "0")
    # A procedure code the portal does not know (a typo in the catalog, say).
    with UnitOfWork(database) as uow:
        uow.session.execute(
            update(Procedure).where(Procedure.code == "2.000884").values(code="CT-CHU-KY")
        )
        uow.commit()
    with closing(fast_outbox(database, Clients(sim))) as outbox:
        report = outbox.drain()
        assert (report.sent, report.failed, report.retried) == (0, 1, 0)  # not retried at all
        (failure,) = report.failures
        assert failure.dossier_code == code
        assert "không có thủ tục hành chính này" in failure.reason
        assert "CT-CHU-KY" in failure.reason  # the portal's own words come along
        row = submissions(database)[code]
        assert (row.state, row.attempts) == ("failed", 1)
        assert row.last_error == failure.reason
        with UnitOfWork(database, readonly=True) as uow:
            note = uow.session.scalar(
                select(DossierEvent.note).where(DossierEvent.kind == "submission_failed")
            )
        assert note is not None
        assert "không có thủ tục hành chính này" in note
        assert outbox.drain().claimed == 0  # it stays failed: staff must act

        with UnitOfWork(database) as uow:
            uow.session.execute(
                update(Procedure).where(Procedure.code == "CT-CHU-KY").values(code="2.000884")
            )
            uow.commit()
        with UnitOfWork(database, source="outbox") as uow:
            retry_submission(uow, code, None)
        assert outbox.drain().sent == 1
    assert_each_sent_exactly_once(database, sim, [code])
