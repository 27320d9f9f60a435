"""Logging in at a counter: typed like a specialist would, checked in the background."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from onestop_desk.db.database import Database
from onestop_desk.errors import AuthenticationFailed
from onestop_desk.gui.reception.login import LoginDialog
from onestop_desk.services.seed import DEMO_PASSWORD
from onestop_desk.services.staff import Role, StaffInfo, authenticate
from onestop_desk.services.uow import UnitOfWork

pytestmark = pytest.mark.gui

WAIT_MS = 5000
HOA = StaffInfo(uuid.uuid4(), "tiepnhan1", "Nguyễn Thị Hoa", Role.RECEPTION)
Attempt = Callable[[str, str], StaffInfo]


@pytest.fixture(autouse=True)
def _no_work_left_behind() -> Iterator[None]:
    yield
    QThreadPool.globalInstance().waitForDone(10_000)


def _open(qtbot: QtBot, attempt: Attempt, **kwargs: object) -> LoginDialog:
    dialog = LoginDialog(attempt, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=WAIT_MS)
    return dialog


def test_enter_logs_in_in_the_background(qtbot: QtBot) -> None:
    release = threading.Event()
    calls: list[tuple[str, str]] = []

    def attempt(username: str, password: str) -> StaffInfo:
        calls.append((username, password))
        release.wait(WAIT_MS / 1000)
        return HOA

    dialog = _open(qtbot, attempt, counter_number=3, office_name="UBND xã Hòa Sơn")
    assert dialog.counter_label.text() == "Quầy số 3"
    assert dialog.username_edit.hasFocus()
    qtbot.keyClicks(dialog.username_edit, "tiepnhan1")
    qtbot.keyClick(dialog.username_edit, Qt.Key.Key_Tab)
    assert dialog.password_edit.hasFocus()
    qtbot.keyClicks(dialog.password_edit, "demo1234")
    assert dialog.password_edit.echoMode() == dialog.password_edit.EchoMode.Password
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)

    # While the database answers: the button is off and the dialog says it is checking.
    assert dialog.is_busy()
    assert not dialog.login_button.isEnabled()
    assert dialog.status_label.isVisible()
    assert dialog.status_label.text() == "Đang kiểm tra…"
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)  # an impatient second Enter
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        release.set()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.staff() == HOA
    assert calls == [("tiepnhan1", "demo1234")]


def test_refusal_is_shown_and_only_the_password_is_cleared(qtbot: QtBot) -> None:
    def attempt(username: str, password: str) -> StaffInfo:
        raise AuthenticationFailed(
            "Sai tên đăng nhập hoặc mật khẩu.", "Kiểm tra bộ gõ tiếng Việt và phím Caps Lock."
        )

    dialog = _open(qtbot, attempt, counter_number=1)
    qtbot.keyClicks(dialog.username_edit, "tiepnhan1")
    qtbot.keyClicks(dialog.password_edit, "DEMO1234")
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=WAIT_MS)

    assert dialog.isVisible()
    assert dialog.staff() is None
    assert dialog.status_label.isVisible()
    assert dialog.status_label.text() == (
        "Sai tên đăng nhập hoặc mật khẩu.\nKiểm tra bộ gõ tiếng Việt và phím Caps Lock."
    )
    assert dialog.status_label.property("kind") == "error"  # red under the fields
    assert dialog.username_edit.text() == "tiepnhan1"
    assert dialog.password_edit.text() == ""
    assert dialog.password_edit.hasFocus()
    assert dialog.login_button.isEnabled()


def test_empty_fields_are_asked_for_without_a_database_trip(qtbot: QtBot) -> None:
    calls: list[str] = []

    def attempt(username: str, password: str) -> StaffInfo:
        calls.append(username)
        return HOA

    dialog = _open(qtbot, attempt)
    assert dialog.counter_label.text() == "Chưa chọn quầy"
    qtbot.keyClick(dialog.username_edit, Qt.Key.Key_Return)
    assert dialog.status_label.text() == "Vui lòng nhập tên đăng nhập."
    assert dialog.username_edit.hasFocus()
    qtbot.keyClicks(dialog.username_edit, "tiepnhan1")
    qtbot.keyClick(dialog.username_edit, Qt.Key.Key_Return)
    assert dialog.status_label.text() == "Vui lòng nhập mật khẩu."
    assert dialog.password_edit.hasFocus()
    assert calls == []


@pytest.mark.logs_errors
def test_unexpected_failure_says_so_without_details(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    def attempt(username: str, password: str) -> StaffInfo:
        raise RuntimeError("driver exploded")

    dialog = _open(qtbot, attempt, counter_number=2, username="tiepnhan2")
    assert dialog.password_edit.hasFocus()  # the name is known: start at the password
    qtbot.keyClicks(dialog.password_edit, "demo1234")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=WAIT_MS)
    assert "lỗi không mong muốn" in dialog.status_label.text()
    assert "driver exploded" not in dialog.status_label.text()
    assert "driver exploded" in caplog.text  # the traceback is in the log
    assert dialog.isVisible()


def test_real_accounts_through_the_staff_service(qtbot: QtBot, database: Database) -> None:
    def attempt(username: str, password: str) -> StaffInfo:
        with UnitOfWork(database) as uow:
            return authenticate(uow, username=username, password=password)

    dialog = _open(qtbot, attempt, counter_number=1)
    qtbot.keyClicks(dialog.username_edit, "tiepnhan1")
    qtbot.keyClicks(dialog.password_edit, "sai mat khau")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=WAIT_MS)
    assert "Caps Lock" in dialog.status_label.text()

    qtbot.keyClicks(dialog.password_edit, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    staff = dialog.staff()
    assert staff is not None
    assert (staff.username, staff.full_name) == ("tiepnhan1", "Nguyễn Thị Hoa")
