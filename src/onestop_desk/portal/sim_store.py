"""The portal simulator's memory: dossiers, attachments, status changes and tokens in SQLite."""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, cast

#: The portal's clock: Vietnam has one offset and no daylight saving.
VN_TZ = timezone(timedelta(hours=7))
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

#: The steps the simulator takes by itself; every other status waits for ``/sim/status``.
AUTO_STEPS: dict[str, str] = {"received": "processing", "processing": "result_ready"}
_AUTO_NOTES: dict[str, str] = {
    "processing": "Đã chuyển cơ quan có thẩm quyền giải quyết",
    "result_ready": "Đã có kết quả, mời công dân nhận tại Bộ phận Một cửa",
}
# The ticker moves at most this many dossiers per transaction so requests are not held up long.
_ADVANCE_BATCH = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS day_sequence (day TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency_key (key TEXT PRIMARY KEY, hits INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS dossier (
    id INTEGER PRIMARY KEY,
    portal_code TEXT NOT NULL UNIQUE,
    -- Deliberately not UNIQUE: the stats count duplicates from here, so a broken lock would show.
    idempotency_key TEXT NOT NULL,
    local_code TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    status_at INTEGER NOT NULL,
    note TEXT,
    missing INTEGER NOT NULL,
    next_step_at INTEGER
);
CREATE INDEX IF NOT EXISTS dossier_key ON dossier (idempotency_key);
CREATE INDEX IF NOT EXISTS dossier_next_step ON dossier (next_step_at)
    WHERE next_step_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS dossier_movable ON dossier (id)
    WHERE missing = 0 AND status IN ('received', 'processing');
CREATE TABLE IF NOT EXISTS attachment (
    dossier_id INTEGER NOT NULL REFERENCES dossier (id),
    sha256 TEXT NOT NULL,
    file_name TEXT,
    size INTEGER,
    announced INTEGER NOT NULL,
    received INTEGER NOT NULL,
    PRIMARY KEY (dossier_id, sha256)
) WITHOUT ROWID;
-- The primary key makes change times unique; the clock makes them increase.
CREATE TABLE IF NOT EXISTS status_change (
    at INTEGER PRIMARY KEY,
    dossier_id INTEGER NOT NULL REFERENCES dossier (id),
    status TEXT NOT NULL,
    note TEXT,
    documents TEXT,  -- JSON: the papers a supplement request lists; NULL when it lists none
    reason TEXT
);
CREATE INDEX IF NOT EXISTS status_change_dossier ON status_change (dossier_id, at);
CREATE TABLE IF NOT EXISTS token (hash TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
"""
# Columns added after the first release: a state file from before gets them on opening.
_ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("status_change", "documents", "TEXT"),
    ("status_change", "reason", "TEXT"),
)


def now_us() -> int:
    """Wall-clock time in whole microseconds since the Unix epoch."""
    return time.time_ns() // 1000


def format_us(us: int) -> str:
    """``2026-11-23T10:05:00.123456+07:00``: always six fraction digits, the portal's offset."""
    moment = (_EPOCH + timedelta(microseconds=us)).astimezone(VN_TZ)
    return moment.isoformat(timespec="microseconds")


def to_us(moment: datetime) -> int:
    """An aware datetime as microseconds since the epoch, exactly (no float rounding)."""
    return (moment - _EPOCH) // _MICROSECOND


def _documents(stored: str | None) -> list[dict[str, Any]] | None:
    return None if stored is None else cast(list[dict[str, Any]], json.loads(stored))


def token_hash(token: str) -> str:
    # Only hashes are kept, so a copied state file does not hand out working tokens.
    return hashlib.sha256(token.encode()).hexdigest()


class StoreClosed(Exception):
    """The simulator is shutting down; the request gets no answer."""


@dataclass(frozen=True)
class Announced:
    sha256: str
    file_name: str
    size: int


@dataclass(frozen=True)
class ChangeRow:
    at: int
    portal_code: str
    local_code: str
    status: str
    note: str | None
    documents: list[dict[str, Any]] | None = None  # what a supplement request lists
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The change as the feed serves it; the supplement fields only where there are some."""
        data: dict[str, Any] = {
            "portal_code": self.portal_code,
            "local_code": self.local_code,
            "status": self.status,
            "at": format_us(self.at),
            "note": self.note,
        }
        data.update(supplement_json(self.documents, self.reason))
        return data


def supplement_json(documents: list[dict[str, Any]] | None, reason: str | None) -> dict[str, Any]:
    """``requested_documents`` and ``reason`` of a change or a dossier, when it has them."""
    data: dict[str, Any] = {}
    if documents is not None:
        data["requested_documents"] = documents
    if reason is not None:
        data["reason"] = reason
    return data


class SimStore:
    """All simulator state behind one lock and one SQLite connection.

    One writer at a time is what SQLite allows anyway; the lock also makes "look up the key,
    create the dossier" atomic, which is what keeps one dossier per idempotency key.
    """

    def __init__(self, path: str | None, *, step_us: int) -> None:
        self._step_us = step_us
        self._lock = threading.Lock()
        self._closed = False
        self._db = sqlite3.connect(
            path or ":memory:", check_same_thread=False, isolation_level=None
        )
        try:
            if path:
                # WAL + NORMAL: a commit is in the OS's hands before we reply, so kill -9 loses
                # nothing that was answered; only a power cut could.
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(_SCHEMA)
            self._add_columns()
            meta = dict(self._db.execute("SELECT name, value FROM meta").fetchall())
            last_change = self._db.execute("SELECT MAX(at) FROM status_change").fetchone()[0]
            now = now_us()
            self._db.execute("DELETE FROM token WHERE expires_at <= ?", (now,))
            tokens = self._db.execute("SELECT hash, expires_at FROM token").fetchall()
        except sqlite3.Error:
            self._db.close()
            raise
        self._requests: int = meta.get("requests", 0)
        self._failures: int = meta.get("failures_injected", 0)
        # Every change time and every ``until`` handed out comes from this clock, which only
        # moves forward: so ``since < at <= until`` never loses or repeats a change.
        self._clock: int = max(meta.get("clock", 0), last_change or 0)
        self._tokens: dict[str, int] = dict(tokens)
        self._counter_lock = threading.Lock()

    # -- plumbing ------------------------------------------------------------------------------

    def _add_columns(self) -> None:
        for table, column, kind in _ADDED_COLUMNS:
            present = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
            if column not in present:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._closed:
                raise StoreClosed
            yield self._db

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._closed:
                raise StoreClosed
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._save_meta()
                # Committed before the caller replies: an answered request is on disk.
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _save_meta(self) -> None:
        with self._counter_lock:
            values = (
                ("requests", self._requests),
                ("failures_injected", self._failures),
                ("clock", self._clock),
            )
        self._db.executemany(
            "INSERT INTO meta (name, value) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            values,
        )

    def _tick(self) -> int:
        """The next change time: now, or one microsecond after the last, whichever is later."""
        self._clock = max(now_us(), self._clock + 1)
        return self._clock

    def _next_step_at(self, at: int, status: str, missing: int) -> int | None:
        if self._step_us <= 0 or missing > 0 or status not in AUTO_STEPS:
            return None
        return at + self._step_us

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._save_meta()
                self._db.execute("COMMIT")
            finally:
                self._closed = True
                self._db.close()

    # -- counters ------------------------------------------------------------------------------

    def count_request(self, *, failed: bool) -> None:
        # Kept in memory and saved with the next write, so a read costs no disk write.
        with self._counter_lock:
            self._requests += 1
            if failed:
                self._failures += 1

    def stats(self) -> dict[str, int]:
        with self._reading() as db:
            created, distinct_keys = db.execute(
                "SELECT COUNT(*), COUNT(DISTINCT idempotency_key) FROM dossier"
            ).fetchone()
            duplicate_keys = db.execute(
                "SELECT COUNT(*) FROM idempotency_key WHERE hits > 1"
            ).fetchone()[0]
            attachments = db.execute(
                "SELECT COUNT(*) FROM attachment WHERE received = 1"
            ).fetchone()[0]
        with self._counter_lock:
            requests, failures = self._requests, self._failures
        return {
            "requests": requests,
            "dossiers_created": created,
            "duplicate_keys": duplicate_keys,
            "duplicate_dossiers": created - distinct_keys,
            "attachments": attachments,
            "failures_injected": failures,
        }

    # -- tokens --------------------------------------------------------------------------------

    def issue_token(self, ttl_s: int) -> str:
        token = secrets.token_urlsafe(32)
        expires = now_us() + ttl_s * 1_000_000
        with self._writing() as db:
            db.execute(
                "INSERT INTO token (hash, expires_at) VALUES (?, ?)", (token_hash(token), expires)
            )
            self._tokens[token_hash(token)] = expires
        return token

    def token_valid(self, token: str) -> bool:
        expires = self._tokens.get(token_hash(token))
        return expires is not None and expires > now_us()

    def expire_tokens(self) -> int:
        now = now_us()
        with self._writing() as db:
            count = db.execute(
                "UPDATE token SET expires_at = ? WHERE expires_at > ?", (now, now)
            ).rowcount
            self._tokens = dict.fromkeys(self._tokens, now)
        return count

    # -- dossiers ------------------------------------------------------------------------------

    def create_dossier(
        self, key: str, local_code: str, body: str, announced: Sequence[Announced]
    ) -> tuple[dict[str, Any], bool]:
        """The dossier for ``key`` and whether this call created it."""
        with self._writing() as db:
            db.execute(
                "INSERT INTO idempotency_key (key, hits) VALUES (?, 1)"
                " ON CONFLICT (key) DO UPDATE SET hits = hits + 1",
                (key,),
            )
            found = db.execute(
                "SELECT id FROM dossier WHERE idempotency_key = ? ORDER BY id LIMIT 1", (key,)
            ).fetchone()
            if found is not None:
                return self._view(db, found[0]), False
            at = self._tick()
            day = (_EPOCH + timedelta(microseconds=at)).astimezone(VN_TZ).strftime("%y%m%d")
            number = db.execute(
                "INSERT INTO day_sequence (day, last) VALUES (?, 1)"
                " ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last",
                (day,),
            ).fetchone()[0]
            portal_code = f"G22.99-{day}-{number:06d}"
            unique = {a.sha256: a for a in announced}
            missing = len(unique)
            cursor = db.execute(
                "INSERT INTO dossier (portal_code, idempotency_key, local_code, body, status,"
                " status_at, note, missing, next_step_at)"
                " VALUES (?, ?, ?, ?, 'received', ?, NULL, ?, ?)",
                (
                    portal_code,
                    key,
                    local_code,
                    body,
                    at,
                    missing,
                    self._next_step_at(at, "received", missing),
                ),
            )
            dossier_id = cast(int, cursor.lastrowid)
            db.executemany(
                "INSERT INTO attachment (dossier_id, sha256, file_name, size, announced, received)"
                " VALUES (?, ?, ?, ?, 1, 0)",
                [(dossier_id, a.sha256, a.file_name, a.size) for a in unique.values()],
            )
            db.execute(
                "INSERT INTO status_change (at, dossier_id, status, note)"
                " VALUES (?, ?, 'received', NULL)",
                (at, dossier_id),
            )
            # Built here rather than read back: creating is the hot path of every benchmark.
            return {
                "portal_code": portal_code,
                "local_code": local_code,
                "status": "received",
                "status_at": format_us(at),
                "note": None,
                "missing_attachments": sorted(unique),
                "history": [{"status": "received", "at": format_us(at), "note": None}],
            }, True

    def dossier(self, portal_code: str) -> dict[str, Any] | None:
        with self._reading() as db:
            found = db.execute(
                "SELECT id FROM dossier WHERE portal_code = ?", (portal_code,)
            ).fetchone()
            return None if found is None else self._view(db, found[0])

    def _view(self, db: sqlite3.Connection, dossier_id: int) -> dict[str, Any]:
        code, local_code, status, status_at, note = db.execute(
            "SELECT portal_code, local_code, status, status_at, note FROM dossier WHERE id = ?",
            (dossier_id,),
        ).fetchone()
        missing = db.execute(
            "SELECT sha256 FROM attachment"
            " WHERE dossier_id = ? AND announced = 1 AND received = 0 ORDER BY sha256",
            (dossier_id,),
        ).fetchall()
        history = db.execute(
            "SELECT status, at, note, documents, reason FROM status_change"
            " WHERE dossier_id = ? ORDER BY at",
            (dossier_id,),
        ).fetchall()
        view = {
            "portal_code": code,
            "local_code": local_code,
            "status": status,
            "status_at": format_us(status_at),
            "note": note,
            "missing_attachments": [row[0] for row in missing],
            "history": [
                {"status": s, "at": format_us(at), "note": n} for s, at, n, _, _ in history
            ],
        }
        # The current status's papers and reason, as its change in the feed carries them.
        current = [row for row in history if row[1] == status_at]
        if current:
            _, _, _, documents, reason = current[-1]
            view.update(supplement_json(_documents(documents), reason))
        return view

    def add_attachment(
        self, portal_code: str, sha256: str, file_name: str, size: int
    ) -> bool | None:
        """True when new, False when the portal already had it, None for an unknown dossier."""
        with self._writing() as db:
            found = db.execute(
                "SELECT id, status, missing FROM dossier WHERE portal_code = ?", (portal_code,)
            ).fetchone()
            if found is None:
                return None
            dossier_id, status, missing = found
            known = db.execute(
                "SELECT announced, received FROM attachment WHERE dossier_id = ? AND sha256 = ?",
                (dossier_id, sha256),
            ).fetchone()
            if known is None:
                db.execute(
                    "INSERT INTO attachment (dossier_id, sha256, file_name, size, announced,"
                    " received) VALUES (?, ?, ?, ?, 0, 1)",
                    (dossier_id, sha256, file_name or None, size),
                )
                return True
            announced, received = known
            if received:
                return False
            db.execute(
                "UPDATE attachment SET received = 1, size = ?,"
                " file_name = COALESCE(NULLIF(?, ''), file_name)"
                " WHERE dossier_id = ? AND sha256 = ?",
                (size, file_name, dossier_id, sha256),
            )
            if announced:
                missing -= 1
                # The waiting for the next step starts once the last paper is in.
                db.execute(
                    "UPDATE dossier SET missing = ?, next_step_at = ? WHERE id = ?",
                    (missing, self._next_step_at(now_us(), status, missing), dossier_id),
                )
            return True

    def _move(
        self,
        db: sqlite3.Connection,
        dossier_id: int,
        status: str,
        note: str | None,
        missing: int,
        *,
        documents: Sequence[Mapping[str, Any]] | None = None,
        reason: str | None = None,
    ) -> None:
        at = self._tick()
        db.execute(
            "UPDATE dossier SET status = ?, status_at = ?, note = ?, next_step_at = ? WHERE id = ?",
            (status, at, note, self._next_step_at(at, status, missing), dossier_id),
        )
        stored = None if documents is None else json.dumps(list(documents), ensure_ascii=False)
        db.execute(
            "INSERT INTO status_change (at, dossier_id, status, note, documents, reason)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (at, dossier_id, status, note, stored, reason),
        )

    def advance(self, *, due_before: int | None = None) -> int:
        """Move dossiers one automatic step: those due by ``due_before``, or every movable one."""
        moved = 0
        after = -1
        while True:
            with self._writing() as db:
                if due_before is None:
                    rows = db.execute(
                        "SELECT id, status FROM dossier"
                        " WHERE missing = 0 AND status IN ('received', 'processing')"
                        " AND id > ? ORDER BY id LIMIT ?",
                        (after, _ADVANCE_BATCH),
                    ).fetchall()
                else:
                    rows = db.execute(
                        "SELECT id, status FROM dossier WHERE next_step_at <= ?"
                        " ORDER BY next_step_at LIMIT ?",
                        (due_before, _ADVANCE_BATCH),
                    ).fetchall()
                for dossier_id, status in rows:
                    target = AUTO_STEPS[status]
                    self._move(db, dossier_id, target, _AUTO_NOTES[target], 0)
            moved += len(rows)
            if len(rows) < _ADVANCE_BATCH:
                return moved
            after = rows[-1][0]

    def set_status(
        self,
        portal_code: str,
        status: str,
        note: str | None,
        *,
        documents: Sequence[Mapping[str, Any]] | None = None,
        reason: str | None = None,
    ) -> dict[str, Any] | None:
        """Move a dossier to ``status``; a supplement request may list papers and a reason."""
        with self._writing() as db:
            found = db.execute(
                "SELECT id, missing FROM dossier WHERE portal_code = ?", (portal_code,)
            ).fetchone()
            if found is None:
                return None
            self._move(db, found[0], status, note, found[1], documents=documents, reason=reason)
            return self._view(db, found[0])

    def changes(self, since: int | None, limit: int) -> tuple[list[ChangeRow], int, bool]:
        """Changes after ``since``, oldest first, at most ``limit``; with ``until`` and ``more``."""
        with self._reading() as db:
            rows = db.execute(
                "SELECT c.at, d.portal_code, d.local_code, c.status, c.note, c.documents, c.reason"
                " FROM status_change AS c JOIN dossier AS d ON d.id = c.dossier_id"
                " WHERE c.at > ? ORDER BY c.at LIMIT ?",
                (-1 if since is None else since, limit + 1),
            ).fetchall()
            more = len(rows) > limit
            page = [
                ChangeRow(at, code, local, status, note, _documents(documents), reason)
                for at, code, local, status, note, documents, reason in rows[:limit]
            ]
            if more:
                until = page[-1].at
            else:
                # Claimed under the lock: every later change gets a later time than ``until``.
                self._clock = max(self._clock, now_us())
                until = max(self._clock, since or 0)
        return page, until, more
