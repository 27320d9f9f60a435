"""A throw-away PostgreSQL server for tests and benchmarks, from the Debian postgresql package.

PostgreSQL refuses to run as root, so as root the server runs as the unprivileged ``nobody``.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "onestop"


def find_bin_dir() -> Path | None:
    """The newest installed PostgreSQL server's bin folder, if any."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """initdb + pg_ctl in a temporary folder, listening on 127.0.0.1 with a password login."""

    def __init__(self, *, durable: bool = False) -> None:
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise FileNotFoundError(
                "PostgreSQL server binaries not found (apt-get install postgresql)"
            )
        self.bin_dir = bin_dir
        self.durable = durable
        self.password = secrets.token_hex(12)
        self.port = free_port()
        self.base = Path(tempfile.mkdtemp(prefix="onestop-pg-"))
        self.data = self.base / "data"
        self._run_as: str | None = "nobody" if os.geteuid() == 0 else None

    def _cmd(self, *args: str) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, object] = {}
        if self._run_as:
            kwargs["user"] = self._run_as
        return subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            text=True,
            cwd=self.base,
            **kwargs,  # type: ignore[arg-type]
        )

    def start(self) -> str:
        pwfile = self.base / "pw"
        pwfile.write_text(self.password + "\n")
        if self._run_as:
            entry = pwd.getpwnam(self._run_as)
            os.chmod(self.base, 0o700)
            for path in (self.base, pwfile):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._cmd(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            USER,
            "--pwfile",
            str(pwfile),
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--no-locale",
        )
        options = [
            f"-p {self.port}",
            "-h 127.0.0.1",
            f"-k {self.base}",
            "-c max_connections=200",
            "-c shared_buffers=128MB",
        ]
        if not self.durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._cmd(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.base / "server.log"),
            "-o",
            " ".join(options),
            "-w",
            "-t",
            "60",
            "start",
        )
        return self.url()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        try:
            self._cmd("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def restart(self) -> None:
        """Stop and start again on the same port (for reconnect tests)."""
        # -l again: without it the server would write to our pipe and never let it close.
        self._cmd(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.base / "server.log"),
            "-m",
            "fast",
            "-w",
            "-t",
            "60",
            "restart",
        )
