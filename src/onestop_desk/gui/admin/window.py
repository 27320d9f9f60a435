"""The admin window: a sign-in for the center head or IT, then one tab per area of settings."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QTabWidget, QWidget

from onestop_desk.context import AppContext
from onestop_desk.gui.admin.portal import PortalTab
from onestop_desk.gui.changes import change_hub
from onestop_desk.gui.reception.login import LoginDialog, staff_login_dialog
from onestop_desk.gui.widgets import add_close_action, show_who_and_where
from onestop_desk.log import gui as log
from onestop_desk.services.staff import StaffInfo, require_admin


class AdminWindow(QMainWindow):
    """The admin face: for now the online-portal connection (Kết nối dịch vụ công)."""

    PORTAL_TAB = 0

    def __init__(
        self, ctx: AppContext, *, staff: StaffInfo | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.staff = staff
        self.resize(1100, 760)
        self.changes = change_hub(ctx.database)
        self.portal = PortalTab(ctx, staff=staff, changes=self.changes, parent=self)
        self.portal.sig_status.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.tabs = QTabWidget()
        self.tabs.addTab(self.portal, self.tr("Kết nối dịch vụ công"))
        self.setCentralWidget(self.tabs)

        add_close_action(self, self.menuBar().addMenu(self.tr("&Quản trị")))
        show_who_and_where(self, staff, ctx.database.describe())
        suffix = f" — {staff.full_name}" if staff is not None else ""
        self.setWindowTitle(self.tr("Quản trị") + f"{suffix} — OneStop Desk")

        self.changes.hold(self)
        self.portal.start()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.changes.release(self)
        super().closeEvent(event)


def admin_login_dialog(ctx: AppContext) -> LoginDialog:
    """The sign-in of the admin face: any genuine account, then only the head's or admin's role."""
    return staff_login_dialog(
        ctx,
        source="admin",
        allow=require_admin,
        title=QCoreApplication.translate("AdminWindow", "Đăng nhập phần quản trị"),
        show_counter=False,
    )


def run_admin(ctx: AppContext) -> int:
    """Sign in, open the admin window and run the event loop until it closes."""
    from onestop_desk.gui.crash import install_crash_handler
    from onestop_desk.gui.startup import prepare_database, qt_application, require_display

    require_display(
        "cửa sổ quản trị",
        "Chạy trên máy có màn hình; trên máy chủ không màn hình dùng các lệnh "
        "onestop-desk portal login, portal status, portal retry.",
    )
    prepare_database(ctx, demo=False)
    app = qt_application()
    dialog = admin_login_dialog(ctx)
    if not dialog.exec() or dialog.staff() is None:
        return 0
    window = AdminWindow(ctx, staff=dialog.staff())
    window.show()
    log.info("admin window open on %s", ctx.database.describe())
    crash = install_crash_handler(parent_window=window)
    try:
        return int(app.exec())
    finally:
        crash.uninstall()
