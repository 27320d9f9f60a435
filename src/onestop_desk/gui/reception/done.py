"""The last step: the dossier saved, its code, and the papers to print for the citizen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from onestop_desk.services.dossier import DossierView


class DonePage(QWidget):
    """ "Đã tiếp nhận hồ sơ": the code, who and what, when to come back, and the print buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.title = QLabel(self.tr("Đã tiếp nhận hồ sơ"))
        layout.addWidget(self.title)
        self.code = QLabel()
        self.code.setObjectName("doneCode")
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.code)
        self.details = QLabel()
        self.details.setWordWrap(True)
        layout.addWidget(self.details)
        buttons = QHBoxLayout()
        self.print_receipt_button = QPushButton(self.tr("In giấy tiếp nhận – Mẫu 01 (Ctrl+P)"))
        self.print_form_button = QPushButton(self.tr("In tờ khai để ký"))
        self.print_slip_button = QPushButton(self.tr("In lại giấy hẹn (máy in nhiệt)"))
        self.next_button = QPushButton(self.tr("Tiếp nhận hồ sơ khác (Ctrl+N)"))
        for button in (
            self.print_receipt_button,
            self.print_form_button,
            self.print_slip_button,
            self.next_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.papers_label = QLabel()
        self.papers_label.setWordWrap(True)
        self.papers_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.papers_label)

    def set_title_font(self, base: QFont) -> None:
        """The title a size above the pane's font (known once the pane has set its family)."""
        title_font = QFont(base)
        title_font.setPointSizeF(title_font.pointSizeF() * 1.4)
        title_font.setBold(True)
        self.title.setFont(title_font)

    def show_saved(self, view: DossierView) -> None:
        """Say what was saved; the declaration button only when the procedure has one."""
        self.code.setText(view.code)
        fee = view.as_json()["fee_text"]
        self.details.setText(
            self.tr(
                "{name} — {procedure}\nHẹn trả kết quả: {due:%H:%M}, ngày {due:%d/%m/%Y}. "
                "Lệ phí: {fee}."
            ).format(
                name=view.applicant.full_name,
                procedure=view.procedure_name,
                due=view.due_at,
                fee=fee,
            )
        )
        self.print_form_button.setEnabled(view.procedure_form is not None)
        self.papers_label.setText("")
