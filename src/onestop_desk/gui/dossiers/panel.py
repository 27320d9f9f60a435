"""The counter's dossier tab: find a dossier (filters, search, a scanned slip), see it, act on it.

The list is read in the background, again whenever the shared database changes (while the tab
is shown; once when it comes back into view otherwise) and after each action. The opened
dossier's details and history are read the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.context import AppContext
from onestop_desk.core.calendar import weekday_name
from onestop_desk.core.dossier_code import parse_dossier_code
from onestop_desk.core.lifecycle import DossierAction, timing_label
from onestop_desk.errors import KnownError
from onestop_desk.gui import messages
from onestop_desk.gui.changes import ChangeHub, change_hub
from onestop_desk.gui.dossiers import data
from onestop_desk.gui.dossiers.data import DossierDetail, ListQuery, ListSnapshot
from onestop_desk.gui.dossiers.detail import (
    DECLARATION,
    NOTICE_NAMES,
    RECEIPT,
    SLIP,
    DossierDetailPanel,
    enter_button,
)
from onestop_desk.gui.dossiers.dialogs import ActionDialog, dialog_for
from onestop_desk.gui.dossiers.models import CODE_ROLE, DossierListModel
from onestop_desk.gui.operations import LatestRead, MutationOp, QueryOp
from onestop_desk.gui.widgets import bundled_font_family, papers, restyle
from onestop_desk.log import gui as log
from onestop_desk.printing.printers import PreviewSink
from onestop_desk.services.dossier_list import DossierFilter, search_kind
from onestop_desk.services.lifecycle.commands import DossierCommand
from onestop_desk.services.lifecycle.status import DossierStatus
from onestop_desk.services.office import OfficeInfo
from onestop_desk.services.staff import StaffInfo

SEARCH_DELAY_MS = 250
DETAIL_DELAY_MS = 120  # arrowing through the list reads only the row it stops on
REFRESH_MS = 60_000  # "today", "late" move on with the clock

_STYLE = """
QToolButton[role="filter"] { border: 1px solid #c5cfd8; border-radius: 13px; padding: 3px 10px;
    background: #f5f7f9; }
QToolButton[role="filter"]:hover { background: #e8eef3; }
QToolButton[role="filter"]:checked { background: #1565c0; color: #ffffff; border-color: #0d47a1; }
QToolButton[role="filter"][alert="true"] { color: #b71c1c; font-weight: bold; }
QToolButton[role="filter"][alert="true"]:checked { color: #ffffff; background: #b71c1c;
    border-color: #8e1515; }
QFrame#lateBanner { background: #fff3e0; border: 1px solid #ffb74d; border-radius: 6px; }
QLabel#bannerText { color: #8a3c00; font-weight: bold; }
QLabel#stateChip { border-radius: 10px; padding: 2px 10px; background: #e3f2fd; color: #0b5394;
    font-weight: bold; }
QLabel#stateChip[late="true"] { background: #fdecea; color: #b71c1c; }
QLabel[late="true"] { color: #b71c1c; font-weight: bold; }
QLabel#factName { color: #5f6b73; }
QLabel#sectionTitle { font-weight: bold; color: #263238; margin-top: 4px; }
QLabel#hint { color: #5f6b73; }
QFrame#offer { background: #e8f5e9; border: 1px solid #81c784; border-radius: 6px; }
QLabel#message[kind="info"] { color: #1b5e20; }
QLabel#message[kind="error"] { color: #b71c1c; background: #fdecea; border-radius: 4px;
    padding: 4px 6px; }
"""

#: The filter bar, left to right; Alt+1… picks them.
FILTERS = (
    DossierFilter.OPEN,
    DossierFilter.DUE_TODAY,
    DossierFilter.DUE_TOMORROW,
    DossierFilter.LATE,
    DossierFilter.SUPPLEMENT,
    DossierFilter.RESULT_READY,
    DossierFilter.SUBMISSION_FAILED,
    DossierFilter.RETURNED,
    DossierFilter.ALL,
)
#: Piles that stay small sort by due time; the history sorts newest first.
_DEFAULT_SORT = {
    DossierFilter.RETURNED: ("received_at", True),
    DossierFilter.ALL: ("received_at", True),
}
#: Filters whose count is shown as a warning when not zero.
_ALERTS = (DossierFilter.LATE, DossierFilter.SUBMISSION_FAILED)
#: The paper an action's dialog promises, offered once the action is done.
PAPER_OF_ACTION = {
    DossierAction.REQUEST_SUPPLEMENT: "02",
    DossierAction.REFUSE: "03",
    DossierAction.EXTEND: "04",
    DossierAction.STOP: "05",
    DossierAction.RETURN_RESULT: "06",
}

Clock = Callable[[], datetime]


class DossiersPane(QWidget):
    """Find, open and act on the office's dossiers."""

    #: Something the status bar should say.
    sig_status = Signal(str)
    #: A dossier was opened in the detail panel (its code).
    sig_opened = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        *,
        changes: ChangeHub | None = None,
        staff: StaffInfo | None = None,
        preview: PreviewSink | None = None,
        opener: papers.Opener | None = None,
        clock: Clock = datetime.now,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.staff = staff
        self.preview = preview
        self._opener = opener
        self._now = clock
        self.query = ListQuery()
        self.snapshot: ListSnapshot | None = None
        self.dialog: ActionDialog | None = None
        self._office: OfficeInfo | None = None
        self._pending = 0
        self._stale = True
        # Every action invalidates it: reads started before show the list as it was.
        self._lister = LatestRead(
            self._prepare_read,
            success=self._read_done,
            failure=lambda exc: self._report(exc, self.tr("Không đọc được danh sách hồ sơ")),
            parent=self,
        )
        self._open_code: str | None = None
        self._detail_generation = 0
        self._open_single_after_read = False
        self._focus_after_detail = False
        self._filter_before_search: DossierFilter | None = None
        self._selecting = False

        font = QFont(self.font())
        font.setFamily(bundled_font_family())
        self.setFont(font)
        self.setStyleSheet(_STYLE)
        self._build()

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._search_now)
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(DETAIL_DELAY_MS)
        self._detail_timer.timeout.connect(self._load_selected)
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(REFRESH_MS)
        self._clock_timer.timeout.connect(self.refresh)
        # Saves here are announced on the hub; only a host's hub is listened to (the counter's).
        self.changes = changes or change_hub(ctx.database)
        if changes is not None:
            changes.sig_changed.connect(self._database_changed)

    # --- building -------------------------------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(10, 8, 10, 8)
        root.setSpacing(6)

        self.banner = QFrame()
        self.banner.setObjectName("lateBanner")
        banner = QHBoxLayout(self.banner)
        banner.setContentsMargins(10, 4, 6, 4)
        self.banner_label = QLabel()
        self.banner_label.setObjectName("bannerText")
        self.banner_label.setWordWrap(True)
        self.banner_button = enter_button()
        self.banner_button.clicked.connect(self.toggle_soon_late)
        banner.addWidget(self.banner_label, 1)
        banner.addWidget(self.banner_button)
        self.banner.hide()
        root.addWidget(self.banner)

        bar = QHBoxLayout()
        bar.setSpacing(4)
        self.filter_group = QButtonGroup(self)
        self.filter_group.setExclusive(True)
        self.filter_buttons: dict[DossierFilter, QToolButton] = {}
        for number, which in enumerate(FILTERS, start=1):
            button = QToolButton()
            button.setCheckable(True)
            button.setProperty("role", "filter")
            button.setToolTip(self.tr("Alt+{n}").format(n=number))
            button.clicked.connect(lambda _c=False, w=which: self.set_filter(w))
            self.filter_group.addButton(button)
            self.filter_buttons[which] = button
            bar.addWidget(button)
            shortcut = QShortcut(QKeySequence(f"Alt+{number}"), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda w=which: self.set_filter(w, focus=True))
        bar.addStretch(1)
        root.addLayout(bar)
        self.filter_buttons[self.query.filter].setChecked(True)
        self._label_filters(None)

        search_row = QHBoxLayout()
        self.search_edit = QLineEdit()
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setPlaceholderText(
            self.tr(
                "Tìm: mã hồ sơ (hoặc mấy số cuối), số định danh, "
                "họ tên gõ từ họ, không cần dấu — Ctrl+F"
            )
        )
        self.search_edit.textEdited.connect(self._search_typed)
        self.search_edit.returnPressed.connect(self._search_entered)
        self.search_edit.installEventFilter(self)
        search_row.addWidget(self.search_edit, 1)
        self.search_hint = QLabel()
        self.search_hint.setObjectName("hint")
        search_row.addWidget(self.search_hint)
        sort_label = QLabel(self.tr("&Sắp xếp:"))
        self.sort_combo = QComboBox()
        sort_label.setBuddy(self.sort_combo)
        for key, text in (
            ("due_at", self.tr("Hẹn trả")),
            ("received_at", self.tr("Ngày nhận")),
            ("code", self.tr("Mã hồ sơ")),
            ("applicant", self.tr("Người nộp")),
            ("procedure", self.tr("Thủ tục")),
            ("state", self.tr("Trạng thái")),
            ("submission", self.tr("Gửi trực tuyến")),
        ):
            self.sort_combo.addItem(text, key)
        self.sort_combo.activated.connect(self._sort_picked)
        self.order_button = QToolButton()
        self.order_button.setToolTip(self.tr("Đảo thứ tự sắp xếp"))
        self.order_button.clicked.connect(
            lambda: self.set_sort(self.query.sort, not self.query.descending)
        )
        search_row.addWidget(sort_label)
        search_row.addWidget(self.sort_combo)
        search_row.addWidget(self.order_button)
        root.addLayout(search_row)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.focus_search).setContext(
            Qt.ShortcutContext.WidgetWithChildrenShortcut
        )

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.hide()
        root.addWidget(self.message)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        self.model = DossierListModel(self)
        self.model.sig_sort_requested.connect(self.set_sort)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DossierListModel.PROCEDURE, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(DossierListModel.DUE, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.doubleClicked.connect(lambda _i: self._enter_detail())
        self.table.installEventFilter(self)
        list_box = QWidget()
        list_layout = QVBoxLayout(list_box)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.setSpacing(2)
        list_layout.addWidget(self.table, 1)
        self.count_label = QLabel()
        self.count_label.setObjectName("hint")
        list_layout.addWidget(self.count_label)
        splitter.addWidget(list_box)

        self.detail_panel = DossierDetailPanel()
        self.detail_panel.sig_action.connect(self.start_action)
        self.detail_panel.sig_paper.connect(self.make_paper)
        self.detail_panel.sig_retry.connect(self.retry_submission)
        splitter.addWidget(self.detail_panel)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 6)
        root.addWidget(splitter, 1)
        self._show_order()
        for keys, slot in (
            ("Ctrl+P", self.detail_panel.open_offered),
            ("Alt+0", self.toggle_soon_late),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # --- life cycle -----------------------------------------------------------------------------
    def start(self) -> None:
        """Start following the database (the first read happens once the tab is shown)."""
        self._clock_timer.start()
        if self.isVisible():
            self.refresh()

    def stop(self) -> None:
        self._clock_timer.stop()
        self._search_timer.stop()
        self._detail_timer.stop()

    def set_staff(self, staff: StaffInfo | None) -> None:
        self.staff = staff

    def is_busy(self) -> bool:
        """True while a read, an action or a paper runs in the background."""
        return (
            self._pending > 0
            or self._lister.busy
            or self._search_timer.isActive()
            or self._detail_timer.isActive()
        )

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _database_changed(self) -> None:
        self.refresh()
        if self._open_code is not None and self.isVisible():
            self._load_detail(self._open_code)

    # --- reading the list -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the list in the background (later, when the tab is not shown)."""
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        self._lister.request()

    def _prepare_read(self) -> Callable[[], ListSnapshot]:
        ctx, query, office, now = self.ctx, self.query, self._office, self._now()
        return lambda: data.read_list(ctx, office, query, now)

    def _read_done(self, snap: ListSnapshot) -> None:
        self._office = snap.office
        if snap.query != self.query:
            self._lister.request()  # a new query came meanwhile: its answer is the one to show
            return
        self._show(snap)
        if self._open_single_after_read:
            self._open_single_after_read = False
            self._open_single()

    def _show(self, snap: ListSnapshot) -> None:
        if self.message.property("kind") == "error" and self.message.text().startswith(
            self.tr("Không đọc được danh sách hồ sơ")
        ):
            self.message.hide()
        self.snapshot = snap
        self.model.set_rows(snap.rows)
        self._label_filters(snap)
        self._show_banner(snap)
        shown = len(snap.rows)
        if shown >= snap.limit:
            text = self.tr("{n} hồ sơ đầu tiên — gõ mã, tên hoặc số định danh để tìm").format(
                n=shown
            )
        elif self.query.codes is not None:
            text = self.tr("{n} hồ sơ sắp trễ hạn").format(n=shown)
        else:
            text = self.tr("{n} hồ sơ").format(n=shown)
        self.count_label.setText(text)
        if self._open_code is not None:
            row = self.model.row_of(self._open_code)
            if row is not None:
                self._select_row(row)

    def _label_filters(self, snap: ListSnapshot | None) -> None:
        names = {
            DossierFilter.OPEN: self.tr("Đang xử lý"),
            DossierFilter.DUE_TODAY: self.tr("Hạn hôm nay"),
            DossierFilter.DUE_TOMORROW: self.tr("Hạn ngày mai"),
            DossierFilter.LATE: self.tr("Trễ hạn"),
            DossierFilter.SUPPLEMENT: self.tr("Chờ bổ sung"),
            DossierFilter.RESULT_READY: self.tr("Chờ trả kết quả"),
            DossierFilter.SUBMISSION_FAILED: self.tr("Gửi trực tuyến lỗi"),
            DossierFilter.RETURNED: self.tr("Đã trả"),
            DossierFilter.ALL: self.tr("Tất cả"),
        }
        if snap is not None:
            counts = snap.counts
            if (counts.next_working_day - counts.today).days != 1:
                name = weekday_name(counts.next_working_day)
                # Mid-sentence: "Hạn thứ Hai", as the calendar writes the day.
                names[DossierFilter.DUE_TOMORROW] = self.tr("Hạn {weekday}").format(
                    weekday=name[:1].lower() + name[1:]
                )
        for which, button in self.filter_buttons.items():
            if snap is None:
                button.setText(names[which])
                continue
            count = snap.counts[which]
            button.setText(f"{names[which]} ({count})")
            restyle(button, "alert", "true" if which in _ALERTS and count else "false")

    def _show_banner(self, snap: ListSnapshot) -> None:
        soon = len(snap.soon_late)
        if self.query.codes is not None:
            self.banner_label.setText(
                self.tr(
                    "Đang xem {n} hồ sơ sắp trễ hạn — lập văn bản xin lỗi, gia hạn (Mẫu 04) "
                    "cho từng hồ sơ."
                ).format(n=len(self.query.codes))
            )
            self.banner_button.setText(self.tr("Bỏ lọc, về danh sách (Alt+0)"))
            self.banner.show()
            return
        self.banner.setVisible(soon > 0)
        if soon:
            self.banner_label.setText(
                self.tr("{n} hồ sơ sắp trễ hạn — lập văn bản xin lỗi, gia hạn (Mẫu 04)").format(
                    n=soon
                )
            )
            self.banner_button.setText(self.tr("Xem các hồ sơ này (Alt+0)"))

    # --- filters, search, order -----------------------------------------------------------------
    def set_filter(self, which: DossierFilter, *, focus: bool = False) -> None:
        """Show another pile; its usual order comes with it."""
        if self.query.search:
            self._filter_before_search = None  # chosen while searching: it stays
        sort, descending = _DEFAULT_SORT.get(which, ("due_at", False))
        self.filter_buttons[which].setChecked(True)
        self._set_query(
            ListQuery(which, self.query.search, sort, descending, codes=None),
        )
        if focus:
            self.table.setFocus()

    def toggle_soon_late(self) -> None:
        """The banner's button: just the dossiers about to be late, or back to the list."""
        if self.query.codes is not None:
            self.set_filter(self.query.filter)
            return
        snap = self.snapshot
        if snap is None or not snap.soon_late:
            return
        self.filter_buttons[DossierFilter.OPEN].setChecked(True)
        self._set_query(ListQuery(DossierFilter.OPEN, "", "due_at", False, codes=snap.soon_late))
        self.search_edit.clear()
        self.table.setFocus()

    def set_sort(self, key: str, descending: bool) -> None:
        if (key, descending) == (self.query.sort, self.query.descending):
            return
        q = self.query
        self._set_query(ListQuery(q.filter, q.search, key, descending, q.codes))

    def _sort_picked(self, index: int) -> None:
        key = str(self.sort_combo.itemData(index))
        self.set_sort(key, self.query.descending)

    def _set_query(self, query: ListQuery) -> None:
        self.query = query
        self._show_order()
        self.refresh()

    def _show_order(self) -> None:
        q = self.query
        index = self.sort_combo.findData(q.sort)
        if index >= 0:
            self.sort_combo.setCurrentIndex(index)
        self.order_button.setText(self.tr("↓ giảm dần") if q.descending else self.tr("↑ tăng dần"))
        column = DossierListModel.SORT_KEYS.index(q.sort)
        order = Qt.SortOrder.DescendingOrder if q.descending else Qt.SortOrder.AscendingOrder
        header = self.table.horizontalHeader()
        if (header.sortIndicatorSection(), header.sortIndicatorOrder()) != (column, order):
            header.blockSignals(True)
            header.setSortIndicator(column, order)
            header.blockSignals(False)

    def take_focus(self) -> None:
        """The tab was chosen: the keyboard goes to the search box, unless it is in here."""
        focused = self.focusWidget()
        if focused is None or not focused.isVisible() or not self.isAncestorOf(focused):
            self.search_edit.setFocus()

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def set_search(self, text: str) -> None:
        """Search for ``text`` now (what a scan or a test types)."""
        self.search_edit.setText(text)
        self._show_search_kind()
        self._search_timer.stop()
        self._search_now()

    def _search_typed(self, _text: str) -> None:
        self._search_timer.start()
        self._show_search_kind()

    def _show_search_kind(self) -> None:
        kind = search_kind(self.search_edit.text())
        self.search_hint.setText(
            {
                "code": self.tr("theo mã hồ sơ"),
                "id_number": self.tr("theo số định danh"),
                "name": self.tr("theo họ tên"),
            }.get(kind, "")
        )

    def _search_now(self) -> None:
        text = self.search_edit.text().strip()
        q = self.query
        if text == q.search and q.codes is None:
            return
        which, sort, descending = q.filter, q.sort, q.descending
        if text and not q.search:
            # A search looks through every dossier (a citizen asking about theirs); the
            # counts on the filter buttons narrow it down, and clearing it comes back here.
            self._filter_before_search = which
            which = DossierFilter.ALL
            sort, descending = _DEFAULT_SORT[which]
        elif not text and self._filter_before_search is not None:
            which = self._filter_before_search
            sort, descending = _DEFAULT_SORT.get(which, ("due_at", False))
            self._filter_before_search = None
        self.filter_buttons[which].setChecked(True)
        self._set_query(ListQuery(which, text, sort, descending, None))

    def _search_entered(self) -> None:
        """Enter in the search box: open the only match, else go to the list."""
        if self._search_timer.isActive() or self.search_edit.text().strip() != self.query.search:
            self._search_timer.stop()
            self._open_single_after_read = True
            self._search_now()
            return
        if self._lister.busy:
            self._open_single_after_read = True
            return
        self._open_single()

    def _open_single(self) -> None:
        rows = self.model.rowCount()
        if rows == 1:
            self._select_row(0)
            self._open_code = None  # read it now, even if it was open already
            self._focus_after_detail = True
            self._load_selected()
        elif rows > 1:
            self._select_row(0)
            self.table.setFocus()
        else:
            self._say(
                self.tr("Không tìm thấy hồ sơ nào khớp “{text}”.").format(
                    text=self.search_edit.text().strip()
                ),
                error=True,
            )

    # --- opening a dossier ----------------------------------------------------------------------
    def open_scan(self, payload: str) -> None:
        """A dossier code scanned from a slip (or typed): show it, ready to act on."""
        code = str(parse_dossier_code(payload))
        q = self.query
        if not q.search:
            self._filter_before_search = q.filter
        self._search_timer.stop()
        self.search_edit.setText(code)
        self._show_search_kind()
        # Whatever pile was shown, the scanned dossier is in "all".
        sort, descending = _DEFAULT_SORT[DossierFilter.ALL]
        self.filter_buttons[DossierFilter.ALL].setChecked(True)
        self._set_query(ListQuery(DossierFilter.ALL, code, sort, descending, None))
        self.open_code(code, focus=True)

    def open_code(self, code: str, *, focus: bool = False) -> None:
        """Read and show the dossier ``code`` in the detail panel."""
        self._focus_after_detail = focus
        self._load_detail(code)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._selecting:
            self._detail_timer.start()

    def _load_selected(self) -> None:
        self._detail_timer.stop()
        index = self.table.currentIndex()
        code = self.model.data(index, CODE_ROLE) if index.isValid() else None
        if isinstance(code, str) and code != self._open_code:
            self._load_detail(code)

    def _load_detail(self, code: str) -> None:
        self._open_code = code
        self._detail_generation += 1
        generation = self._detail_generation
        office, now = self._office, self._now()
        self._run(
            lambda: data.read_detail(self.ctx, office, code, now),
            lambda detail: self._detail_read(detail, generation),
            self.tr("Không mở được hồ sơ {code}").format(code=code),
        )

    def _detail_read(self, detail: DossierDetail, generation: int) -> None:
        if generation != self._detail_generation:
            return
        self._office = detail.office
        self._open_code = detail.status.code
        self.detail_panel.set_detail(detail)
        row = self.model.row_of(detail.status.code)
        if row is not None and self.table.currentIndex().row() != row:
            self._select_row(row)
        self.sig_opened.emit(detail.status.code)
        if self._focus_after_detail:
            self._focus_after_detail = False
            self._enter_detail()

    def _select_row(self, row: int) -> None:
        """Select a row without reading it again (the caller knows what is open)."""
        index = self.model.index(row, 0)
        self._selecting = True
        try:
            self.table.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        finally:
            self._selecting = False
        self.table.scrollTo(index)

    def _enter_detail(self) -> None:
        """Enter on the list: the keyboard moves to the opened dossier's first button."""
        self._detail_timer.stop()
        index = self.table.currentIndex()
        if not index.isValid() and self.model.rowCount():
            self._select_row(0)
            index = self.table.currentIndex()
        code = self.model.data(index, CODE_ROLE) if index.isValid() else self._open_code
        shown = self.detail_panel.detail
        if shown is None or shown.status.code != code:
            # Not read yet: the focus moves once it is.
            self._focus_after_detail = True
            if isinstance(code, str) and code != self._open_code:
                self._load_detail(code)
            return
        button = self.detail_panel.first_button()
        if button is not None:
            button.setFocus()

    def opened(self) -> DossierDetail | None:
        return self.detail_panel.detail

    # --- actions --------------------------------------------------------------------------------
    def start_action(self, action: DossierAction) -> None:
        """Open the action's dialog; the action runs once the dialog is confirmed."""
        detail = self.detail_panel.detail
        if detail is None or self.dialog is not None:
            return
        if action not in detail.status.allowed_actions:
            return
        dialog = dialog_for(action, detail, now=self._now(), parent=self)
        self.dialog = dialog
        dialog.sig_submitted.connect(lambda command: self._submit(dialog, action, command))
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        dialog.open()

    def _dialog_closed(self, dialog: ActionDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
        button = self.detail_panel.offer_button
        if self.detail_panel.offered() is not None and button.isVisible():
            button.setFocus()
        else:
            self.table.setFocus()

    def _submit(self, dialog: ActionDialog, action: DossierAction, command: DossierCommand) -> None:
        code = dialog.detail.status.code
        staff_id = self.staff.id if self.staff is not None else None
        now = self._now()

        def done(status: DossierStatus) -> None:
            self._lister.invalidate()
            detail = dialog.detail
            self.detail_panel.set_detail(
                DossierDetail(status, detail.view, detail.office, detail.calendar)
            )
            text = self._done_text(action, status)
            paper = PAPER_OF_ACTION.get(action)
            if paper is not None:
                self.detail_panel.offer_paper(
                    self.tr("{done} {paper} (Mẫu {n}):").format(
                        done=text, paper=self.tr(NOTICE_NAMES[paper]), n=paper
                    ),
                    paper,
                )
            else:
                self.detail_panel.say(text)
            self.sig_status.emit(text)
            dialog.finish()
            self.refresh()
            # The detail read again: the view (due date after an extension) follows too.
            self._load_detail(code)

        def failed(exc: Exception) -> None:
            dialog.failed(
                messages.report(
                    exc,
                    what=f"dossier action {action.value} on {code}",
                    bug_text=self.tr("Lỗi không mong muốn; chi tiết đã ghi vào nhật ký."),
                    logger=log,
                )
            )

        self._pending += 1

        def finish(callback: Callable[[Any], None], value: Any) -> None:
            self._pending -= 1
            callback(value)

        MutationOp(
            lambda: data.act(self.ctx, code, command, staff_id=staff_id, now=now),
            changes=self.changes,
            success=lambda status: finish(done, status),
            failure=lambda exc: finish(failed, exc),
            parent=self,
        ).run_in_background()

    def _done_text(self, action: DossierAction, status: DossierStatus) -> str:
        texts = {
            DossierAction.START_PROCESSING: self.tr("Đã chuyển hồ sơ {code} đi giải quyết."),
            DossierAction.REQUEST_SUPPLEMENT: self.tr("Đã yêu cầu bổ sung hồ sơ {code}."),
            DossierAction.SUPPLEMENT_RECEIVED: self.tr(
                "Đã nhận hồ sơ bổ sung; hồ sơ {code} tiếp tục được giải quyết."
            ),
            DossierAction.REFUSE: self.tr("Đã từ chối tiếp nhận hồ sơ {code}."),
            DossierAction.EXTEND: self.tr("Đã gia hạn hồ sơ {code} đến {due}."),
            DossierAction.STOP: self.tr("Đã dừng giải quyết hồ sơ {code}."),
            DossierAction.MARK_RESULT_READY: self.tr(
                "Hồ sơ {code} đã có kết quả, chờ trả cho công dân."
            ),
            DossierAction.RETURN_RESULT: self.tr("Đã trả kết quả hồ sơ {code} ({timing})."),
        }
        timing = status.result_timing
        return texts[action].format(
            code=status.code,
            due=f"{status.due_at:%H:%M %d/%m/%Y}",
            timing=timing_label(timing).lower() if timing is not None else "",
        )

    def retry_submission(self) -> None:
        detail = self.detail_panel.detail
        if detail is None:
            return
        code = detail.status.code
        staff_id = self.staff.id if self.staff is not None else None
        now = self._now()

        def done(_code: str) -> None:
            self._lister.invalidate()
            text = self.tr("Đã cho gửi lại hồ sơ {code} lên hệ thống dịch vụ công.").format(
                code=code
            )
            self.detail_panel.say(text)
            self.sig_status.emit(text)
            self.refresh()
            self._load_detail(code)

        self._run(
            lambda: data.retry(self.ctx, code, staff_id=staff_id, now=now),
            done,
            self.tr("Không gửi lại được hồ sơ {code}").format(code=code),
            writes=True,
        )

    # --- papers ---------------------------------------------------------------------------------
    def make_paper(self, paper: str) -> None:
        """Make (and open) one paper of the opened dossier; the thermal slip goes to the printer."""
        detail = self.detail_panel.detail
        if detail is None:
            return
        view, office, code = detail.view, detail.office, detail.status.code
        ctx, preview = self.ctx, self.preview
        if paper == SLIP:
            self._run(
                lambda: papers.print_slip(ctx.settings, view, office, preview),
                lambda _r: self._said(self.tr("Đã in lại giấy hẹn {code}.").format(code=code)),
                self.tr("Không in được giấy hẹn"),
            )
            return

        def work() -> Path:
            if paper == RECEIPT:
                return papers.receipt_paper(ctx.paths, view, office)
            if paper == DECLARATION:
                return papers.declaration_paper(ctx.paths, view, office)
            return papers.notice_paper(ctx.database, ctx.paths, code, paper)

        self._run(work, self._paper_ready, self.tr("Không tạo được giấy tờ"))

    def _paper_ready(self, path: Path) -> None:
        self._said(self.tr("Đã tạo {name} — {folder}").format(name=path.name, folder=path.parent))
        try:
            papers.open_paper(path, self._opener)
        except KnownError as exc:
            self._say(exc.user_text(), error=True)

    # --- plumbing -------------------------------------------------------------------------------
    def _run(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        what: str,
        *,
        writes: bool = False,
    ) -> None:
        """Run ``work`` in the background; ``writes``: a change announced on the hub."""
        self._pending += 1

        def success(result: Any) -> None:
            self._pending -= 1
            done(result)

        def failure(exc: Exception) -> None:
            self._pending -= 1
            self._report(exc, what)

        if writes:
            MutationOp(
                work, changes=self.changes, success=success, failure=failure, parent=self
            ).run_in_background()
        else:
            QueryOp(work, success=success, failure=failure, parent=self).run_in_background()

    def _report(self, exc: Exception, what: str) -> None:
        """Log, then show: a known problem with its advice, anything else as a bug in the log."""
        text = messages.report(
            exc,
            what=what,
            bug_text=self.tr("{what}: lỗi không mong muốn, chi tiết đã ghi vào nhật ký.").format(
                what=what
            ),
            logger=log,
            prefix=True,
        )
        self._say(text, error=True)

    def _said(self, text: str) -> None:
        self._say(text)
        self.sig_status.emit(text)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        restyle(self.message, "kind", "error" if error else "info")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.search_edit:
                if key == Qt.Key.Key_Down and self.model.rowCount():
                    if not self.table.currentIndex().isValid():
                        self._select_row(0)
                    self.table.setFocus()
                    return True
                if key == Qt.Key.Key_Escape and self.search_edit.text():
                    self.search_edit.clear()
                    self._show_search_kind()
                    self._search_timer.stop()
                    self._search_now()
                    return True
            elif watched is self.table and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._enter_detail()
                return True
        return super().eventFilter(watched, event)
