"""The small dialogs behind each action on a dossier: they collect what the action needs.

A dialog stays open while its action runs in the background: a refusal from the service
(a missing reason, a date before the current one) is shown in it, with what was typed kept.
``Ctrl+Enter`` confirms from anywhere in a dialog, ``Esc`` cancels.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QDateTime, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.core.calendar import weekday_name
from onestop_desk.core.lifecycle import DossierAction, classify_return, timing_label
from onestop_desk.gui.dossiers.data import DossierDetail
from onestop_desk.gui.widgets import restyle
from onestop_desk.services.dossier import RESULT_CHANNELS
from onestop_desk.services.lifecycle.commands import (
    SUPPLEMENT_KINDS,
    DossierCommand,
    Extend,
    MarkResultReady,
    ReceiveSupplement,
    Refuse,
    RequestSupplement,
    ReturnResult,
    StartProcessing,
    Stop,
    SupplementItem,
)
from onestop_desk.services.lifecycle.status import default_deciding_body

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_STYLE = """
QLabel#dialogError { color: #b71c1c; background: #fdecea; border-radius: 4px; padding: 4px 6px; }
QLabel#hint { color: #5f6b73; }
QLabel#hint[warn="true"] { color: #b71c1c; }
"""
MAX_EXTENSION_DAYS = 60


def _text_box(placeholder: str = "", lines: int = 3) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)  # Tab leaves the box, as in every other field
    box.setPlaceholderText(placeholder)
    height = box.fontMetrics().lineSpacing() * lines + 14
    box.setFixedHeight(height)
    return box


class ActionDialog(QDialog):
    """Base of the action dialogs: a heading, a form, a message line and the two buttons."""

    #: The specialist confirmed: the command for ``data.act``.
    sig_submitted = Signal(object)

    def __init__(
        self,
        detail: DossierDetail,
        *,
        title: str,
        ok_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.detail = detail
        self._busy = False
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.setStyleSheet(_STYLE)
        status = detail.status
        layout = QVBoxLayout(self)
        heading = QLabel(
            self.tr("Hồ sơ <b>{code}</b> — {name}<br>{procedure}").format(
                code=status.code, name=status.applicant_name, procedure=status.procedure_name
            )
        )
        heading.setWordWrap(True)
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.1)
        heading.setFont(font)
        layout.addWidget(heading)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        layout.addLayout(self.form)
        self.error_label = QLabel()
        self.error_label.setObjectName("dialogError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox()
        self.ok_button = QPushButton(ok_text)
        self.ok_button.setToolTip(self.tr("Ctrl+Enter"))
        self.ok_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Huỷ (Esc)"))
        self.buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.accept)

    # --- to override ----------------------------------------------------------------------------
    def command(self) -> DossierCommand:
        raise NotImplementedError

    def problem(self) -> str | None:
        """What is still missing, checked before anything is sent (the service checks again)."""
        return None

    # --- flow -----------------------------------------------------------------------------------
    def accept(self) -> None:
        if self._busy:
            return
        problem = self.problem()
        if problem is not None:
            self.show_error(problem)
            return
        self.set_busy(True)
        self.sig_submitted.emit(self.command())

    def failed(self, text: str) -> None:
        """The action was refused: say why and let the specialist correct it."""
        self.set_busy(False)
        self.show_error(text)

    def finish(self) -> None:
        """The action is done: close."""
        self._busy = False
        super().accept()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.ok_button.setEnabled(not busy)
        if busy:
            self.error_label.hide()

    def is_busy(self) -> bool:
        return self._busy

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    @staticmethod
    def _required(text: str, message: str) -> str | None:
        return message if not text.strip() else None


class NoteDialog(ActionDialog):
    """Start processing, supplement received, result ready: a note (and the deciding body)."""

    def __init__(
        self, detail: DossierDetail, action: DossierAction, parent: QWidget | None = None
    ) -> None:
        titles = {
            DossierAction.START_PROCESSING: (
                self.tr("Chuyển hồ sơ đi giải quyết"),
                self.tr("Chuyển giải quyết"),
            ),
            DossierAction.SUPPLEMENT_RECEIVED: (
                self.tr("Nhận hồ sơ bổ sung"),
                self.tr("Đã nhận đủ, tiếp tục giải quyết"),
            ),
            DossierAction.MARK_RESULT_READY: (
                self.tr("Xác nhận đã có kết quả"),
                self.tr("Đã có kết quả"),
            ),
        }
        title, ok_text = titles[action]
        super().__init__(detail, title=title, ok_text=ok_text, parent=parent)
        self.action = action
        self.body_edit: QLineEdit | None = None
        if action is DossierAction.START_PROCESSING:
            self.body_edit = QLineEdit(default_deciding_body(detail.office))
            self.body_edit.selectAll()
            self.form.addRow(self.tr("&Cơ quan giải quyết:"), self.body_edit)
        hints = {
            DossierAction.START_PROCESSING: self.tr("Ví dụ: chuyển công chức Tư pháp – Hộ tịch"),
            DossierAction.SUPPLEMENT_RECEIVED: self.tr("Ví dụ: đã nhận bản sao giấy khai sinh"),
            DossierAction.MARK_RESULT_READY: self.tr("Ví dụ: đã ký, đóng dấu; chờ công dân đến"),
        }
        self.note_edit = _text_box(hints[action], lines=2)
        self.form.addRow(self.tr("Ghi chú (&không bắt buộc):"), self.note_edit)

    def command(self) -> DossierCommand:
        note = self.note_edit.toPlainText().strip() or None
        match self.action:
            case DossierAction.START_PROCESSING:
                body = self.body_edit.text().strip() if self.body_edit is not None else ""
                return StartProcessing(deciding_body=body or None, note=note)
            case DossierAction.SUPPLEMENT_RECEIVED:
                return ReceiveSupplement(note=note)
            case DossierAction.MARK_RESULT_READY:
                return MarkResultReady(note=note)
        raise ValueError(f"no note dialog for {self.action}")


class SupplementDialog(ActionDialog):
    """Mẫu 02: the papers the citizen must bring, each with its count and form, and why."""

    def __init__(self, detail: DossierDetail, parent: QWidget | None = None) -> None:
        super().__init__(
            detail,
            title=self.tr("Yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)"),
            ok_text=self.tr("Lưu và lập Mẫu 02"),
            parent=parent,
        )
        self.setMinimumWidth(680)
        self._items: list[dict[str, Any]] = []

        entry = QWidget()
        row = QHBoxLayout(entry)
        row.setContentsMargins(0, 0, 0, 0)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(self.tr("Tên giấy tờ, rồi Enter để thêm"))
        names = sorted({d.name for d in detail.view.documents})
        completer = QCompleter(names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.name_edit.setCompleter(completer)
        self.count_spin = QSpinBox()
        self.count_spin.setRange(1, 99)
        self.count_spin.setSuffix(self.tr(" bản"))
        self.kind_combo = QComboBox()
        for kind, label in SUPPLEMENT_KINDS.items():
            self.kind_combo.addItem(label, kind)
        self.add_button = QPushButton(self.tr("Thêm"))
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_item)
        row.addWidget(self.name_edit, 1)
        row.addWidget(self.count_spin)
        row.addWidget(self.kind_combo)
        row.addWidget(self.add_button)
        self.form.addRow(self.tr("&Giấy tờ cần bổ sung:"), entry)
        label = self.form.labelForField(entry)
        if isinstance(label, QLabel):
            label.setBuddy(self.name_edit)
        for widget in (self.name_edit, self.count_spin, self.kind_combo):
            widget.installEventFilter(self)

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Giấy tờ"), self.tr("Số lượng"), self.tr("Hình thức")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(120)
        self.table.installEventFilter(self)
        self.table.setToolTip(self.tr("Delete: bỏ giấy tờ đang chọn"))
        self.form.addRow("", self.table)

        self.reason_edit = _text_box(
            self.tr("Ví dụ: bản sao giấy khai sinh chưa chứng thực; tờ khai thiếu chữ ký")
        )
        self.form.addRow(self.tr("&Lý do:"), self.reason_edit)
        self.name_edit.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.table and key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.remove_selected()
                return True
            if (
                watched in (self.name_edit, self.count_spin, self.kind_combo)
                and key in _ENTER_KEYS
                and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
            ):
                popup = self.name_edit.completer().popup()
                if watched is self.name_edit and popup.isVisible():
                    return False  # Enter picks the suggestion first
                self.add_item()
                return True
        return super().eventFilter(watched, event)

    def add_item(self) -> bool:
        """Add the paper being typed to the list; False when no name was typed."""
        name = " ".join(self.name_edit.text().split())
        if not name:
            return False
        item = {
            "name": name,
            "count": self.count_spin.value(),
            "kind": str(self.kind_combo.currentData()),
        }
        self._items.append(item)
        row = self.table.rowCount()
        self.table.insertRow(row)
        cells = (name, str(item["count"]), self.kind_combo.currentText())
        for column, text in enumerate(cells):
            self.table.setItem(row, column, QTableWidgetItem(text))
        self.name_edit.clear()
        self.count_spin.setValue(1)
        self.kind_combo.setCurrentIndex(0)
        self.name_edit.setFocus()
        self.error_label.hide()
        return True

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.table.removeRow(row)
            del self._items[row]

    def items(self) -> list[dict[str, Any]]:
        return [dict(item) for item in self._items]

    def accept(self) -> None:
        self.add_item()  # a paper typed but not yet added counts
        super().accept()

    def problem(self) -> str | None:
        if not self._items:
            return self.tr("Chưa ghi giấy tờ nào cần bổ sung: gõ tên giấy tờ rồi nhấn Enter.")
        return self._required(
            self.reason_edit.toPlainText(), self.tr("Chưa ghi lý do yêu cầu bổ sung.")
        )

    def command(self) -> DossierCommand:
        return RequestSupplement(
            items=tuple(SupplementItem(**item) for item in self._items),
            reason=self.reason_edit.toPlainText().strip(),
        )


class RefuseDialog(ActionDialog):
    """Mẫu 03: refuse to accept the dossier, with the specific reasons."""

    def __init__(self, detail: DossierDetail, parent: QWidget | None = None) -> None:
        super().__init__(
            detail,
            title=self.tr("Từ chối tiếp nhận hồ sơ (Mẫu 03)"),
            ok_text=self.tr("Từ chối và lập Mẫu 03"),
            parent=parent,
        )
        self.reasons_edit = _text_box(
            self.tr("Ghi cụ thể: thủ tục không thuộc thẩm quyền của xã, hồ sơ giả mạo…"), lines=4
        )
        self.form.addRow(self.tr("&Lý do từ chối:"), self.reasons_edit)
        self.reasons_edit.setFocus()

    def problem(self) -> str | None:
        return self._required(self.reasons_edit.toPlainText(), self.tr("Chưa ghi lý do từ chối."))

    def command(self) -> DossierCommand:
        return Refuse(reasons=self.reasons_edit.toPlainText().strip())


class StopDialog(ActionDialog):
    """Mẫu 05: stop handling the dossier, with the reason and its legal basis."""

    def __init__(self, detail: DossierDetail, parent: QWidget | None = None) -> None:
        super().__init__(
            detail,
            title=self.tr("Dừng giải quyết hồ sơ (Mẫu 05)"),
            ok_text=self.tr("Dừng giải quyết và lập Mẫu 05"),
            parent=parent,
        )
        self.reason_edit = _text_box(self.tr("Ví dụ: công dân có văn bản xin rút hồ sơ"))
        self.form.addRow(self.tr("&Lý do dừng:"), self.reason_edit)
        self.basis_edit = _text_box(
            self.tr("Ví dụ: khoản 2 Điều 19 Nghị định 61/2018/NĐ-CP"), lines=2
        )
        self.form.addRow(self.tr("&Căn cứ pháp lý:"), self.basis_edit)
        self.reason_edit.setFocus()

    def problem(self) -> str | None:
        return self._required(
            self.reason_edit.toPlainText(), self.tr("Chưa ghi lý do dừng giải quyết.")
        ) or self._required(self.basis_edit.toPlainText(), self.tr("Chưa ghi căn cứ pháp lý."))

    def command(self) -> DossierCommand:
        return Stop(
            reason=self.reason_edit.toPlainText().strip(),
            legal_basis=self.basis_edit.toPlainText().strip(),
        )


class ExtendDialog(ActionDialog):
    """Mẫu 04: a later due date (proposed N working days on) and the reason for the delay."""

    def __init__(
        self, detail: DossierDetail, *, now: datetime, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            detail,
            title=self.tr("Xin lỗi và gia hạn thời gian giải quyết (Mẫu 04)"),
            ok_text=self.tr("Gia hạn và lập Mẫu 04"),
            parent=parent,
        )
        self._now = now
        due = detail.status.due_at
        self.form.addRow(
            self.tr("Hạn hiện tại:"),
            QLabel(self._when(due)),
        )
        self.days_spin = QSpinBox()
        self.days_spin.setRange(1, MAX_EXTENSION_DAYS)
        self.days_spin.setSuffix(self.tr(" ngày làm việc"))
        self.days_spin.setValue(max(1, detail.view.processing_working_days))
        self.days_spin.valueChanged.connect(self._days_changed)
        self.form.addRow(self.tr("Gia hạn &thêm:"), self.days_spin)
        self.due_edit = QDateTimeEdit()
        self.due_edit.setDisplayFormat("HH:mm  dd/MM/yyyy")
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setMinimumDateTime(QDateTime(due + timedelta(minutes=1)))
        self.due_edit.dateTimeChanged.connect(self._due_changed)
        self.form.addRow(self.tr("&Hạn mới:"), self.due_edit)
        self.due_hint = QLabel()
        self.due_hint.setObjectName("hint")
        self.form.addRow("", self.due_hint)
        self.reason_edit = _text_box(
            self.tr("Ví dụ: cần xác minh thông tin hộ tịch tại nơi đăng ký trước đây"), lines=3
        )
        self.form.addRow(self.tr("&Lý do chậm:"), self.reason_edit)
        self._days_changed(self.days_spin.value())
        self.days_spin.setFocus()

    def proposed(self, days: int) -> datetime:
        """``days`` working days after the due date (after today, if that has passed)."""
        due = self.detail.status.due_at
        start = max(due.date(), self._now.date())
        day = self.detail.calendar.add_working_days(start, days)
        return datetime.combine(day, due.time())

    def new_due_at(self) -> datetime:
        value = self.due_edit.dateTime().toPython()
        assert isinstance(value, datetime)
        return value.replace(second=0, microsecond=0)

    def _days_changed(self, days: int) -> None:
        self.due_edit.setDateTime(QDateTime(self.proposed(days)))

    def _due_changed(self, _value: QDateTime) -> None:
        moment = self.new_due_at()
        reason = self.detail.calendar.non_working_reason(moment.date())
        if reason is not None:
            text = self.tr("{when} — ngày nghỉ ({reason}), nên chọn ngày làm việc").format(
                when=self._when(moment), reason=reason
            )
        else:
            text = self._when(moment)
        self.due_hint.setText(text)
        restyle(self.due_hint, "warn", "true" if reason is not None else "false")

    def _when(self, moment: datetime) -> str:
        name = weekday_name(moment)
        return self.tr("{hh:02d} giờ {mm:02d}, {weekday} ngày {day:%d/%m/%Y}").format(
            hh=moment.hour,
            mm=moment.minute,
            weekday=name[:1].lower() + name[1:],  # mid-sentence: "thứ Hai"
            day=moment,
        )

    def problem(self) -> str | None:
        if self.new_due_at() <= self.detail.status.due_at:
            return self.tr("Hạn mới phải sau hạn hiện tại.")
        return self._required(self.reason_edit.toPlainText(), self.tr("Chưa ghi lý do chậm."))

    def command(self) -> DossierCommand:
        return Extend(new_due_at=self.new_due_at(), reason=self.reason_edit.toPlainText().strip())


CHANNEL_LABELS = {
    "desk": "Tại Bộ phận Một cửa",
    "post": "Qua dịch vụ bưu chính công ích",
    "online": "Trực tuyến",
}


class ReturnDialog(ActionDialog):
    """Hand the result over: to whom and how; the timing (early, on time, late) is shown."""

    def __init__(
        self, detail: DossierDetail, *, now: datetime, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            detail,
            title=self.tr("Trả kết quả giải quyết hồ sơ"),
            ok_text=self.tr("Trả kết quả"),
            parent=parent,
        )
        status = detail.status
        self.receiver_edit = QLineEdit(status.applicant_name)
        self.receiver_edit.selectAll()
        self.form.addRow(self.tr("&Người nhận kết quả:"), self.receiver_edit)
        self.channel_combo = QComboBox()
        for channel in RESULT_CHANNELS:
            self.channel_combo.addItem(self.tr(CHANNEL_LABELS[channel]), channel)
        self.channel_combo.setCurrentIndex(
            max(0, self.channel_combo.findData(status.result_channel))
        )
        self.form.addRow(self.tr("&Hình thức trả:"), self.channel_combo)
        timing = timing_label(classify_return(status.due_at, now))
        self.timing_label = QLabel(
            self.tr(
                "{hh:02d}:{mm:02d} {day:%d/%m/%Y} — {timing} (hẹn {due:%H:%M %d/%m/%Y})"
            ).format(hh=now.hour, mm=now.minute, day=now, timing=timing.lower(), due=status.due_at)
        )
        self.form.addRow(self.tr("Thời điểm trả:"), self.timing_label)
        self.receiver_edit.setFocus()

    def problem(self) -> str | None:
        return self._required(
            self.receiver_edit.text(), self.tr("Chưa ghi tên người nhận kết quả.")
        )

    def command(self) -> DossierCommand:
        return ReturnResult(
            to=" ".join(self.receiver_edit.text().split()),
            channel=str(self.channel_combo.currentData()),
        )


def dialog_for(
    action: DossierAction, detail: DossierDetail, *, now: datetime, parent: QWidget | None
) -> ActionDialog:
    """The dialog that asks what ``action`` needs."""
    match action:
        case DossierAction.REQUEST_SUPPLEMENT:
            return SupplementDialog(detail, parent)
        case DossierAction.REFUSE:
            return RefuseDialog(detail, parent)
        case DossierAction.STOP:
            return StopDialog(detail, parent)
        case DossierAction.EXTEND:
            return ExtendDialog(detail, now=now, parent=parent)
        case DossierAction.RETURN_RESULT:
            return ReturnDialog(detail, now=now, parent=parent)
        case _:
            return NoteDialog(detail, action, parent)
