"""``onestop-desk portal …`` and ``outbox run`` as the IT person and scripts use them."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring
from sqlalchemy import update

from onestop_desk.config import load_settings, resolve_paths
from onestop_desk.db.database import Database
from onestop_desk.db.models import Procedure
from onestop_desk.portal.credentials import secret_name
from onestop_desk.secrets import get_secret
from onestop_desk.services.uow import UnitOfWork
from tests.integration.test_cli import assert_refused, ok_json, ok_text
from tests.support.portal_sim import CLIENT_ID, SECRET, PortalSim, receive_dossiers

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture(autouse=True)
def _file_keyring() -> None:
    # The file keyring the command's process finds through PYTHON_KEYRING_BACKEND.
    keyring.set_keyring(PlaintextKeyring())


def _command(tmp_path: Path, db: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "onestop_desk", "--data-dir", str(tmp_path), "--db", db, *args]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ONESTOP_DB_URL"}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def cli(
    tmp_path: Path, db: str, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _command(tmp_path, db, *args),
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=_env(),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def login(
    tmp_path: Path, db: str, url: str, secret: str = SECRET
) -> subprocess.CompletedProcess[str]:
    return cli(
        tmp_path,
        db,
        "portal",
        "login",
        "--url",
        url,
        "--client-id",
        CLIENT_ID,
        "--secret-stdin",
        stdin=secret + "\n",
    )


@SQLITE_ONLY
def test_login_checks_the_secret_first_and_keeps_it_only_in_the_keyring(
    tmp_path: Path, db_url: str, sim: PortalSim
) -> None:
    paths = resolve_paths(tmp_path)
    wrong = login(tmp_path, db_url, sim.url, secret="đoán-bừa")
    assert_refused(wrong, "từ chối thông tin đăng nhập", "Chưa lưu gì")
    assert load_settings(paths).portal.url == ""  # nothing stored
    assert get_secret(secret_name(sim.url, CLIENT_ID)) is None

    good = ok_text(login(tmp_path, db_url, sim.url + "/"))
    assert f"Đã kết nối hệ thống dịch vụ công {sim.url}" in good
    assert "kho mật khẩu" in good
    settings = load_settings(paths)
    assert (settings.portal.url, settings.portal.client_id) == (sim.url, CLIENT_ID)
    assert get_secret(secret_name(sim.url, CLIENT_ID)) == SECRET
    assert SECRET not in paths.settings_file.read_text(encoding="utf-8")
    assert SECRET not in good


@SQLITE_ONLY
def test_login_refuses_an_unreachable_portal_and_plain_http_to_another_machine(
    tmp_path: Path, db_url: str
) -> None:
    down = login(tmp_path, db_url, "http://127.0.0.1:1")
    assert_refused(down, "Không kết nối được hệ thống dịch vụ công", "chưa lưu gì")
    plain = login(tmp_path, db_url, "http://dvc.daklak.gov.vn")
    assert_refused(plain, "không mã hoá (http)", "https://")
    empty = cli(
        tmp_path, db_url, "portal", "login", "--url", "https://dvc.daklak.gov.vn",
        "--client-id", CLIENT_ID, "--secret-stdin", stdin="",
    )  # fmt: skip
    assert_refused(empty, "Chưa nhận được khoá bí mật")
    assert load_settings(resolve_paths(tmp_path)).portal.url == ""


@SQLITE_ONLY
def test_outbox_run_without_a_login_says_what_to_do(tmp_path: Path, db_url: str) -> None:
    result = cli(tmp_path, db_url, "outbox", "run", "--once")
    assert_refused(
        result,
        "Chưa khai báo kết nối hệ thống dịch vụ công: chạy onestop-desk portal login",
        "--secret-stdin",
    )


@SQLITE_ONLY
def test_outbox_run_once_sends_and_status_tells_the_story(
    tmp_path: Path, db_url: str, database: Database, sim: PortalSim
) -> None:
    ok_text(login(tmp_path, db_url, sim.url))
    good, bad = receive_dossiers(database, 2)
    status = ok_json(cli(tmp_path, db_url, "portal", "status", "--json"))
    assert status["counts"] == {"pending": 2, "sending": 0, "sent": 0, "failed": 0}
    assert status["portal"] == {"url": sim.url, "client_id": CLIENT_ID}

    # The second dossier's procedure code is one the portal does not know.
    with UnitOfWork(database) as uow:
        uow.session.execute(
            update(Procedure).where(Procedure.code == "2.000884").values(code="CT-CHU-KY")
        )
        uow.commit()
    first_run = ok_text(cli(tmp_path, db_url, "outbox", "run", "--once"))
    assert "đã gửi 0 hồ sơ, 2 hồ sơ gửi không được" in first_run

    status = ok_json(cli(tmp_path, db_url, "portal", "status", "--json"))
    assert status["counts"]["failed"] == 2
    assert {f["code"] for f in status["failed"]} == {good, bad}
    assert all("không có thủ tục hành chính này" in f["error"] for f in status["failed"])
    text = ok_text(cli(tmp_path, db_url, "portal", "status"))
    assert f"- {good} (gửi lỗi lúc" in text
    assert "gửi lỗi 2" in text

    with UnitOfWork(database) as uow:
        uow.session.execute(
            update(Procedure).where(Procedure.code == "CT-CHU-KY").values(code="2.000884")
        )
        uow.commit()
    again = ok_text(cli(tmp_path, db_url, "portal", "retry", good, "--staff", "tiepnhan1"))
    assert f"Hồ sơ {good} đã vào lại hàng đợi" in again
    assert_refused(cli(tmp_path, db_url, "portal", "retry", "KHONG-CO"), "Không có hồ sơ mã")
    sent = ok_text(cli(tmp_path, db_url, "outbox", "run", "--once"))
    assert "Hệ thống dịch vụ công: đã gửi 1 hồ sơ." in sent
    assert_refused(cli(tmp_path, db_url, "portal", "retry", good), "không ở trạng thái gửi lỗi")
    counts = ok_json(cli(tmp_path, db_url, "portal", "status", "--json"))["counts"]
    assert counts == {"pending": 0, "sending": 0, "sent": 1, "failed": 1}
    assert sim.stats()["dossiers_created"] == 1


def _total(output: Path, pattern: str) -> int:
    """The sum of the counts the worker's one-line summaries gave so far."""
    return sum(int(n) for n in re.findall(pattern, output.read_text(encoding="utf-8")))


