"""GUI tests: collect garbage after each test (a leak fails the test that leaked); the demo."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from onestop_desk.config import Settings, resolve_paths
from onestop_desk.context import AppContext
from onestop_desk.db.database import Database
from onestop_desk.gui.app import DemoWindows, open_demo


@pytest.fixture(autouse=True)
def _collect_after_test() -> Iterator[None]:
    yield
    gc.collect()


@pytest.fixture
def demo(qtbot: QtBot, tmp_path: Path, database: Database) -> Iterator[DemoWindows]:
    """The demo's three faces in this process on ``database``, muted; closed after the test."""
    settings = Settings()
    settings.display.muted = True
    ctx = AppContext(paths=resolve_paths(tmp_path), settings=settings, database=database)
    faces = open_demo(ctx)
    windows = (faces.kiosk, faces.counter, faces.display)
    try:
        for window in windows:
            qtbot.addWidget(window)
        yield faces
    finally:
        for window in windows:
            window.close()
        QThreadPool.globalInstance().waitForDone(10_000)
