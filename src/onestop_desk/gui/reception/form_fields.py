"""The declaration's fields: a date box, one editor per form field, one page per section."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from PySide6.QtCore import QRegularExpression, Qt, QTimer
from PySide6.QtGui import (
    QFocusEvent,
    QMouseEvent,
    QRegularExpressionValidator,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from onestop_desk.core.forms import FormDefinition, FormField, Section, parse_date
from onestop_desk.core.text import nfc
from onestop_desk.gui.reception.address import AddressPicker
from onestop_desk.gui.widgets import restyle

DATE_MASK = "99/99/9999;_"
LABEL_WIDTH = 250
TEXT_WIDTH = 560  # a name or a town fits; wider boxes only make the eye travel
ADDRESS_WIDTH = 760


class WizardOwner(Protocol):
    """What a field editor asks of the wizard it sits in."""

    def tr(self, text: str, /) -> str: ...
    def _field_edited(self, editor: FieldEditor) -> None: ...


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


class DateEdit(QLineEdit):
    """dd/mm/yyyy typed as digits only; the slashes are part of the mask."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setInputMask(DATE_MASK)
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("00/00/00000") + 40)

    def value(self) -> str:
        text = self.text()
        return text if any(ch.isdigit() for ch in text) else ""

    def set_value(self, text: str) -> None:
        when = parse_date(text)
        self.setText(f"{when:%d/%m/%Y}" if when else text)

    # A click or Tab into an empty masked line would leave the cursor mid-mask.
    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt's name
        super().focusInEvent(event)
        if not self.value():
            QTimer.singleShot(0, self, lambda: self.setCursorPosition(0))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        super().mousePressEvent(event)
        if not self.value():
            self.setCursorPosition(0)


class FieldEditor:
    """One form field on screen: its input, help, derived value and error lines."""

    def __init__(self, spec: FormField, wizard: WizardOwner, home_province: int | None) -> None:
        self.spec = spec
        self.wizard = wizard
        self.address: AddressPicker | None = None
        self.line: QLineEdit | None = None
        self.combo: QComboBox | None = None
        tr = wizard.tr
        if spec.type == "address":
            self.address = AddressPicker(home_province=home_province)
            self.address.sig_changed.connect(self._edited)
            self.address.setMaximumWidth(ADDRESS_WIDTH)
            self.widget: QWidget = self.address
        elif spec.type == "choice":
            self.combo = QComboBox()
            self.combo.addItems(list(spec.choices))
            self.combo.setPlaceholderText(tr("— chọn —"))
            self.combo.setCurrentIndex(-1)
            self.combo.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            self.combo.setMinimumWidth(180)
            self.combo.setMaximumWidth(TEXT_WIDTH)
            self.combo.currentIndexChanged.connect(self._edited)
            self.widget = self.combo
        else:
            self.line = DateEdit() if spec.type == "date" else QLineEdit()
            pattern = {"id_number": "[0-9]{0,12}", "integer": "[0-9]{0,9}", "year": "[0-9]{0,4}"}
            if spec.type in pattern:
                regex = QRegularExpression(pattern[spec.type])
                self.line.setValidator(QRegularExpressionValidator(regex, self.line))
                digits = {"id_number": 12, "integer": 9, "year": 4}[spec.type]
                width = self.line.fontMetrics().horizontalAdvance("0" * (digits + 2)) + 24
                self.line.setMaximumWidth(max(width, 90))
            if spec.type == "id_number":
                self.line.setPlaceholderText(tr("12 chữ số"))
            elif spec.type == "year":
                self.line.setPlaceholderText(tr("ví dụ 1995"))
            if spec.type == "text":
                self.line.setMaximumWidth(TEXT_WIDTH)
            self.line.textChanged.connect(self._edited)
            self.widget = self.line
        self.widget.setObjectName(f"field:{spec.id}")
        self.widget.setAccessibleName(spec.label)

        self.label = QLabel(
            spec.label + (" <span style='color:#c62828'>*</span>" if spec.required else "")
        )
        self.label.setObjectName("fieldLabel")
        self.label.setWordWrap(True)
        self.label.setBuddy(self.inputs()[0])
        self.help = QLabel(spec.help or "")
        self.help.setObjectName("fieldHelp")
        self.help.setWordWrap(True)
        if not spec.help:
            # Only hide: showing a label before it has a parent opens it as a window of its
            # own for a moment, which takes the keyboard away from the counter window.
            self.help.hide()
        self.derived = QLabel()
        self.derived.setObjectName("fieldDerived")
        self.derived.setWordWrap(True)
        self.derived.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.derived.hide()
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        for line in (self.help, self.derived, self.error):
            line.setMaximumWidth(ADDRESS_WIDTH)

    def inputs(self) -> list[QWidget]:
        if self.address is not None:
            return self.address.inputs()
        return [self.widget]

    def value(self) -> str:
        if self.address is not None:
            return self.address.value()
        if self.combo is not None:
            return self.combo.currentText() if self.combo.currentIndex() >= 0 else ""
        assert self.line is not None
        if isinstance(self.line, DateEdit):
            return self.line.value()
        return self.line.text()

    def set_value(self, text: str) -> None:
        text = nfc(text)
        if self.address is not None:
            self.address.set_value(text)
        elif self.combo is not None:
            self.combo.setCurrentIndex(self.combo.findText(text.strip()))
        elif isinstance(self.line, DateEdit):
            self.line.set_value(text.strip())
        else:
            assert self.line is not None
            self.line.setText(text)

    def problem(self) -> str | None:
        """A problem the widget knows before the form rules run (an unlisted commune)."""
        return self.address.problem() if self.address is not None else None

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        for widget in self.inputs():
            if isinstance(widget, QLineEdit | QComboBox):
                restyle(widget, "invalid", bool(message))

    def set_enabled(self, enabled: bool) -> None:
        self.widget.setEnabled(enabled)
        self.label.setEnabled(enabled)

    def _edited(self, *_args: object) -> None:
        if not self.error.isHidden():
            self.show_error(None)
        self.wizard._field_edited(self)


