"""The counter's queue panel driven like a reception specialist: clicks, function keys, dialogs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtGui import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from onestop_desk.config import Settings, resolve_paths
from onestop_desk.context import AppContext
from onestop_desk.core.ticket import PriorityReason, TicketAction, TicketState
from onestop_desk.db.database import Database
from onestop_desk.db.models import Ticket
from onestop_desk.gui.counter import CounterWindow, QueuePanel
from onestop_desk.gui.counter.models import LONG_WAIT_COLOUR, WaitingModel
from onestop_desk.gui.counter.transfer import TransferDialog
from onestop_desk.resources import resource_path
from onestop_desk.services.office import find_office
from onestop_desk.services.queue import (
    TicketInfo,
    act_on_ticket,
    get_ticket,
    issue_ticket,
    missed_tickets,
    record_print_result,
    ticket_in_hand,
    waiting_list,
)
from onestop_desk.services.uow import UnitOfWork
from tests.support.escpos_raster import decode_raster

pytestmark = pytest.mark.gui

WAIT_MS = 5000
OpenWindow = Callable[[int], CounterWindow]


def _office_id(database: Database) -> uuid.UUID:
    with UnitOfWork(database, readonly=True) as uow:
        return find_office(uow).id


def _issue(
    database: Database,
    field: str = "HT",
    *,
    reason: PriorityReason | None = None,
    now: datetime | None = None,
) -> TicketInfo:
    with UnitOfWork(database, source="kiosk") as uow:
        return issue_ticket(
            uow,
            office_id=_office_id(database),
            field_code=field,
            priority_reason=reason,
            now=now,
        )


def _in_hand(database: Database, counter: int) -> TicketInfo | None:
    with UnitOfWork(database, readonly=True) as uow:
        return ticket_in_hand(
            uow,
            office_id=_office_id(database),
            counter_number=counter,
            day=datetime.now().date(),
        )


def _ticket(database: Database, ticket_id: uuid.UUID) -> TicketInfo:
    with UnitOfWork(database, readonly=True) as uow:
        return get_ticket(uow, ticket_id)


def _shown_waiting(panel: QueuePanel) -> list[str]:
    return [t.display for t in panel.lists.waiting_model.tickets()]


@pytest.fixture
def ctx(tmp_path: Path, database: Database) -> AppContext:
    return AppContext(paths=resolve_paths(tmp_path), settings=Settings(), database=database)


@pytest.fixture
def open_window(qtbot: QtBot, ctx: AppContext) -> Iterator[OpenWindow]:
    """A factory for counter windows; closes them and lets background work end afterwards."""
    windows: list[CounterWindow] = []

    def make(counter: int = 1) -> CounterWindow:
        window = CounterWindow(ctx, counter_number=counter)
        qtbot.addWidget(window)
        window.show()
        _activate(qtbot, window)
        qtbot.waitUntil(lambda: window.panel.snapshot is not None, timeout=WAIT_MS)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
    QThreadPool.globalInstance().waitForDone(10_000)


def _activate(qtbot: QtBot, window: CounterWindow) -> None:
    # A window manager gives the focus back when a dialog closes; the offscreen platform does not.
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)


def _idle(qtbot: QtBot, panel: QueuePanel) -> None:
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=WAIT_MS)


def test_call_next_by_click_then_by_f2(
    qtbot: QtBot, database: Database, open_window: OpenWindow
) -> None:
    a001 = _issue(database)
    a002 = _issue(database)
    window = open_window(1)
    panel = window.panel
    qtbot.waitUntil(lambda: _shown_waiting(panel) == ["A001", "A002"], timeout=WAIT_MS)
    assert panel.card.number_label.text() == "—"
    assert panel.buttons.call_next.isEnabled()
    assert not panel.buttons.finish.isEnabled()
    assert "Hộ tịch" in panel.header.fields_label.text()
    assert panel.card.next_label.text() == "Tiếp theo: A001 (Hộ tịch)"

    # The dossier form beside the panel will follow the ticket in hand through this signal.
    with qtbot.waitSignal(
        panel.sig_ticket_in_hand,
        check_params_cb=lambda t: t is not None and t.display == "A001",
        timeout=WAIT_MS,
    ):
        qtbot.mouseClick(panel.buttons.call_next, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.card.number_label.text() == "A001", timeout=WAIT_MS)
    _idle(qtbot, panel)
    in_hand = _in_hand(database, 1)
    assert in_hand is not None
    assert (in_hand.id, in_hand.state) == (a001.id, TicketState.CALLED)
    assert panel.card.in_hand_title.text() == "ĐANG GỌI SỐ"
    assert "Đang mời số A001 đến quầy 1" in panel.message_label.text()
    assert _shown_waiting(panel) == ["A002"]
    for button in (
        panel.buttons.recall,
        panel.buttons.start,
        panel.buttons.finish,
        panel.buttons.skip,
        panel.buttons.transfer,
    ):
        assert button.isEnabled(), button.text()

    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: panel.card.number_label.text() == "A002", timeout=WAIT_MS)
    _idle(qtbot, panel)
    assert _ticket(database, a001.id).state is TicketState.DONE
    assert _ticket(database, a002.id).state is TicketState.CALLED
    assert "Đã xong số A001" in panel.message_label.text()
    # Nobody left: calling is off until someone takes a number.
    assert _shown_waiting(panel) == []
    assert not panel.buttons.call_next.isEnabled()
    assert panel.card.next_label.text() == "Không còn ai chờ"


def test_a_quick_double_f2_calls_one_citizen(
    qtbot: QtBot, database: Database, open_window: OpenWindow
) -> None:
    _issue(database)
    second = _issue(database)
    window = open_window(1)
    panel = window.panel
    qtbot.waitUntil(lambda: len(_shown_waiting(panel)) == 2, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: panel.card.number_label.text() == "A001", timeout=WAIT_MS)
    _idle(qtbot, panel)
    assert _ticket(database, second.id).state is TicketState.WAITING
    assert _shown_waiting(panel) == ["A002"]


def test_recall_start_and_finish_with_function_keys(
    qtbot: QtBot, database: Database, open_window: OpenWindow
) -> None:
    a001 = _issue(database)
    window = open_window(1)
    panel = window.panel
    qtbot.waitUntil(panel.buttons.call_next.isEnabled, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: panel.card.number_label.text() == "A001", timeout=WAIT_MS)
    _idle(qtbot, panel)

    qtbot.keyClick(window, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: "Đã gọi lại số A001" in panel.message_label.text(), timeout=WAIT_MS)
    _idle(qtbot, panel)
    with UnitOfWork(database, readonly=True) as uow:
        row = uow.session.get(Ticket, a001.id)
        assert row is not None
        assert row.call_count == 2

    # The keys work wherever the focus is, also in the counter list (where F4 opens it).
    panel.header.counter_combo.setFocus()
    qtbot.keyClick(panel.header.counter_combo, Qt.Key.Key_F4)
    qtbot.waitUntil(lambda: panel.card.in_hand_title.text() == "ĐANG PHỤC VỤ", timeout=WAIT_MS)
    _idle(qtbot, panel)
    assert _ticket(database, a001.id).state is TicketState.SERVING
    # Serving: no more recall or no-show, but finish and transfer.
    assert not panel.buttons.recall.isEnabled()
    assert not panel.buttons.skip.isEnabled()
    assert not panel.buttons.start.isEnabled()
    assert panel.buttons.finish.isEnabled()
    assert panel.buttons.transfer.isEnabled()

    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: panel.card.number_label.text() == "—", timeout=WAIT_MS)
    _idle(qtbot, panel)
    assert _ticket(database, a001.id).state is TicketState.DONE
    assert _in_hand(database, 1) is None
    assert not panel.buttons.finish.isEnabled()


def test_skip_lists_the_no_show_and_call_back_brings_it_back(
    qtbot: QtBot, database: Database, open_window: OpenWindow
) -> None:
    a001 = _issue(database)
    a002 = _issue(database)
    window = open_window(1)
    panel = window.panel
    qtbot.waitUntil(panel.buttons.call_next.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(panel.buttons.call_next, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.card.number_label.text() == "A001", timeout=WAIT_MS)
    _idle(qtbot, panel)
    assert panel.lists.missed_title.text() == "Vắng mặt: 0 số"
    assert not panel.lists.call_back_button.isEnabled()

    qtbot.mouseClick(panel.buttons.skip, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.lists.missed_model.rowCount() == 1, timeout=WAIT_MS)
    _idle(qtbot, panel)
    assert _ticket(database, a001.id).state is TicketState.NO_SHOW
    assert panel.lists.missed_title.text() == "Vắng mặt: 1 số"
    assert panel.card.number_label.text() == "—"
    assert panel.selected_missed() == a001.id  # the latest no-show is ready to call back

    panel.lists.missed_view.setFocus()  # F2 would start editing in a table: here it calls
    qtbot.keyClick(panel.lists.missed_view, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: panel.card.number_label.text() == "A002", timeout=WAIT_MS)
    _idle(qtbot, panel)

    # The citizen comes back to the desk: one tap calls A001 again, A002 is finished first.
    assert panel.lists.call_back_button.isEnabled()
    qtbot.mouseClick(panel.lists.call_back_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.card.number_label.text() == "A001", timeout=WAIT_MS)
    _idle(qtbot, panel)
    assert _ticket(database, a001.id).state is TicketState.CALLED
    assert _ticket(database, a002.id).state is TicketState.DONE
    assert panel.lists.missed_model.rowCount() == 0
    assert not panel.lists.call_back_button.isEnabled()
    with UnitOfWork(database, readonly=True) as uow:
        assert (
            missed_tickets(
                uow, office_id=_office_id(database), counter_number=1, day=datetime.now().date()
            )
            == []
        )


def test_transfer_through_the_dialog_to_counter_3(
    qtbot: QtBot, database: Database, open_window: OpenWindow
) -> None:
    a001 = _issue(database)
    _issue(database, "CT")
    window = open_window(1)
    panel = window.panel
    qtbot.waitUntil(panel.buttons.call_next.isEnabled, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: panel.card.number_label.text() == "A001", timeout=WAIT_MS)
    _idle(qtbot, panel)

    qtbot.keyClick(window, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: panel.transfer_dialog is not None, timeout=WAIT_MS)
    dialog = panel.transfer_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    counters = [dialog.counter_combo.itemText(i) for i in range(dialog.counter_combo.count())]
    assert counters == [
        "Quầy nào cũng được (theo lĩnh vực)",
        "Quầy 2 — Hộ tịch, Cư trú",
        "Quầy 3 — Chứng thực",
        "Quầy 4 — mọi lĩnh vực",
    ]
    dialog.select(3)
    # Counter 3 only takes Chứng thực: the field follows.
    assert dialog.field_combo.count() == 1
    assert dialog.choice() == (3, "CT")
    assert "quầy số 3" in dialog.summary.text()
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: panel.card.number_label.text() == "—", timeout=WAIT_MS)
    _idle(qtbot, panel)
    assert "Đã chuyển số A001 sang quầy số 3 (Chứng thực)" in panel.message_label.text()
    assert _ticket(database, a001.id).state is TicketState.TRANSFERRED
    with UnitOfWork(database, readonly=True) as uow:
        at_3 = waiting_list(uow, office_id=_office_id(database), counter_number=3)
    assert [(w.display, w.transferred) for w in at_3] == [("A001", True), ("B001", False)]

    # The same desk switches to counter 3: A001 waits first, marked, and is called there.
    panel.header.counter_combo.setCurrentIndex(panel.header.counter_combo.findData(3))
    qtbot.waitUntil(lambda: _shown_waiting(panel) == ["A001", "B001"], timeout=WAIT_MS)
    note = panel.lists.waiting_model.index(0, WaitingModel.NOTE).data()
    assert note == "Chuyển đến"
    assert panel.header.fields_label.text() == "Lĩnh vực: Chứng thực"
    assert window.windowTitle().startswith("Quầy 3")
    _activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: panel.card.number_label.text() == "A001", timeout=WAIT_MS)
    _idle(qtbot, panel)
    assert panel.card.in_hand_field.text() == "Chứng thực"
    assert panel.card.transfer_badge.isVisibleTo(panel)
    in_hand = _in_hand(database, 3)
    assert in_hand is not None
    assert in_hand.display == "A001"


def test_cancelled_transfer_changes_nothing(
    qtbot: QtBot, database: Database, open_window: OpenWindow
) -> None:
    a001 = _issue(database)
    window = open_window(4)
    panel = window.panel
    qtbot.waitUntil(panel.buttons.call_next.isEnabled, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: panel.card.number_label.text() == "A001", timeout=WAIT_MS)
    _idle(qtbot, panel)
    qtbot.mouseClick(panel.buttons.transfer, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.transfer_dialog is not None, timeout=WAIT_MS)
    dialog = panel.transfer_dialog
    assert dialog is not None
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: panel.transfer_dialog is None, timeout=WAIT_MS)
    _idle(qtbot, panel)
    assert _ticket(database, a001.id).state is TicketState.CALLED
    assert panel.card.number_label.text() == "A001"


def test_priority_tickets_are_marked_and_called_by_the_policy(
    qtbot: QtBot, database: Database, open_window: OpenWindow
) -> None:
    _issue(database)
    _issue(database, "CTR")
    _issue(database, reason=PriorityReason.ELDERLY)
    window = open_window(2)
    panel = window.panel
    # The counter owes a priority call at opening: the elderly citizen is first.
    qtbot.waitUntil(lambda: _shown_waiting(panel) == ["A002", "A001", "C001"], timeout=WAIT_MS)
    model = panel.lists.waiting_model
    assert model.index(0, WaitingModel.NOTE).data() == "Ưu tiên: Người cao tuổi"
    assert model.index(1, WaitingModel.NOTE).data() == ""
    assert model.index(0, WaitingModel.ORDER).data() == "1"
    assert model.index(0, WaitingModel.WAITED).data() == "0 phút"
    assert panel.header.fields_label.text() == "Lĩnh vực: Hộ tịch, Cư trú"
    assert panel.header.policy_label.text() == "Thứ tự gọi: 1 số ưu tiên sau mỗi 3 số thường"
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: panel.card.number_label.text() == "A002", timeout=WAIT_MS)
    _idle(qtbot, panel)
    assert panel.card.priority_badge.isVisibleTo(panel)
    assert panel.card.priority_badge.text() == "Ưu tiên: Người cao tuổi"


class _MidMorning(datetime):
    """The panel's clock pinned to 10:00, so a 42-minute wait exists at any hour of the run."""

    @classmethod
    def now(cls, tz: object = None) -> _MidMorning:  # type: ignore[override]
        return cls(2026, 11, 24, 10, 0)


