"""The waiting-room display: calls from other PCs appear within a second and are spoken in order."""

from __future__ import annotations

import json
import math
import os
import struct
import subprocess
import sys
import time
import uuid
import wave
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, text

import onestop_desk.gui.display.data as display_data
import onestop_desk.gui.display.window as display_window
from onestop_desk.config import DisplaySettings, Settings, resolve_paths
from onestop_desk.context import AppContext
from onestop_desk.core.speech import announcement_text, clip_ids
from onestop_desk.core.ticket import TicketAction
from onestop_desk.db.database import Database
from onestop_desk.db.migrate import upgrade
from onestop_desk.errors import DatabaseUnavailable
from onestop_desk.gui.display.announcer import Announcer
from onestop_desk.gui.display.calls import CallTracker
from onestop_desk.gui.display.window import DisplayWindow
from onestop_desk.services.office import find_office
from onestop_desk.services.queue import (
    CallRecord,
    TicketInfo,
    act_on_ticket,
    call_next,
    issue_ticket,
)
from onestop_desk.services.seed import seed
from onestop_desk.services.uow import UnitOfWork
from tests.support.pgserver import PgServer, find_bin_dir, free_port

pytestmark = pytest.mark.gui

GAP_MS = 60  # a short gap between calls keeps the tests quick; the order rules are the same


