"""The guided birth declaration filled like a specialist does: keys only, checked step by step."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QToolButton
from pytestqt.qtbot import QtBot

from onestop_desk.core.forms import FormDefinition, defaults_from_applicant
from onestop_desk.gui.reception.address import AddressPicker
from onestop_desk.gui.reception.form_wizard import DateEdit, FormWizard
from onestop_desk.services.catalog import load_form
from tests.support.qt_keys import focus_widget, pick_commune, press, type_text

pytestmark = pytest.mark.gui

WAIT_MS = 5000
TODAY = date(2025, 9, 15)
DAK_LAK = 66
CARD = {
    "full_name": "Nguyễn Văn Bình",
    "id_number": "066090001234",
    "date_of_birth": "12031990",
    "sex": "Nam",
    "address": "Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk",
}
# The completer popup of the commune picker is a window of its own; the offscreen platform
# cannot raise it or give it the keyboard, and says so.
POPUP_WARNINGS = pytest.mark.qt_log_ignore(
    "^This plugin does not support raise\\(\\)$",
    "^This plugin does not support grabbing the keyboard$",
)

OpenWizard = Callable[..., FormWizard]


@pytest.fixture(scope="module")
def birth_form() -> FormDefinition:
    return load_form("birth_registration")


@pytest.fixture
def open_wizard(qtbot: QtBot, birth_form: FormDefinition) -> OpenWizard:
    def make(values: Mapping[str, str] | None = None, **kwargs: Any) -> FormWizard:
        wizard = FormWizard(birth_form, values, today=lambda: TODAY, **kwargs)
        qtbot.addWidget(wizard)
        wizard.resize(1000, 720)
        wizard.show()
        wizard.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard, timeout=WAIT_MS)
        return wizard

    return make


def _address(wizard: FormWizard, field_id: str) -> AddressPicker:
    picker = wizard.editor_widget(field_id)
    assert isinstance(picker, AddressPicker)
    return picker


def _prefilled_until(wizard: FormWizard, step: int) -> None:
    """Fill the steps before ``step`` with valid values and show ``step``."""
    wizard.set_values(
        {
            "addressed_to": "Ủy ban nhân dân xã Hòa Sơn, tỉnh Đắk Lắk",
            "requester.full_name": "Nguyễn Văn Bình",
            "requester.id_number": "066090001234",
            "requester.residence": "Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk",
            "requester.relationship": "Cha",
            "child.full_name": "Nguyễn Ngọc Bảo Anh",
            "child.date_of_birth": "01/04/2024",
            "child.sex": "Nữ",
            "child.place_of_birth": "Trạm Y tế, xã Hòa Sơn, tỉnh Đắk Lắk",
            "child.home_town": "xã Hòa Sơn, tỉnh Đắk Lắk",
        }
    )
    for _ in range(step):
        assert wizard.next_step(), wizard.errors()


@POPUP_WARNINGS
def test_birth_form_filled_with_the_keyboard_only(
    qtbot: QtBot, birth_form: FormDefinition, open_wizard: OpenWizard
) -> None:
    wizard = open_wizard(defaults_from_applicant(birth_form, CARD), home_province=DAK_LAK)
    drafts: list[dict[str, str]] = []
    wizard.sig_changed.connect(drafts.append)
    assert wizard.step_label.text() == "Bước 1/5: Nơi nhận"

    # 1. Nơi nhận: one field, so Enter in it is Next.
    assert focus_widget() is wizard.editor_widget("addressed_to")
    type_text(qtbot, "Ủy ban nhân dân xã Hòa Sơn, tỉnh Đắk Lắk")
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.current_step() == 1
    assert wizard.step_label.text() == "Bước 2/5: Người yêu cầu"

    # 2. Người yêu cầu: the card filled name, number and address; Enter walks the fields.
    requester = _address(wizard, "requester.residence")
    assert requester.province_combo.currentText() == "Đắk Lắk"
    assert requester.ward_combo.currentText() == "Xã Hòa Sơn"
    assert requester.detail_edit.text() == "Thôn 3"
    for _ in range(5):  # name, ID number, province, commune, detail line
        press(qtbot, Qt.Key.Key_Return)
    assert focus_widget() is wizard.editor_widget("requester.relationship")
    press(qtbot, Qt.Key.Key_Down)  # "Cha", the first choice
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.current_step() == 2

    # 3. Người được khai sinh.
    type_text(qtbot, "Nguyễn Ngọc Bảo Anh")
    press(qtbot, Qt.Key.Key_Return)
    date_edit = focus_widget()
    assert isinstance(date_edit, DateEdit)
    qtbot.keyClicks(date_edit, "01042024")  # digits only: the slashes come by themselves
    assert date_edit.text() == "01/04/2024"
    assert wizard.derived_text("child.date_of_birth") == (
        "Ngày, tháng, năm sinh (bằng chữ): "
        "Ngày mồng một, tháng tư, năm hai nghìn không trăm hai mươi tư"
    )
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Down)  # "Nữ"
    for _ in range(3):  # sex, ethnicity (Kinh), nationality (Việt Nam)
        press(qtbot, Qt.Key.Key_Return)
    place = _address(wizard, "child.place_of_birth")
    assert focus_widget() is place.province_combo
    assert place.province_combo.currentText() == "Đắk Lắk"  # the office's province
    press(qtbot, Qt.Key.Key_Return)
    pick_commune(qtbot, "hoa son")
    press(qtbot, Qt.Key.Key_Return)
    assert focus_widget() is place.detail_edit
    type_text(qtbot, "Trạm Y tế")
    press(qtbot, Qt.Key.Key_Return)
    type_text(qtbot, "xã Hòa Sơn, tỉnh Đắk Lắk")
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.current_step() == 3, wizard.errors()

    # 4. Mẹ.
    type_text(qtbot, "Trần Thị Mai")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.keyClicks(focus_widget(), "1995")
    for _ in range(4):  # year, ethnicity, nationality, province (already Đắk Lắk)
        press(qtbot, Qt.Key.Key_Return)
    pick_commune(qtbot, "hoa son")
    press(qtbot, Qt.Key.Key_Return)
    type_text(qtbot, "Thôn 3")
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.current_step() == 4, wizard.errors()

    # Alt+← goes back a step and Alt+→ forward again (the mother's step still passes).
    press(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert wizard.current_step() == 3
    press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert wizard.current_step() == 4

    # 5. Cha: not declared. Shift+Tab reaches the box, Space ticks it, Enter finishes.
    assert wizard.step_label.text() == "Bước 5/5: Cha"
    press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focus_widget() is wizard.skip_box(4)
    press(qtbot, Qt.Key.Key_Space)
    with qtbot.waitSignal(wizard.sig_finished, timeout=WAIT_MS) as finished:
        press(qtbot, Qt.Key.Key_Return)
    values = finished.args[0]
    assert values == {
        "addressed_to": "Ủy ban nhân dân xã Hòa Sơn, tỉnh Đắk Lắk",
        "requester.full_name": "Nguyễn Văn Bình",
        "requester.id_number": "066090001234",
        "requester.residence": "Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk",
        "requester.relationship": "Cha",
        "child.full_name": "Nguyễn Ngọc Bảo Anh",
        "child.date_of_birth": "01/04/2024",
        "child.sex": "Nữ",
        "child.ethnicity": "Kinh",
        "child.nationality": "Việt Nam",
        "child.place_of_birth": "Trạm Y tế, xã Hòa Sơn, tỉnh Đắk Lắk",
        "child.home_town": "xã Hòa Sơn, tỉnh Đắk Lắk",
        "mother.full_name": "Trần Thị Mai",
        "mother.year_of_birth": "1995",
        "mother.ethnicity": "Kinh",
        "mother.nationality": "Việt Nam",
        "mother.residence": "Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk",
        "father.full_name": "",
        "father.year_of_birth": "",
        "father.ethnicity": "",
        "father.nationality": "",
        "father.residence": "",
    }
    assert drafts
    assert drafts[-1] == values  # the last draft is what was finished


def test_tab_goes_top_down_then_to_the_buttons(
    qtbot: QtBot, birth_form: FormDefinition, open_wizard: OpenWizard
) -> None:
    wizard = open_wizard(defaults_from_applicant(birth_form, CARD))
    wizard.go_to_step(1)
    residence = _address(wizard, "requester.residence")
    expected = [
        wizard.editor_widget("requester.full_name"),
        wizard.editor_widget("requester.id_number"),
        residence.province_combo,
        residence.ward_combo,
        residence.detail_edit,
        wizard.editor_widget("requester.relationship"),
        wizard.back_button,
        wizard.next_button,
    ]
    seen = [focus_widget()]
    for _ in expected[1:]:
        press(qtbot, Qt.Key.Key_Tab)
        seen.append(focus_widget())
    assert seen == expected


def test_empty_required_field_blocks_next_and_clears_when_typed(
    qtbot: QtBot, open_wizard: OpenWizard
) -> None:
    wizard = open_wizard()
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert wizard.current_step() == 0
    assert wizard.errors() == {"addressed_to": "Chưa nhập kính gửi."}
    assert wizard.message_label.text() == "Bước này còn một chỗ cần sửa (chữ đỏ dưới ô)."
    assert focus_widget() is wizard.editor_widget("addressed_to")
    type_text(qtbot, "UBND xã Hòa Sơn")
    assert wizard.errors() == {}
    assert wizard.message_label.text() == ""


def test_future_birth_date_is_refused(qtbot: QtBot, open_wizard: OpenWizard) -> None:
    wizard = open_wizard()
    _prefilled_until(wizard, 2)
    date_edit = wizard.editor_widget("child.date_of_birth")
    assert isinstance(date_edit, DateEdit)
    date_edit.clear()
    qtbot.keyClicks(date_edit, "16092025")  # tomorrow
    press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert wizard.current_step() == 2
    assert wizard.errors() == {"child.date_of_birth": "Ngày sinh không được sau ngày hôm nay."}
    assert focus_widget() is date_edit
    assert wizard.step_buttons[2].property("state") == "current"
    date_edit.clear()
    qtbot.keyClicks(date_edit, "15092025")  # today is fine
    assert wizard.next_step()
    assert wizard.current_step() == 3


def test_half_typed_date_says_how_to_write_it(qtbot: QtBot, open_wizard: OpenWizard) -> None:
    wizard = open_wizard()
    _prefilled_until(wizard, 2)
    date_edit = wizard.editor_widget("child.date_of_birth")
    assert isinstance(date_edit, DateEdit)
    date_edit.clear()
    qtbot.keyClicks(date_edit, "0104")
    assert not wizard.next_step()
    assert wizard.errors()["child.date_of_birth"] == (
        "Ngày, tháng, năm sinh phải ghi theo dạng ngày/tháng/năm, ví dụ 15/05/2024."
    )
    assert wizard.derived_text("child.date_of_birth") == ""


def test_mother_ten_years_older_than_child_is_refused(
    qtbot: QtBot, open_wizard: OpenWizard
) -> None:
    wizard = open_wizard()
    _prefilled_until(wizard, 3)
    assert wizard.step_label.text() == "Bước 4/5: Mẹ"
    wizard.set_values(
        {"mother.full_name": "Trần Thị Mai", "mother.residence": "Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk"}
    )
    year = wizard.editor_widget("mother.year_of_birth")
    qtbot.keyClicks(year, "2014")
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert wizard.current_step() == 3
    assert wizard.errors() == {
        "mother.year_of_birth": "Mẹ phải lớn hơn con ít nhất 12 tuổi (theo năm sinh đã khai, "
        "chỉ hơn 10 năm); kiểm tra lại năm sinh."
    }
    assert focus_widget() is year
    assert wizard.step_buttons[3].property("state") == "current"
    # Finish from here names every step still wrong, and stays on the first of them.
    assert not wizard.finish()
    assert wizard.current_step() == 3
    assert "Tờ khai còn 1 chỗ cần sửa" in wizard.message_label.text()


def test_year_and_id_fields_take_digits_only(qtbot: QtBot, open_wizard: OpenWizard) -> None:
    wizard = open_wizard()
    wizard.go_to_step(1)
    id_edit = wizard.editor_widget("requester.id_number")
    qtbot.keyClicks(id_edit, "0660a9-0001234xyz9")
    assert wizard.values()["requester.id_number"] == "066090001234"
    wizard.go_to_step(3)
    year = wizard.editor_widget("mother.year_of_birth")
    qtbot.keyClicks(year, "19x955")
    assert wizard.values()["mother.year_of_birth"] == "1995"


def test_optional_father_is_checked_once_started_and_can_be_skipped(
    qtbot: QtBot, open_wizard: OpenWizard
) -> None:
    wizard = open_wizard()
    _prefilled_until(wizard, 3)
    wizard.set_values(
        {
            "mother.full_name": "Trần Thị Mai",
            "mother.year_of_birth": "1995",
            "mother.residence": "Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk",
        }
    )
    assert wizard.next_step()
    assert wizard.current_step() == 4
    skip = wizard.skip_box(4)
    assert skip is not None
    assert skip.text() == "Không khai mục này"
    assert wizard.skip_box(3) is None  # the mother is required

    # Untouched, the father's step passes; started, its required fields apply.
    type_text(qtbot, "Nguyễn Văn Bình", wizard.editor_widget("father.full_name"))
    with qtbot.assertNotEmitted(wizard.sig_finished):
        assert not wizard.finish()
    assert set(wizard.errors()) == {"father.year_of_birth", "father.residence"}
    assert wizard.step_buttons[4].property("state") == "current"

    skip.setChecked(True)
    assert wizard.errors() == {}
    assert not wizard.editor_widget("father.full_name").isEnabled()
    assert wizard.step_buttons[4].text() == "5. Cha (không khai)"
    with qtbot.waitSignal(wizard.sig_finished, timeout=WAIT_MS) as finished:
        assert wizard.finish()
    assert finished.args[0]["father.full_name"] == ""
    # Unticked again, what was typed is still there.
    skip.setChecked(False)
    assert wizard.values()["father.full_name"] == "Nguyễn Văn Bình"


def test_values_round_trip_through_a_draft(
    qtbot: QtBot, birth_form: FormDefinition, open_wizard: OpenWizard
) -> None:
    wizard = open_wizard(home_province=DAK_LAK)
    _prefilled_until(wizard, 0)
    draft = wizard.values()
    again = open_wizard(draft, home_province=DAK_LAK)
    assert again.values() == draft
    assert again.values()["child.date_of_birth"] == "01/04/2024"
    assert again.values()["child.place_of_birth"] == "Trạm Y tế, xã Hòa Sơn, tỉnh Đắk Lắk"
    # Fixed defaults fill what the caller left out; the derived line follows the date.
    assert again.values()["mother.ethnicity"] == "Kinh"
    assert again.derived_text("child.date_of_birth").endswith(
        "năm hai nghìn không trăm hai mươi tư"
    )


@POPUP_WARNINGS
def test_province_then_commune_compose_the_address(qtbot: QtBot) -> None:
    picker = AddressPicker()
    qtbot.addWidget(picker)
    picker.show()
    picker.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is picker, timeout=WAIT_MS)
    assert not picker.ward_combo.isEnabled()  # no commune before the province
    picker.province_combo.setFocus()
    qtbot.keyClicks(picker.province_combo, "ha noi")
    picker.province_combo.resolve()
    assert picker.province_combo.currentText() == "Thành phố Hà Nội"
    assert picker.ward_combo.isEnabled()
    assert picker.value() == ""  # a province alone is not an address yet

    picker.ward_combo.setFocus()
    qtbot.keyClicks(picker.ward_combo, "hoan kiem")
    popup = picker.ward_combo.completer().popup()
    assert popup.isVisible()
    assert popup.model().rowCount() == 1  # diacritic-free letters found "Phường Hoàn Kiếm"
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert picker.ward_combo.currentText() == "Phường Hoàn Kiếm"
    assert picker.value() == "phường Hoàn Kiếm, thành phố Hà Nội"
    type_text(qtbot, "Số 1 Tràng Tiền", picker.detail_edit)
    assert picker.value() == "Số 1 Tràng Tiền, phường Hoàn Kiếm, thành phố Hà Nội"
    assert picker.problem() is None

    # Another province empties the commune list; unlisted letters are reported, not dropped.
    picker.province_combo.setFocus()
    picker.province_combo.clearEditText()
    qtbot.keyClicks(picker.province_combo, "dak lak")
    picker.province_combo.resolve()
    assert picker.value() == "Số 1 Tràng Tiền, tỉnh Đắk Lắk"
    qtbot.keyClicks(picker.ward_combo, "hoan kiem")
    picker.ward_combo.resolve()
    assert picker.problem() == (
        "Không có xã, phường “hoan kiem” thuộc tỉnh Đắk Lắk; chọn trong danh sách."
    )


def test_card_address_stays_as_written_and_a_new_one_fills_the_pickers(qtbot: QtBot) -> None:
    picker = AddressPicker(home_province=DAK_LAK)
    qtbot.addWidget(picker)
    assert picker.province_combo.currentText() == "Đắk Lắk"
    old = "Thôn 3, Hòa Sơn, Krông Bông, Đắk Lắk"  # printed before the 2025 merger
    picker.set_value(old)
    assert picker.value() == old
    assert picker.detail_edit.text() == old
    assert picker.province_combo.place() is None
    assert not picker.note_label.isHidden()
    picker.set_value("Thôn 3, Xã Hòa Sơn, Tỉnh Đắk Lắk")
    assert picker.ward_combo.currentText() == "Xã Hòa Sơn"
    assert picker.detail_edit.text() == "Thôn 3"
    assert picker.value() == "Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk"
    assert picker.note_label.isHidden()


def test_mother_residence_copied_from_the_requester(qtbot: QtBot, open_wizard: OpenWizard) -> None:
    wizard = open_wizard()
    _prefilled_until(wizard, 3)
    page = wizard.stack.currentWidget()
    copy = next(b for b in page.findChildren(QToolButton) if b.objectName() == "copyAddress")
    assert copy.text() == "Giống nơi cư trú của người yêu cầu"
    copy.click()
    assert wizard.values()["mother.residence"] == "Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk"
