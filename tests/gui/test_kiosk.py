"""The kiosk: one tap gives exactly one ticket, committed then printed; outages never stop it."""

from __future__ import annotations

import logging
import shutil
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QSize, Qt, QThreadPool
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from onestop_desk.config import Settings, resolve_paths
from onestop_desk.context import AppContext
from onestop_desk.core.ticket import PriorityReason
from onestop_desk.db.database import Database
from onestop_desk.db.models import Ticket
from onestop_desk.errors import DatabaseUnavailable
from onestop_desk.gui.crash import install_crash_handler
from onestop_desk.gui.kiosk import KioskTiming, KioskWindow, data, style
from onestop_desk.printing.targets import PrinterOffline
from onestop_desk.services.office import find_office
from onestop_desk.services.queue import issue_ticket
from onestop_desk.services.uow import UnitOfWork
from tests.support.escpos_raster import decode_raster

pytestmark = pytest.mark.gui

FAST = KioskTiming(
    number_ms=400,
    after_print_ms=150,
    print_failed_ms=800,
    idle_ms=30000,
    retry_ms=200,
    bug_retry_ms=200,
    message_ms=5000,
    tap_guard_ms=0,
)


@pytest.fixture(autouse=True)
def _no_work_left_behind() -> Iterator[None]:
    yield
    QThreadPool.globalInstance().waitForDone(15000)


def _context(tmp_path: Path, database: Database) -> AppContext:
    return AppContext(paths=resolve_paths(tmp_path), settings=Settings(), database=database)


def _open(
    qtbot: QtBot,
    ctx: AppContext,
    *,
    printer_url: str,
    timing: KioskTiming = FAST,
    wait_for: str = "home",
) -> KioskWindow:
    window = KioskWindow(ctx, printer_url=printer_url, timing=timing)
    qtbot.addWidget(window)
    window.resize(1024, 768)
    window.show()
    qtbot.waitUntil(lambda: window.current_screen() == wait_for, timeout=15000)
    return window


def _close(window: KioskWindow) -> None:
    """Close the kiosk and let its background work end before the database goes away."""
    window.close()
    QThreadPool.globalInstance().waitForDone(15000)


def _tickets(database: Database) -> list[Ticket]:
    with UnitOfWork(database, readonly=True) as uow:
        return list(uow.session.scalars(select(Ticket).order_by(Ticket.issued_at, Ticket.number)))


def _closed_port() -> int:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


def _black_dots(image: Image.Image) -> int:
    return image.convert("1").histogram()[0]


def test_a_tap_issues_one_ticket_and_prints_it(
    qtbot: QtBot, tmp_path: Path, database: Database
) -> None:
    job = tmp_path / "printer.bin"
    ctx = _context(tmp_path, database)
    window = _open(qtbot, ctx, printer_url=f"file:{job}")
    assert window.header.center_name() == "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ HÒA SƠN"
    tile = window.home.field_buttons["HT"]
    assert tile.text() == "Hộ tịch"
    assert tile.detail() == "Chưa có người chờ"

    with qtbot.waitSignal(window.sig_print_finished, timeout=10000) as printed:
        qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    assert printed.args[0].error is None

    (ticket,) = _tickets(database)
    assert ticket.display == "A001"
    assert ticket.printed_at is not None
    assert ticket.print_error is None
    assert window.current_screen() == "number"
    assert window.number.number.text() == "A001"
    assert window.number.field.text() == "Lĩnh vực: Hộ tịch"
    assert window.number.ahead.text() == "Không có ai chờ trước ông/bà"
    assert window.number.status.text() == "Mời ông/bà nhận phiếu và chờ đến lượt"

    (image,) = decode_raster(job.read_bytes())
    assert image.width == ctx.settings.printer.width_dots == 576
    assert image.height > 400
    assert _black_dots(image) > 5000

    # Back home by itself, the count already updated for the next citizen.
    qtbot.waitUntil(lambda: window.current_screen() == "home", timeout=5000)
    qtbot.waitUntil(lambda: tile.detail() == "Đang chờ: 1 người", timeout=5000)
    assert tile.isEnabled()
    _close(window)


