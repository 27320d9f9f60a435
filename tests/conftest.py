"""Test set-up: isolated folders and keyring, and databases on real SQLite and real PostgreSQL."""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from onestop_desk.db.database import Database
from onestop_desk.db.migrate import upgrade
from onestop_desk.services.seed import seed
from onestop_desk.services.uow import UnitOfWork
from tests.support.logfail import ErrorCatcher
from tests.support.pgserver import PgServer, find_bin_dir
from tests.support.portal_sim import PortalSim

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# Windows are drawn offscreen unless a developer points the tests at a real display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session", autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep tests away from the user's folders and keyring (file keyring from keyrings.alt)."""
    home = tmp_path_factory.mktemp("home")
    saved = dict(os.environ)
    os.environ["XDG_DATA_HOME"] = str(home / "data")
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_STATE_HOME"] = str(home / "state")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    os.environ.pop("ONESTOP_DB_URL", None)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(autouse=True)
def _fail_on_logged_error(request: pytest.FixtureRequest) -> Iterator[None]:
    """An error logged during a test fails it, unless the test is marked ``logs_errors``.

    A background operation that swallows an exception still logs it: without this, such a test
    would pass while the user saw nothing happen.
    """
    catcher = ErrorCatcher()
    root = logging.getLogger()
    root.addHandler(catcher)
    try:
        yield
    finally:
        root.removeHandler(catcher)
    if catcher.records and request.node.get_closest_marker("logs_errors") is None:
        pytest.fail(
            "unexpected error logged (mark the test logs_errors if it expects one):\n"
            + catcher.summary(),
            pytrace=False,
        )


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer | None]:
    """One throw-away PostgreSQL server for the whole run (a failure in CI when missing)."""
    if find_bin_dir() is None:
        if IN_CI:
            pytest.fail(
                "PostgreSQL is not installed: CI must run the PostgreSQL tests", pytrace=False
            )
        yield None
        return
    server = PgServer()
    server.start()
    yield server
    server.stop()


def _seeded_template(url: str) -> None:
    database = Database(url)
    try:
        upgrade(database)
        with UnitOfWork(database) as uow:
            seed(uow, demo=True)
    finally:
        database.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _seeded_template(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template(pg_server: PgServer | None) -> str | None:
    if pg_server is None:
        return None
    admin = create_engine(pg_server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE onestop_template"))
    admin.dispose()
    _seeded_template(pg_server.url("onestop_template"))
    return "onestop_template"


def _new_pg_database(server: PgServer, template: str) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return server.url(name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
) -> str:
    """A fresh, migrated database with the demo office and catalog, on each backend."""
    if request.param == "sqlite":
        target = tmp_path / "onestop.sqlite3"
        shutil.copyfile(sqlite_template, target)
        return f"sqlite:///{target}"
    server: PgServer | None = request.getfixturevalue("pg_server")
    template: str | None = request.getfixturevalue("pg_template")
    if server is None or template is None:
        pytest.skip("PostgreSQL is not installed here (CI installs it and runs these)")
    return _new_pg_database(server, template)


@pytest.fixture
def sqlite_database(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """The seeded database on SQLite only, for what only SQLite does (planner, write turns)."""
    target = tmp_path / "sqlite-only.sqlite3"
    shutil.copyfile(sqlite_template, target)
    database = Database(f"sqlite:///{target}")
    yield database
    database.dispose()


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (nothing migrated yet) on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    server: PgServer | None = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip("PostgreSQL is not installed here (CI installs it and runs these)")
    name = f"e_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.url(name)


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[PortalSim]:
    """The portal simulator as a real process; ``--step-seconds 0``: statuses move only when a
    test says so."""
    portal = PortalSim(tmp_path, "--step-seconds", "0").start()
    yield portal
    portal.stop()
