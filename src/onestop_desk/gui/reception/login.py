"""Staff log-in (counter and admin faces): name and password, checked in the background."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.context import AppContext
from onestop_desk.gui import messages
from onestop_desk.gui.operations import QueryOp
from onestop_desk.gui.reception import data, style
from onestop_desk.gui.reception.data import authenticate_staff
from onestop_desk.gui.widgets import bundled_font_family, restyle
from onestop_desk.services.staff import StaffInfo

log = logging.getLogger("onestop.gui.reception")


class LoginDialog(QDialog):
    """Ask for a login name and password; ``attempt(username, password)`` checks them.

    ``attempt`` runs in the background (it reaches the database); it returns the specialist's
    ``StaffInfo`` or raises a ``KnownError`` (``AuthenticationFailed``) whose text is shown under
    the fields. On success the dialog accepts and ``staff()`` gives who logged in.
    """

    def __init__(
        self,
        attempt: Callable[[str, str], StaffInfo],
        *,
        counter_number: int | None = None,
        office_name: str | None = None,
        username: str = "",
        title: str | None = None,
        show_counter: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._attempt = attempt
        self._staff: StaffInfo | None = None
        self._busy = False
        self.setObjectName("loginDialog")
        self.setWindowTitle(self.tr("Đăng nhập — OneStop Desk"))
        font = QFont(self.font())
        font.setFamily(bundled_font_family())
        self.setFont(font)
        self.setStyleSheet(style.sheet("login"))
        self.setMinimumWidth(440)
        self._build(counter_number, office_name, title)
        if not show_counter:
            self.counter_label.hide()
        self.username_edit.setText(username)
        (self.password_edit if username else self.username_edit).setFocus()

    def _build(
        self, counter_number: int | None, office_name: str | None, title: str | None
    ) -> None:
        base = self.font()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)

        heading = QLabel(title or self.tr("Đăng nhập quầy tiếp nhận"))
        heading.setObjectName("loginTitle")
        title_font = QFont(base)
        title_font.setPointSizeF(base.pointSizeF() * 1.35)
        title_font.setBold(True)
        heading.setFont(title_font)
        layout.addWidget(heading)

        if office_name:
            office = QLabel(office_name)
            office.setObjectName("officeName")
            office.setWordWrap(True)
            layout.addWidget(office)
        self.counter_label = QLabel(
            self.tr("Quầy số {n}").format(n=counter_number)
            if counter_number
            else self.tr("Chưa chọn quầy")
        )
        self.counter_label.setObjectName("counterBadge")
        self.counter_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.counter_label, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addSpacing(4)

        form = QFormLayout()
        form.setVerticalSpacing(8)
        self.username_edit = QLineEdit()
        self.username_edit.setPlaceholderText(self.tr("ví dụ: nguyenvana"))
        self.username_edit.setAccessibleName(self.tr("Tên đăng nhập"))
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName(self.tr("Mật khẩu"))
        form.addRow(self.tr("Tên đăng nhập:"), self.username_edit)
        form.addRow(self.tr("Mật khẩu:"), self.password_edit)
        layout.addLayout(form)

        self.status_label = QLabel()
        self.status_label.setObjectName("status")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label.hide()
        layout.addWidget(self.status_label)
        layout.addStretch(1)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.login_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.login_button.setText(self.tr("Đăng nhập"))
        self.login_button.setDefault(True)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText(self.tr("Thoát"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setTabOrder(self.username_edit, self.password_edit)
        self.setTabOrder(self.password_edit, self.login_button)

    # --- public -------------------------------------------------------------------------------
    def staff(self) -> StaffInfo | None:
        """Who logged in (None until the dialog is accepted)."""
        return self._staff

    def is_busy(self) -> bool:
        """True while the name and password are being checked."""
        return self._busy

    def submit(self) -> None:
        """Check what was typed (Enter and the "Đăng nhập" button come here)."""
        if self._busy:
            return
        username = self.username_edit.text().strip()
        password = self.password_edit.text()
        if not username:
            self._show_error(self.tr("Vui lòng nhập tên đăng nhập."), self.username_edit)
            return
        if not password:
            self._show_error(self.tr("Vui lòng nhập mật khẩu."), self.password_edit)
            return
        self._set_busy(True)
        self.status_label.setText(self.tr("Đang kiểm tra…"))
        restyle(self.status_label, "kind", "busy")
        self.status_label.show()
        QueryOp(
            lambda: self._attempt(username, password),
            success=self._succeeded,
            failure=self._failed,
            parent=self,
        ).run_in_background()

    # --- outcome ------------------------------------------------------------------------------
    def _succeeded(self, staff: StaffInfo) -> None:
        self._set_busy(False)
        if not self.isVisible():
            return  # closed meanwhile: the specialist changed their mind
        log.info("%s logged in", staff.username)
        self._staff = staff
        self.password_edit.clear()
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self._set_busy(False)
        text = messages.report(
            exc,
            what="log-in refused",
            bug_text=self.tr(
                "Không đăng nhập được do lỗi không mong muốn; chi tiết đã ghi vào nhật ký."
            ),
            logger=log,
            level=logging.INFO,
        )
        self.password_edit.clear()
        self._show_error(text, self.password_edit)

    def _show_error(self, text: str, focus: QLineEdit) -> None:
        self.status_label.setText(text)
        restyle(self.status_label, "kind", "error")
        self.status_label.show()
        focus.setFocus()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.login_button.setEnabled(not busy)
        self.username_edit.setReadOnly(busy)
        self.password_edit.setReadOnly(busy)


def staff_login_dialog(
    ctx: AppContext,
    *,
    source: str,
    allow: Callable[[StaffInfo], StaffInfo] | None = None,
    **options: Any,
) -> LoginDialog:
    """A LoginDialog checking accounts in this PC's database, headed with the office's name.

    ``allow`` may refuse a genuine account by raising a KnownError (a role that may not enter);
    ``options`` go to LoginDialog.
    """

    def attempt(username: str, password: str) -> StaffInfo:
        return authenticate_staff(
            ctx.database, source=source, username=username, password=password, allow=allow
        )

    office_name = data.office_name(ctx.database, ctx.settings.office.ward_code)
    return LoginDialog(attempt, office_name=office_name, **options)
