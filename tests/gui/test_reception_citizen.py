"""Identifying the citizen: a scanned card fills the form, typing is checked, Enter confirms."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QThreadPool
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from onestop_desk.core.citizen_id import Sex, decode_scanner_bytes
from onestop_desk.gui.reception.citizen import FIELDS, CitizenPanel
from onestop_desk.gui.reception.scanner import WedgeScanDetector
from onestop_desk.services.reception import Applicant

pytestmark = pytest.mark.gui

WAIT_MS = 5000
TODAY = date(2026, 3, 10)
ADDRESS = "Số 12, thôn Hòa Bình, xã Hòa Sơn, tỉnh Đắk Lắk"
PAYLOAD = f"001099012345|012345678|Nguyễn Văn An|01011999|Nam|{ADDRESS}|15082021"
# The number says "woman born in the 1900s"; the card says Nam: someone must look at the card.
MISMATCH = PAYLOAD.replace("001099012345", "001199012345")
AN = Applicant(
    id_number="001099012345",
    old_id_number="012345678",
    full_name="Nguyễn Văn An",
    date_of_birth=date(1999, 1, 1),
    sex=Sex.MALE,
    address=ADDRESS,
    phone="0912345678",
    email="an.nguyen@gmail.com",
)
Lookup = Callable[[str], Applicant | None]


@pytest.fixture(autouse=True)
def _no_work_left_behind() -> Iterator[None]:
    yield
    QThreadPool.globalInstance().waitForDone(10_000)


def type_text(widget: QWidget, text: str) -> None:
    """Type like a person with a Vietnamese keyboard (QTest.keyClicks only knows Latin-1)."""
    for ch in text:
        upper = ch.upper()
        code = ord(upper) if len(upper) == 1 else 0
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, code, Qt.KeyboardModifier.NoModifier, ch)
            QCoreApplication.sendEvent(widget, event)


def _open(qtbot: QtBot, lookup: Lookup | None = None) -> CitizenPanel:
    panel = CitizenPanel(lookup, today=lambda: TODAY)
    qtbot.addWidget(panel)
    panel.resize(820, 560)
    panel.show()
    panel.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is panel, timeout=WAIT_MS)
    return panel


def _confirmations(panel: CitizenPanel) -> list[Applicant]:
    got: list[Applicant] = []
    panel.sig_confirmed.connect(got.append)
    return got


def test_scan_fills_the_form_and_asks_for_the_phone_next(qtbot: QtBot) -> None:
    panel = _open(qtbot)
    changes: list[bool] = []
    panel.sig_changed.connect(lambda: changes.append(True))
    assert panel.load_payload(PAYLOAD + "\r\n")
    assert panel.id_edit.text() == "001099012345"
    assert panel.old_id_edit.text() == "012345678"
    assert panel.name_edit.text() == "Nguyễn Văn An"
    assert panel.dob_edit.text() == "01/01/1999"
    assert panel.sex_combo.currentText() == "Nam"
    assert panel.address_edit.text() == ADDRESS
    assert "Đã đọc mã QR trên thẻ Căn cước (thẻ cấp ngày 15/08/2021)" in (panel.source_label.text())
    assert not panel.warning_box.isVisible()
    assert not panel.error_box.isVisible()
    assert panel.phone_edit.hasFocus()
    assert changes == [True]  # one scan, one change

    got = _confirmations(panel)
    qtbot.keyClicks(panel.phone_edit, "0912 345 678")
    qtbot.keyClick(panel.phone_edit, Qt.Key.Key_Return)
    assert got == [
        Applicant(
            id_number="001099012345",
            old_id_number="012345678",
            full_name="Nguyễn Văn An",
            date_of_birth=date(1999, 1, 1),
            sex=Sex.MALE,
            address=ADDRESS,
            phone="0912345678",
            email=None,
        )
    ]


def test_card_warning_shows_in_the_amber_box(qtbot: QtBot) -> None:
    panel = _open(qtbot)
    panel.load_payload(MISMATCH)
    assert panel.warning_box.isVisible()
    text = panel.warning_box.text()
    assert text.startswith("Lưu ý khi đối chiếu với thẻ:")
    assert "Giới tính theo số định danh (Nữ) không khớp với giới tính trên thẻ (Nam)." in text
    # It was on screen when Enter was pressed: that is the specialist's go-ahead.
    got = _confirmations(panel)
    qtbot.keyClick(panel.phone_edit, Qt.Key.Key_Return)
    assert [r.id_number for r in got] == ["001199012345"]


def test_garbled_name_is_pointed_at_and_must_be_retyped(qtbot: QtBot) -> None:
    panel = _open(qtbot)
    got = _confirmations(panel)
    panel.load_payload(PAYLOAD.replace("Nguyễn Văn An", "Nguy?n V?n An"))
    assert panel.name_note.isVisible()
    assert panel.name_note.text() == "Tên trên thẻ bị lỗi dấu do máy quét, vui lòng gõ lại."
    assert panel.name_edit.property("attention") is True
    assert panel.name_edit.hasFocus()
    assert panel.name_edit.selectedText() == "Nguy?n V?n An"  # typing replaces it
    # The note says it; the amber box does not repeat it.
    assert not panel.warning_box.isVisible()

    qtbot.keyClick(panel.name_edit, Qt.Key.Key_Return)
    assert got == []
    assert "Họ và tên còn ký tự lỗi do máy quét, vui lòng gõ lại." in panel.error_box.text()

    type_text(panel.name_edit, "Nguyễn Văn An")
    assert panel.name_edit.text() == "Nguyễn Văn An"
    assert not panel.name_note.isVisible()
    assert panel.name_edit.property("attention") is False
    qtbot.keyClick(panel.name_edit, Qt.Key.Key_Return)
    assert [r.full_name for r in got] == ["Nguyễn Văn An"]


def test_mojibake_name_and_address_come_with_a_guess(qtbot: QtBot) -> None:
    panel = _open(qtbot)
    mojibake = "Nguyễn Văn An".encode().decode("cp1252")
    panel.load_payload(PAYLOAD.replace("Nguyễn Văn An", mojibake).replace("Hòa", "H\ufffda"))
    assert panel.name_note.text() == (
        "Tên trên thẻ bị lỗi dấu do máy quét, vui lòng gõ lại. Có thể đúng là “Nguyễn Văn An”."
    )
    assert panel.address_note.isVisible()
    assert panel.address_note.text().startswith("Địa chỉ trên thẻ bị lỗi dấu do máy quét")
    assert panel.name_edit.hasFocus()  # the name first, then the address


def test_random_bytes_are_refused_and_nothing_is_overwritten(qtbot: QtBot) -> None:
    panel = _open(qtbot)
    panel.load_payload(PAYLOAD)
    before = panel.values()
    noise = decode_scanner_bytes(bytes([0x8F, 0x00, 0xFF, 0x41, 0x7C, 0xC3, 0x28, 0x0D] * 5))
    assert not panel.load_payload(noise)
    assert panel.error_box.isVisible()
    assert panel.error_box.text() == (
        "Không đọc được mã QR trên thẻ: Mã QR không phải của thẻ Căn cước công dân: cần ít "
        "nhất 7 trường phân tách bằng dấu |, nhận được 6.\n"
        "Vui lòng quét lại, hoặc nhập tay thông tin của công dân."
    )
    assert panel.values() == before


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("id_edit", "00109901234", "Số định danh cá nhân phải gồm đúng 12 chữ số (đang có 11)."),
        ("id_edit", "999099012345", "Ba chữ số đầu của số định danh cá nhân (999)"),
        ("dob_edit", "01/01/2030", "Ngày sinh không thể là ngày trong tương lai."),
        ("dob_edit", "31/02/1999", "Ngày sinh 31/02/1999 không có thật."),
        ("dob_edit", "1999", "Ngày sinh cần viết theo dạng ngày/tháng/năm"),
        ("name_edit", "", "Chưa nhập họ và tên."),
        ("phone_edit", "12345", "Số điện thoại chưa đúng"),
        ("email_edit", "an.nguyen@gmail", "Địa chỉ email chưa đúng"),
        ("old_id_edit", "1234", "Số CMND cũ phải gồm 9 chữ số"),
    ],
)
def test_typed_values_are_checked_on_enter(
    qtbot: QtBot, field: str, typed: str, message: str
) -> None:
    panel = _open(qtbot)
    got = _confirmations(panel)
    panel.load_payload(PAYLOAD)
    edit = getattr(panel, field)
    edit.clear()
    edit.setFocus()
    qtbot.keyClicks(edit, typed)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert got == []
    assert panel.error_box.isVisible()
    assert panel.error_box.text().startswith("Vui lòng sửa trước khi xác nhận:\n• ")
    assert message in panel.error_box.text()
    assert edit.property("invalid") is True
    assert edit.hasFocus()
    qtbot.keyClicks(edit, "7")  # editing takes the red frame away
    assert edit.property("invalid") is False


def test_typing_by_hand_with_the_keyboard_only(qtbot: QtBot) -> None:
    panel = _open(qtbot)
    got = _confirmations(panel)
    panel.id_edit.setFocus()
    visited: list[QWidget | None] = []
    for _ in range(9):
        visited.append(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert visited == [
        panel.id_edit,
        panel.old_id_edit,
        panel.name_edit,
        panel.dob_edit,
        panel.sex_combo,
        panel.address_edit,
        panel.phone_edit,
        panel.email_edit,
        panel.confirm_button,
    ]

    panel.id_edit.setFocus()
    qtbot.keyClicks(panel.id_edit, "001 099 012345")
    qtbot.keyClick(panel.id_edit, Qt.Key.Key_Tab)
    qtbot.keyClick(panel.old_id_edit, Qt.Key.Key_Tab)
    type_text(panel.name_edit, "Nguyễn Văn An")
    qtbot.keyClick(panel.name_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(panel.dob_edit, "1.1.1999")
    qtbot.keyClick(panel.dob_edit, Qt.Key.Key_Tab)
    assert panel.dob_edit.text() == "01/01/1999"  # tidied on leaving the field
    qtbot.keyClick(panel.sex_combo, Qt.Key.Key_Down)
    assert panel.sex_combo.currentText() == "Nam"
    qtbot.keyClick(panel.sex_combo, Qt.Key.Key_Tab)
    type_text(panel.address_edit, ADDRESS)
    qtbot.keyClick(panel.address_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(panel.phone_edit, "+84 912 345 678")
    qtbot.keyClick(panel.phone_edit, Qt.Key.Key_Return)
    assert not panel.error_box.isVisible()
    assert got == [
        Applicant(
            id_number="001099012345",
            old_id_number=None,
            full_name="Nguyễn Văn An",
            date_of_birth=date(1999, 1, 1),
            sex=Sex.MALE,
            address=ADDRESS,
            phone="0912345678",
        )
    ]


def test_number_disagreeing_with_sex_is_warned_before_confirming(qtbot: QtBot) -> None:
    panel = _open(qtbot)
    got = _confirmations(panel)
    panel.set_values(
        {
            "id_number": "001099012345",
            "full_name": "Nguyễn Thị Lan",
            "date_of_birth": "01/01/1998",
            "sex": "Nữ",
            "address": ADDRESS,
        }
    )
    qtbot.mouseClick(panel.confirm_button, Qt.MouseButton.LeftButton)
    assert got == []
    text = panel.warning_box.text()
    assert "Giới tính theo số định danh (Nam) không khớp với giới tính trên thẻ (Nữ)." in text
    assert "Năm sinh theo số định danh (1999) không khớp với năm sinh trên thẻ (1998)." in text
    assert text.endswith("Nếu thông tin đúng như trên thẻ, nhấn Xác nhận lần nữa.")
    assert panel.confirm_button.hasFocus()

    # A typo fixed: the warnings about the old values go away.
    panel.dob_edit.setFocus()
    panel.dob_edit.selectAll()
    qtbot.keyClicks(panel.dob_edit, "01/01/1999")
    assert not panel.warning_box.isVisible()
    qtbot.keyClick(panel.dob_edit, Qt.Key.Key_Return)
    assert got == []  # the sex still disagrees: shown again, once
    assert "Năm sinh" not in panel.warning_box.text()
    qtbot.keyClick(panel.confirm_button, Qt.Key.Key_Return)
    assert [r.full_name for r in got] == ["Nguyễn Thị Lan"]


def test_returning_citizen_gets_phone_and_email_filled(qtbot: QtBot) -> None:
    asked: list[str] = []
    threads: list[bool] = []

    def lookup(number: str) -> Applicant | None:
        asked.append(number)
        threads.append(threading.current_thread() is threading.main_thread())
        return AN if number == AN.id_number else None

    panel = _open(qtbot, lookup)
    panel.load_payload(PAYLOAD)
    qtbot.waitUntil(panel.returning_note.isVisible, timeout=WAIT_MS)
    assert panel.returning_note.text().startswith("Công dân đã từng nộp hồ sơ tại đây.")
    assert "điện thoại, email" in panel.returning_note.text()
    assert panel.phone_edit.text() == "0912345678"
    assert panel.email_edit.text() == "an.nguyen@gmail.com"
    assert asked == ["001099012345"]
    assert threads == [False]  # the database is asked off the GUI thread

    # Someone new: nothing found, no note, and the previous person's contacts are gone.
    panel.load_payload(PAYLOAD.replace("001099012345", "066099001234"))
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=WAIT_MS)
    assert asked == ["001099012345", "066099001234"]
    assert not panel.returning_note.isVisible()
    assert panel.phone_edit.text() == ""
    assert panel.email_edit.text() == ""


def test_lookup_starts_once_twelve_digits_are_typed(qtbot: QtBot) -> None:
    asked: list[str] = []

    def lookup(number: str) -> Applicant | None:
        asked.append(number)
        return AN

    panel = _open(qtbot, lookup)
    panel.id_edit.setFocus()
    qtbot.keyClicks(panel.id_edit, "00109901234")
    qtbot.wait(100)
    assert asked == []
    qtbot.keyClicks(panel.id_edit, "5")
    qtbot.waitUntil(panel.returning_note.isVisible, timeout=WAIT_MS)
    assert asked == ["001099012345"]
    # Typed by hand, so everything the desk knew is filled in.
    assert panel.name_edit.text() == "Nguyễn Văn An"
    assert panel.dob_edit.text() == "01/01/1999"
    assert panel.sex_combo.currentText() == "Nam"
    assert panel.address_edit.text() == ADDRESS


def test_stale_lookup_answer_is_ignored(qtbot: QtBot) -> None:
    release = threading.Event()

    def lookup(number: str) -> Applicant | None:
        release.wait(WAIT_MS / 1000)
        return AN if number == AN.id_number else None

    panel = _open(qtbot, lookup)
    panel.id_edit.setText("001099012345")
    assert panel.is_busy()
    assert panel.lookup_status.text() == "Đang tìm hồ sơ cũ của công dân…"
    panel.id_edit.setText("066099001234")  # the specialist corrected the number meanwhile
    release.set()
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=WAIT_MS)
    assert panel.name_edit.text() == ""
    assert not panel.returning_note.isVisible()
    assert panel.lookup_status.text() == ""


def test_lookup_failure_does_not_stop_the_reception(qtbot: QtBot) -> None:
    from onestop_desk.errors import DatabaseUnavailable

    def lookup(number: str) -> Applicant | None:
        raise DatabaseUnavailable("Không kết nối được cơ sở dữ liệu.")

    panel = _open(qtbot, lookup)
    panel.load_payload(PAYLOAD)
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=WAIT_MS)
    assert panel.lookup_status.text() == (
        "Không tra được hồ sơ cũ của công dân; vẫn nhập tiếp được."
    )
    assert panel.name_edit.text() == "Nguyễn Văn An"


def test_drafts_round_trip_and_changes_are_announced(qtbot: QtBot) -> None:
    panel = _open(qtbot)
    panel.load_payload(PAYLOAD)
    qtbot.keyClicks(panel.phone_edit, "0912345678")
    draft = panel.values()
    assert list(draft) == list(FIELDS)
    assert draft["sex"] == "Nam"
    assert draft["phone"] == "0912345678"

    other = _open(qtbot)
    changes: list[bool] = []
    other.sig_changed.connect(lambda: changes.append(True))
    other.set_values(draft)
    assert other.values() == draft
    assert changes == []  # putting a draft back is not an edit
    qtbot.keyClicks(other.email_edit, "a")
    assert changes == [True]
    other.clear()
    assert set(other.values().values()) == {""}
    assert other.id_edit.hasFocus()


def test_payload_typed_by_a_slow_scanner_is_still_read(qtbot: QtBot) -> None:
    panel = _open(qtbot)
    panel.id_edit.setFocus()
    # Too slow for the wedge detector: the payload lands in the field, Enter follows.
    garbled = "001099012345|012345678|Nguy?n V?n An|01011999|Nam|S? 12|15082021"
    qtbot.keyClicks(panel.id_edit, garbled)
    qtbot.keyClick(panel.id_edit, Qt.Key.Key_Return)
    assert panel.id_edit.text() == "001099012345"
    assert panel.name_edit.text() == "Nguy?n V?n An"
    assert panel.name_note.isVisible()


def test_wedge_scanner_to_panel(qtbot: QtBot) -> None:
    panel = _open(qtbot)
    detector = WedgeScanDetector()
    detector.install()
    try:
        detector.sig_scanned.connect(panel.load_payload)
        panel.email_edit.setFocus()
        with qtbot.waitSignal(detector.sig_scanned, timeout=WAIT_MS):
            type_text(panel.email_edit, MISMATCH)
            qtbot.keyClick(panel.email_edit, Qt.Key.Key_Return)
        assert panel.name_edit.text() == "Nguyễn Văn An"
        assert panel.warning_box.isVisible()
        assert panel.email_edit.text() == ""
    finally:
        detector.uninstall()
