"""The procedure picker driven from the keyboard: a few letters, arrows, Enter."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QEvent, Qt, QThreadPool
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from onestop_desk.core.text import search_key
from onestop_desk.db.database import Database
from onestop_desk.gui.reception.procedure_picker import ProcedurePicker, SearchFn
from onestop_desk.services.catalog import ProcedureSummary, load_catalog, search_procedures
from onestop_desk.services.office import find_office
from onestop_desk.services.uow import UnitOfWork

pytestmark = pytest.mark.gui

WAIT_MS = 5000


def _catalog_summaries() -> list[ProcedureSummary]:
    catalog = load_catalog().catalog
    field_names = {f.code: f.name for f in catalog.fields}
    return [
        ProcedureSummary(
            code=p.code,
            name=p.name,
            field_code=p.field,
            field_name=field_names[p.field],
            processing_time=p.processing_time.describe(),
            fee=p.fee.note or "; ".join(p.fee.quote().lines),
            documents=tuple(d.name for d in p.documents),
            form=p.form,
        )
        for p in catalog.procedures
    ]


SUMMARIES = _catalog_summaries()


def in_memory_search(text: str, field: str | None) -> list[ProcedureSummary]:
    """The service's ranking over the bundled catalog: code prefix, name prefix, all words."""
    words = search_key(text).split()
    if not words:
        return [s for s in SUMMARIES if s.field_code == field]
    ranked = []
    for s in SUMMARIES:
        key = search_key(s.name)
        if s.code.startswith(text.strip()):
            rank = 0
        elif key.startswith(" ".join(words)):
            rank = 1
        elif all(w in key for w in words):
            rank = 2
        else:
            continue
        ranked.append((rank, key, s))
    return [s for _, _, s in sorted(ranked, key=lambda r: (r[0], r[1]))]


