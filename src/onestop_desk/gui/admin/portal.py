"""The admin's portal tab: connect this PC to the online public-service system, watch the outbox."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.context import AppContext
from onestop_desk.core.submission import submission_state_label
from onestop_desk.errors import KnownError
from onestop_desk.gui import messages
from onestop_desk.gui.admin import data
from onestop_desk.gui.admin.widgets import FailedRow, show_message
from onestop_desk.gui.changes import ChangeHub, change_hub
from onestop_desk.gui.operations import LatestRead, MutationOp, QueryOp
from onestop_desk.gui.widgets import bundled_font_family, load_style, restyle
from onestop_desk.log import gui as log
from onestop_desk.portal.client import PortalAuthError
from onestop_desk.portal.credentials import PortalLogin, check_login_input
from onestop_desk.services.staff import StaffInfo
from onestop_desk.services.submissions import OutboxSummary, SubmissionInfo


class PortalTab(QWidget):
    """Kết nối dịch vụ công: the portal login, checked before it is stored, and the outbox.

    Below the login: the submissions counted by state and the failed ones, each to send again.
    """

    #: Something the status bar should say.
    sig_status = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        *,
        staff: StaffInfo | None = None,
        changes: ChangeHub | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.staff = staff
        self.connection: data.PortalConnection | None = None
        self.summary: OutboxSummary | None = None
        self.failed_rows: dict[str, FailedRow] = {}
        self._saving = False
        self._outbox = LatestRead(
            self._prepare_outbox_read,
            success=self._outbox_read,
            failure=self._outbox_failed,
            parent=self,
        )
        self._filled = False  # the fields take the stored values once, never over typing
        font = QFont(self.font())
        font.setFamily(bundled_font_family())
        self.setFont(font)
        self.setStyleSheet(load_style("admin.qss"))
        self._build()
        # A resend here and another PC's change refresh the outbox the same way.
        self.changes = changes if changes is not None else change_hub(ctx.database)
        self.changes.sig_changed.connect(self.refresh_outbox)

    # --- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 12)
        layout.setSpacing(12)
        layout.addWidget(self._build_connection())
        layout.addWidget(self._build_outbox(), 1)

    def _build_connection(self) -> QGroupBox:
        box = QGroupBox(self.tr("Kết nối hệ thống dịch vụ công trực tuyến"))
        box.setFont(self.font())  # the group's bold title must not make its contents bold
        outer = QVBoxLayout(box)
        outer.setSpacing(8)
        hint = QLabel(
            self.tr(
                "Địa chỉ, mã ứng dụng và khoá bí mật do đơn vị quản lý hệ thống dịch vụ công "
                "của tỉnh cấp. Chương trình kiểm tra với hệ thống trước khi lưu; khoá bí mật "
                "chỉ được lưu trong kho mật khẩu của máy này, không ghi ra tệp cài đặt."
            )
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        outer.addWidget(hint)
        self.current_label = QLabel(self.tr("Đang đọc cài đặt…"))
        self.current_label.setObjectName("current")
        self.current_label.setWordWrap(True)
        self.current_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.current_label)

        form = QFormLayout()
        form.setVerticalSpacing(8)
        form.setHorizontalSpacing(12)
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText(self.tr("ví dụ: https://dichvucong.daklak.gov.vn"))
        self.url_edit.setAccessibleName(self.tr("Địa chỉ hệ thống"))
        self.url_edit.setMinimumWidth(420)
        self.client_id_edit = QLineEdit()
        self.client_id_edit.setPlaceholderText(self.tr("mã ứng dụng được cấp"))
        self.client_id_edit.setAccessibleName(self.tr("Mã ứng dụng"))
        self.secret_edit = QLineEdit()
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_edit.setPlaceholderText(self.tr("nhập khoá bí mật được cấp"))
        self.secret_edit.setAccessibleName(self.tr("Khoá bí mật"))
        # Neither copied out nor offered back by the input method.
        self.secret_edit.setInputMethodHints(
            Qt.InputMethodHint.ImhHiddenText
            | Qt.InputMethodHint.ImhSensitiveData
            | Qt.InputMethodHint.ImhNoPredictiveText
        )
        self.secret_state_label = QLabel()
        self.secret_state_label.setObjectName("secretState")
        secret_row = QHBoxLayout()
        secret_row.setSpacing(12)
        secret_row.addWidget(self.secret_edit, 1)
        secret_row.addWidget(self.secret_state_label)
        form.addRow(self.tr("Địa chỉ hệ thống:"), self.url_edit)
        form.addRow(self.tr("Mã ứng dụng:"), self.client_id_edit)
        form.addRow(self.tr("Khoá bí mật:"), secret_row)
        self.save_button = QPushButton(self.tr("Kiểm tra và lưu"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        form.addRow("", buttons)
        outer.addLayout(form)
        self.message_label = QLabel()
        self.message_label.setObjectName("message")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()
        outer.addWidget(self.message_label)
        for edit in (self.url_edit, self.client_id_edit, self.secret_edit):
            edit.returnPressed.connect(self.save)
        return box

    def _build_outbox(self) -> QGroupBox:
        box = QGroupBox(self.tr("Hồ sơ gửi trực tuyến"))
        box.setFont(self.font())
        outer = QVBoxLayout(box)
        outer.setSpacing(8)
        chips = QHBoxLayout()
        chips.setSpacing(8)
        self.count_labels: dict[str, QLabel] = {}
        for state in ("pending", "sending", "sent", "failed"):
            chip = QLabel()
            chip.setObjectName("countChip")
            chips.addWidget(chip)
            self.count_labels[state] = chip
        chips.addStretch(1)
        outer.addLayout(chips)
        self.failed_title = QLabel(self.tr("Hồ sơ gửi lỗi (sửa nguyên nhân rồi bấm “Gửi lại”):"))
        self.failed_title.setObjectName("hint")
        outer.addWidget(self.failed_title)
        self.empty_label = QLabel(self.tr("Không có hồ sơ nào gửi lỗi."))
        self.empty_label.setObjectName("hint")
        outer.addWidget(self.empty_label)
        self.failed_list = QWidget()
        self.failed_list.setObjectName("failedList")
        self.failed_layout = QVBoxLayout(self.failed_list)
        self.failed_layout.setContentsMargins(0, 0, 4, 0)
        self.failed_layout.setSpacing(6)
        self.failed_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("failedScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.failed_list)
        outer.addWidget(scroll, 1)
        self.outbox_message = QLabel()
        self.outbox_message.setObjectName("message")
        self.outbox_message.setWordWrap(True)
        self.outbox_message.hide()
        outer.addWidget(self.outbox_message)
        self._show_counts(None)
        return box

    # --- public ---------------------------------------------------------------------------------
    def start(self) -> None:
        """First reads: the stored connection and the outbox."""
        self.load_connection()
        self.refresh_outbox()

    def is_busy(self) -> bool:
        """True while a login is being checked with the portal."""
        return self._saving

    def load_connection(self) -> None:
        """Read the stored address and id, and whether the keyring holds the secret."""
        ctx = self.ctx
        QueryOp(
            lambda: data.portal_connection(ctx),
            success=self._connection_read,
            failure=lambda exc: self.current_label.setText(
                self._failure_text(exc, "portal settings not read")
            ),
            parent=self,
        ).run_in_background()

    def save(self) -> None:
        """Check what was typed, then the login against the portal, then store it."""
        if self._saving:
            return
        url = self.url_edit.text().strip()
        client_id = self.client_id_edit.text().strip()
        secret = self.secret_edit.text()
        for value, edit, text in (
            (url, self.url_edit, self.tr("Vui lòng nhập địa chỉ hệ thống dịch vụ công.")),
            (client_id, self.client_id_edit, self.tr("Vui lòng nhập mã ứng dụng.")),
            (secret.strip(), self.secret_edit, self.tr("Vui lòng nhập khoá bí mật.")),
        ):
            if not value:
                self._refuse(text, edit)
                return
        try:
            check_login_input(url, client_id)
        except KnownError as exc:
            self._refuse(exc.user_text(), self.url_edit)
            return
        self._set_saving(True)
        show_message(
            self.message_label, self.tr("Đang kiểm tra với hệ thống dịch vụ công…"), "busy"
        )
        ctx = self.ctx
        # The login goes to the settings file and the keyring, not the database: nothing to
        # announce on the change hub.
        QueryOp(
            lambda: data.save_portal_login(ctx, url, client_id, secret),
            success=self._saved,
            failure=self._save_failed,
            parent=self,
        ).run_in_background()

    def refresh_outbox(self) -> None:
        """Read the outbox again (one read at a time; a change meanwhile reads once more)."""
        self._outbox.request()

    def _prepare_outbox_read(self) -> Callable[[], OutboxSummary]:
        ctx = self.ctx
        return lambda: data.read_outbox(ctx)

    def retry(self, code: str) -> None:
        """Put a failed submission back in the queue."""
        row = self.failed_rows.get(code)
        if row is not None:
            row.retry_button.setEnabled(False)
        ctx = self.ctx
        staff_id: uuid.UUID | None = self.staff.id if self.staff is not None else None

        def done(_code: str) -> None:
            text = self.tr("Hồ sơ {code} đã vào lại hàng đợi gửi lên hệ thống dịch vụ công.")
            show_message(self.outbox_message, text.format(code=code), "ok")
            self.sig_status.emit(text.format(code=code))
            log.info("submission of %s queued again from the admin face", code)

        def failed(exc: Exception) -> None:
            if row is not None:
                row.retry_button.setEnabled(True)
            text = self.tr("Không gửi lại được hồ sơ {code}: {reason}").format(
                code=code, reason=self._failure_text(exc, f"submission of {code} not queued again")
            )
            show_message(self.outbox_message, text, "error")

        MutationOp(
            lambda: data.retry(ctx, code, staff_id),
            changes=self.changes,
            success=done,
            failure=failed,
            parent=self,
        ).run_in_background()

    # --- outcomes -------------------------------------------------------------------------------
    def _connection_read(self, connection: data.PortalConnection) -> None:
        self.connection = connection
        if connection.url and connection.client_id:
            self.current_label.setText(
                self.tr("Máy này đang kết nối {url} với mã ứng dụng “{client_id}”.").format(
                    url=connection.url, client_id=connection.client_id
                )
            )
        else:
            self.current_label.setText(
                self.tr("Máy này chưa khai báo kết nối hệ thống dịch vụ công.")
            )
        if connection.secret_problem:
            state = self.tr("không đọc được kho mật khẩu: {why}").format(
                why=connection.secret_problem
            )
        elif connection.secret_stored:
            state = self.tr("đã lưu trong kho mật khẩu")
        else:
            state = self.tr("chưa có")
        self.secret_state_label.setText(self.tr("Hiện tại: {state}").format(state=state))
        restyle(self.secret_state_label, "stored", connection.secret_stored)
        if not self._filled:
            self._filled = True
            if not self.url_edit.text():
                self.url_edit.setText(connection.url)
            if not self.client_id_edit.text():
                self.client_id_edit.setText(connection.client_id)

    def _saved(self, stored: PortalLogin) -> None:
        self._set_saving(False)
        self.secret_edit.clear()
        self.url_edit.setText(stored.url)
        self.client_id_edit.setText(stored.client_id)
        text = self.tr(
            "Đã kết nối hệ thống dịch vụ công {url} với mã ứng dụng “{client_id}”. "
            "Khoá bí mật được lưu trong kho mật khẩu của máy này."
        ).format(url=stored.url, client_id=stored.client_id)
        show_message(self.message_label, text, "ok")
        self.sig_status.emit(text)
        log.info("portal login stored: %s as %s", stored.url, stored.client_id)
        self.load_connection()

    def _save_failed(self, exc: Exception) -> None:
        self._set_saving(False)
        text = self._failure_text(exc, "portal login not stored", level=logging.INFO)
        refused = isinstance(exc, PortalAuthError)
        if refused:
            self.secret_edit.clear()  # a refused secret is of no further use
        show_message(self.message_label, text, "error")
        (self.secret_edit if refused else self.url_edit).setFocus()

    def _outbox_read(self, summary: OutboxSummary) -> None:
        self.summary = summary
        self._show_counts(summary)
        self._show_failed(summary.failed)

    def _outbox_failed(self, exc: Exception) -> None:
        show_message(
            self.outbox_message,
            self.tr("Không đọc được hàng đợi gửi hồ sơ: {reason}").format(
                reason=self._failure_text(exc, "outbox not read")
            ),
            "error",
        )

    # --- helpers --------------------------------------------------------------------------------
    def _show_counts(self, summary: OutboxSummary | None) -> None:
        for state, chip in self.count_labels.items():
            number = summary.counts.get(state, 0) if summary is not None else None
            chip.setText(f"{submission_state_label(state)}: {'…' if number is None else number}")
            restyle(chip, "alert", state == "failed" and bool(number))

    def _show_failed(self, failed: tuple[SubmissionInfo, ...]) -> None:
        for row in self.failed_rows.values():
            self.failed_layout.removeWidget(row)
            row.deleteLater()
        self.failed_rows = {}
        for info in failed:
            row = FailedRow(info, self.failed_list)
            row.retry_button.clicked.connect(
                lambda _checked=False, code=info.dossier_code: self.retry(code)
            )
            self.failed_layout.insertWidget(self.failed_layout.count() - 1, row)
            self.failed_rows[info.dossier_code] = row
        self.failed_title.setVisible(bool(failed))
        self.empty_label.setVisible(not failed)

    def _refuse(self, text: str, focus: QLineEdit) -> None:
        """Input the program cannot take: say why under the form, keep everything typed."""
        show_message(self.message_label, text, "error")
        focus.setFocus()

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.save_button.setEnabled(not saving)
        for edit in (self.url_edit, self.client_id_edit, self.secret_edit):
            edit.setReadOnly(saving)

    def _failure_text(self, exc: Exception, what: str, *, level: int = logging.WARNING) -> str:
        return messages.report(
            exc,
            what=what,
            bug_text=self.tr("Lỗi không mong muốn; chi tiết đã ghi vào nhật ký."),
            logger=log,
            level=level,
        )