def test_long_waits_are_flagged(
    qtbot: QtBot, database: Database, open_window: OpenWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("onestop_desk.gui.counter.data.datetime", _MidMorning)
    now = _MidMorning.now()
    _issue(database, now=now - timedelta(minutes=42))
    _issue(database, now=now)
    window = open_window(1)
    panel = window.panel
    qtbot.waitUntil(lambda: len(_shown_waiting(panel)) == 2, timeout=WAIT_MS)
    model = panel.lists.waiting_model
    waited = model.index(0, WaitingModel.WAITED)
    assert waited.data() in {"42 phút", "43 phút"}
    assert waited.data(Qt.ItemDataRole.ForegroundRole).color() == LONG_WAIT_COLOUR
    assert model.index(1, WaitingModel.WAITED).data(Qt.ItemDataRole.ForegroundRole) is None
    assert panel.lists.long_wait_label.text() == "⚠ 1 người đã chờ quá 30 phút"


def test_ticket_from_another_process_appears_within_a_second(
    qtbot: QtBot, database: Database, db_url: str, open_window: OpenWindow
) -> None:
    window = open_window(1)
    panel = window.panel
    _idle(qtbot, panel)
    assert _shown_waiting(panel) == []
    assert not panel.buttons.call_next.isEnabled()
    qtbot.waitUntil(lambda: panel.header.connection_label.text() == "● Đã kết nối", timeout=WAIT_MS)
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    subprocess.run(
        [sys.executable, "-m", "onestop_desk", "--db", db_url, "ticket", "issue", "--field", "HT"],
        check=True,
        capture_output=True,
        env=env,
        timeout=60,
    )
    qtbot.waitUntil(lambda: _shown_waiting(panel) == ["A001"], timeout=1000)
    assert panel.buttons.call_next.isEnabled()


def test_reprint_to_a_file_printer(
    qtbot: QtBot, tmp_path: Path, ctx: AppContext, database: Database, open_window: OpenWindow
) -> None:
    job = tmp_path / "job.bin"
    ctx.settings.printer.ticket_url = f"file:{job}"
    ctx.settings.printer.width_dots = 384
    _issue(database)
    a002 = _issue(database, reason=PriorityReason.PREGNANT)
    with UnitOfWork(database, source="kiosk") as uow:
        record_print_result(uow, ticket_id=a002.id, error="Máy in hết giấy.")
    window = open_window(1)
    panel = window.panel
    qtbot.waitUntil(lambda: panel.reprint_strip.isVisibleTo(panel), timeout=WAIT_MS)
    assert "A002" in panel.reprint_strip.label.text()
    assert "Máy in hết giấy" in panel.reprint_strip.label.text()
    button = panel.reprint_strip.buttons[a002.id]
    assert button.text() == "In lại A002"

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.reprint_strip.isVisibleTo(panel), timeout=WAIT_MS)
    _idle(qtbot, panel)
    assert panel.message_label.text() == "Đã in lại phiếu số A002."
    images = decode_raster(job.read_bytes())
    assert len(images) == 1
    assert images[0].width == 384
    assert images[0].getextrema() == (0, 255)  # black ink on white paper, not a blank page
    reprinted = _ticket(database, a002.id)
    assert reprinted.print_error is None
    assert reprinted.printed_at is not None


