"""Live updates: a change made by another process reaches a face, also across a server restart."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, text

from onestop_desk.db.database import Database
from onestop_desk.db.migrate import upgrade
from onestop_desk.gui.live import ChangeWatcher
from onestop_desk.services.seed import seed
from onestop_desk.services.uow import UnitOfWork
from tests.support.pgserver import PgServer, find_bin_dir

pytestmark = pytest.mark.gui


def _issue_from_another_process(url: str) -> None:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    subprocess.run(
        [sys.executable, "-m", "onestop_desk", "--db", url, "ticket", "issue", "--field", "HT"],
        check=True,
        capture_output=True,
        env=env,
        timeout=60,
    )


def test_change_by_another_process_is_signalled(qtbot: QtBot, db_url: str) -> None:
    database = Database(db_url)
    watcher = ChangeWatcher(database)
    watcher.start()
    try:
        assert watcher.connected
        with qtbot.waitSignal(watcher.sig_changed, timeout=15000):
            _issue_from_another_process(db_url)
    finally:
        watcher.stop()
        database.dispose()


def test_no_signal_without_a_change(qtbot: QtBot, db_url: str) -> None:
    database = Database(db_url)
    watcher = ChangeWatcher(database)
    watcher.start()
    try:
        with qtbot.assertNotEmitted(watcher.sig_changed, wait=1200):
            pass
    finally:
        watcher.stop()
        database.dispose()


@pytest.fixture
def own_pg_server() -> Iterator[PgServer]:
    if find_bin_dir() is None:
        pytest.skip("PostgreSQL is not installed here (CI installs it and runs these)")
    server = PgServer()
    server.start()
    yield server
    server.stop()


@pytest.mark.postgres
def test_watcher_reconnects_after_a_server_restart(qtbot: QtBot, own_pg_server: PgServer) -> None:
    admin = create_engine(own_pg_server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE desk"))
    admin.dispose()
    url = own_pg_server.url("desk")
    database = Database(url)
    upgrade(database)
    with UnitOfWork(database) as uow:
        seed(uow, demo=True)
    watcher = ChangeWatcher(database)
    watcher.start()
    try:
        assert watcher.connected
        with qtbot.waitSignal(watcher.sig_connection, timeout=15000) as lost:
            own_pg_server.restart()
        assert lost.args == [False]
        # Back up: the watcher reconnects by itself and asks for a full refresh.
        with qtbot.waitSignals([watcher.sig_connection, watcher.sig_changed], timeout=15000):
            pass
        assert watcher.connected
        # And live notifications flow again on the new connection.
        with qtbot.waitSignal(watcher.sig_changed, timeout=15000):
            _issue_from_another_process(url)
    finally:
        watcher.stop()
        database.dispose()
