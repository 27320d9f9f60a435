"""Benchmark: latency of issuing and calling tickets against a bare INSERT+COMMIT floor.

Run with ``.venv/bin/python bench/tickets.py [--iterations N] [--backend sqlite|postgresql|both]``.
Each measured call is one full transaction through the service layer with a fresh UnitOfWork,
as the kiosk and counter screens do; warm-up rounds are excluded. PostgreSQL is a throw-away
server with fsync on, reached over 127.0.0.1.

The floor is the cheapest honest single-row INSERT+COMMIT through the same engine (pool,
pre-ping, BEGIN, driver): one SQL string sent on the driver's cursor of the connection, the
way issue_ticket sends its SQL (``db.engine.driver_cursor``). The same INSERT sent through
SQLAlchemy's ``exec_driver_sql``, the floor of earlier runs (it pays SQLAlchemy's work per
statement), is measured alongside for comparison.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
for path in (REPO / "src", REPO):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import psycopg  # noqa: E402
import sqlalchemy  # noqa: E402
from sqlalchemy import (  # noqa: E402
    Column,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.dialects import postgresql as pg_dialect  # noqa: E402
from sqlalchemy.dialects import sqlite as sqlite_dialect  # noqa: E402
from tests.support.pgserver import PgServer, find_bin_dir  # noqa: E402

from onestop_desk.core.ticket import TicketState, format_ticket_number  # noqa: E402
from onestop_desk.db import engine as engine_module  # noqa: E402
from onestop_desk.db.database import Database  # noqa: E402
from onestop_desk.db.migrate import upgrade  # noqa: E402
from onestop_desk.db.models import Counter, Field, Ticket, TicketCounter  # noqa: E402
from onestop_desk.services.office import find_office  # noqa: E402
from onestop_desk.services.queue import call_next, issue_ticket  # noqa: E402
from onestop_desk.services.queue import issuing as queue_module  # noqa: E402
from onestop_desk.services.seed import seed  # noqa: E402
from onestop_desk.services.uow import UnitOfWork  # noqa: E402

WAITING = 2_000
COUNTERS = 20
# Share of the waiting queue per field (fields the demo counters serve), and priority share.
FIELD_MIX = (("HT", 0.5), ("CT", 0.3), ("CTR", 0.2))
PRIORITY_SHARE = 0.05
ISSUE_P95_PER_FLOOR_TARGET = 2.0
CALL_NEXT_P95_PG_TARGET_MS = 20.0

# The floor: a scratch table outside the app's schema, one short row per commit.
scratch = MetaData()
floor_table = Table(
    "bench_floor",
    scratch,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("payload", String(40), nullable=False),
)
FLOOR_SQL_SQLITE = "INSERT INTO bench_floor (payload) VALUES (?)"
FLOOR_SQL_PG = "INSERT INTO bench_floor (payload) VALUES (%(payload)s)"


@dataclass
class Result:
    """Latencies (ns) of each operation on one backend, plus what the run looked like."""

    backend: str
    version: str
    durability: str
    samples: dict[str, list[int]] = field(default_factory=dict)
    statements: dict[str, float] = field(default_factory=dict)
    waiting: tuple[int, int] = (0, 0)
    counters: int = 0


def percentile(values: list[int], pct: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1] / 1e6


# --- set-up ------------------------------------------------------------------------------


def prepare(database: Database, rng: random.Random, history: int) -> uuid.UUID:
    """Migrate, seed the demo office, add counters up to 20 and fill the queue to 2,000."""
    upgrade(database)
    with UnitOfWork(database) as uow:
        seed(uow, demo=True)
    with UnitOfWork(database) as uow:
        office_id = find_office(uow).id
        existing = set(
            uow.session.scalars(select(Counter.number).where(Counter.office_id == office_id))
        )
        for number in range(1, COUNTERS + 1):
            if number not in existing:
                # Extra counters serve every field, like demo counter 4.
                uow.session.add(Counter(office_id=office_id, number=number, name=f"Quầy {number}"))
        uow.commit()
    fill_queue(database, office_id, rng)
    if history:
        fill_history(database, office_id, rng, history)
    if database.is_postgresql:
        # Bulk-filled tables have no planner statistics yet; on a live server autovacuum
        # gathers them within a minute, so measure that steady state.
        with database.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    scratch.create_all(database.engine)
    return office_id


def fill_queue(database: Database, office_id: uuid.UUID, rng: random.Random) -> None:
    """Insert 2,000 waiting tickets issued earlier today, numbered as issue_ticket would."""
    now = datetime.now()
    day = now.date()
    with UnitOfWork(database) as uow:
        fields = {
            f.code: f
            for f in uow.session.scalars(select(Field).where(Field.office_id == office_id))
        }
        codes = [code for code, _ in FIELD_MIX]
        weights = [share for _, share in FIELD_MIX]
        last: dict[str, int] = dict.fromkeys(codes, 0)
        rows = []
        for i in range(WAITING):
            code = rng.choices(codes, weights)[0]
            last[code] += 1
            priority = rng.random() < PRIORITY_SHARE
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "office_id": office_id,
                    "day": day,
                    "field_id": fields[code].id,
                    "number": last[code],
                    "display": format_ticket_number(fields[code].ticket_prefix, last[code]),
                    "ticket_class": "priority" if priority else "normal",
                    "priority_reason": None,
                    "state": TicketState.WAITING.value,
                    "issued_at": now - timedelta(seconds=(WAITING - i) * 5),
                    "call_count": 0,
                }
            )
        uow.session.execute(insert(Ticket), rows)
        dialect = pg_dialect if database.is_postgresql else sqlite_dialect
        for code, number in last.items():
            stmt = dialect.insert(TicketCounter).values(
                office_id=office_id, day=day, field_id=fields[code].id, last_number=number
            )
            uow.session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["office_id", "day", "field_id"],
                    set_={"last_number": number},
                )
            )
        uow.commit()


def fill_history(database: Database, office_id: uuid.UUID, rng: random.Random, count: int) -> None:
    """Served tickets on earlier days (300 a day), as a desk accumulates them over the year."""
    today = datetime.now().date()
    with UnitOfWork(database) as uow:
        counters = list(uow.session.scalars(select(Counter.id)))
        fields = list(uow.session.scalars(select(Field).where(Field.office_id == office_id)))
        rows = []
        for i in range(count):
            day = today - timedelta(days=1 + i // 300)
            number = i % 300 + 1
            at = datetime.combine(day, datetime.min.time()) + timedelta(hours=7, minutes=number)
            f = rng.choice(fields)
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "office_id": office_id,
                    "day": day,
                    "field_id": f.id,
                    "number": number,
                    "display": format_ticket_number(f.ticket_prefix, number),
                    "ticket_class": "normal",
                    "priority_reason": None,
                    "state": TicketState.DONE.value,
                    "counter_id": rng.choice(counters),
                    "issued_at": at,
                    "called_at": at,
                    "finished_at": at,
                    "call_count": 1,
                }
            )
        for start in range(0, count, 5_000):
            uow.session.execute(insert(Ticket), rows[start : start + 5_000])
        uow.commit()


def waiting_count(database: Database, office_id: uuid.UUID) -> int:
    with UnitOfWork(database, readonly=True) as uow:
        return int(
            uow.session.scalar(
                select(func.count())
                .select_from(Ticket)
                .where(
                    Ticket.office_id == office_id,
                    Ticket.day == datetime.now().date(),
                    Ticket.state == TicketState.WAITING.value,
                )
            )
            or 0
        )


# --- the measured operations ---------------------------------------------------------------


def make_operations(
    database: Database, office_id: uuid.UUID, rng: random.Random
) -> dict[str, Callable[[], None]]:
    """One closure per measured operation; each is a whole transaction."""
    codes = [code for code, _ in FIELD_MIX]
    weights = [share for _, share in FIELD_MIX]
    counter_cycle = iter(range(10**9))

    def floor() -> None:
        with database.engine.begin() as conn, engine_module.driver_cursor(conn) as cursor:
            if database.is_postgresql:
                cursor.execute(FLOOR_SQL_PG, {"payload": uuid.uuid4().hex})
            else:
                cursor.execute(FLOOR_SQL_SQLITE, (uuid.uuid4().hex,))

    def floor_exec() -> None:
        with database.engine.begin() as conn:
            if database.is_postgresql:
                conn.exec_driver_sql(FLOOR_SQL_PG, {"payload": uuid.uuid4().hex})
            else:
                conn.exec_driver_sql(FLOOR_SQL_SQLITE, (uuid.uuid4().hex,))

    def issue() -> None:
        code = rng.choices(codes, weights)[0]
        with UnitOfWork(database) as uow:
            issue_ticket(uow, office_id=office_id, field_code=code)

    def call() -> None:
        number = next(counter_cycle) % COUNTERS + 1
        with UnitOfWork(database) as uow:
            info = call_next(uow, office_id=office_id, counter_number=number)
        if info is None:
            raise RuntimeError(f"counter {number} found nobody waiting: the bench is broken")

    return {"floor": floor, "floor_exec": floor_exec, "issue": issue, "call": call}


class _CountingCursor:
    """A driver cursor that counts what it executes (the warm-up's SQL/call only)."""

    def __init__(self, cursor: Any, count: list[int]) -> None:
        self._cursor, self._count = cursor, count

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        self._count[0] += 1
        self._cursor.execute(*args, **kwargs)
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


@contextmanager
def counting_statements(database: Database) -> Iterator[list[int]]:
    """Count SQL statements sent, through the engine or on a driver cursor (commit and pool
    pings not included). The driver cursors are wrapped for the count: warm-up only."""
    count = [0]
    real = engine_module.driver_cursor

    def on_execute(*_: Any) -> None:
        count[0] += 1

    @contextmanager
    def counted(conn: Any) -> Iterator[Any]:
        with real(conn) as cursor:
            yield _CountingCursor(cursor, count)

    event.listen(database.engine, "before_cursor_execute", on_execute)
    engine_module.driver_cursor = counted  # type: ignore[assignment]
    queue_module.driver_cursor = counted  # type: ignore[attr-defined]
    try:
        yield count
    finally:
        event.remove(database.engine, "before_cursor_execute", on_execute)
        engine_module.driver_cursor = real  # type: ignore[assignment]
        queue_module.driver_cursor = real  # type: ignore[attr-defined]


def measure(database: Database, result: Result, iterations: int, warmup: int, history: int) -> None:
    rng = random.Random(20250915)
    office_id = prepare(database, rng, history)
    ops = make_operations(database, office_id, rng)
    names = list(ops)

    # Warm-up (excluded): imports, caches and pools fill, every counter gets a ticket in hand.
    # Statements per call are counted here, away from the timed rounds.
    for name in names:
        with counting_statements(database) as count:
            for _ in range(warmup):
                ops[name]()
        result.statements[name] = count[0] / warmup

    result.samples = {name: [] for name in names}
    before = waiting_count(database, office_id)
    for _ in range(iterations):
        # Interleaved, in a shuffled order, so drift (checkpoints, caches) hits all three alike.
        rng.shuffle(names)
        for name in names:
            started = time.perf_counter_ns()
            ops[name]()
            result.samples[name].append(time.perf_counter_ns() - started)
    after = waiting_count(database, office_id)
    result.waiting = (before, after)
    with UnitOfWork(database, readonly=True) as uow:
        result.counters = int(uow.session.scalar(select(func.count()).select_from(Counter)) or 0)


def run_sqlite(iterations: int, warmup: int, history: int) -> Result:
    folder = Path(tempfile.mkdtemp(prefix="onestop-bench-"))
    database = Database(f"sqlite:///{folder / 'bench.sqlite3'}")
    try:
        with database.engine.connect() as conn:
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
        sync_name = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(int(sync or 0), sync)
        result = Result(
            "sqlite",
            f"SQLite {sqlite3.sqlite_version}",
            f"journal_mode={mode}, synchronous={sync_name}; file on {filesystem_of(folder)}",
        )
        measure(database, result, iterations, warmup, history)
        return result
    finally:
        database.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def run_postgresql(iterations: int, warmup: int, history: int) -> Result:
    server = PgServer(durable=True)
    database: Database | None = None
    try:
        server.start()
        admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE bench"))
            version = conn.execute(text("SHOW server_version")).scalar()
            settings = {
                name: conn.execute(text(f"SHOW {name}")).scalar()
                for name in ("fsync", "synchronous_commit", "wal_sync_method", "full_page_writes")
            }
        admin.dispose()
        durability = ", ".join(f"{k}={v}" for k, v in settings.items())
        result = Result(
            "postgresql",
            f"PostgreSQL {version}",
            f"{durability}; data on {filesystem_of(server.base)}; over 127.0.0.1:{server.port}; "
            "ANALYZE after filling",
        )
        database = Database(server.url("bench"))
        measure(database, result, iterations, warmup, history)
        return result
    finally:
        if database is not None:
            database.dispose()
        server.stop()


# --- reporting -------------------------------------------------------------------------------


def filesystem_of(path: Path) -> str:
    """The mount's filesystem type (Linux), so a tmpfs "fsync" is not taken for a disk."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return "unknown filesystem"
    best = ("", "unknown filesystem")
    target = str(path.resolve())
    for line in mounts:
        parts = line.split()
        mount, fstype = parts[1], parts[2]
        if (target == mount or target.startswith(mount.rstrip("/") + "/")) and len(mount) > len(
            best[0]
        ):
            best = (mount, fstype)
    return best[1]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def load_average() -> str:
    """Other work on the machine skews latencies; say how busy it was."""
    if not hasattr(os, "getloadavg"):
        return "unknown"
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"


def machine_facts(pg_version: str | None, load_before: str) -> list[str]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"CPU        {os.cpu_count()} cores ({usable} usable), {cpu_model()}",
        f"System     {platform.platform()}",
        f"Python     {platform.python_version()} ({platform.python_implementation()})",
        f"SQLite     {sqlite3.sqlite_version} (library used by Python's sqlite3)",
        f"PostgreSQL {pg_version or 'not run'}",
        f"Drivers    SQLAlchemy {sqlalchemy.__version__}, psycopg {psycopg.__version__}",
        f"Load avg   {load_before} before, {load_average()} after",
    ]


LABELS = {
    "floor": "bare INSERT+COMMIT (floor)",
    "floor_exec": "  same via exec_driver_sql",
    "issue": "issue_ticket",
    "call": "call_next",
}


def report(
    results: list[Result], iterations: int, warmup: int, history: int, load_before: str
) -> list[bool]:
    pg_version = next((r.version for r in results if r.backend == "postgresql"), None)
    print("Machine")
    for line in machine_facts(pg_version, load_before):
        print(f"  {line}")
    print()
    print(
        f"Each figure: {iterations} measured calls (after {warmup} warm-up calls, excluded), "
        "one full transaction each"
    )
    print("through the service layer with a fresh UnitOfWork; floors, issue and call interleaved.")
    print(f"Earlier days' served tickets in the table: {history:,} (--history).")
    for r in results:
        print(f"  {r.backend:<10} {r.version}: {r.durability}")
        print(
            f"  {'':<10} {r.counters} counters; {r.waiting[0]:,} tickets waiting before and "
            f"{r.waiting[1]:,} after the measured rounds (within a round +-1)"
        )
    print()
    header = (
        f"{'backend':<11}{'operation':<28}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'SQL/call':>10}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        for name, label in LABELS.items():
            s = r.samples[name]
            print(
                f"{r.backend:<11}{label:<28}{percentile(s, 50):>9.2f}{percentile(s, 95):>9.2f}"
                f"{max(s) / 1e6:>9.2f}{r.statements[name]:>10.1f}"
            )
    print("SQL/call: statements sent, through the engine or on the driver's cursor (SQLite's")
    print("BEGIN IMMEDIATE included; commit, the pool's pre-ping and triggers not included).")
    print()
    print("Targets")
    verdicts: list[bool] = []
    for r in results:
        ratio = percentile(r.samples["issue"], 95) / percentile(r.samples["floor"], 95)
        met = ratio <= ISSUE_P95_PER_FLOOR_TARGET
        verdicts.append(met)
        print(
            f"  {r.backend:<11}issue p95 / floor p95 = {ratio:5.2f}x  "
            f"(target <= {ISSUE_P95_PER_FLOOR_TARGET:g}x)   {'met' if met else 'NOT MET'}"
        )
        earlier = percentile(r.samples["issue"], 95) / percentile(r.samples["floor_exec"], 95)
        print(
            f"  {r.backend:<11}issue p95 / exec_driver_sql floor p95 = {earlier:5.2f}x  "
            "(the floor of earlier runs, for comparison)"
        )
        if r.backend == "postgresql":
            p95 = percentile(r.samples["call"], 95)
            met = p95 <= CALL_NEXT_P95_PG_TARGET_MS
            verdicts.append(met)
            print(
                f"  {r.backend:<11}call_next p95 = {p95:.2f} ms        "
                f"(target <= {CALL_NEXT_P95_PG_TARGET_MS:g} ms)  {'met' if met else 'NOT MET'}"
            )
        else:
            ratio = percentile(r.samples["call"], 95) / percentile(r.samples["floor"], 95)
            print(f"  {r.backend:<11}call_next p95 / floor p95 = {ratio:5.2f}x  (for information)")
    return verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=500, help="measured calls per operation")
    parser.add_argument("--warmup", type=int, default=50, help="warm-up calls, not measured")
    parser.add_argument(
        "--history", type=int, default=0, help="served tickets from earlier days to add first"
    )
    parser.add_argument(
        "--backend", choices=("sqlite", "postgresql", "both"), default="both", help="what to run"
    )
    args = parser.parse_args(argv)
    if args.iterations < 20 or args.warmup < COUNTERS:
        parser.error(f"use --iterations >= 20 and --warmup >= {COUNTERS}")

    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and find_bin_dir() is None:
        if args.backend == "postgresql":
            print("PostgreSQL server binaries not found (apt-get install postgresql).")
            return 2
        print("PostgreSQL server binaries not found: measuring SQLite only.\n")
        backends.remove("postgresql")

    load_before = load_average()
    results = []
    for backend in backends:
        print(f"Measuring {backend}...", file=sys.stderr, flush=True)
        run = run_sqlite if backend == "sqlite" else run_postgresql
        results.append(run(args.iterations, args.warmup, args.history))
    report(results, args.iterations, args.warmup, args.history, load_before)
    return 0


if __name__ == "__main__":
    sys.exit(main())