def test_failed_reprint_keeps_the_warning_and_says_why(
    qtbot: QtBot, tmp_path: Path, ctx: AppContext, database: Database, open_window: OpenWindow
) -> None:
    ctx.settings.printer.ticket_url = f"file:{tmp_path / 'no-such-folder' / 'job.bin'}"
    a001 = _issue(database)
    with UnitOfWork(database, source="kiosk") as uow:
        record_print_result(uow, ticket_id=a001.id, error="Máy in hết giấy.")
    window = open_window(1)
    panel = window.panel
    qtbot.waitUntil(lambda: a001.id in panel.reprint_strip.buttons, timeout=WAIT_MS)
    qtbot.mouseClick(panel.reprint_strip.buttons[a001.id], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: panel.message_label.text().startswith("Không in lại được phiếu"), timeout=WAIT_MS
    )
    _idle(qtbot, panel)
    assert panel.reprint_strip.isVisibleTo(panel)
    assert panel.reprint_strip.buttons[a001.id].isEnabled()  # try again once the printer is fixed
    error = _ticket(database, a001.id).print_error
    assert error is not None
    assert error != "Máy in hết giấy."


def test_action_on_a_ticket_changed_elsewhere_shows_why(
    qtbot: QtBot, database: Database, open_window: OpenWindow
) -> None:
    a001 = _issue(database)
    window = open_window(1)
    panel = window.panel
    qtbot.waitUntil(panel.buttons.call_next.isEnabled, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: panel.card.number_label.text() == "A001", timeout=WAIT_MS)
    _idle(qtbot, panel)
    # Another PC finishes the ticket before this panel hears of it.
    panel.stop()
    window.changes.watcher.stop()
    with UnitOfWork(database, source="counter") as uow:
        act_on_ticket(uow, ticket_id=a001.id, action=TicketAction.FINISH)
    qtbot.keyClick(window, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: panel.card.number_label.text() == "—", timeout=WAIT_MS)
    _idle(qtbot, panel)
    text = panel.message_label.text()
    assert text.startswith("Không thực hiện được:")
    assert "“Gọi lại”" in text
    assert "“Đã xong”" in text
    assert panel.message_label.property("kind") == "error"


