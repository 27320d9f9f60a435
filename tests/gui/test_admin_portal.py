"""The admin face's portal tab against the real simulator: connect, refuse, send again."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from onestop_desk.config import PortalSettings, Settings, load_settings, resolve_paths
from onestop_desk.context import AppContext
from onestop_desk.db.database import Database
from onestop_desk.db.models import Dossier, DossierEvent, Procedure, Submission
from onestop_desk.gui.admin import AdminWindow, PortalTab
from onestop_desk.gui.admin.window import admin_login_dialog
from onestop_desk.gui.changes import change_hub
from onestop_desk.portal.credentials import secret_name
from onestop_desk.portal.outbox import Outbox
from onestop_desk.secrets import get_secret, set_secret
from onestop_desk.services.seed import DEMO_PASSWORD
from onestop_desk.services.staff import StaffInfo, authenticate
from onestop_desk.services.uow import UnitOfWork
from tests.support.portal_sim import CLIENT_ID, SECRET, PortalSim, receive_dossiers
from tests.support.qt_keys import type_text

pytestmark = [pytest.mark.gui, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

WAIT_MS = 15_000
OpenWindow = Callable[[], AdminWindow]


@pytest.fixture(autouse=True)
def _file_keyring() -> None:
    keyring.set_keyring(PlaintextKeyring())


@pytest.fixture(autouse=True)
def _no_work_left_behind() -> Iterator[None]:
    yield
    QThreadPool.globalInstance().waitForDone(10_000)


@pytest.fixture
def ctx(tmp_path: Path, database: Database) -> AppContext:
    settings = Settings(portal=PortalSettings(timeout_s=5))
    return AppContext(paths=resolve_paths(tmp_path), settings=settings, database=database)


@pytest.fixture
def head(database: Database) -> StaffInfo:
    with UnitOfWork(database) as uow:
        return authenticate(uow, username="lanhdao", password=DEMO_PASSWORD)


@pytest.fixture
def open_window(qtbot: QtBot, ctx: AppContext, head: StaffInfo) -> Iterator[OpenWindow]:
    windows: list[AdminWindow] = []

    def make() -> AdminWindow:
        window = AdminWindow(ctx, staff=head)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        tab = window.portal
        qtbot.waitUntil(lambda: tab.connection is not None, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: tab.summary is not None, timeout=WAIT_MS)
        return window

    yield make
    for window in windows:
        window.close()


def _fill(qtbot: QtBot, tab: PortalTab, url: str, client_id: str, secret: str) -> None:
    for edit, text in ((tab.url_edit, url), (tab.client_id_edit, client_id)):
        edit.clear()
        qtbot.keyClicks(edit, text)
    tab.secret_edit.clear()
    type_text(qtbot, secret, tab.secret_edit)  # the secret has Vietnamese letters


def _save_and_wait(qtbot: QtBot, tab: PortalTab) -> None:
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.is_busy()
    assert not tab.save_button.isEnabled()
    assert tab.message_label.text() == "Đang kiểm tra với hệ thống dịch vụ công…"
    qtbot.waitUntil(lambda: not tab.is_busy(), timeout=WAIT_MS)


def test_a_checked_login_goes_to_the_keyring_and_the_settings_file(
    qtbot: QtBot,
    ctx: AppContext,
    sim: PortalSim,
    open_window: OpenWindow,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    tab = open_window().portal
    assert tab.current_label.text() == "Máy này chưa khai báo kết nối hệ thống dịch vụ công."
    assert tab.secret_state_label.text() == "Hiện tại: chưa có"
    assert tab.secret_edit.echoMode() == QLineEdit.EchoMode.Password

    _fill(qtbot, tab, sim.url + "/", f"  {CLIENT_ID} ", SECRET)
    _save_and_wait(qtbot, tab)

    message = tab.message_label.text()
    assert message.startswith(f"Đã kết nối hệ thống dịch vụ công {sim.url} với mã ứng dụng")
    assert "kho mật khẩu" in message
    assert tab.message_label.property("kind") == "ok"
    assert tab.secret_edit.text() == ""  # cleared once stored
    assert (tab.url_edit.text(), tab.client_id_edit.text()) == (sim.url, CLIENT_ID)
    assert get_secret(secret_name(sim.url, CLIENT_ID)) == SECRET
    saved = load_settings(ctx.paths)
    assert (saved.portal.url, saved.portal.client_id) == (sim.url, CLIENT_ID)
    assert saved.portal.timeout_s == 5  # the rest of the settings file is kept
    assert SECRET not in ctx.paths.settings_file.read_text(encoding="utf-8")
    assert (ctx.settings.portal.url, ctx.settings.portal.client_id) == (sim.url, CLIENT_ID)
    qtbot.waitUntil(
        lambda: tab.secret_state_label.text() == "Hiện tại: đã lưu trong kho mật khẩu",
        timeout=WAIT_MS,
    )
    assert tab.current_label.text() == (
        f"Máy này đang kết nối {sim.url} với mã ứng dụng “{CLIENT_ID}”."
    )
    assert SECRET not in caplog.text

    # Opened again later: the stored address and id are there, the secret never is.
    again = open_window().portal
    assert (again.url_edit.text(), again.client_id_edit.text()) == (sim.url, CLIENT_ID)
    assert again.secret_edit.text() == ""
    assert again.secret_state_label.text() == "Hiện tại: đã lưu trong kho mật khẩu"


def test_a_refused_or_unreachable_portal_stores_nothing(
    qtbot: QtBot, ctx: AppContext, sim: PortalSim, open_window: OpenWindow
) -> None:
    tab = open_window().portal
    _fill(qtbot, tab, sim.url, CLIENT_ID, "đoán-bừa")
    _save_and_wait(qtbot, tab)
    message = tab.message_label.text()
    assert "từ chối thông tin đăng nhập" in message
    assert "Chưa lưu gì." in message
    assert tab.message_label.property("kind") == "error"
    assert tab.secret_edit.text() == ""  # a refused secret is of no use: typed again
    assert tab.secret_edit.hasFocus()
    assert (tab.url_edit.text(), tab.client_id_edit.text()) == (sim.url, CLIENT_ID)
    assert get_secret(secret_name(sim.url, CLIENT_ID)) is None
    assert not ctx.paths.settings_file.exists()
    assert ctx.settings.portal.url == ""

    _fill(qtbot, tab, "http://127.0.0.1:1", CLIENT_ID, SECRET)
    _save_and_wait(qtbot, tab)
    message = tab.message_label.text()
    assert "Không kết nối được hệ thống dịch vụ công" in message
    assert "chưa lưu gì" in message
    assert tab.secret_edit.text() == SECRET  # kept: only the address needs fixing
    assert get_secret(secret_name("http://127.0.0.1:1", CLIENT_ID)) is None
    assert not ctx.paths.settings_file.exists()
    assert tab.secret_state_label.text() == "Hiện tại: chưa có"


def test_bad_input_is_explained_and_nothing_typed_is_lost(
    qtbot: QtBot, ctx: AppContext, open_window: OpenWindow
) -> None:
    tab = open_window().portal
    _fill(qtbot, tab, "http://dvc.daklak.gov.vn", CLIENT_ID, SECRET)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert not tab.is_busy()  # refused before anything goes on the network
    message = tab.message_label.text()
    assert "không mã hoá (http)" in message
    assert "Dùng địa chỉ https://" in message
    assert tab.message_label.isVisible()
    assert tab.url_edit.hasFocus()
    assert (tab.url_edit.text(), tab.client_id_edit.text(), tab.secret_edit.text()) == (
        "http://dvc.daklak.gov.vn",
        CLIENT_ID,
        SECRET,
    )

    tab.client_id_edit.clear()
    tab.url_edit.setText("https://dvc.daklak.gov.vn")
    qtbot.keyClick(tab.url_edit, Qt.Key.Key_Return)  # Enter in a field saves too
    assert tab.message_label.text() == "Vui lòng nhập mã ứng dụng."
    assert tab.client_id_edit.hasFocus()
    assert tab.secret_edit.text() == SECRET
    assert not ctx.paths.settings_file.exists()


def test_only_the_head_or_an_administrator_may_enter(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = admin_login_dialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=WAIT_MS)
    assert not dialog.counter_label.isVisible()  # no counter at the admin face
    qtbot.keyClicks(dialog.username_edit, "tiepnhan1")
    qtbot.keyClicks(dialog.password_edit, DEMO_PASSWORD)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=WAIT_MS)
    assert dialog.isVisible()
    assert dialog.staff() is None
    text = dialog.status_label.text()
    assert "Tài khoản tiepnhan1 (cán bộ tiếp nhận) không có quyền vào phần quản trị." in text
    assert "lãnh đạo trung tâm và cán bộ quản trị hệ thống" in text

    dialog.username_edit.clear()
    qtbot.keyClicks(dialog.username_edit, "lanhdao")
    qtbot.keyClicks(dialog.password_edit, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    staff = dialog.staff()
    assert staff is not None
    assert staff.username == "lanhdao"


def _fail_one_submission(database: Database, sim: PortalSim) -> str:
    """A dossier whose procedure the portal does not know: the real outbox gives up on it."""
    (code,) = receive_dossiers(database, 1)
    with UnitOfWork(database) as uow:
        uow.session.execute(
            update(Procedure).where(Procedure.code == "2.000884").values(code="CT-CHU-KY")
        )
        uow.commit()
    set_secret(secret_name(sim.url, CLIENT_ID), SECRET)
    settings = Settings(portal=PortalSettings(url=sim.url, client_id=CLIENT_ID, timeout_s=5))
    outbox = Outbox.from_settings(database, settings)
    try:
        assert outbox.run_once().failed == 1
    finally:
        outbox.close()
    return code


def test_a_failed_submission_is_listed_and_sent_again(
    qtbot: QtBot, database: Database, sim: PortalSim, head: StaffInfo, open_window: OpenWindow
) -> None:
    code = _fail_one_submission(database, sim)
    window = open_window()
    tab = window.portal
    assert tab.count_labels["failed"].text() == "Gửi lỗi: 1"
    assert tab.count_labels["failed"].property("alert") is True
    assert tab.count_labels["pending"].text() == "Chờ gửi: 0"
    assert list(tab.failed_rows) == [code]
    row = tab.failed_rows[code]
    qtbot.waitUntil(row.isVisible, timeout=WAIT_MS)
    assert "không có thủ tục hành chính này" in row.error_label.text()
    assert not tab.empty_label.isVisible()

    qtbot.mouseClick(row.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.failed_rows, timeout=WAIT_MS)
    assert tab.count_labels["pending"].text() == "Chờ gửi: 1"
    assert tab.count_labels["failed"].text() == "Gửi lỗi: 0"
    assert tab.empty_label.isVisible()
    assert tab.outbox_message.text() == (
        f"Hồ sơ {code} đã vào lại hàng đợi gửi lên hệ thống dịch vụ công."
    )
    assert code in window.statusBar().currentMessage()
    with UnitOfWork(database, readonly=True) as uow:
        state = uow.session.scalar(
            select(Submission.state)
            .join(Dossier, Submission.dossier_id == Dossier.id)
            .where(Dossier.code == code)
        )
        actor = uow.session.scalar(
            select(DossierEvent.actor_id).where(DossierEvent.kind == "submission_retried")
        )
    assert state == "pending"
    assert actor == head.id  # the history says who sent it again


def test_a_resend_is_announced_to_the_other_panes_of_the_process(
    qtbot: QtBot, database: Database, sim: PortalSim, head: StaffInfo, open_window: OpenWindow
) -> None:
    code = _fail_one_submission(database, sim)
    window = open_window()
    row = window.portal.failed_rows[code]
    qtbot.waitUntil(row.isVisible, timeout=WAIT_MS)
    # Another window of this process (the counter's dossier list) refreshes from the hub.
    with qtbot.waitSignal(change_hub(database).sig_changed, timeout=WAIT_MS):
        qtbot.mouseClick(row.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.portal.failed_rows, timeout=WAIT_MS)


def test_another_pc_failing_a_submission_shows_up_without_reopening(
    qtbot: QtBot, database: Database, sim: PortalSim, open_window: OpenWindow
) -> None:
    tab = open_window().portal
    assert tab.empty_label.isVisible()
    code = _fail_one_submission(database, sim)  # as a counter's worker would, meanwhile
    qtbot.waitUntil(lambda: code in tab.failed_rows, timeout=WAIT_MS)
    assert tab.count_labels["failed"].text() == "Gửi lỗi: 1"
