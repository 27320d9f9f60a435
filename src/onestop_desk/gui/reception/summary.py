"""Before saving a dossier: the fee, the due date, where the result goes, and the save button."""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.core.calendar import weekday_name
from onestop_desk.core.catalog import EXEMPTIONS, FeeQuote, format_vnd
from onestop_desk.gui.reception import style
from onestop_desk.gui.reception.actions import save_action
from onestop_desk.gui.widgets import bundled_font_family, restyle, scaled
from onestop_desk.services.dossier import RESULT_CHANNELS, ResultChannel
from onestop_desk.services.reception import ResultChoice

log = logging.getLogger("onestop.gui.reception")

Channel = ResultChannel
CHANNELS = RESULT_CHANNELS


class SummaryPanel(QWidget):
    """Fee (with an exemption), due date and result channel, checked before ``sig_save_requested``.

    The caller computes: on ``sig_exemption_changed`` it requotes and calls ``set_fee``.
    """

    #: The fee exemption chosen changed: a key of ``core.catalog.EXEMPTIONS`` or None.
    sig_exemption_changed = Signal(object)
    #: The result channel changed ("desk", "post" or "online").
    sig_channel_changed = Signal(str)
    #: The specialist asked to save (button or Ctrl+S) and the channel is complete.
    sig_save_requested = Signal()

    def __init__(self, *, postal_address: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        font = QFont(self.font())
        font.setFamily(bundled_font_family())
        self.setFont(font)
        self.setStyleSheet(style.sheet("summary"))
        self._prefilled = ""
        self._build()
        self.set_fee(None)
        self.set_due("")
        self.set_postal_address(postal_address)
        self.save_action = save_action(self, self.request_save)

    # --- public API -------------------------------------------------------------------------
    def set_fee(self, quote: FeeQuote | None) -> None:
        """Show a computed fee (None: no procedure chosen yet)."""
        lines: tuple[str, ...] = ()
        if quote is None:
            amount, state = self.tr("Chưa chọn thủ tục"), "none"
        elif not quote.amount_known:
            amount, state, lines = self.tr("Chưa có mức thu"), "unknown", quote.lines
        elif quote.exempted:
            amount, state, lines = self.tr("Miễn lệ phí"), "free", quote.lines
        elif quote.amount == 0:
            amount, state, lines = self.tr("Không thu lệ phí"), "free", quote.lines
        else:
            amount, state, lines = format_vnd(quote.amount), "charge", quote.lines
        self.fee_amount.setText(amount)
        restyle(self.fee_amount, "state", state)
        self.fee_lines.setText("\n".join(lines))
        self.fee_lines.setVisible(bool(lines))

    def exemption(self) -> str | None:
        value = self.exemption_combo.currentData()
        return str(value) if value else None

    def set_exemption(self, code: str | None) -> None:
        """Choose an exemption without emitting ``sig_exemption_changed`` (restoring a draft)."""
        self.exemption_combo.blockSignals(True)
        self.exemption_combo.setCurrentIndex(max(0, self.exemption_combo.findData(code or "")))
        self.exemption_combo.blockSignals(False)

    def set_due_at(self, due: datetime, note: str = "") -> None:
        """The due date worked out, written out in words as it is printed."""
        name = weekday_name(due)
        weekday = name[:1].lower() + name[1:]  # mid-sentence: "17 giờ 00 phút, thứ Hai …"
        self.set_due(
            self.tr("{hh:02d} giờ {mm:02d} phút, {weekday} ngày {day:%d/%m/%Y}").format(
                hh=due.hour, mm=due.minute, weekday=weekday, day=due
            ),
            note,
        )

    def set_due(self, text: str, note: str = "") -> None:
        """The due date as it will be printed, e.g. "16 giờ 30 phút, ngày 12/03/2026".

        ``note`` says how it was counted (cut-off hour, days off skipped), in smaller type.
        """
        self.due_label.setText(text or "—")
        self.due_note.setText(note)
        self.due_note.setVisible(bool(note))

    def set_postal_address(self, text: str) -> None:
        """Prefill the postal address (the applicant's); a typed address is kept."""
        current = self.address_edit.text().strip()
        if not current or current == self._prefilled:
            self.address_edit.setText(text)
        self._prefilled = text.strip()

    def channel(self) -> tuple[Channel, str | None]:
        """Where the result goes, with the postal address when it goes by post."""
        kind = CHANNELS[max(0, self.channel_group.checkedId())]
        if kind == "post":
            return kind, " ".join(self.address_edit.text().split()) or None
        return kind, None

    def set_channel(self, kind: Channel, address: str | None = None) -> None:
        self.channel_buttons[kind].setChecked(True)
        if address is not None:
            self.address_edit.setText(address)
        self._channel_toggled()

    def result(self) -> ResultChoice:
        """The exemption and the result channel as the reception draft keeps them."""
        channel, address = self.channel()
        return ResultChoice(channel, address, self.exemption())

    def set_result(self, result: ResultChoice) -> None:
        """Put a draft's choice back without emitting ``sig_exemption_changed``."""
        if result.exemption:
            self.set_exemption(result.exemption)
        if result.channel:
            self.set_channel(result.channel, result.address)

    def validate(self) -> str | None:
        """The reason the dossier cannot be saved yet (a postal channel without address)."""
        kind, address = self.channel()
        if kind == "post" and not address:
            return self.tr("Nhập địa chỉ nhận kết quả qua bưu chính công ích.")
        return None

    def request_save(self) -> bool:
        """What the save button and Ctrl+S do: check, then emit ``sig_save_requested``."""
        if not self.save_button.isEnabled():
            return False
        problem = self.validate()
        restyle(self.address_edit, "invalid", problem is not None)
        if problem is not None:
            self.show_message(problem, error=True)
            self.address_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        self.show_message("")
        self.sig_save_requested.emit()
        return True

    def set_saving(self, saving: bool) -> None:
        """Disable the save button while the dossier is being saved and printed."""
        self.save_button.setEnabled(not saving)
        self.save_action.setEnabled(not saving)
        self.save_button.setText(
            self.tr("Đang lưu hồ sơ…") if saving else self.tr("Lưu hồ sơ và in phiếu hẹn (Ctrl+S)")
        )

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setText(text)
        restyle(self.message_label, "kind", "error" if error else "info")
        self.message_label.setVisible(bool(text))

    # --- layout -----------------------------------------------------------------------------
    def _card(self, title: str) -> tuple[QFrame, QVBoxLayout]:
        card = QFrame()
        card.setObjectName("summaryCard")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(4)
        label = QLabel(title)
        label.setObjectName("cardTitle")
        layout.addWidget(label)
        return card, layout

    def _build(self) -> None:
        base = self.font()
        root = QVBoxLayout(self)
        root.setContentsMargins(10, 8, 10, 8)
        root.setSpacing(8)

        fee_card, fee = self._card(self.tr("LỆ PHÍ"))
        self.fee_amount = QLabel()
        self.fee_amount.setObjectName("feeAmount")
        self.fee_amount.setFont(scaled(base, 1.6, bold=True))
        self.fee_lines = QLabel()
        self.fee_lines.setObjectName("feeLines")
        self.fee_lines.setWordWrap(True)
        self.exemption_combo = QComboBox()
        self.exemption_combo.addItem(self.tr("Không thuộc diện miễn"), "")
        for code, label in EXEMPTIONS.items():
            self.exemption_combo.addItem(label[:1].upper() + label[1:], code)
        self.exemption_combo.currentIndexChanged.connect(
            lambda _i: self.sig_exemption_changed.emit(self.exemption())
        )
        exemption_row = QFormLayout()
        exemption_row.setContentsMargins(0, 4, 0, 0)
        exemption_row.addRow(self.tr("Miễn lệ phí cho:"), self.exemption_combo)
        fee.addWidget(self.fee_amount)
        fee.addWidget(self.fee_lines)
        fee.addLayout(exemption_row)
        root.addWidget(fee_card)

        due_card, due = self._card(self.tr("HẸN TRẢ KẾT QUẢ"))
        self.due_label = QLabel()
        self.due_label.setObjectName("dueText")
        self.due_label.setFont(scaled(base, 1.25, bold=True))
        self.due_label.setWordWrap(True)
        due.addWidget(self.due_label)
        self.due_note = QLabel()
        self.due_note.setObjectName("feeLines")
        self.due_note.setWordWrap(True)
        self.due_note.hide()
        due.addWidget(self.due_note)
        root.addWidget(due_card)

        channel_card, channel = self._card(self.tr("NHẬN KẾT QUẢ"))
        self.channel_group = QButtonGroup(self)
        self.channel_buttons: dict[Channel, QRadioButton] = {}
        texts: dict[Channel, str] = {
            "desk": self.tr("Nhận tại Bộ phận Một cửa"),
            "post": self.tr("Qua dịch vụ bưu chính công ích"),
            "online": self.tr("Trực tuyến"),
        }
        for index, kind in enumerate(CHANNELS):
            button = QRadioButton(texts[kind])
            self.channel_group.addButton(button, index)
            self.channel_buttons[kind] = button
            channel.addWidget(button)
            if kind == "post":
                self.address_edit = QLineEdit()
                self.address_edit.setPlaceholderText(self.tr("Địa chỉ nhận kết quả qua bưu điện"))
                self.address_edit.textEdited.connect(
                    lambda _t: restyle(self.address_edit, "invalid", False)
                )
                indent = QVBoxLayout()
                indent.setContentsMargins(24, 0, 0, 4)
                indent.addWidget(self.address_edit)
                channel.addLayout(indent)
        self.channel_buttons["desk"].setChecked(True)
        self.channel_group.idToggled.connect(self._channel_button_toggled)
        self._channel_toggled()
        root.addWidget(channel_card)

        root.addStretch(1)
        self.message_label = QLabel()
        self.message_label.setObjectName("message")
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        root.addWidget(self.message_label)
        self.save_button = QPushButton(self.tr("Lưu hồ sơ và in phiếu hẹn (Ctrl+S)"))
        self.save_button.setObjectName("saveButton")
        self.save_button.setFont(scaled(base, 1.15, bold=True))
        self.save_button.setMinimumHeight(52)
        self.save_button.clicked.connect(self.request_save)
        root.addWidget(self.save_button)

    def _channel_button_toggled(self, _id: int, checked: bool) -> None:
        if checked:  # the button switched on; the one switched off also reports
            self._channel_toggled()

    def _channel_toggled(self) -> None:
        kind, _address = self.channel()
        self.address_edit.setEnabled(kind == "post")
        if kind != "post":
            restyle(self.address_edit, "invalid", False)
        self.sig_channel_changed.emit(kind)