@SQLITE_ONLY
def test_outbox_run_keeps_going_and_stops_cleanly_on_ctrl_c(
    tmp_path: Path, db_url: str, database: Database, sim: PortalSim
) -> None:
    ok_text(login(tmp_path, db_url, sim.url))
    out = tmp_path / "outbox.out"
    with out.open("w", encoding="utf-8") as sink:
        worker = subprocess.Popen(
            _command(tmp_path, db_url, "outbox", "run", "--interval", "0.2"),
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=_env(),
        )
    try:
        time.sleep(1)
        receive_dossiers(database, 3)  # received while the worker already runs
        deadline = time.monotonic() + 20
        # The passes may catch the three one by one, as they are saved: add up the lines.
        while _total(out, r"đã gửi (\d+) hồ sơ") < 3:
            assert time.monotonic() < deadline, out.read_text(encoding="utf-8")
            assert worker.poll() is None
            time.sleep(0.1)
        sim.advance()  # received -> processing on the portal; the next pass reads it back
        while _total(out, r"cập nhật (\d+) trạng thái") < 3:
            assert time.monotonic() < deadline, out.read_text(encoding="utf-8")
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGINT)
        code = worker.wait(15)
    assert code == 0
    output = out.read_text(encoding="utf-8")
    assert "Traceback" not in output
    assert "KeyboardInterrupt" not in output
