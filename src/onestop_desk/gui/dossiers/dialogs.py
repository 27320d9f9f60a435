"""The small dialogs behind each action on a dossier: they collect what the action needs.

``dialog_for`` picks the one an action needs; their common frame is ``dialog_base.ActionDialog``,
the supplement request's is in ``supplement.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import QComboBox, QDateTimeEdit, QLabel, QLineEdit, QSpinBox, QWidget

from onestop_desk.core.calendar import weekday_name
from onestop_desk.core.lifecycle import DossierAction, classify_return, timing_label
from onestop_desk.gui.dossiers.data import DossierDetail
from onestop_desk.gui.dossiers.dialog_base import ActionDialog, text_box
from onestop_desk.gui.dossiers.supplement import SupplementDialog
from onestop_desk.gui.widgets import restyle
from onestop_desk.services.dossier import RESULT_CHANNELS
from onestop_desk.services.lifecycle.commands import (
    DossierCommand,
    Extend,
    MarkResultReady,
    ReceiveSupplement,
    Refuse,
    ReturnResult,
    StartProcessing,
    Stop,
)
from onestop_desk.services.lifecycle.status import default_deciding_body

__all__ = [
    "ActionDialog",
    "ExtendDialog",
    "NoteDialog",
    "RefuseDialog",
    "ReturnDialog",
    "StopDialog",
    "SupplementDialog",
    "dialog_for",
]
MAX_EXTENSION_DAYS = 60


def _qt_moment(moment: datetime) -> QDateTime:
    """``moment`` (local time, as the database keeps it) for a QDateTimeEdit."""
    return QDateTime(
        QDate(moment.year, moment.month, moment.day),
        QTime(moment.hour, moment.minute, moment.second, moment.microsecond // 1000),
    )


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
        self.note_edit = text_box(hints[action], lines=2)
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


class RefuseDialog(ActionDialog):
    """Mẫu 03: refuse to accept the dossier, with the specific reasons."""

    def __init__(self, detail: DossierDetail, parent: QWidget | None = None) -> None:
        super().__init__(
            detail,
            title=self.tr("Từ chối tiếp nhận hồ sơ (Mẫu 03)"),
            ok_text=self.tr("Từ chối và lập Mẫu 03"),
            parent=parent,
        )
        self.reasons_edit = text_box(
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
        self.reason_edit = text_box(self.tr("Ví dụ: công dân có văn bản xin rút hồ sơ"))
        self.form.addRow(self.tr("&Lý do dừng:"), self.reason_edit)
        self.basis_edit = text_box(
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
        self.due_edit.setMinimumDateTime(_qt_moment(due + timedelta(minutes=1)))
        self.due_edit.dateTimeChanged.connect(self._due_changed)
        self.form.addRow(self.tr("&Hạn mới:"), self.due_edit)
        self.due_hint = QLabel()
        self.due_hint.setObjectName("hint")
        self.form.addRow("", self.due_hint)
        self.reason_edit = text_box(
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
        self.due_edit.setDateTime(_qt_moment(self.proposed(days)))

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
