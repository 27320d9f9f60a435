"""The reception's steps: their order, their titles, and the bar that shows where the dossier is."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from onestop_desk.gui.widgets import restyle
from onestop_desk.services.reception import Step

STEP_TITLES = (
    "Người nộp",
    "Thủ tục",
    "Tờ khai",
    "Giấy tờ",
    "Lệ phí, hẹn trả",
    "In giấy tờ",
)
CITIZEN, PROCEDURE, FORM, CHECKLIST, SUMMARY, DONE = Step


class StepBar(QWidget):
    """The numbered steps (the current one lit, the ones behind in green), back and new buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.labels: list[QLabel] = []
        for number, title in enumerate(STEP_TITLES, start=1):
            label = QLabel(self.tr("{n}. {t}").format(n=number, t=self.tr(title)))
            label.setObjectName("stepLabel")
            row.addWidget(label)
            self.labels.append(label)
        row.addStretch(1)
        self.back_button = QPushButton(self.tr("← Bước trước"))
        self.back_button.setToolTip(self.tr("Quay lại bước trước (Ctrl+PgUp)"))
        row.addWidget(self.back_button)
        self.new_button = QPushButton(self.tr("Hồ sơ mới"))
        self.new_button.setToolTip(self.tr("Bỏ hồ sơ đang khai và bắt đầu hồ sơ khác (Ctrl+N)"))
        row.addWidget(self.new_button)

    def show_step(self, step: int) -> None:
        for index, label in enumerate(self.labels):
            state = "current" if index == step else ("done" if index < step else "")
            restyle(label, "state", state)
        self.back_button.setEnabled(CITIZEN < step < DONE)
