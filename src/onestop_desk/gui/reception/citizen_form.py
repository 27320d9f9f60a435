"""The citizen step's form: its fields and their layout, what they hold, and the checks on it."""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Mapping
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.core.citizen_id import (
    EARLIEST_BIRTH_YEAR,
    Sex,
    looks_garbled,
    validate_id_number,
)
from onestop_desk.gui.widgets import scaled
from onestop_desk.services.reception import (
    CITIZEN_FIELDS,
    Applicant,
    CitizenEntry,
    digits_only,
    phone_number,
)

log = logging.getLogger("onestop.gui.reception")

#: The keys of ``values()`` / ``set_values()``, in the order of the form.
FIELDS = CITIZEN_FIELDS


_DATE_PARTS = re.compile(r"(\d{1,2})[/.\-\s](\d{1,2})[/.\-\s](\d{4})")
_DATE_DIGITS = re.compile(r"(\d{2})(\d{2})(\d{4})")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_OLD_ID_LENGTHS = (9, 12)
_PHONE_LENGTHS = (10, 11)


class CitizenForm(QWidget):
    """The fields of the citizen step (the behaviour is ``citizen.CitizenPanel``'s)."""

    _today: Callable[[], date]
    _quiet: int  # > 0 while the panel fills fields itself (set by CitizenPanel)

    def _build(self) -> None:
        base = self.font()
        root = QVBoxLayout(self)
        root.setContentsMargins(12, 10, 12, 10)
        root.setSpacing(8)

        title = QLabel(self.tr("Thông tin công dân"))
        title.setObjectName("citizenTitle")
        title.setFont(scaled(base, 1.25, bold=True))
        self.source_label = QLabel()
        self.source_label.setObjectName("source")
        self.source_label.setWordWrap(True)
        self.source_label.setText(self._default_source())
        root.addWidget(title)
        root.addWidget(self.source_label)

        self.error_box = self._box("errorBox")
        self.warning_box = self._box("warningBox")
        self.returning_note = self._box("returningNote")
        root.addWidget(self.error_box)
        root.addWidget(self.warning_box)
        root.addWidget(self.returning_note)

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 2)

        self.id_edit = self._edit(self.tr("12 chữ số trên thẻ"), self.tr("Số định danh cá nhân"))
        self.old_id_edit = self._edit(self.tr("nếu có"), self.tr("Số CMND cũ"))
        self.name_edit = self._edit(self.tr("Họ, chữ đệm và tên"), self.tr("Họ và tên"))
        self.name_note = self._note()
        self.dob_edit = self._edit(
            self.tr("ngày/tháng/năm, ví dụ 15/05/2003"), self.tr("Ngày sinh")
        )
        self.sex_combo = QComboBox()
        self.sex_combo.setAccessibleName(self.tr("Giới tính"))
        self.sex_combo.setPlaceholderText(self.tr("Chọn…"))
        # Plain strings as item data: an enum would not survive the trip through QVariant.
        self.sex_combo.addItem(self.tr("Nam"), Sex.MALE.value)
        self.sex_combo.addItem(self.tr("Nữ"), Sex.FEMALE.value)
        self.sex_combo.setCurrentIndex(-1)
        self.address_edit = self._edit(
            self.tr("Số nhà, thôn/tổ, xã/phường, tỉnh/thành phố"), self.tr("Nơi thường trú")
        )
        self.address_note = self._note()
        self.phone_edit = self._edit(self.tr("ví dụ 0912 345 678"), self.tr("Điện thoại"))
        self.email_edit = self._edit(self.tr("nếu có"), self.tr("Email"))

        def label(text: str, buddy: QWidget, *, required: bool = False) -> QLabel:
            shown = f"{text} <span style='color:#c62828'>*</span>" if required else text
            widget = QLabel(shown)
            widget.setBuddy(buddy)
            return widget

        grid.addWidget(label(self.tr("Số định danh"), self.id_edit, required=True), 0, 0)
        grid.addWidget(self.id_edit, 0, 1)
        grid.addWidget(label(self.tr("Số CMND cũ"), self.old_id_edit), 0, 2)
        grid.addWidget(self.old_id_edit, 0, 3)
        grid.addWidget(label(self.tr("Họ và tên"), self.name_edit, required=True), 1, 0)
        grid.addWidget(self.name_edit, 1, 1, 1, 3)
        grid.addWidget(self.name_note, 2, 1, 1, 3)
        grid.addWidget(label(self.tr("Ngày sinh"), self.dob_edit, required=True), 3, 0)
        grid.addWidget(self.dob_edit, 3, 1)
        grid.addWidget(label(self.tr("Giới tính"), self.sex_combo, required=True), 3, 2)
        grid.addWidget(self.sex_combo, 3, 3)
        grid.addWidget(label(self.tr("Nơi thường trú"), self.address_edit, required=True), 4, 0)
        grid.addWidget(self.address_edit, 4, 1, 1, 3)
        grid.addWidget(self.address_note, 5, 1, 1, 3)
        grid.addWidget(label(self.tr("Điện thoại"), self.phone_edit), 6, 0)
        grid.addWidget(self.phone_edit, 6, 1)
        grid.addWidget(label(self.tr("Email"), self.email_edit), 6, 2)
        grid.addWidget(self.email_edit, 6, 3)
        root.addLayout(grid)

        bottom = QHBoxLayout()
        self.lookup_status = QLabel()
        self.lookup_status.setObjectName("lookupStatus")
        self.lookup_status.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.clear_button = QPushButton(self.tr("Nhập lại từ đầu"))
        self.clear_button.setToolTip(self.tr("Xoá hết các ô để nhận công dân khác"))
        self.clear_button.setAutoDefault(True)  # Enter on the focused button presses it
        self.confirm_button = QPushButton(self.tr("Xác nhận"))
        self.confirm_button.setObjectName("confirmButton")
        self.confirm_button.setToolTip(self.tr("Kiểm tra và dùng thông tin này (phím Enter)"))
        self.confirm_button.setFont(scaled(base, 1.05, bold=True))
        self.confirm_button.setAutoDefault(True)
        bottom.addWidget(self.lookup_status, 1)
        bottom.addWidget(self.clear_button)
        bottom.addWidget(self.confirm_button)
        root.addLayout(bottom)
        root.addStretch(1)

        order: list[QWidget] = [*self._inputs(), self.confirm_button, self.clear_button]
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)

    def _box(self, name: str) -> QLabel:
        box = QLabel()
        box.setObjectName(name)
        box.setWordWrap(True)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.hide()
        return box

    def _note(self) -> QLabel:
        note = QLabel()
        note.setObjectName("fieldNote")
        note.setWordWrap(True)
        note.hide()
        return note

    def _edit(self, placeholder: str, name: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        edit.setAccessibleName(name)
        edit.setClearButtonEnabled(False)
        return edit

    def _inputs(self) -> list[QWidget]:
        return [
            self.id_edit,
            self.old_id_edit,
            self.name_edit,
            self.dob_edit,
            self.sex_combo,
            self.address_edit,
            self.phone_edit,
            self.email_edit,
        ]

    def _line_edits(self) -> list[QLineEdit]:
        return [w for w in self._inputs() if isinstance(w, QLineEdit)]

    def values(self) -> dict[str, str]:
        """What the form holds, as typed (a draft: it may be incomplete or wrong)."""
        sex = self._sex()
        return {
            "id_number": self.id_edit.text(),
            "old_id_number": self.old_id_edit.text(),
            "full_name": self.name_edit.text(),
            "date_of_birth": self.dob_edit.text(),
            "sex": sex.value if sex is not None else "",
            "address": self.address_edit.text(),
            "phone": self.phone_edit.text(),
            "email": self.email_edit.text(),
        }

    def entry(self) -> CitizenEntry:
        """The form as the reception draft keeps it."""
        return CitizenEntry(**self.values())

    def set_entry(self, entry: CitizenEntry) -> None:
        """Put a draft's citizen back (no ``sig_changed``)."""
        self.set_values(entry.values())

    def set_values(self, values: Mapping[str, str]) -> None:
        """Put a draft back (keys as ``values()``; missing keys leave the field as it is)."""
        edits = {
            "id_number": self.id_edit,
            "old_id_number": self.old_id_edit,
            "full_name": self.name_edit,
            "date_of_birth": self.dob_edit,
            "address": self.address_edit,
            "phone": self.phone_edit,
            "email": self.email_edit,
        }
        self._quiet += 1
        try:
            for key, edit in edits.items():
                if key in values:
                    edit.setText(values[key])
            if "sex" in values:
                self._set_sex(values["sex"])
        finally:
            self._quiet -= 1

    def _check(self) -> tuple[Applicant | None, list[tuple[QWidget, str]]]:
        problems: list[tuple[QWidget, str]] = []
        id_number = digits_only(self.id_edit.text())
        problem = validate_id_number(id_number)
        if problem is not None:
            problems.append((self.id_edit, problem))

        old_id = digits_only(self.old_id_edit.text())
        if old_id and not (old_id.isdigit() and len(old_id) in _OLD_ID_LENGTHS):
            problems.append(
                (
                    self.old_id_edit,
                    self.tr(
                        "Số CMND cũ phải gồm 9 chữ số (hoặc 12 chữ số); không có thì để trống."
                    ),
                )
            )

        name = " ".join(self.name_edit.text().split())
        if not name:
            problems.append((self.name_edit, self.tr("Chưa nhập họ và tên.")))
        elif looks_garbled(name):
            problems.append(
                (self.name_edit, self.tr("Họ và tên còn ký tự lỗi do máy quét, vui lòng gõ lại."))
            )

        born, problem = self._date_of_birth()
        if problem is not None:
            problems.append((self.dob_edit, problem))

        sex = self._sex()
        if sex is None:
            problems.append((self.sex_combo, self.tr("Chưa chọn giới tính.")))

        address = " ".join(self.address_edit.text().split())
        if not address:
            problems.append((self.address_edit, self.tr("Chưa nhập nơi thường trú.")))
        elif looks_garbled(address):
            problems.append(
                (
                    self.address_edit,
                    self.tr("Nơi thường trú còn ký tự lỗi do máy quét, vui lòng gõ lại."),
                )
            )

        phone = self._phone()
        if phone is not None and not (
            phone.isdigit() and phone.startswith("0") and len(phone) in _PHONE_LENGTHS
        ):
            problems.append(
                (
                    self.phone_edit,
                    self.tr(
                        "Số điện thoại chưa đúng: cần 10 chữ số, bắt đầu bằng 0 "
                        "(ví dụ 0912 345 678)."
                    ),
                )
            )
        email = self.email_edit.text().strip() or None
        if email is not None and _EMAIL.fullmatch(email) is None:
            problems.append(
                (self.email_edit, self.tr("Địa chỉ email chưa đúng (ví dụ: ten@gmail.com)."))
            )

        if problems or born is None or sex is None:
            return None, problems
        record = Applicant(
            id_number=id_number,
            old_id_number=old_id or None,
            full_name=name,
            date_of_birth=born,
            sex=sex,
            address=address,
            phone=phone,
            email=email,
        )
        return record, []

    def _date_of_birth(self) -> tuple[date | None, str | None]:
        text = self.dob_edit.text().strip()
        if not text:
            return None, self.tr("Chưa nhập ngày sinh.")
        match = _DATE_PARTS.fullmatch(text) or _DATE_DIGITS.fullmatch(text)
        if match is None:
            return None, self.tr("Ngày sinh cần viết theo dạng ngày/tháng/năm, ví dụ 15/05/2003.")
        day, month, year = (int(part) for part in match.groups())
        try:
            born = date(year, month, day)
        except ValueError:
            return None, self.tr("Ngày sinh {text} không có thật.").format(text=text)
        if born > self._today():
            return None, self.tr("Ngày sinh không thể là ngày trong tương lai.")
        if born.year < EARLIEST_BIRTH_YEAR:
            return None, self.tr("Năm sinh phải từ {year} trở về sau.").format(
                year=EARLIEST_BIRTH_YEAR
            )
        return born, None

    def _sex(self) -> Sex | None:
        data = self.sex_combo.currentData()
        return Sex(data) if isinstance(data, str) and data in set(Sex) else None

    def _set_sex(self, sex: str | None) -> None:
        self.sex_combo.setCurrentIndex(self.sex_combo.findData(str(sex)) if sex else -1)

    def _phone(self) -> str | None:
        return phone_number(self.phone_edit.text())

    def _default_source(self) -> str:
        return self.tr("Quét mã QR trên thẻ Căn cước, hoặc nhập tay rồi nhấn Enter.")