def test_counter_choice_lists_the_office_counters(
    qtbot: QtBot, database: Database, open_window: OpenWindow
) -> None:
    window = open_window(99)  # a counter that does not exist: the first one is shown
    panel = window.panel
    combo = panel.header.counter_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "Quầy 1",
        "Quầy 2",
        "Quầy 3",
        "Quầy 4",
    ]
    assert combo.currentData() == 1
    assert panel.counter_number == 1
    assert panel.message_label.text() == "Không có quầy số 99; đang hiện Quầy 1."

    combo.setCurrentIndex(combo.findData(4))
    qtbot.waitUntil(lambda: panel.header.fields_label.text() == "Lĩnh vực: tất cả", timeout=WAIT_MS)
    assert window.windowTitle() == "Quầy 4 — OneStop Desk"
    _idle(qtbot, panel)


def test_unreachable_database_is_said_and_nothing_can_be_pressed(
    qtbot: QtBot, tmp_path: Path
) -> None:
    database = Database("postgresql://desk:x@127.0.0.1:1/onestop")
    ctx = AppContext(paths=resolve_paths(tmp_path), settings=Settings(), database=database)
    window = CounterWindow(ctx, counter_number=1)
    qtbot.addWidget(window)
    window.show()
    panel = window.panel
    qtbot.waitUntil(
        lambda: panel.message_label.text().startswith("Không đọc được danh sách chờ"),
        timeout=10_000,
    )
    assert "Không kết nối được" in panel.message_label.text()
    assert panel.header.connection_label.text() == "● Mất kết nối, đang thử lại…"
    assert not any(action.isEnabled() for action in panel.queue_actions.all())
    window.close()
    QThreadPool.globalInstance().waitForDone(10_000)
    database.dispose()


def test_every_name_the_counter_style_sheet_styles_is_on_screen(
    qtbot: QtBot, database: Database, open_window: OpenWindow
) -> None:
    # A widget renamed without its rule in counter.qss would silently lose its colours.
    _issue(database)
    window = open_window(1)
    panel = window.panel
    snap = panel.snapshot
    assert snap is not None
    dialog = TransferDialog(
        _issue(database),
        counters=snap.counters,
        fields=snap.fields,
        current_counter=1,
        parent=panel,
    )
    sheet = resource_path("styles", "counter.qss").read_text(encoding="utf-8")
    selectors = re.findall(r"([^{}]+)\{", re.sub(r"/\*.*?\*/", "", sheet, flags=re.S))
    styled = {name for selector in selectors for name in re.findall(r"#(\w+)", selector)}
    shown = {w.objectName() for w in panel.findChildren(QWidget)} | {
        w.objectName() for w in dialog.findChildren(QWidget)
    }
    assert styled, "counter.qss names no widget"
    assert styled <= shown, styled - shown
    assert panel.styleSheet() == sheet
    dialog.deleteLater()
