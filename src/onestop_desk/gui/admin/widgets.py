"""The admin face's small widgets: a message under a form, a failed submission's row."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from onestop_desk.gui.widgets import restyle
from onestop_desk.services.submissions import SubmissionInfo


def show_message(label: QLabel, text: str, kind: str) -> None:
    """A message under a form: busy, ok or error (the style sheet colours each)."""
    label.setText(text)
    restyle(label, "kind", kind)
    label.show()


class FailedRow(QFrame):
    """One submission the outbox gave up on: the dossier, when, why, and a "Gửi lại" button."""

    def __init__(self, info: SubmissionInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code = info.dossier_code
        self.setObjectName("failedRow")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(12)
        text = QVBoxLayout()
        text.setSpacing(3)
        top = QHBoxLayout()
        top.setSpacing(10)
        code = QLabel(info.dossier_code)
        code.setObjectName("failedCode")
        code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(code)
        when = QLabel(
            self.tr("gửi lỗi lúc {at}, sau {n} lần gửi").format(
                at=f"{info.updated_at:%H:%M %d/%m/%Y}", n=info.attempts
            )
        )
        when.setObjectName("failedWhen")
        top.addWidget(when)
        top.addStretch(1)
        text.addLayout(top)
        self.error_label = QLabel((info.last_error or self.tr("(không rõ lý do)")).strip())
        self.error_label.setObjectName("failedError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text.addWidget(self.error_label)
        layout.addLayout(text, 1)
        self.retry_button = QPushButton(self.tr("Gửi lại"))
        self.retry_button.setAccessibleName(
            self.tr("Gửi lại hồ sơ {code}").format(code=info.dossier_code)
        )
        layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignTop)