class WizardStep:
    """One section of the form as a page of the wizard."""

    def __init__(self, section: Section, editors: list[FieldEditor], page: QWidget) -> None:
        self.section = section
        self.editors = editors
        self.page = page
        self.skip_box: QCheckBox | None = None

    @property
    def skipped(self) -> bool:
        return self.skip_box is not None and self.skip_box.isChecked()

    def inputs(self) -> list[QWidget]:
        return [w for e in self.editors for w in e.inputs()]


def address_source(editors: Iterable[FieldEditor], editor: FieldEditor) -> FieldEditor | None:
    """The nearest earlier address of the same kind (mother's residence for the father's)."""
    if editor.spec.type != "address":
        return None
    name = editor.spec.id.rsplit(".", 1)[-1]
    earlier = [
        e
        for e in editors
        if e is not editor and e.spec.type == "address" and e.spec.id.rsplit(".", 1)[-1] == name
    ]
    return earlier[-1] if earlier else None


def copy_button(
    wizard: WizardOwner, form: FormDefinition, editor: FieldEditor, source: FieldEditor
) -> QToolButton:
    """A link copying an address declared earlier (the mother's residence) into ``editor``."""
    section = next(s for s in form.sections if source.spec in s.fields)
    button = QToolButton()
    button.setObjectName("copyAddress")
    button.setText(
        wizard.tr("Giống {0} của {1}").format(
            lower_first(source.spec.label), lower_first(section.title)
        )
    )
    button.setToolTip(
        wizard.tr("Chép địa chỉ đã khai ở bước “{0}” sang ô này").format(section.title)
    )
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    # Mouse only: Tab keeps going field to field.
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.clicked.connect(lambda: editor.set_value(source.value()))
    return button
