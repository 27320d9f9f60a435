"""Regenerate the admin face's screenshot in docs/screenshots (the portal connection tab).

Run from the repository root, without a display::

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_admin_shots.py [OUT_DIR]

OUT_DIR defaults to this folder. Everything happens in a fresh temporary folder, as in
make_counter_shots.py: the demo office in ``onestop.sqlite3`` opened by a relative URL, a
plaintext keyring there, and the real portal simulator (``onestop-desk portal-sim``, port 8765
when free) as a subprocess. Four dossiers go through the real outbox: three are sent, the
portal refuses one (a declaration typed with combining accents) and one more waits. The login
is typed into the tab and checked against the simulator before the picture is taken.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # tests.support: the simulator and keyboard helpers of the tests

WORK = Path(tempfile.mkdtemp(prefix="onestop-shots-"))
for _name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
    os.environ[_name] = str(WORK / "xdg" / _name.lower())  # nothing written in the user's home
os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"  # in WORK, too

from PySide6.QtCore import Qt, QThreadPool  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy import update  # noqa: E402
from tests.support.portal_sim import CLIENT_ID, SECRET, PortalSim, receive_dossiers  # noqa: E402
from tests.support.qt_keys import SCRIPT_KEYS, pump, type_text, wait_until  # noqa: E402

from onestop_desk.config import PortalSettings, Settings, resolve_paths  # noqa: E402
from onestop_desk.context import AppContext  # noqa: E402
from onestop_desk.db.database import Database  # noqa: E402
from onestop_desk.db.migrate import upgrade  # noqa: E402
from onestop_desk.db.models import Dossier  # noqa: E402
from onestop_desk.gui.admin import AdminWindow  # noqa: E402
from onestop_desk.portal.credentials import client_from_settings, secret_name  # noqa: E402
from onestop_desk.portal.outbox import Outbox  # noqa: E402
from onestop_desk.secrets import set_secret  # noqa: E402
from onestop_desk.services.seed import DEMO_PASSWORD, seed  # noqa: E402
from onestop_desk.services.staff import authenticate  # noqa: E402
from onestop_desk.services.uow import UnitOfWork  # noqa: E402

SIZE = (1100, 720)
PREFERRED_PORT = 8765


def settle(extra: float = 0.5) -> None:
    end = time.monotonic() + extra
    while time.monotonic() < end:
        pump()
        time.sleep(0.02)


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def outbox_history(database: Database, sim: PortalSim) -> None:
    """Three dossiers sent, one refused by the portal for good, one more waiting."""
    codes = receive_dossiers(database, 4)
    with UnitOfWork(database) as uow:
        # Typed with combining accents (not NFC): the portal refuses the declaration.
        uow.session.execute(
            update(Dossier)
            .where(Dossier.code == codes[1])
            .values(form_data={"ghi_chu": "Nguye\u0302\u0303n Va\u0306n An"})
        )
        uow.commit()
    set_secret(secret_name(sim.url, CLIENT_ID), SECRET)
    settings = Settings(portal=PortalSettings(url=sim.url, client_id=CLIENT_ID, timeout_s=5))
    outbox = Outbox(database, lambda: client_from_settings(settings))
    try:
        report = outbox.run_once()
    finally:
        outbox.close()
    assert (report.sent, report.failed) == (3, 1), report
    receive_dossiers(database, 1)


def main() -> None:
    out = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    os.chdir(WORK)
    database = Database("sqlite:///onestop.sqlite3")
    upgrade(database)
    with UnitOfWork(database) as uow:
        seed(uow, demo=True)
    with UnitOfWork(database) as uow:
        staff = authenticate(uow, username="admin", password=DEMO_PASSWORD)
    sim = PortalSim(WORK, "--step-seconds", "0")
    if _port_free(PREFERRED_PORT):
        sim.port = PREFERRED_PORT
    sim.start()
    try:
        outbox_history(database, sim)
        ctx = AppContext(paths=resolve_paths(WORK), settings=Settings(), database=database)
        window = AdminWindow(ctx, staff=staff)
        window.resize(*SIZE)
        window.show()
        tab = window.portal
        wait_until(lambda: tab.connection is not None and tab.summary is not None, "first reads")
        QTest.keyClicks(tab.url_edit, sim.url)
        QTest.keyClicks(tab.client_id_edit, CLIENT_ID)
        type_text(SCRIPT_KEYS, SECRET, tab.secret_edit)  # type: ignore[arg-type]
        QTest.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
        wait_until(lambda: not tab.is_busy(), "the portal to check the login")
        if tab.message_label.property("kind") != "ok":
            raise SystemExit(f"login not stored: {tab.message_label.text()}")
        wait_until(lambda: "đã lưu" in tab.secret_state_label.text(), "the keyring state")
        window.statusBar().clearMessage()  # the tab says it already; the bar keeps who and where
        settle()
        name = "admin-portal.png"
        window.grab().save(str(out / name))
        print("wrote", out / name)
        window.close()
        QThreadPool.globalInstance().waitForDone(10_000)
    finally:
        sim.stop()
        database.dispose()
        app.processEvents()
        os.chdir(ROOT)
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
