"""Benchmark: how long after a counter's call is committed the waiting-room display shows it.

Run with ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/display_refresh.py
[--calls N] [--backend sqlite|postgresql|both]``.

A second process plays the counter PC: it runs ``call_next`` on its own connection and stamps the
moment its transaction committed. This process runs the real ``DisplayWindow`` (live updates by
LISTEN/NOTIFY on PostgreSQL, ``PRAGMA data_version`` polling on SQLite, the board read in the
background) and stamps the moment a board holding that call was put on screen. Calls are spaced
by a random 0.3-0.8 s so they land at every phase of the SQLite poll. Wall-clock stamps of one
machine, compared across the two processes. PostgreSQL is a throw-away server on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for path in (REPO / "src", REPO):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from onestop_desk.db.database import Database  # noqa: E402
from onestop_desk.db.migrate import upgrade  # noqa: E402
from onestop_desk.services.office import find_office  # noqa: E402
from onestop_desk.services.queue import call_next, issue_ticket  # noqa: E402
from onestop_desk.services.seed import seed  # noqa: E402
from onestop_desk.services.uow import UnitOfWork  # noqa: E402

TARGET_MS = {"postgresql": 500.0, "sqlite": 1000.0}  # p95 from commit to board on screen
WARMUP = 2
COUNTER = 4  # the demo counter that serves every field
ROUND_TIMEOUT_S = 10.0


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


# --- the counter PC (another process) ---------------------------------------------------------


def counter_pc(url: str, conn: Connection) -> None:
    """Call the next ticket whenever asked; reply with the ticket and the commit's wall time."""
    database = Database(url)
    try:
        with UnitOfWork(database, readonly=True) as uow:
            office_id = find_office(uow).id
        conn.send("ready")
        while (counter := conn.recv()) is not None:
            with UnitOfWork(database, source="bench") as uow:
                ticket = call_next(uow, office_id=office_id, counter_number=counter)
                committed_at = time.time()  # call_next has committed before it returns
            assert ticket is not None, "the queue ran dry"
            conn.send((str(ticket.id), ticket.display, committed_at))
    finally:
        database.dispose()


# --- the display (this process) ---------------------------------------------------------------


def prepare(url: str, tickets: int) -> None:
    database = Database(url)
    try:
        upgrade(database)
        with UnitOfWork(database) as uow:
            seed(uow, demo=True)
        with UnitOfWork(database, readonly=True) as uow:
            office_id = find_office(uow).id
        for i in range(tickets):
            with UnitOfWork(database) as uow:
                issue_ticket(uow, office_id=office_id, field_code=("HT", "CT", "CTR")[i % 3])
    finally:
        database.dispose()


def measure(url: str, calls: int, data_dir: Path, rng: random.Random) -> list[float]:
    """Delays in ms from commit (other process) to a board on screen holding the call."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from onestop_desk.config import Settings, resolve_paths
    from onestop_desk.context import AppContext
    from onestop_desk.gui.display.window import DisplayWindow
    from onestop_desk.services.queue import DisplayBoard

    app = QApplication.instance() or QApplication(sys.argv[:1])

    def wait_until(done: Callable[[], bool], timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        loop = QEventLoop()
        poll = QTimer()
        poll.setInterval(2)

        def check() -> None:
            if done() or time.monotonic() > deadline:
                loop.quit()

        poll.timeout.connect(check)
        poll.start()
        if not done():
            loop.exec()
        poll.stop()
        return done()

    settings = Settings()
    settings.display.muted = True  # the voice still queues every call, as it would on site
    database = Database(url)
    ctx = AppContext(paths=resolve_paths(data_dir), settings=settings, database=database)
    window = DisplayWindow(ctx)
    window.resize(1920, 1080)
    window.show()
    seen_at: dict[str, float] = {}

    def on_board(board: DisplayBoard) -> None:
        now = time.time()
        for call in board.recent_calls:
            seen_at.setdefault(str(call.ticket_id), now)

    window.sig_board_shown.connect(on_board)

    ctx_mp = multiprocessing.get_context("spawn")
    ours, theirs = ctx_mp.Pipe()
    worker = ctx_mp.Process(target=counter_pc, args=(url, theirs), daemon=True)
    worker.start()
    delays: list[float] = []
    try:
        if not wait_until(lambda: window.board is not None and ours.poll(), 60):
            raise RuntimeError("the display or the counter process did not start")
        assert ours.recv() == "ready"
        for i in range(WARMUP + calls):
            wait_until(lambda: False, rng.uniform(0.3, 0.8))  # the display idles meanwhile
            ours.send(COUNTER)
            reply: list[tuple[str, str, float]] = []

            def arrived(reply: list[tuple[str, str, float]] = reply) -> bool:
                if not reply and ours.poll():
                    reply.append(ours.recv())
                return bool(reply) and reply[0][0] in seen_at

            if not wait_until(arrived, ROUND_TIMEOUT_S):
                raise RuntimeError(f"call {i + 1} did not reach the display in {ROUND_TIMEOUT_S} s")
            ticket_id, _display, committed_at = reply[0]
            if i >= WARMUP:
                delays.append((seen_at[ticket_id] - committed_at) * 1000)
    finally:
        ours.send(None)
        worker.join(10)
        window.close()
        wait_until(lambda: not window.busy, 10)
        window.deleteLater()
        app.processEvents()
        database.dispose()
    return delays


def report(backend: str, delays: list[float]) -> bool:
    p50, p95 = percentile(delays, 50), percentile(delays, 95)
    target = TARGET_MS[backend]
    met = p95 <= target
    print(
        f"{backend:<11} n={len(delays):<3} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   "
        f"max {max(delays):7.1f} ms   target p95 <= {target:.0f} ms: "
        f"{'met' if met else 'NOT MET'}"
    )
    return met


def run_sqlite(calls: int, rng: random.Random) -> list[float]:
    folder = Path(tempfile.mkdtemp(prefix="onestop-bench-display-"))
    try:
        url = f"sqlite:///{folder / 'onestop.sqlite3'}"
        prepare(url, WARMUP + calls + 5)
        return measure(url, calls, folder / "data", rng)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_postgresql(calls: int, rng: random.Random) -> list[float] | None:
    from sqlalchemy import create_engine, text
    from tests.support.pgserver import PgServer, find_bin_dir

    if find_bin_dir() is None:
        print("postgresql  skipped: PostgreSQL server binaries not installed")
        return None
    server = PgServer(durable=True)
    server.start()
    folder = Path(tempfile.mkdtemp(prefix="onestop-bench-display-"))
    try:
        admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE bench"))
        admin.dispose()
        url = server.url("bench")
        prepare(url, WARMUP + calls + 5)
        return measure(url, calls, folder, rng)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20, help="measured calls per backend")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seed", type=int, default=20261124)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    rng = random.Random(args.seed)
    print(
        f"display refresh delay: call_next committed in another process -> board on screen; "
        f"{args.calls} calls after {WARMUP} warm-up, spaced 0.3-0.8 s"
    )
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    all_met = True
    if args.backend in ("sqlite", "both"):
        all_met &= report("sqlite", run_sqlite(args.calls, rng))
    if args.backend in ("postgresql", "both"):
        delays = run_postgresql(args.calls, rng)
        if delays is not None:
            all_met &= report("postgresql", delays)
    print("all targets met" if all_met else "some targets NOT met")
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
