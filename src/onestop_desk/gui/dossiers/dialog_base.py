"""The base of the dossier tab's action dialogs: a heading, a form, a message line, two buttons.

A dialog stays open while its action runs in the background: a refusal from the service
(a missing reason, a date before the current one) is shown in it, with what was typed kept.
``Ctrl+Enter`` confirms from anywhere in a dialog, ``Esc`` cancels.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.gui.dossiers.data import DossierDetail
from onestop_desk.gui.dossiers.style import dialog_sheet
from onestop_desk.services.lifecycle.commands import DossierCommand


def text_box(placeholder: str = "", lines: int = 3) -> QPlainTextEdit:
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
        self.setStyleSheet(dialog_sheet())
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
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(self.accept)

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
