"""The counter's background submission worker against the real simulator."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from onestop_desk.config import PortalSettings, Settings, resolve_paths
from onestop_desk.context import AppContext
from onestop_desk.db.database import Database
from onestop_desk.db.models import Dossier, Submission
from onestop_desk.gui.counter.outbox_worker import OutboxWorker
from onestop_desk.gui.counter.window import CounterWindow
from onestop_desk.portal.credentials import secret_name
from onestop_desk.portal.sync import PassReport
from onestop_desk.secrets import set_secret
from onestop_desk.services.uow import UnitOfWork
from tests.support.portal_sim import CLIENT_ID, SECRET, PortalSim, receive_dossiers

pytestmark = [pytest.mark.gui, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


@pytest.fixture
def settings(sim: PortalSim) -> Settings:
    keyring.set_keyring(PlaintextKeyring())
    set_secret(secret_name(sim.url, CLIENT_ID), SECRET)
    return Settings(
        portal=PortalSettings(url=sim.url, client_id=CLIENT_ID, timeout_s=5, poll_interval_s=60)
    )


def test_no_worker_where_the_portal_is_not_configured(database: Database) -> None:
    assert OutboxWorker.for_counter(database, Settings()) is None


def test_worker_sends_in_the_background_and_reports_on_the_gui_thread(
    qtbot: QtBot, database: Database, sim: PortalSim, settings: Settings
) -> None:
    good, bad = receive_dossiers(database, 2)
    # A declaration typed with combining accents (not NFC): the portal refuses it for good.
    with UnitOfWork(database) as uow:
        uow.session.execute(
            update(Dossier)
            .where(Dossier.code == bad)
            .values(form_data={"ghi_chu": "Nguye\u0302\u0303n"})
        )
        uow.commit()
    worker = OutboxWorker.for_counter(database, settings)
    assert worker is not None
    reports: list[PassReport] = []
    failures: list[tuple[str, str]] = []
    threads: set[threading.Thread] = set()

    def on_report(report: PassReport) -> None:
        threads.add(threading.current_thread())
        reports.append(report)

    def on_failed(code: str, reason: str) -> None:
        threads.add(threading.current_thread())
        failures.append((code, reason))

    worker.sig_report.connect(on_report)
    worker.sig_failed.connect(on_failed)
    try:
        with qtbot.waitSignals([worker.sig_failed, worker.sig_report], timeout=15000):
            worker.start()
        assert worker.running
        (report,) = reports
        assert (report.outbox.sent, report.outbox.failed) == (1, 1)
        assert "đã gửi 1 hồ sơ, 1 hồ sơ gửi không được" in report.summary()
        ((code, reason),) = failures
        assert code == bad
        assert "không chấp nhận hồ sơ vì thông tin chưa hợp lệ" in reason
        assert "form.ghi_chu" in reason  # the portal's field-by-field reasons come along
        assert threads == {threading.main_thread()}  # slots ran on the GUI thread

        # A new dossier goes out at once when poked, not at the next tick a minute later.
        (later,) = receive_dossiers(database, 1)
        with qtbot.waitSignal(worker.sig_report, timeout=15000) as second:
            worker.poke()
        assert second.args is not None
        assert second.args[0].outbox.sent == 1
    finally:
        started = time.monotonic()
        worker.stop()
        stopped_in = time.monotonic() - started
    assert not worker.running
    assert stopped_in < 5  # the 60 s wait between passes does not hold the window's closing
    with UnitOfWork(database, readonly=True) as uow:
        rows = dict(
            uow.session.execute(
                select(Dossier.code, Submission.state).join(
                    Submission, Submission.dossier_id == Dossier.id
                )
            ).all()
        )
    assert rows == {good: "sent", bad: "failed", later: "sent"}
    assert sim.stats()["dossiers_created"] == 2


def test_a_database_or_login_problem_is_reported_not_fatal(
    qtbot: QtBot, database: Database, sim: PortalSim
) -> None:
    keyring.set_keyring(PlaintextKeyring())
    # Configured in the settings, but this PC's keyring lacks the secret.
    settings = Settings(portal=PortalSettings(url=sim.url, client_id="chua-dang-nhap"))
    worker = OutboxWorker(database, settings, interval=0.1)
    try:
        with qtbot.waitSignal(worker.sig_problem, timeout=15000) as problem:
            worker.start()
        assert problem.args is not None
        assert "Chưa khai báo kết nối hệ thống dịch vụ công" in problem.args[0]
        with qtbot.waitSignal(worker.sig_problem, timeout=15000):
            pass  # still alive, trying again on the next tick
        assert worker.running
    finally:
        worker.stop()
    assert not worker.running


def test_the_counter_window_sends_while_open_and_stops_its_worker_on_close(
    qtbot: QtBot, database: Database, sim: PortalSim, settings: Settings, tmp_path: Path
) -> None:
    (waiting,) = receive_dossiers(database, 1)  # saved before the window opened
    ctx = AppContext(paths=resolve_paths(tmp_path), settings=settings, database=database)
    window = CounterWindow(ctx, counter_number=1)
    qtbot.addWidget(window)
    window.show()
    worker = window.outbox
    assert worker is not None
    assert worker.running

    def state(code: str) -> str | None:
        with UnitOfWork(database, readonly=True) as uow:
            return uow.session.scalar(
                select(Submission.state)
                .join(Dossier, Submission.dossier_id == Dossier.id)
                .where(Dossier.code == code)
            )

    qtbot.waitUntil(lambda: state(waiting) == "sent", timeout=15000)
    qtbot.waitUntil(lambda: "đã gửi 1 hồ sơ" in window.statusBar().currentMessage(), timeout=5000)
    window.close()
    assert not worker.running
    assert sim.stats()["dossiers_created"] == 1
