"""The portal simulator as a real subprocess (``onestop-desk portal-sim``) for outbox tests.

Kept on one port and one ``--state`` file across restarts, so a test can kill it mid-stream and
bring it back as a real outage would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from onestop_desk.db.database import Database
    from onestop_desk.db.models import Submission
    from onestop_desk.portal.http import HttpPortalClient

START_TIMEOUT_S = 30
CLIENT_ID = "demo"
SECRET = "bí-mật-của-xã"


class PortalSim:
    """One simulator process; ``restart`` keeps its port and its state file."""

    def __init__(self, workdir: Path, *args: str) -> None:
        self.state = workdir / "portal-sim.sqlite3"
        self.stderr_path = workdir / "portal-sim.stderr"
        self.args = args
        self.port = 0
        self.url = ""
        self.process: subprocess.Popen[str] | None = None

    def start(self, *args: str) -> PortalSim:
        """Start (again), with ``args`` replacing the options given so far when there are any."""
        if args:
            self.args = args
        command = [
            sys.executable,
            "-m",
            "onestop_desk",
            "portal-sim",
            "--port",
            str(self.port),
            "--state",
            str(self.state),
            "--client-id",
            CLIENT_ID,
            "--secret",
            SECRET,
            *self.args,
        ]
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        with self.stderr_path.open("a", encoding="utf-8") as stderr:
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=stderr, text=True, encoding="utf-8", env=env
            )
        self.process = process
        line = self._first_line(process)
        prefix = "portal-sim listening on "
        if not line.startswith(prefix):
            self.stop(signal.SIGKILL)
            raise AssertionError(f"simulator did not start: {line!r}\n{self.stderr()}")
        self.url = line.removeprefix(prefix).strip()
        self.port = int(self.url.rsplit(":", 1)[1])
        return self

    @staticmethod
    def _first_line(process: subprocess.Popen[str]) -> str:
        lines: list[str] = []
        assert process.stdout is not None
        reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(START_TIMEOUT_S)
        return lines[0] if lines else ""

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8") if self.stderr_path.exists() else ""

    def stop(self, signum: int = signal.SIGTERM) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signum)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def kill(self) -> None:
        """SIGKILL: no goodbye, connections cut, as a power cut or a crash."""
        self.stop(signal.SIGKILL)

    def restart(self, *args: str) -> PortalSim:
        self.stop()
        return self.start(*args)

    # --- the simulator's control endpoints (no token needed) ----------------------------------

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        with httpx.Client(base_url=self.url, timeout=10) as client:
            reply = client.request(method, path, json=body)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def stats(self) -> dict[str, int]:
        stats: dict[str, int] = self._call("GET", "/sim/stats")
        return stats

    def advance(self) -> int:
        return int(self._call("POST", "/sim/advance")["moved"])

    def set_status(
        self,
        portal_code: str,
        status: str,
        note: str | None = None,
        *,
        requested_documents: list[dict[str, Any]] | None = None,
        reason: str | None = None,
    ) -> None:
        """Move a dossier; a ``supplement_requested`` may list papers and give a reason."""
        body: dict[str, Any] = {"portal_code": portal_code, "status": status, "note": note}
        if requested_documents is not None:
            body["requested_documents"] = requested_documents
        if reason is not None:
            body["reason"] = reason
        self._call("POST", "/sim/status", body)

    def expire_tokens(self) -> int:
        return int(self._call("POST", "/sim/expire-tokens")["expired"])

    def dossier(self, portal_code: str) -> dict[str, Any]:
        """The portal's view of one dossier, read with a token like any client."""
        with httpx.Client(base_url=self.url, timeout=10) as client:
            token = fetch_token(client)
            for _ in range(20):  # a --fail-rate simulator fails reads too
                try:
                    reply = client.get(
                        f"/api/v1/dossiers/{portal_code}",
                        headers={"Authorization": f"Bearer {token}"},
                    )
                except httpx.TransportError:
                    continue
                if reply.status_code == 200 and reply.headers["content-type"].startswith(
                    "application/json"
                ):
                    data: dict[str, Any] = reply.json()
                    return data
        raise AssertionError(f"could not read {portal_code} from the simulator")


def fetch_token(client: httpx.Client, client_id: str = CLIENT_ID, secret: str = SECRET) -> str:
    """An access token from the simulator at ``client``'s base URL (client credentials)."""
    reply = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    token: str = reply.json()["access_token"]
    return token


def http_factory(sim: PortalSim, secret: str = SECRET) -> Callable[[], HttpPortalClient]:
    """What an ``Outbox`` is given: a new HTTP client of the simulator per call."""
    from onestop_desk.portal.http import HttpPortalClient

    return lambda: HttpPortalClient(sim.url, CLIENT_ID, secret, timeout=5)


# --- dossiers to send ------------------------------------------------------------------------


def receive_dossiers(
    database: Any, count: int, *, scans: list[Path] | None = None, procedure: str = "2.000884"
) -> list[str]:
    """Receive ``count`` dossiers at the desk as the counter does; their codes, in order.

    Each one gets the ``scans`` as attachments of the dossier as a whole.
    """
    from onestop_desk.services.dossier import (
        ApplicantInput,
        AttachmentFile,
        DossierRequest,
        create_dossier,
    )
    from onestop_desk.services.office import find_office
    from onestop_desk.services.uow import UnitOfWork

    applicant = ApplicantInput(
        id_number="066090012345",
        full_name="Nguyễn Văn An",
        sex="Nam",
        address="Thôn 1, xã Hòa Sơn, tỉnh Đắk Lắk",
        phone="0905123456",
    )
    attachments = tuple(AttachmentFile(path) for path in scans or ())
    with UnitOfWork(database, readonly=True) as uow:
        office_id = find_office(uow).id
    codes = []
    for _ in range(count):
        with UnitOfWork(database) as uow:
            view = create_dossier(
                uow,
                office_id=office_id,
                request=DossierRequest(procedure, applicant, attachments=attachments),
            )
        codes.append(view.code)
    return codes


def write_scans(folder: Path, count: int) -> list[Path]:
    """``count`` distinct fake scans (JPEG-ish bytes) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = folder / f"bản-chụp-{number + 1}.jpg"
        path.write_bytes(b"\xff\xd8\xff\xe0" + bytes([number % 256]) * (5000 + number))
        paths.append(path)
    return paths


def submissions(database: Database) -> dict[str, Submission]:
    """Every outbox row by its dossier's code."""
    from sqlalchemy import select

    from onestop_desk.db.models import Dossier, Submission
    from onestop_desk.services.uow import UnitOfWork

    with UnitOfWork(database, readonly=True) as uow:
        rows = uow.session.execute(
            select(Dossier.code, Submission).join(Submission, Submission.dossier_id == Dossier.id)
        ).all()
    return dict(rows)