# --- helpers ------------------------------------------------------------------------------------
@pytest.fixture
def short_clips(tmp_path: Path) -> Path:
    """A full set of real, short clips, so that one call is spoken in about a second."""
    folder = tmp_path / "clips"
    folder.mkdir()
    for i, clip in enumerate(clip_ids()):
        rate, seconds = 8000, 0.03 + 0.01 * (i % 5)
        samples = (
            round(12000 * math.sin(2 * math.pi * 440 * n / rate))
            for n in range(int(seconds * rate))
        )
        with wave.open(str(folder / f"{clip}.wav"), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(rate)
            wav.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return folder


class Voice:
    """The announcer's signals in the order they came, with the queue as it stood then."""

    def __init__(self, announcer: Announcer, window: DisplayWindow) -> None:
        self.events: list[tuple[str, str, float, list[str], CallRecord | None]] = []
        self._announcer = announcer
        self._window = window
        announcer.sig_started.connect(lambda t: self._record("started", t))
        announcer.sig_finished.connect(lambda t: self._record("finished", t))

    def _record(self, kind: str, text: str) -> None:
        self.events.append(
            (kind, text, time.monotonic(), self._announcer.pending(), self._window.highlighted())
        )

    def started(self) -> list[str]:
        return [t for kind, t, *_ in self.events if kind == "started"]

    def finished(self) -> list[str]:
        return [t for kind, t, *_ in self.events if kind == "finished"]


def _ctx(tmp_path: Path, database: Database) -> AppContext:
    settings = Settings()
    settings.display = DisplaySettings(muted=True)
    return AppContext(
        paths=resolve_paths(tmp_path / "display"), settings=settings, database=database
    )


def _office_id(database: Database) -> uuid.UUID:
    with UnitOfWork(database, readonly=True) as uow:
        return find_office(uow).id


def _issue(database: Database, field: str, count: int) -> list[TicketInfo]:
    office_id = _office_id(database)
    tickets = []
    for _ in range(count):
        with UnitOfWork(database) as uow:
            tickets.append(issue_ticket(uow, office_id=office_id, field_code=field))
    return tickets


def _call(database: Database, counter: int) -> TicketInfo:
    with UnitOfWork(database) as uow:
        ticket = call_next(uow, office_id=_office_id(database), counter_number=counter)
    assert ticket is not None
    return ticket


def _cli(url: str, tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "onestop_desk",
            "--data-dir",
            str(tmp_path / "cli"),
            "--db",
            url,
            *list(args),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _open(qtbot: QtBot, ctx: AppContext, announcer: Announcer | None = None) -> DisplayWindow:
    window = DisplayWindow(ctx, announcer=announcer)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    return window


def _settle(window: DisplayWindow, qtbot: QtBot) -> None:
    """Close the window and let its last background read end before the database goes."""
    window.close()
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    QThreadPool.globalInstance().waitForDone(10_000)


@pytest.fixture
def other_pc(db_url: str) -> Iterator[Database]:
    """A second connection to the same database, as a counter PC has."""
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def display(
    qtbot: QtBot, tmp_path: Path, database: Database, short_clips: Path
) -> Iterator[tuple[DisplayWindow, Voice]]:
    """A display on the test database whose muted voice speaks short clips."""
    announcer = Announcer(DisplaySettings(muted=True), clips_dir=short_clips, gap_ms=GAP_MS)
    window = _open(qtbot, _ctx(tmp_path, database), announcer)
    voice = Voice(announcer, window)
    qtbot.waitUntil(lambda: window.board is not None, timeout=10_000)
    yield window, voice
    _settle(window, qtbot)


# --- the tests ----------------------------------------------------------------------------------
def test_a_call_from_another_process_shows_within_a_second_and_is_spoken(
    qtbot: QtBot,
    db_url: str,
    tmp_path: Path,
    display: tuple[DisplayWindow, Voice],
    other_pc: Database,
) -> None:
    window, voice = display
    _issue(other_pc, "HT", 2)
    qtbot.waitUntil(lambda: window.board is not None and window.board.waiting_by_field[0][2] == 2)
    assert window.counter_shows(1) is None
    assert ("Hộ tịch", "2") in window.waiting.rows()

    counter = _cli(db_url, tmp_path, "queue", "call-next", "--counter", "1", "--json")
    qtbot.waitUntil(lambda: counter.poll() is not None, timeout=60_000)
    out, err = counter.communicate()
    assert counter.returncode == 0, err
    ticket = json.loads(out)["display"]
    done = time.monotonic()

    qtbot.waitUntil(lambda: window.counter_shows(1) == ticket, timeout=1000)
    assert time.monotonic() - done < 1.0
    assert window.recent.rows()[0] == (ticket, "Quầy 1")
    assert ("Hộ tịch", "1") in window.waiting.rows()
    words = announcement_text(ticket, 1)
    qtbot.waitUntil(lambda: voice.started() == [words], timeout=2000)
    # The big panel shows the call being spoken, blinking.
    assert window.call_panel.shown_call() == (ticket, 1)
    assert window.call_panel.is_blinking()
    qtbot.waitUntil(lambda: voice.finished() == [words], timeout=10_000)


def test_two_calls_together_are_spoken_in_order_neither_cut_off(
    qtbot: QtBot, display: tuple[DisplayWindow, Voice], other_pc: Database
) -> None:
    window, voice = display
    _issue(other_pc, "HT", 1)
    _issue(other_pc, "CT", 1)
    # Two counters call one right after the other (the display may see both in one read).
    first = _call(other_pc, 1)
    second = _call(other_pc, 3)
    texts = [announcement_text(first.display, 1), announcement_text(second.display, 3)]

    qtbot.waitUntil(lambda: len(voice.finished()) == 2, timeout=15_000)
    kinds = [(kind, t) for kind, t, *_ in voice.events]
    assert kinds == [
        ("started", texts[0]),
        ("finished", texts[0]),
        ("started", texts[1]),
        ("finished", texts[1]),
    ]
    (_, _, _t1, pending1, shown1), (_, _, end1, *_), (_, _, t2, pending2, shown2), _ = voice.events
    # While the first is spoken the second waits its turn; it starts only after a gap.
    assert pending1 == [texts[1]]
    assert pending2 == []
    assert t2 - end1 >= GAP_MS / 1000
    # The big panel follows the voice.
    assert shown1 is not None
    assert shown1.display == first.display
    assert shown2 is not None
    assert shown2.display == second.display
    assert window.counter_shows(1) == first.display
    assert window.counter_shows(3) == second.display


def test_a_recall_is_spoken_again(
    qtbot: QtBot, display: tuple[DisplayWindow, Voice], other_pc: Database
) -> None:
    window, voice = display
    _issue(other_pc, "HT", 2)
    ticket = _call(other_pc, 2)
    words = announcement_text(ticket.display, 2)
    qtbot.waitUntil(lambda: voice.finished() == [words], timeout=10_000)

    with UnitOfWork(other_pc) as uow:
        act_on_ticket(uow, ticket_id=ticket.id, action=TicketAction.RECALL)
    qtbot.waitUntil(lambda: voice.finished() == [words, words], timeout=10_000)
    assert window.counter_shows(2) == ticket.display
    # Still one row in the list of recent calls: it is one ticket, called twice.
    assert [row[0] for row in window.recent.rows()] == [ticket.display]


def test_calls_made_before_start_are_shown_not_spoken(
    qtbot: QtBot, tmp_path: Path, database: Database, short_clips: Path
) -> None:
    _issue(database, "HT", 3)
    _issue(database, "CT", 1)
    early = [_call(database, 1), _call(database, 3)]
    announcer = Announcer(DisplaySettings(muted=True), clips_dir=short_clips, gap_ms=GAP_MS)
    window = _open(qtbot, _ctx(tmp_path, database), announcer)
    voice = Voice(announcer, window)
    try:
        qtbot.waitUntil(lambda: window.board is not None, timeout=10_000)
        assert window.counter_shows(1) == early[0].display
        assert window.counter_shows(3) == early[1].display
        assert window.counter_shows(2) is None
        # The latest call is on the big panel, calm: nothing new happened.
        assert window.call_panel.shown_call() == (early[1].display, 3)
        assert not window.call_panel.is_blinking()
        with qtbot.assertNotEmitted(announcer.sig_started, wait=1500):
            window.refresh()  # a later read of the same board is no news either
        assert voice.events == []
        assert announcer.pending() == []
        # The next call is news.
        later = _call(database, 1)
        words = announcement_text(later.display, 1)
        qtbot.waitUntil(lambda: voice.started() == [words], timeout=5000)
    finally:
        _settle(window, qtbot)


def test_unreachable_database_shows_the_status_line_and_keeps_trying(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[float] = []
    read_board = display_data.read_board

    def counted(*args: object) -> object:
        attempts.append(time.monotonic())
        return read_board(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(display_data, "read_board", counted)
    # A PostgreSQL address where nothing listens: every connection is refused.
    database = Database(f"postgresql://onestop:x@127.0.0.1:{free_port()}/onestop")
    window = _open(qtbot, _ctx(tmp_path, database))  # the voice of the settings: bundled clips
    try:
        qtbot.waitUntil(lambda: window.status_text().startswith("Mất kết nối"), timeout=10_000)
        assert window.status_bar.isVisible()
        assert window.board is None
        assert window.call_panel.shown_call() is None
        assert window.announcer is not None
        # It keeps trying by itself, about every second, and stays up.
        qtbot.waitUntil(lambda: len(attempts) >= 3, timeout=5000)
        assert window.isVisible()
        assert window.status_text().startswith("Mất kết nối")
    finally:
        _settle(window, qtbot)
        database.dispose()


def test_lost_database_keeps_the_board_and_recovers_by_itself(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    display: tuple[DisplayWindow, Voice],
    other_pc: Database,
) -> None:
    window, voice = display
    _issue(other_pc, "HT", 3)
    first = _call(other_pc, 1)
    qtbot.waitUntil(lambda: voice.finished() == [announcement_text(first.display, 1)])

    read_board = display_data.read_board

    def unreachable(*args: object) -> object:
        raise DatabaseUnavailable("Không kết nối được máy chủ cơ sở dữ liệu.")

    monkeypatch.setattr(display_data, "read_board", unreachable)
    window.refresh()
    qtbot.waitUntil(lambda: window.status_text().startswith("Mất kết nối"), timeout=5000)
    assert "Bảng số cập nhật lúc" in window.status_text()
    assert window.counter_shows(1) == first.display  # the last known board stays up
    # A call made while the display cannot read is announced when it can again.
    second = _call(other_pc, 1)
    monkeypatch.setattr(display_data, "read_board", read_board)
    words = announcement_text(second.display, 1)
    qtbot.waitUntil(lambda: words in voice.started(), timeout=5000)
    assert window.status_text() == ""
    assert not window.status_bar.isVisible()
    assert window.counter_shows(1) == second.display


@pytest.fixture
def own_pg_server() -> Iterator[PgServer]:
    if find_bin_dir() is None:
        pytest.skip("PostgreSQL is not installed here (CI installs it and runs these)")
    server = PgServer()
    server.start()
    yield server
    server.stop()


@pytest.mark.postgres
@pytest.mark.slow
def test_display_survives_a_database_server_restart(
    qtbot: QtBot, tmp_path: Path, own_pg_server: PgServer, short_clips: Path
) -> None:
    admin = create_engine(own_pg_server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE desk"))
    admin.dispose()
    database = Database(own_pg_server.url("desk"))
    upgrade(database)
    with UnitOfWork(database) as uow:
        seed(uow, demo=True)
    _issue(database, "HT", 2)
    first = _call(database, 1)
    announcer = Announcer(DisplaySettings(muted=True), clips_dir=short_clips, gap_ms=GAP_MS)
    window = _open(qtbot, _ctx(tmp_path, database), announcer)
    voice = Voice(announcer, window)
    try:
        qtbot.waitUntil(lambda: window.counter_shows(1) == first.display, timeout=10_000)
        own_pg_server._cmd("pg_ctl", "-D", str(own_pg_server.data), "-m", "fast", "-w", "stop")
        qtbot.waitUntil(lambda: window.status_text().startswith("Mất kết nối"), timeout=15_000)
        assert window.counter_shows(1) == first.display
        own_pg_server.restart()  # starts the stopped server again on the same port
        qtbot.waitUntil(lambda: window.status_text() == "", timeout=15_000)
        second = _call(database, 1)
        words = announcement_text(second.display, 1)
        qtbot.waitUntil(lambda: voice.started() == [words], timeout=5000)
        assert window.counter_shows(1) == second.display
    finally:
        _settle(window, qtbot)
        database.dispose()


def test_a_new_call_blinks_then_stays_highlighted(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    display: tuple[DisplayWindow, Voice],
    other_pc: Database,
) -> None:
    window, voice = display
    monkeypatch.setattr(display_window, "BLINK_MS", 1200)
    _issue(other_pc, "HT", 1)
    ticket = _call(other_pc, 2)
    qtbot.waitUntil(lambda: len(voice.started()) == 1, timeout=5000)
    phases: set[bool] = set()
    qtbot.waitUntil(lambda: phases.add(window.call_panel.is_lit()) or phases == {True, False})
    assert window.call_panel.is_blinking()
    tile = next(t for t in window.tiles if t.number == 2)
    assert tile.is_latest()
    qtbot.waitUntil(lambda: not window.call_panel.is_blinking(), timeout=10_000)
    assert not window.call_panel.is_lit()  # ends calm, still showing the call
    assert window.call_panel.shown_call() == (ticket.display, 2)


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)])
def test_board_fits_and_reads_from_afar(
    qtbot: QtBot,
    size: tuple[int, int],
    display: tuple[DisplayWindow, Voice],
    other_pc: Database,
) -> None:
    window, _ = display
    window.resize(*size)
    # Nobody waits yet: the fields are listed with 0, as many as there is room for, in order.
    qtbot.waitUntil(lambda: len(window.waiting.rows()) >= 5)
    assert window.waiting.rows()[0] == ("Hộ tịch", "0")
    _issue(other_pc, "HT", 4)
    _issue(other_pc, "HKD", 1)  # the longest field name of the catalog
    for counter in (1, 2, 4):
        _call(other_pc, counter)
    qtbot.waitUntil(lambda: window.counter_shows(4) is not None, timeout=5000)
    qtbot.waitExposed(window)
    height = size[1]
    # Ticket numbers: type of about a tenth of the screen's height on the tiles, far more on the
    # big panel (on a 43-inch TV at 1080 lines: 3.5 cm and 10 cm capitals, read across the room).
    tile_numbers = [t.ticket.pixel_size() for t in window.tiles if t.ticket.text() != "—"]
    assert len(tile_numbers) == 3
    assert min(tile_numbers) >= height * 0.085
    assert window.call_panel.ticket.pixel_size() >= height * 0.2
    # The centre's name is whole; every text lies inside the window.
    assert window.title.shown_text() == window.board.center_name.upper()  # type: ignore[union-attr]
    for label in window.findChildren(display_window.FitText):
        if label.isVisibleTo(window) and label.text():
            assert label.width() > 0
            assert label.height() > 0
            assert window.rect().contains(label.mapTo(window, label.rect().topLeft()))
            assert window.rect().contains(label.mapTo(window, label.rect().bottomRight()))
    # A long field name is shortened with an ellipsis, not drawn over its count.
    names = [n for n in window.waiting.names if n.text().startswith("Thành lập")]
    assert names
    assert names[0].shown_text().endswith("…")
    # Lists use type of at least 3.5 % of the height (1.5 cm capitals on that TV).
    rows = [*window.waiting.names, *window.waiting.values, *window.recent.names]
    assert min(label.pixel_size() for label in rows if label.text()) >= height * 0.035
    assert window.clock.pixel_size() >= height * 0.05


def test_call_tracker_primes_on_the_first_board_then_reports_new_calls_in_order() -> None:
    t0 = datetime(2026, 11, 24, 9, 0)
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def call(ticket: uuid.UUID, count: int, minute: int) -> CallRecord:
        return CallRecord(ticket, f"A{minute:03d}", 1, t0 + timedelta(minutes=minute), count)

    tracker = CallTracker()
    assert tracker.update([call(a, 1, 1)]) == []
    assert tracker.primed
    assert tracker.update([call(a, 1, 1)]) == []
    # Newest first on the board; reported oldest first.
    new = tracker.update([call(c, 1, 3), call(b, 1, 2), call(a, 1, 1)])
    assert [x.ticket_id for x in new] == [b, c]
    # A recall: the same ticket at the next count.
    assert tracker.update([call(a, 2, 4), call(c, 1, 3), call(b, 1, 2)]) == [call(a, 2, 4)]
    # A call that slips off the end of the board and back is not news.
    assert tracker.update([call(a, 2, 4), call(c, 1, 3)]) == []
    assert tracker.update([call(a, 2, 4), call(c, 1, 3), call(b, 1, 2)]) == []


def test_f11_and_escape_switch_full_screen_and_ctrl_q_closes(
    qtbot: QtBot, tmp_path: Path, sqlite_database: Database
) -> None:
    window = _open(qtbot, _ctx(tmp_path, sqlite_database))
    try:
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=5000)
        qtbot.keyClick(window, Qt.Key.Key_F11)
        qtbot.waitUntil(window.isFullScreen, timeout=5000)
        qtbot.keyClick(window, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=5000)
        qtbot.keyClick(window, Qt.Key.Key_F11)
        qtbot.waitUntil(window.isFullScreen, timeout=5000)
        qtbot.keyClick(window, Qt.Key.Key_F11)  # F11 again: back to a window
        qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=5000)
        qtbot.keyClick(window, Qt.Key.Key_Escape)  # in a window Esc changes nothing
        assert not window.isFullScreen()
        assert window.isVisible()
        qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    finally:
        _settle(window, qtbot)