def test_a_double_tap_issues_one_ticket(qtbot: QtBot, tmp_path: Path, database: Database) -> None:
    window = _open(qtbot, _context(tmp_path, database), printer_url="dummy")
    tile = window.home.field_buttons["HT"]
    with qtbot.waitSignal(window.sig_print_finished, timeout=10000):
        qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(window.home.field_buttons["CT"], Qt.MouseButton.LeftButton)
    assert [t.display for t in _tickets(database)] == ["A001"]
    _close(window)


def test_taps_while_the_database_is_slow_are_ignored(
    qtbot: QtBot, tmp_path: Path, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_issue = data.issue

    def slow_issue(*args: object, **kwargs: object) -> object:
        time.sleep(0.6)
        return real_issue(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(data, "issue", slow_issue)
    window = _open(qtbot, _context(tmp_path, database), printer_url="dummy")
    tile = window.home.field_buttons["HT"]
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    qtbot.wait(150)  # a second, impatient tap while the first is still being issued
    assert window.is_busy()
    assert not tile.isEnabled()
    assert tile.busy_text() == "Đang cấp số…"
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.sig_print_finished, timeout=10000):
        pass
    assert [t.display for t in _tickets(database)] == ["A001"]
    _close(window)


def test_the_second_half_of_a_double_tap_on_done_issues_nothing(
    qtbot: QtBot, tmp_path: Path, database: Database
) -> None:
    timing = replace(FAST, number_ms=60000, after_print_ms=60000, tap_guard_ms=450)
    window = _open(qtbot, _context(tmp_path, database), printer_url="dummy", timing=timing)
    qtbot.wait(500)
    with qtbot.waitSignal(window.sig_print_finished, timeout=10000):
        qtbot.mouseClick(window.home.field_buttons["HT"], Qt.MouseButton.LeftButton)
    qtbot.wait(500)
    qtbot.mouseClick(window.number.done_button, Qt.MouseButton.LeftButton)
    assert window.current_screen() == "home"
    # The finger lands again where "Xong" was, now on a field tile: ignored.
    qtbot.mouseClick(window.home.field_buttons["HT"], Qt.MouseButton.LeftButton)
    qtbot.wait(300)
    assert window.current_screen() == "home"
    assert len(_tickets(database)) == 1
    _close(window)


def test_staff_close_the_kiosk_with_ctrl_shift_q(
    qtbot: QtBot, tmp_path: Path, sqlite_database: Database
) -> None:
    window = _open(qtbot, _context(tmp_path, sqlite_database), printer_url="dummy")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(
        window.home,
        Qt.Key.Key_Q,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    QThreadPool.globalInstance().waitForDone(15000)


def test_priority_step_issues_a_priority_ticket_with_its_reason(
    qtbot: QtBot, tmp_path: Path, database: Database
) -> None:
    job = tmp_path / "printer.bin"
    window = _open(qtbot, _context(tmp_path, database), printer_url=f"file:{job}")
    home = window.home
    assert home.priority_button.text() == "Tôi thuộc đối tượng ưu tiên"
    qtbot.mouseClick(home.priority_button, Qt.MouseButton.LeftButton)
    assert window.current_screen() == "priority"
    labels = [b.text() for b in window.priority.reason_buttons.values()]
    assert labels == [
        "Người cao tuổi",
        "Người khuyết tật",
        "Phụ nữ mang thai",
        "Người có con nhỏ",
        "Gia đình có công với cách mạng",
    ]
    assert window.priority.no_priority_button.text() == "Không ưu tiên"

    qtbot.mouseClick(
        window.priority.reason_buttons[PriorityReason.ELDERLY], Qt.MouseButton.LeftButton
    )
    assert window.current_screen() == "home"
    assert home.banner.isVisible()
    assert home.banner_title.text() == "Ưu tiên: Người cao tuổi"
    with qtbot.waitSignal(window.sig_print_finished, timeout=10000):
        qtbot.mouseClick(home.field_buttons["CT"], Qt.MouseButton.LeftButton)

    (ticket,) = _tickets(database)
    assert (ticket.display, ticket.ticket_class, ticket.priority_reason) == (
        "B001",
        "priority",
        "elderly",
    )
    assert window.number.priority.text() == "Ưu tiên: Người cao tuổi"
    assert window.number.priority.isVisible()
    (image,) = decode_raster(job.read_bytes())
    assert image.width == 576
    assert _black_dots(image) > 5000

    # The next citizen starts without the priority.
    qtbot.waitUntil(lambda: window.current_screen() == "home", timeout=5000)
    assert not home.banner.isVisible()
    assert home.priority_button.isVisible()
    _close(window)


def test_no_priority_and_cancel_lead_back_to_an_ordinary_ticket(
    qtbot: QtBot, tmp_path: Path, database: Database
) -> None:
    window = _open(qtbot, _context(tmp_path, database), printer_url="dummy")
    home = window.home
    qtbot.mouseClick(home.priority_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.priority.no_priority_button, Qt.MouseButton.LeftButton)
    assert window.current_screen() == "home"
    assert not home.banner.isVisible()

    qtbot.mouseClick(home.priority_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(
        window.priority.reason_buttons[PriorityReason.PREGNANT], Qt.MouseButton.LeftButton
    )
    qtbot.mouseClick(home.cancel_priority_button, Qt.MouseButton.LeftButton)
    assert not home.banner.isVisible()
    with qtbot.waitSignal(window.sig_print_finished, timeout=10000):
        qtbot.mouseClick(home.field_buttons["HT"], Qt.MouseButton.LeftButton)
    (ticket,) = _tickets(database)
    assert (ticket.ticket_class, ticket.priority_reason) == ("normal", None)
    _close(window)


def test_an_unfinished_priority_choice_is_forgotten(
    qtbot: QtBot, tmp_path: Path, database: Database
) -> None:
    window = _open(
        qtbot,
        _context(tmp_path, database),
        printer_url="dummy",
        timing=replace(FAST, idle_ms=300),
    )
    qtbot.mouseClick(window.home.priority_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(
        window.priority.reason_buttons[PriorityReason.DISABILITY], Qt.MouseButton.LeftButton
    )
    assert window.home.banner.isVisible()
    qtbot.waitUntil(lambda: not window.home.banner.isVisible(), timeout=3000)
    qtbot.mouseClick(window.home.priority_button, Qt.MouseButton.LeftButton)
    assert window.current_screen() == "priority"
    qtbot.waitUntil(lambda: window.current_screen() == "home", timeout=3000)
    _close(window)


def test_printer_offline_keeps_the_ticket_and_tells_citizen_and_staff(
    qtbot: QtBot, tmp_path: Path, database: Database
) -> None:
    url = f"net:127.0.0.1:{_closed_port()}"
    window = _open(
        qtbot,
        _context(tmp_path, database),
        printer_url=url,
        timing=replace(FAST, print_failed_ms=1500),
    )
    started = time.monotonic()
    with qtbot.waitSignal(window.sig_print_finished, timeout=10000) as printed:
        qtbot.mouseClick(window.home.field_buttons["DD"], Qt.MouseButton.LeftButton)
    assert time.monotonic() - started < 6
    outcome = printed.args[0]
    assert isinstance(outcome.error, PrinterOffline)
    assert outcome.recorded

    # The number stays on screen with the advice; the ticket is valid and flagged for reprint.
    assert window.current_screen() == "number"
    assert window.number.number.text() == "D001"
    assert window.number.print_state() == "failed"
    assert window.number.warning.isVisible()
    assert window.number.warning_title.text() == (
        "Máy in đang gặp sự cố, ông/bà vui lòng ghi nhớ số và chờ gọi"
    )
    (ticket,) = _tickets(database)
    assert ticket.state == "waiting"
    assert ticket.printed_at is None
    assert ticket.print_error is not None
    assert "Không kết nối được máy in mạng 127.0.0.1" in ticket.print_error
    qtbot.wait(700)  # longer than a printed number stays: this one is still there
    assert window.current_screen() == "number"
    qtbot.waitUntil(lambda: window.current_screen() == "home", timeout=5000)
    _close(window)


def test_preview_printer_shows_the_ticket_on_screen(
    qtbot: QtBot, tmp_path: Path, database: Database
) -> None:
    window = _open(qtbot, _context(tmp_path, database), printer_url="preview")
    preview = window.preview_window
    assert preview is not None
    assert preview.count() == 0
    with qtbot.waitSignal(window.sig_print_finished, timeout=10000):
        qtbot.mouseClick(window.home.field_buttons["HT"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: preview.count() == 1, timeout=5000)
    assert preview.isVisible()
    latest = preview.latest()
    assert latest is not None
    assert latest.width == 576
    assert _black_dots(latest) > 5000
    (ticket,) = _tickets(database)
    assert ticket.printed_at is not None
    _close(window)


def test_counts_follow_tickets_issued_elsewhere(
    qtbot: QtBot, tmp_path: Path, database: Database
) -> None:
    window = _open(qtbot, _context(tmp_path, database), printer_url="dummy")
    with UnitOfWork(database) as uow:
        office_id = find_office(uow).id
    for _ in range(2):
        with UnitOfWork(database) as uow:
            issue_ticket(uow, office_id=office_id, field_code="CTR")
    tile = window.home.field_buttons["CTR"]
    qtbot.waitUntil(lambda: tile.detail() == "Đang chờ: 2 người", timeout=5000)
    _close(window)


def test_the_style_sheet_file_is_filled_in_for_the_screen() -> None:
    # 1024x768 is the base: the sizes written in kiosk.qss, unscaled.
    base = style.stylesheet("Noto Sans", style.scale_for(QSize(1024, 768)))
    assert '#kiosk { background: #eef3f9; font-family: "Noto Sans"; }' in base
    assert "#kiosk #oosTitle { font-size: 58px;" in base
    for size in (QSize(1920, 1080), QSize(1080, 1920), QSize(800, 600)):
        sheet = style.stylesheet("Noto Sans", style.scale_for(size), style.tall_factor(size))
        assert "$" not in sheet
    # Full HD writes 1.41 times as big; the out-of-service title is 82 px there.
    assert "#kiosk #oosTitle { font-size: 82px;" in style.stylesheet("Noto Sans", 1.40625)


@pytest.mark.parametrize(
    ("size", "columns"),
    [(QSize(1024, 768), 4), (QSize(1920, 1080), 4), (QSize(1080, 1920), 2)],
    ids=["1024x768", "1920x1080", "portrait"],
)
def test_layout_fits_the_screen_with_big_targets(
    qtbot: QtBot, tmp_path: Path, database: Database, size: QSize, columns: int
) -> None:
    window = _open(qtbot, _context(tmp_path, database), printer_url="dummy")
    window.resize(size)
    grid = window.home.grid
    smallest = style.min_target(style.scale_for(size))
    assert smallest >= style.MIN_TARGET_PX

    def fits() -> None:
        assert window.home.height() > size.height() * 0.8
        assert grid.columns == columns
        for tile in grid.tiles():
            assert grid.rect().contains(tile.geometry()), tile.text()
            assert tile.height() >= smallest
        button = window.home.priority_button
        assert button.height() >= smallest
        assert button.geometry().bottom() <= window.home.height()

    qtbot.waitUntil(fits, timeout=5000)
    # Every tile shows its whole name at a size readable from a metre.
    assert min(tile.natural_title_px() for tile in grid.tiles()) >= 16
    _close(window)


def _unreachable_then_back(db_url: str, tmp_path: Path) -> tuple[str, object]:
    """A database URL that fails now, and a function that makes it work (the server is back)."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        seeded = Path(str(url.database))
        path = tmp_path / "later" / "kiosk.sqlite3"
        path.mkdir(parents=True)  # a folder where the file should be: SQLite cannot open it

        def appear() -> None:
            path.rmdir()
            shutil.copyfile(seeded, path)

        return f"sqlite:///{path}", appear
    later = f"{url.database}_later"

    def create() -> None:
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{later}" TEMPLATE "{url.database}"'))
        admin.dispose()

    return url.set(database=later).render_as_string(hide_password=False), create


def test_unreachable_database_shows_out_of_service_and_recovers(
    qtbot: QtBot, tmp_path: Path, db_url: str
) -> None:
    url, comes_back = _unreachable_then_back(db_url, tmp_path)
    database = Database(url)
    window = None
    try:
        window = _open(
            qtbot,
            _context(tmp_path, database),
            printer_url="dummy",
            wait_for="out_of_service",
        )
        oos = window.out_of_service
        assert oos.title.text() == "TẠM NGỪNG PHỤC VỤ"
        assert oos.text.text() == "Xin mời ông/bà đến trực tiếp quầy tiếp nhận"
        assert oos.isVisible()
        qtbot.wait(600)  # several retries later it is still calmly out of service
        assert window.current_screen() == "out_of_service"

        comes_back()  # type: ignore[operator]
        qtbot.waitUntil(lambda: window.current_screen() == "home", timeout=15000)
        assert "HÒA SƠN" in window.header.center_name()
        with qtbot.waitSignal(window.sig_print_finished, timeout=10000):
            qtbot.mouseClick(window.home.field_buttons["HT"], Qt.MouseButton.LeftButton)
        assert [t.display for t in _tickets(database)] == ["A001"]
    finally:
        if window is not None:
            _close(window)
        database.dispose()


def test_database_lost_at_the_tap_goes_out_of_service_then_back(
    qtbot: QtBot, tmp_path: Path, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = _open(qtbot, _context(tmp_path, database), printer_url="dummy")
    screens: list[str] = []
    window.sig_screen_changed.connect(screens.append)

    def unreachable(*args: object, **kwargs: object) -> object:
        raise DatabaseUnavailable("Không kết nối được máy chủ cơ sở dữ liệu.")

    monkeypatch.setattr(data, "issue", unreachable)
    qtbot.mouseClick(window.home.field_buttons["HT"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "out_of_service" in screens, timeout=5000)
    # The next read of the home screen works: the kiosk is back without anyone touching it.
    qtbot.waitUntil(lambda: window.current_screen() == "home", timeout=5000)
    assert not window.is_busy()
    assert window.home.field_buttons["HT"].isEnabled()
    assert _tickets(database) == []
    _close(window)


@pytest.mark.logs_errors
def test_an_unexpected_error_is_logged_and_the_home_screen_comes_back(
    qtbot: QtBot,
    tmp_path: Path,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    window = _open(qtbot, _context(tmp_path, database), printer_url="dummy")

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("boom in issue")

    monkeypatch.setattr(data, "issue", broken)
    with caplog.at_level(logging.ERROR, logger="onestop"):
        qtbot.mouseClick(window.home.field_buttons["HT"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(window.home.message.isVisible, timeout=5000)
    assert window.current_screen() == "home"
    assert window.home.message.text() == (
        "Xin lỗi, chưa cấp được số. Mời ông/bà chạm lại vào lĩnh vực."
    )
    assert window.home.field_buttons["HT"].isEnabled()
    assert any(r.exc_info and "boom in issue" in str(r.exc_info[1]) for r in caplog.records), (
        "the bug's traceback must be in the log"
    )

    # A bug in a slot on the GUI thread: logged, and the kiosk goes home instead of crashing.
    monkeypatch.setattr(data, "issue", lambda *a, **k: "not a ticket")
    with caplog.at_level(logging.ERROR, logger="onestop"):
        qtbot.mouseClick(window.home.field_buttons["CT"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: any("_issued" in r.getMessage() for r in caplog.records))
    assert window.current_screen() == "home"
    assert not window.is_busy()
    _close(window)


@pytest.mark.logs_errors
def test_the_crash_handler_takes_the_kiosk_home_without_a_dialog(
    qtbot: QtBot, tmp_path: Path, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    slow = replace(FAST, number_ms=60000, after_print_ms=60000)
    window = _open(qtbot, _context(tmp_path, database), printer_url="dummy", timing=slow)
    handler = install_crash_handler(recover=window.recover)
    try:
        with qtbot.waitSignal(window.sig_print_finished, timeout=10000):
            qtbot.mouseClick(window.home.field_buttons["HT"], Qt.MouseButton.LeftButton)
        assert window.current_screen() == "number"

        def broken() -> None:
            raise RuntimeError("boom in a slot")

        button = QPushButton("x")
        qtbot.addWidget(button)
        button.clicked.connect(broken)
        with caplog.at_level(logging.ERROR, logger="onestop"):
            button.click()
        qtbot.waitUntil(lambda: window.current_screen() == "home", timeout=5000)
    finally:
        handler.uninstall()
    assert handler.dialog is None  # a citizen never sees a crash dialog
    assert any(r.exc_info and "boom in a slot" in str(r.exc_info[1]) for r in caplog.records)
    _close(window)
