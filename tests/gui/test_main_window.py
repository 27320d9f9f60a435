"""The main window shows the office and the database, and follows changes made elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from onestop_desk.config import Settings, resolve_paths
from onestop_desk.context import AppContext
from onestop_desk.db.database import Database
from onestop_desk.gui.main_window import MainWindow
from onestop_desk.services.office import find_office
from onestop_desk.services.queue import issue_ticket
from onestop_desk.services.uow import UnitOfWork

pytestmark = pytest.mark.gui


def _context(tmp_path: Path, database: Database) -> AppContext:
    return AppContext(paths=resolve_paths(tmp_path), settings=Settings(), database=database)


def test_window_shows_office_database_and_live_waiting_count(
    qtbot: QtBot, tmp_path: Path, database: Database
) -> None:
    window = MainWindow(_context(tmp_path, database))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: "HÒA SƠN" in window.center_label.text(), timeout=5000)
    assert window.center_label.text() == "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ HÒA SƠN"
    assert "Đắk Lắk" in window.place_label.text()
    assert "Đã kết nối" in window.status_label.text()
    assert window.waiting_label.text() == "0 người"
    assert "12 thủ tục" in window.catalog_label.text()

    # Another PC issues a ticket: the window catches up by itself on its next refresh.
    with UnitOfWork(database) as uow:
        issue_ticket(uow, office_id=find_office(uow).id, field_code="HT")
    qtbot.waitUntil(lambda: window.waiting_label.text() == "1 người", timeout=3000)
    assert "Hộ tịch: 1" in window.per_field_label.text()


def test_window_says_when_the_database_is_unreachable(qtbot: QtBot, tmp_path: Path) -> None:
    database = Database("postgresql://desk:x@127.0.0.1:1/onestop")
    window = MainWindow(_context(tmp_path, database))
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: "Không kết nối được" in window.status_label.text(), timeout=10000)
    assert "Kiểm tra máy chủ" in window.status_label.text()
    database.dispose()


def test_run_without_a_display_exits_with_advice(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    env.pop("QT_QPA_PLATFORM", None)
    env["PYTHONIOENCODING"] = "utf-8"
    result = subprocess.run(
        [sys.executable, "-m", "onestop_desk", "--data-dir", str(tmp_path), "run"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Không tìm thấy màn hình" in result.stderr
    assert "xvfb-run" in result.stderr
    assert "Traceback" not in result.stderr
