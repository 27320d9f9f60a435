"""The program's main window: the office, the database in use, and live counts for today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import func, select

from onestop_desk.context import AppContext
from onestop_desk.db.models import Dossier, Field, Procedure, StaffUser
from onestop_desk.errors import KnownError
from onestop_desk.gui.live import ChangeWatcher
from onestop_desk.gui.operations import QueryOp
from onestop_desk.services.office import OfficeInfo, find_office, office_info
from onestop_desk.services.queue import QueueCounts, queue_counts
from onestop_desk.services.uow import UnitOfWork

# Changes arrive through the ChangeWatcher; the timer only catches a new day and lost signals.
REFRESH_MS = 15000


@dataclass(frozen=True)
class Snapshot:
    """Everything the window shows, read in one background query."""

    office: OfficeInfo
    fields: dict[str, str]
    counts: QueueCounts
    procedures: int
    staff: int
    dossiers: int
    read_at: datetime


def read_snapshot(ctx: AppContext) -> Snapshot:
    with UnitOfWork(ctx.database, readonly=True) as uow:
        office = find_office(uow, ctx.settings.office.ward_code)
        s = uow.session

        def count(model: type, *where: object) -> int:
            return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)

        fields = dict(
            s.execute(
                select(Field.code, Field.name)
                .where(Field.office_id == office.id, Field.active.is_(True))
                .order_by(Field.sort_order)
            ).all()
        )
        return Snapshot(
            office=office_info(office),
            fields=fields,
            counts=queue_counts(uow, office_id=office.id, day=date.today()),
            procedures=count(Procedure, Procedure.office_id == office.id),
            staff=count(StaffUser, StaffUser.office_id == office.id),
            dossiers=count(Dossier, Dossier.office_id == office.id),
            read_at=datetime.now(),
        )


class MainWindow(QMainWindow):
    """Overview window; refreshes itself whenever the shared database changes."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle(self.tr("OneStop Desk — Bộ phận Một cửa"))
        self.resize(760, 560)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.center_label = QLabel(self.tr("Đang kết nối cơ sở dữ liệu…"))
        title_font = QFont(self.center_label.font())
        title_font.setPointSize(title_font.pointSize() + 6)
        title_font.setBold(True)
        self.center_label.setFont(title_font)
        self.center_label.setWordWrap(True)
        self.place_label = QLabel("")
        layout.addWidget(self.center_label)
        layout.addWidget(self.place_label)

        db_box = QGroupBox(self.tr("Cơ sở dữ liệu"))
        db_form = QFormLayout(db_box)
        kind = "PostgreSQL" if ctx.database.is_postgresql else self.tr("SQLite (tệp trên máy này)")
        db_form.addRow(self.tr("Loại:"), QLabel(kind))
        where = QLabel(ctx.database.describe())
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        where.setWordWrap(True)
        db_form.addRow(self.tr("Địa chỉ:"), where)
        self.status_label = QLabel("")
        db_form.addRow(self.tr("Trạng thái:"), self.status_label)
        layout.addWidget(db_box)

        counts_box = QGroupBox(self.tr("Hôm nay"))
        self.counts_form = QFormLayout(counts_box)
        self.waiting_label = QLabel("—")
        self.served_label = QLabel("—")
        self.catalog_label = QLabel("—")
        self.per_field_label = QLabel("—")
        self.per_field_label.setWordWrap(True)
        self.counts_form.addRow(self.tr("Đang chờ:"), self.waiting_label)
        self.counts_form.addRow(self.tr("Theo lĩnh vực:"), self.per_field_label)
        self.counts_form.addRow(self.tr("Đã phục vụ:"), self.served_label)
        self.counts_form.addRow(self.tr("Danh mục:"), self.catalog_label)
        layout.addWidget(counts_box)
        layout.addStretch(1)
        self.setCentralWidget(central)

        self._busy = False
        self._again = False
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.watcher = ChangeWatcher(ctx.database, self)
        self.watcher.sig_changed.connect(self.refresh)
        self.watcher.start()
        self.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.timer.stop()
        self.watcher.stop()
        super().closeEvent(event)

    def refresh(self) -> None:
        """Read the counts in the background (never on the GUI thread)."""
        if self._busy:
            self._again = True  # a change arrived mid-read: read once more afterwards
            return
        self._busy = True
        self._again = False
        QueryOp(
            lambda: read_snapshot(self.ctx),
            success=self._show,
            failure=self._failed,
            parent=self,
        ).run_in_background()

    def _done(self) -> None:
        self._busy = False
        if self._again:
            self.refresh()

    def _show(self, snap: Snapshot) -> None:
        self._done()
        o = snap.office
        self.center_label.setText(o.center_name.upper())
        self.place_label.setText(
            self.tr("{name}, {province} — mã đơn vị {code}, mã định danh {agency}").format(
                name=o.name, province=o.province_name, code=o.ward_code, agency=o.agency_code
            )
        )
        self.status_label.setText(
            self.tr("Đã kết nối, cập nhật lúc {time}").format(time=f"{snap.read_at:%H:%M:%S}")
        )
        self.status_label.setStyleSheet("color: #1b5e20;")
        waiting = sum(snap.counts.waiting_by_field.values())
        self.waiting_label.setText(self.tr("{n} người").format(n=waiting))
        parts = [
            f"{name}: {snap.counts.waiting_by_field.get(code, 0)}"
            for code, name in snap.fields.items()
        ]
        self.per_field_label.setText(" · ".join(parts) or "—")
        self.served_label.setText(self.tr("{n} lượt").format(n=snap.counts.by_state.get("done", 0)))
        self.catalog_label.setText(
            self.tr("{f} lĩnh vực, {p} thủ tục, {s} cán bộ, {d} hồ sơ").format(
                f=len(snap.fields), p=snap.procedures, s=snap.staff, d=snap.dossiers
            )
        )

    def _failed(self, exc: Exception) -> None:
        self._done()
        text = (
            exc.user_text()
            if isinstance(exc, KnownError)
            else self.tr("Lỗi không mong muốn khi đọc dữ liệu; chi tiết trong nhật ký.")
        )
        self.status_label.setText(text)
        self.status_label.setStyleSheet("color: #b71c1c;")