@pytest.fixture
def open_picker(qtbot: QtBot) -> Iterator[Callable[[SearchFn], ProcedurePicker]]:
    def make(search: SearchFn = in_memory_search) -> ProcedurePicker:
        picker = ProcedurePicker(search)
        qtbot.addWidget(picker)
        picker.resize(1000, 560)
        picker.show()
        picker.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is picker, timeout=WAIT_MS)
        picker.focus_search()
        _idle(qtbot, picker)
        return picker

    yield make
    QThreadPool.globalInstance().waitForDone(10_000)


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type like a Vietnamese input method: QTest only knows ASCII keys, an IME sends text."""
    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch)
                QApplication.sendEvent(widget, event)


def _idle(qtbot: QtBot, picker: ProcedurePicker) -> None:
    qtbot.waitUntil(lambda: not picker.is_busy(), timeout=WAIT_MS)


def _codes(picker: ProcedurePicker) -> list[str]:
    return [s.code for s in picker.results()]


def test_typing_khai_sinh_lists_birth_procedures_with_details(
    qtbot: QtBot, open_picker: Callable[[SearchFn], ProcedurePicker]
) -> None:
    picker = open_picker(in_memory_search)
    qtbot.keyClicks(picker.search_edit, "khai sinh")
    _idle(qtbot, picker)
    assert _codes(picker)[0] == "1.001193"
    assert set(_codes(picker)) == {"1.001193", "1.004884", "1.000689"}
    # The field is a header band that can never be chosen; the first procedure is highlighted.
    header = picker.list.item(0)
    assert not header.flags() & Qt.ItemFlag.ItemIsSelectable
    assert picker.current() is not None
    assert picker.current().code == "1.001193"
    detail = picker.detail_view.toPlainText()
    assert "Giấy chứng sinh" in detail
    assert "Trong ngày" in detail
    assert "Miễn lệ phí" in detail
    assert picker.status_label.text().startswith("3 thủ tục")


def test_without_diacritics_finds_certified_copy_and_enter_chooses(
    qtbot: QtBot, open_picker: Callable[[SearchFn], ProcedurePicker]
) -> None:
    picker = open_picker(in_memory_search)
    qtbot.keyClicks(picker.search_edit, "chung thuc ban sao")
    # Enter straight after typing: the pending search finishes, then its first result is chosen.
    with qtbot.waitSignal(picker.sig_chosen, timeout=WAIT_MS) as chosen:
        qtbot.keyClick(picker.search_edit, Qt.Key.Key_Return)
    assert chosen.args[0].code == "2.000815"
    assert chosen.args[0].field_name == "Chứng thực"


def test_down_moves_into_the_list_arrows_skip_field_headers_enter_chooses(
    qtbot: QtBot, open_picker: Callable[[SearchFn], ProcedurePicker]
) -> None:
    picker = open_picker(in_memory_search)
    qtbot.keyClicks(picker.search_edit, "dang ky")  # civil status (HT) and residence (CTR)
    _idle(qtbot, picker)
    results = picker.results()
    fields = [s.field_code for s in results]
    assert fields[0] == "HT"
    assert "CTR" in fields
    first_residence = fields.index("CTR")

    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is picker.list
    assert picker.current() == results[0]
    for _ in range(first_residence):
        qtbot.keyClick(picker.list, Qt.Key.Key_Down)
    assert picker.current() == results[first_residence]
    # Up crosses the "Cư trú" header straight to the last civil-status procedure, and back.
    qtbot.keyClick(picker.list, Qt.Key.Key_Up)
    assert picker.current() == results[first_residence - 1]
    qtbot.keyClick(picker.list, Qt.Key.Key_Down)
    assert picker.current() == results[first_residence]
    with qtbot.waitSignal(picker.sig_chosen, timeout=WAIT_MS) as chosen:
        qtbot.keyClick(picker.list, Qt.Key.Key_Return)
    assert chosen.args[0] == results[first_residence]
    # Up from the first procedure goes back to the search box.
    qtbot.keyClick(picker.list, Qt.Key.Key_Home)
    qtbot.keyClick(picker.list, Qt.Key.Key_Up)
    assert QApplication.focusWidget() is picker.search_edit


def test_letters_typed_in_the_list_go_to_the_search_box(
    qtbot: QtBot, open_picker: Callable[[SearchFn], ProcedurePicker]
) -> None:
    picker = open_picker(in_memory_search)
    qtbot.keyClicks(picker.search_edit, "khai")
    _idle(qtbot, picker)
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Down)
    qtbot.keyClicks(picker.list, " tu")
    assert picker.search_edit.text() == "khai tu"
    assert QApplication.focusWidget() is picker.search_edit
    _idle(qtbot, picker)
    assert _codes(picker) == ["1.000656"]


def test_preselected_field_comes_first(
    qtbot: QtBot, open_picker: Callable[[SearchFn], ProcedurePicker]
) -> None:
    picker = open_picker(in_memory_search)
    qtbot.keyClicks(picker.search_edit, "dang ky")
    _idle(qtbot, picker)
    assert picker.results()[0].field_code == "HT"
    picker.preselect_field("CTR")
    _idle(qtbot, picker)
    assert picker.results()[0].field_code == "CTR"
    assert picker.current() is not None
    assert picker.current().field_code == "CTR"
    assert {s.code for s in picker.results()} >= {"1.004222", "1.004194", "1.001193"}


def test_nothing_found_says_so(
    qtbot: QtBot, open_picker: Callable[[SearchFn], ProcedurePicker]
) -> None:
    picker = open_picker(in_memory_search)
    type_text(qtbot, picker.search_edit, "cấp phép bay")
    _idle(qtbot, picker)
    assert picker.results() == []
    assert picker.status_label.text().startswith(
        "Không tìm thấy thủ tục nào khớp với “cấp phép bay”"
    )
    assert not picker.choose_button.isEnabled()
    with qtbot.assertNotEmitted(picker.sig_chosen):
        qtbot.keyClick(picker.search_edit, Qt.Key.Key_Return)
        _idle(qtbot, picker)


def test_typing_is_debounced_and_a_late_answer_is_ignored(
    qtbot: QtBot, open_picker: Callable[[SearchFn], ProcedurePicker]
) -> None:
    calls: list[str] = []
    slow_started = threading.Event()
    release = threading.Event()

    def search(text: str, field: str | None) -> list[ProcedureSummary]:
        calls.append(text)
        if text == "ket hon":
            slow_started.set()
            release.wait(5)
        return in_memory_search(text, field)

    picker = open_picker(search)
    calls.clear()
    qtbot.keyClicks(picker.search_edit, "ket hon")
    qtbot.waitUntil(slow_started.is_set, timeout=WAIT_MS)
    assert calls == ["ket hon"]  # one search for the whole word, not one per letter
    picker.search_edit.clear()
    qtbot.keyClicks(picker.search_edit, "khai tu")
    qtbot.waitUntil(lambda: _codes(picker) == ["1.000656"], timeout=WAIT_MS)
    release.set()
    QThreadPool.globalInstance().waitForDone(5000)
    qtbot.wait(50)  # the slow answer is delivered now, and must be dropped
    assert _codes(picker) == ["1.000656"]
    assert not picker.is_busy()


def test_search_failure_is_shown(
    qtbot: QtBot, open_picker: Callable[[SearchFn], ProcedurePicker]
) -> None:
    from onestop_desk.errors import DatabaseUnavailable

    def search(text: str, field: str | None) -> list[ProcedureSummary]:
        if text:
            raise DatabaseUnavailable("Không kết nối được cơ sở dữ liệu.", "Kiểm tra mạng.")
        return []

    picker = open_picker(search)
    qtbot.keyClicks(picker.search_edit, "khai sinh")
    _idle(qtbot, picker)
    assert "Không kết nối được cơ sở dữ liệu." in picker.status_label.text()


def test_real_catalog_search_on_the_database(
    qtbot: QtBot, database: Database, open_picker: Callable[[SearchFn], ProcedurePicker]
) -> None:
    def search(text: str, field: str | None) -> list[ProcedureSummary]:
        with UnitOfWork(database, readonly=True) as uow:
            return search_procedures(uow, office_id=find_office(uow).id, text=text)

    picker = open_picker(search)
    type_text(qtbot, picker.search_edit, "chứng thực bản sao")
    _idle(qtbot, picker)
    assert _codes(picker)[0] == "2.000815"
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Down)
    with qtbot.waitSignal(picker.sig_chosen, timeout=WAIT_MS) as chosen:
        qtbot.keyClick(picker.list, Qt.Key.Key_Return)
    assert chosen.args[0].code == "2.000815"
    assert chosen.args[0].documents
