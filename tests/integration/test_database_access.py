"""Connecting: keyring passwords against a real PostgreSQL login, unreachable servers."""

from __future__ import annotations

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring
from sqlalchemy.engine import make_url

from onestop_desk.db.database import Database
from onestop_desk.errors import DatabaseUnavailable
from onestop_desk.secrets import database_secret_name, set_secret, with_keyring_password
from onestop_desk.services.office import find_office
from onestop_desk.services.uow import UnitOfWork
from tests.support.pgserver import PgServer


@pytest.mark.postgres
def test_postgresql_password_from_the_keyring_logs_in(pg_server: PgServer | None) -> None:
    if pg_server is None:
        pytest.skip("PostgreSQL is not installed here (CI installs it and runs these)")
    keyring.set_keyring(PlaintextKeyring())
    full = make_url(pg_server.url())
    without_password = f"postgresql://{full.username}@{full.host}:{full.port}/{full.database}"
    # The server demands a password (scram-sha-256): without one the login fails...
    with pytest.raises(DatabaseUnavailable):
        Database(without_password).check()
    # ...and with the password stored in the keyring it succeeds.
    set_secret(database_secret_name(full), pg_server.password)
    database = Database(with_keyring_password(without_password))
    try:
        database.check()
    finally:
        database.dispose()


def test_unreachable_postgresql_is_a_friendly_error_within_seconds() -> None:
    database = Database("postgresql://desk:x@127.0.0.1:1/onestop")
    with pytest.raises(DatabaseUnavailable, match="Không kết nối được") as info:
        database.check()
    assert ":x@" not in info.value.user_text()  # the password is never shown
    with pytest.raises(DatabaseUnavailable), UnitOfWork(database) as uow:
        find_office(uow)


def test_data_survives_in_the_sqlite_file(database: Database) -> None:
    with UnitOfWork(database, readonly=True) as uow:
        office = find_office(uow)
    assert office.name == "Xã Hòa Sơn"
    assert office.province_name == "Đắk Lắk"
    assert office.center_name == "Trung tâm Phục vụ hành chính công xã Hòa Sơn"
