"""The counter's dossier tab, keyboard first: piles and counts, search, a scanned slip, actions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt, QThreadPool
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from onestop_desk.config import Settings, resolve_paths
from onestop_desk.context import AppContext
from onestop_desk.core.lifecycle import DossierAction, DossierState
from onestop_desk.db.database import Database
from onestop_desk.db.models import Dossier, DossierEvent, Submission
from onestop_desk.gui.counter import CounterWindow
from onestop_desk.gui.counter.window import login_dialog
from onestop_desk.gui.dossiers import DossiersPane
from onestop_desk.gui.dossiers.dialogs import ExtendDialog, ReturnDialog, SupplementDialog
from onestop_desk.gui.dossiers.models import LATE_BACKGROUND, DossierListModel
from onestop_desk.services.dossier import DossierRequest, create_dossier
from onestop_desk.services.dossier_list import DossierFilter
from onestop_desk.services.seed import DEMO_PASSWORD
from onestop_desk.services.staff import StaffInfo
from onestop_desk.services.uow import UnitOfWork
from tests.support.docx_text import document_text
from tests.support.dossier_seed import BINH, NOW, SIGNATURE, Seeded, seed_dossiers
from tests.support.qt_keys import focus_widget, press, type_text

pytestmark = [
    pytest.mark.gui,
    # The paper-name completer's popup: the offscreen platform cannot raise it.
    pytest.mark.qt_log_ignore(
        "^This plugin does not support raise\\(\\)$",
        "^This plugin does not support grabbing the keyboard$",
    ),
]
WAIT_MS = 10_000
PAPER_MS = 90_000  # LibreOffice makes the PDF where it is installed; a busy CI machine is slow

OpenWindow = Callable[[], CounterWindow]
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def ctx(tmp_path: Path, database: Database) -> AppContext:
    settings = Settings()
    settings.printer.slip_url = f"file:{tmp_path / 'slip.bin'}"
    return AppContext(paths=resolve_paths(tmp_path), settings=settings, database=database)


@pytest.fixture
def seeded(database: Database) -> Seeded:
    return seed_dossiers(database)


@pytest.fixture
def opened() -> list[Path]:
    """The papers the window opened: tests never start a real viewer."""
    return []


def _log_in(qtbot: QtBot, ctx: AppContext) -> StaffInfo:
    dialog = login_dialog(ctx, 2)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=WAIT_MS)
    qtbot.keyClicks(dialog.username_edit, "tiepnhan1")
    qtbot.keyClicks(dialog.password_edit, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    staff = dialog.staff()
    assert staff is not None
    return staff


@pytest.fixture
def open_window(
    qtbot: QtBot, ctx: AppContext, opened: list[Path], seeded: Seeded
) -> Iterator[OpenWindow]:
    windows: list[CounterWindow] = []

    def make() -> CounterWindow:
        staff = _log_in(qtbot, ctx)
        # The office's clock stands on Friday 27/11/2026, 10:00, as the seeded week expects.
        window = CounterWindow(
            ctx, counter_number=2, staff=staff, opener=opened.append, clock=lambda: NOW
        )
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        _activate(qtbot, window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
    QThreadPool.globalInstance().waitForDone(10_000)


def _activate(qtbot: QtBot, window: QWidget) -> None:
    # A window manager gives the focus back when a dialog closes; the offscreen platform does not.
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)


def _idle(qtbot: QtBot, pane: DossiersPane, timeout: int = WAIT_MS) -> None:
    qtbot.waitUntil(lambda: not pane.is_busy(), timeout=timeout)


def _dossier_tab(qtbot: QtBot, window: CounterWindow) -> DossiersPane:
    qtbot.keyClick(window, Qt.Key.Key_3, CTRL)
    assert window.tabs.currentIndex() == window.DOSSIERS_TAB
    pane = window.dossiers
    qtbot.waitUntil(lambda: pane.snapshot is not None, timeout=WAIT_MS)
    _idle(qtbot, pane)
    # From here on the specialist types by hand; the scanner detector would hold each burst.
    window.wedge.set_enabled(False)
    return pane


def _codes(pane: DossiersPane) -> list[str]:
    return [row.code for row in pane.model.rows()]


def _filter_texts(pane: DossiersPane) -> list[str]:
    return [pane.filter_buttons[f].text() for f in pane.filter_buttons]


def scan(qtbot: QtBot, payload: str) -> None:
    """A keyboard-wedge scanner: the payload as a burst of key presses ending in Enter."""
    for ch in payload:
        target = focus_widget()
        key = Qt.Key.Key_unknown if not ch.isascii() else Qt.Key(ord(ch.upper()))
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(target, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch))
    qtbot.keyClick(focus_widget(), Qt.Key.Key_Return)


def _dossier(database: Database, code: str) -> Dossier:
    with UnitOfWork(database, readonly=True) as uow:
        dossier = uow.session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier is not None
        return dossier


def _history(pane: DossiersPane) -> list[tuple[str, str, str, str]]:
    return pane.detail_panel.history_model.cells()


def _docx_of(path: Path) -> Path:
    docx = path.with_suffix(".docx")
    assert docx.is_file(), docx
    return docx


def test_piles_counts_banner_and_search_by_name_without_diacritics(
    qtbot: QtBot, open_window: OpenWindow, seeded: Seeded
) -> None:
    window = open_window()
    pane = _dossier_tab(qtbot, window)
    assert window.tabs.tabText(window.DOSSIERS_TAB) == "Hồ sơ (Ctrl+3)"
    # Friday: "tomorrow" is Monday's pile.
    assert _filter_texts(pane) == [
        "Đang xử lý (6)",
        "Hạn hôm nay (2)",
        "Hạn thứ Hai (1)",
        "Trễ hạn (1)",
        "Chờ bổ sung (1)",
        "Chờ trả kết quả (1)",
        "Gửi trực tuyến lỗi (1)",
        "Đã trả (1)",
        "Tất cả (8)",
    ]
    assert pane.filter_buttons[DossierFilter.OPEN].isChecked()
    # Open dossiers, earliest due first: the late one heads the list, marked.
    assert _codes(pane)[0] == seeded.late
    model = pane.model
    late_due = model.index(0, DossierListModel.DUE)
    assert late_due.data() == "Trễ 5 ngày làm việc"
    assert late_due.data(Qt.ItemDataRole.BackgroundRole).color() == LATE_BACKGROUND
    assert model.index(0, DossierListModel.APPLICANT).data() == "Lê Thị Ánh"
    assert pane.count_label.text() == "6 hồ sơ"
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == [
        "Mã hồ sơ",
        "Thủ tục",
        "Người nộp",
        "Ngày nhận",
        "Hẹn trả",
        "Trạng thái",
        "Gửi trực tuyến",
    ]

    # The banner: today's dossier still received could be extended before it is late.
    assert pane.banner.isVisible()
    assert pane.banner_label.text() == (
        "1 hồ sơ sắp trễ hạn — lập văn bản xin lỗi, gia hạn (Mẫu 04)"
    )
    press(qtbot, Qt.Key.Key_0, ALT)
    qtbot.waitUntil(lambda: _codes(pane) == [seeded.today], timeout=WAIT_MS)
    assert "Đang xem 1 hồ sơ sắp trễ hạn" in pane.banner_label.text()
    press(qtbot, Qt.Key.Key_0, ALT)
    qtbot.waitUntil(lambda: len(_codes(pane)) == 6, timeout=WAIT_MS)

    # Alt+4: the late pile.
    press(qtbot, Qt.Key.Key_4, ALT)
    qtbot.waitUntil(lambda: _codes(pane) == [seeded.late], timeout=WAIT_MS)
    assert pane.filter_buttons[DossierFilter.LATE].isChecked()

    # A name typed without diacritics finds the citizen's dossiers in every pile.
    press(qtbot, Qt.Key.Key_F, CTRL)
    assert focus_widget() is pane.search_edit
    type_text(qtbot, "nguyen thi lan")
    assert pane.search_hint.text() == "theo họ tên"
    qtbot.waitUntil(
        lambda: sorted(_codes(pane)) == sorted([seeded.ready, seeded.monday]), timeout=WAIT_MS
    )
    _idle(qtbot, pane)
    assert {r.applicant_name for r in pane.model.rows()} == {"Nguyễn Thị Lan"}
    assert pane.filter_buttons[DossierFilter.ALL].isChecked()
    assert "Tất cả (2)" in _filter_texts(pane)
    assert "Trễ hạn (0)" in _filter_texts(pane)
    # Esc clears the search and goes back to the pile it started from.
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: _codes(pane) == [seeded.late], timeout=WAIT_MS)
    assert pane.filter_buttons[DossierFilter.LATE].isChecked()

    # Sorting: the header, or the keyboard's combo; both go through the database.
    press(qtbot, Qt.Key.Key_9, ALT)
    qtbot.waitUntil(lambda: len(_codes(pane)) == 8, timeout=WAIT_MS)
    assert [r.received_at for r in pane.model.rows()] == sorted(
        (r.received_at for r in pane.model.rows()), reverse=True
    )
    header = pane.table.horizontalHeader()
    x = header.sectionViewportPosition(DossierListModel.APPLICANT) + 10
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    qtbot.waitUntil(lambda: pane.query.sort == "applicant", timeout=WAIT_MS)
    _idle(qtbot, pane)
    names = [r.applicant_name for r in pane.model.rows()]
    assert names[0] == "Lê Thị Ánh"
    assert names[-1] == "Phạm Văn Bình"
    assert pane.sort_combo.currentText() == "Người nộp"


def test_a_scanned_slip_opens_its_dossier_from_any_tab(
    qtbot: QtBot, open_window: OpenWindow, seeded: Seeded
) -> None:
    window = open_window()
    window.panel.setFocus()
    assert window.tabs.currentIndex() == window.QUEUE_TAB
    scan(qtbot, seeded.ready)
    qtbot.waitUntil(lambda: window.tabs.currentIndex() == window.DOSSIERS_TAB, timeout=WAIT_MS)
    pane = window.dossiers
    qtbot.waitUntil(lambda: pane.opened() is not None, timeout=WAIT_MS)
    _idle(qtbot, pane)
    assert pane.search_edit.text() == seeded.ready
    assert _codes(pane) == [seeded.ready]
    assert pane.table.currentIndex().row() == 0
    detail = pane.detail_panel
    assert detail.code_label.text() == seeded.ready
    assert detail.state_chip.text() == "Đã có kết quả"
    assert detail.fact("applicant") == "Nguyễn Thị Lan — số định danh 066190012345"
    assert detail.fact("due") == "17:00, ngày 27/11/2026"
    # Only what the state allows, and the papers; the keyboard is on the first action.
    assert detail.visible_actions() == [DossierAction.RETURN_RESULT]
    assert detail.visible_papers() == ["06", "01", "declaration", "slip"]
    assert focus_widget() is detail.action_buttons[DossierAction.RETURN_RESULT]
    assert [cells[2] for cells in _history(pane)] == [
        "Tiếp nhận hồ sơ: hẹn trả 17:00 27/11/2026",
        "Chuyển giải quyết: chuyển đến Ủy ban nhân dân xã Hòa Sơn",
        "Xác nhận đã có kết quả",
    ]
    assert [cells[1] for cells in _history(pane)] == ["Nguyễn Thị Hoa"] * 3
    # A card scanned meanwhile still starts a reception.
    assert window.wedge.is_enabled()


def test_return_the_result_by_keyboard_and_print_the_tracking_slip(
    qtbot: QtBot,
    open_window: OpenWindow,
    seeded: Seeded,
    database: Database,
    opened: list[Path],
) -> None:
    window = open_window()
    pane = _dossier_tab(qtbot, window)
    window.wedge.set_enabled(True)
    scan(qtbot, seeded.ready)
    qtbot.waitUntil(lambda: pane.opened() is not None, timeout=WAIT_MS)
    _idle(qtbot, pane)
    window.wedge.set_enabled(False)

    press(qtbot, Qt.Key.Key_T, ALT)  # &Trả kết quả
    qtbot.waitUntil(lambda: pane.dialog is not None, timeout=WAIT_MS)
    dialog = pane.dialog
    assert isinstance(dialog, ReturnDialog)
    qtbot.waitExposed(dialog)
    _activate(qtbot, dialog)
    assert focus_widget() is dialog.receiver_edit
    assert dialog.receiver_edit.text() == "Nguyễn Thị Lan"
    assert "đúng hạn" in dialog.timing_label.text()
    # A relative collects it for her.
    type_text(qtbot, "Trần Văn Hùng")
    press(qtbot, Qt.Key.Key_Tab)
    assert focus_widget() is dialog.channel_combo
    assert dialog.channel_combo.currentText() == "Tại Bộ phận Một cửa"
    press(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: pane.dialog is None, timeout=WAIT_MS)
    _activate(qtbot, window)
    _idle(qtbot, pane)

    dossier = _dossier(database, seeded.ready)
    assert dossier.state == DossierState.RETURNED.value
    assert dossier.returned_to == "Trần Văn Hùng"
    assert dossier.returned_at == NOW
    assert dossier.result_timing == "on_time"
    detail = pane.detail_panel
    qtbot.waitUntil(lambda: detail.state_chip.text() == "Đã trả kết quả", timeout=WAIT_MS)
    assert detail.fact("result") == (
        "Đã trả 10:00, ngày 27/11/2026 cho Trần Văn Hùng, tại Bộ phận Một cửa — đúng hạn"
    )
    last = _history(pane)[-1]
    assert last == (
        "27/11/2026 10:00",
        "Nguyễn Thị Hoa",
        "Trả kết quả: cho Trần Văn Hùng",
        "",
    )
    assert detail.visible_actions() == []
    assert "đã kết thúc" in detail.no_action_label.text()
    row = pane.model.rows()[0]
    assert (row.code, row.state_label, row.due_label) == (
        seeded.ready,
        "Đã trả kết quả",
        "Đã trả 27/11 – Đúng hạn",
    )
    assert "Chờ trả kết quả (0)" in _filter_texts(pane)

    # The tracking slip (Mẫu 06) is offered; Enter on the offer makes and opens it.
    assert detail.offered() == "06"
    assert "Đã trả kết quả hồ sơ" in detail.offer_label.text()
    assert focus_widget() is detail.offer_button
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=PAPER_MS)
    _idle(qtbot, pane)
    text = document_text(_docx_of(opened[0]))
    assert seeded.ready in text
    assert "Trần Văn Hùng" in text
    assert "Đúng hạn" in text
    assert "Đã tạo Mau06-" in pane.message.text()


def test_request_a_supplement_by_keyboard_and_print_form_02(
    qtbot: QtBot,
    open_window: OpenWindow,
    seeded: Seeded,
    database: Database,
    opened: list[Path],
) -> None:
    window = open_window()
    pane = _dossier_tab(qtbot, window)
    # The slip's date and number, typed: Enter opens the only match.
    press(qtbot, Qt.Key.Key_F, CTRL)
    type_text(qtbot, "261127-0001")
    assert pane.search_hint.text() == "theo mã hồ sơ"
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.opened() is not None, timeout=WAIT_MS)
    _idle(qtbot, pane)
    detail = pane.detail_panel
    assert detail.code_label.text() == seeded.today
    assert detail.visible_actions() == [
        DossierAction.START_PROCESSING,
        DossierAction.REQUEST_SUPPLEMENT,
        DossierAction.REFUSE,
        DossierAction.EXTEND,
        DossierAction.STOP,
    ]
    assert focus_widget() is detail.action_buttons[DossierAction.START_PROCESSING]

    press(qtbot, Qt.Key.Key_B, ALT)  # Yêu cầu &bổ sung
    qtbot.waitUntil(lambda: pane.dialog is not None, timeout=WAIT_MS)
    dialog = pane.dialog
    assert isinstance(dialog, SupplementDialog)
    qtbot.waitExposed(dialog)
    _activate(qtbot, dialog)
    # Nothing asked for yet: the dialog says so and stays open.
    press(qtbot, Qt.Key.Key_Return, CTRL)
    assert dialog.isVisible()
    assert "Chưa ghi giấy tờ nào" in dialog.error_label.text()

    assert focus_widget() is dialog.name_edit
    type_text(qtbot, "Bản sao giấy khai sinh")
    press(qtbot, Qt.Key.Key_Tab)
    assert focus_widget() is dialog.count_spin
    qtbot.keyClicks(focus_widget(), "2")
    press(qtbot, Qt.Key.Key_Tab)
    assert focus_widget() is dialog.kind_combo
    press(qtbot, Qt.Key.Key_Down)  # Bản sao chứng thực
    press(qtbot, Qt.Key.Key_Return)  # adds the paper, back to its name
    assert focus_widget() is dialog.name_edit
    type_text(qtbot, "Tờ khai có chữ ký của người yêu cầu")
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.items() == [
        {"name": "Bản sao giấy khai sinh", "count": 2, "kind": "certified_copy"},
        {"name": "Tờ khai có chữ ký của người yêu cầu", "count": 1, "kind": "original"},
    ]
    press(qtbot, Qt.Key.Key_L, ALT)  # &Lý do
    assert focus_widget() is dialog.reason_edit
    type_text(qtbot, "Văn bản cần chứng thực chưa có bản chính để đối chiếu")
    press(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: pane.dialog is None, timeout=WAIT_MS)
    _activate(qtbot, window)
    _idle(qtbot, pane)

    assert _dossier(database, seeded.today).state == DossierState.SUPPLEMENT_REQUESTED.value
    with UnitOfWork(database, readonly=True) as uow:
        event = uow.session.scalars(
            select(DossierEvent)
            .join(Dossier, Dossier.id == DossierEvent.dossier_id)
            .where(Dossier.code == seeded.today, DossierEvent.kind == "request_supplement")
        ).one()
        assert event.data["items"][0] == {
            "name": "Bản sao giấy khai sinh",
            "count": 2,
            "kind": "certified_copy",
        }
        assert event.note == "Văn bản cần chứng thực chưa có bản chính để đối chiếu"
    qtbot.waitUntil(lambda: detail.state_chip.text() == "Chờ bổ sung hồ sơ", timeout=WAIT_MS)
    assert _history(pane)[-1] == (
        "27/11/2026 10:00",
        "Nguyễn Thị Hoa",
        "Yêu cầu bổ sung hồ sơ: Bản sao giấy khai sinh (2 bản sao chứng thực); "
        "Tờ khai có chữ ký của người yêu cầu (1 bản chính)",
        "Văn bản cần chứng thực chưa có bản chính để đối chiếu",
    )
    assert detail.visible_actions() == [DossierAction.SUPPLEMENT_RECEIVED, DossierAction.STOP]
    assert "02" in detail.visible_papers()
    # The counts follow the search (the code typed): this one moved between piles.
    assert "Chờ bổ sung (1)" in _filter_texts(pane)
    assert "Hạn hôm nay (1)" in _filter_texts(pane)

    # Ctrl+P opens what is offered: Mẫu 02, with the papers and the reason.
    assert detail.offered() == "02"
    press(qtbot, Qt.Key.Key_P, CTRL)
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=PAPER_MS)
    _idle(qtbot, pane)
    text = document_text(_docx_of(opened[0]))
    assert seeded.today in text
    assert "Bản sao giấy khai sinh" in text
    assert "Văn bản cần chứng thực chưa có bản chính để đối chiếu" in text


def test_extension_proposes_working_days_after_the_due_date(
    qtbot: QtBot,
    open_window: OpenWindow,
    seeded: Seeded,
    database: Database,
    opened: list[Path],
) -> None:
    window = open_window()
    pane = _dossier_tab(qtbot, window)
    pane.set_search(seeded.later)
    press(qtbot, Qt.Key.Key_F, CTRL)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.opened() is not None, timeout=WAIT_MS)
    _idle(qtbot, pane)
    press(qtbot, Qt.Key.Key_H, ALT)  # Gia &hạn
    qtbot.waitUntil(lambda: pane.dialog is not None, timeout=WAIT_MS)
    dialog = pane.dialog
    assert isinstance(dialog, ExtendDialog)
    qtbot.waitExposed(dialog)
    _activate(qtbot, dialog)
    # Re-registration takes 5 working days: from Tuesday 1/12 that is Tuesday 8/12, 17:00.
    assert dialog.days_spin.value() == 5
    assert dialog.new_due_at() == datetime(2026, 12, 8, 17, 0)
    assert dialog.due_hint.text() == "17 giờ 00, thứ Ba ngày 08/12/2026"
    assert focus_widget() is dialog.days_spin
    qtbot.keyClicks(focus_widget(), "3")  # three are enough: Friday 4/12
    assert dialog.new_due_at() == datetime(2026, 12, 4, 17, 0)
    press(qtbot, Qt.Key.Key_L, ALT)
    type_text(qtbot, "Cần xác minh nơi đăng ký khai sinh trước đây")
    press(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: pane.dialog is None, timeout=WAIT_MS)
    _activate(qtbot, window)
    _idle(qtbot, pane)
    assert _dossier(database, seeded.later).due_at == datetime(2026, 12, 4, 17, 0)
    detail = pane.detail_panel
    qtbot.waitUntil(lambda: detail.fact("due") == "17:00, ngày 04/12/2026", timeout=WAIT_MS)
    assert _history(pane)[-1][2] == "Gia hạn: hẹn mới 17:00 04/12/2026, hẹn cũ 17:00 01/12/2026"
    assert detail.offered() == "04"
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=PAPER_MS)
    _idle(qtbot, pane)
    text = document_text(_docx_of(opened[0]))
    assert seeded.later in text
    assert "Cần xác minh nơi đăng ký khai sinh trước đây" in text


def test_a_failed_submission_is_sent_again(
    qtbot: QtBot, open_window: OpenWindow, seeded: Seeded, database: Database
) -> None:
    window = open_window()
    pane = _dossier_tab(qtbot, window)
    press(qtbot, Qt.Key.Key_7, ALT)
    qtbot.waitUntil(lambda: _codes(pane) == [seeded.monday], timeout=WAIT_MS)
    assert pane.model.index(0, DossierListModel.ONLINE).data() == "Gửi lỗi"
    press(qtbot, Qt.Key.Key_Return)  # on the list: opens the row, keyboard on its first action
    qtbot.waitUntil(lambda: pane.opened() is not None, timeout=WAIT_MS)
    _idle(qtbot, pane)
    detail = pane.detail_panel
    assert "Gửi lỗi" in detail.fact("online")
    assert "thiếu tệp tờ khai" in detail.fact("online")
    assert detail.retry_button.isVisible()
    press(qtbot, Qt.Key.Key_R, ALT)  # Gửi lại t&rực tuyến
    qtbot.waitUntil(lambda: "Đã cho gửi lại" in detail.offer_label.text(), timeout=WAIT_MS)
    _idle(qtbot, pane)
    with UnitOfWork(database, readonly=True) as uow:
        state = uow.session.scalar(
            select(Submission.state)
            .join(Dossier, Dossier.id == Submission.dossier_id)
            .where(Dossier.code == seeded.monday)
        )
    assert state == "pending"
    qtbot.waitUntil(lambda: "Gửi trực tuyến lỗi (0)" in _filter_texts(pane), timeout=WAIT_MS)
    assert not detail.retry_button.isVisible()
    assert _history(pane)[-1][2] == "Gửi lại lên hệ thống dịch vụ công"


def test_the_list_follows_the_shared_database(
    qtbot: QtBot, open_window: OpenWindow, seeded: Seeded, database: Database
) -> None:
    window = open_window()
    pane = _dossier_tab(qtbot, window)
    assert "Đang xử lý (6)" in _filter_texts(pane)
    # Another counter receives a dossier due today: this one sees it without a keystroke.
    with UnitOfWork(database) as uow:
        code = create_dossier(
            uow,
            office_id=seeded.office_id,
            request=DossierRequest(SIGNATURE, BINH, counter_number=3),
            now=datetime(2026, 11, 27, 9, 50),
        ).code
    qtbot.waitUntil(lambda: code in _codes(pane), timeout=WAIT_MS)
    _idle(qtbot, pane)
    assert "Đang xử lý (7)" in _filter_texts(pane)
    assert "Hạn hôm nay (3)" in _filter_texts(pane)


def test_a_closed_dossier_still_reprints_its_papers(
    qtbot: QtBot,
    open_window: OpenWindow,
    seeded: Seeded,
    opened: list[Path],
    tmp_path: Path,
) -> None:
    window = open_window()
    pane = _dossier_tab(qtbot, window)
    press(qtbot, Qt.Key.Key_8, ALT)  # Đã trả
    qtbot.waitUntil(lambda: _codes(pane) == [seeded.returned], timeout=WAIT_MS)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.opened() is not None, timeout=WAIT_MS)
    _idle(qtbot, pane)
    detail = pane.detail_panel
    assert detail.visible_actions() == []
    assert focus_widget() is detail.paper_buttons["06"]  # nothing to do: the papers come first

    press(qtbot, Qt.Key.Key_M, ALT)  # In lại giấy tiếp nhận (&Mẫu 01)
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=PAPER_MS)
    _idle(qtbot, pane)
    receipt = document_text(_docx_of(opened[0]))
    assert seeded.returned in receipt
    assert "Nguyễn Văn An" in receipt

    slip = tmp_path / "slip.bin"
    assert not slip.exists()
    press(qtbot, Qt.Key.Key_L, ALT)  # In &lại giấy hẹn
    qtbot.waitUntil(slip.exists, timeout=WAIT_MS)
    _idle(qtbot, pane)
    assert slip.stat().st_size > 1000  # a raster image, not an error line
    assert pane.message.text() == f"Đã in lại giấy hẹn {seeded.returned}."
