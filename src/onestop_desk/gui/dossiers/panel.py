"""The counter's dossier tab: find a dossier (filters, search, a scanned slip), see it, act on it.

The pane assembles the parts (banner.py, filters.py, search.py, list_view.py, detail.py; the
dialogs through workflow.py) and turns list_state.py's queries into reads. The list is read in
the background (a ``LatestRead``), again whenever the shared database changes (while the tab is
shown; once when it comes back into view otherwise) and after each action. The opened dossier's
details and history are read the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from onestop_desk.context import AppContext
from onestop_desk.core.dossier_code import parse_dossier_code
from onestop_desk.gui.changes import ChangeHub, change_hub
from onestop_desk.gui.dossiers import data
from onestop_desk.gui.dossiers.actions import create_shortcuts
from onestop_desk.gui.dossiers.banner import LateBanner
from onestop_desk.gui.dossiers.data import DossierDetail, ListQuery, ListSnapshot
from onestop_desk.gui.dossiers.detail import DossierDetailPanel
from onestop_desk.gui.dossiers.dialogs import ActionDialog
from onestop_desk.gui.dossiers.filters import FilterBar
from onestop_desk.gui.dossiers.list_state import ListState
from onestop_desk.gui.dossiers.list_view import DossierListView
from onestop_desk.gui.dossiers.search import SearchBar
from onestop_desk.gui.dossiers.style import pane_sheet
from onestop_desk.gui.dossiers.workflow import DossierWorkflow, failure_text
from onestop_desk.gui.operations import LatestRead
from onestop_desk.gui.widgets import bundled_font_family, papers, restyle
from onestop_desk.printing.printers import PreviewSink
from onestop_desk.services.dossier_list import DossierFilter
from onestop_desk.services.office import OfficeInfo
from onestop_desk.services.staff import StaffInfo

REFRESH_MS = 60_000  # "today", "late" move on with the clock

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
        self._now = clock
        self.state = ListState()
        self.snapshot: ListSnapshot | None = None
        self._office: OfficeInfo | None = None
        self._stale = True
        # Every action invalidates it: reads started before show the list as it was.
        self._lister = LatestRead(
            self._prepare_read,
            success=self._read_done,
            failure=lambda exc: self._report(exc, self.tr("Không đọc được danh sách hồ sơ")),
            parent=self,
        )
        self._open_code: str | None = None
        self._wanted_code = ""  # the dossier the detail read is asked for
        self._reading_code = ""  # the one the read under way reads
        # Another dossier asked for invalidates it: only the last one asked for is shown.
        self._detail_reader = LatestRead(
            self._prepare_detail,
            success=self._detail_read,
            failure=lambda exc: self._report(
                exc, self.tr("Không mở được hồ sơ {code}").format(code=self._reading_code)
            ),
            parent=self,
        )
        self._open_single_after_read = False
        self._focus_after_detail = False
        # Saves here are announced on the hub; only a host's hub is listened to (the counter's).
        self.changes = changes or change_hub(ctx.database)
        if changes is not None:
            changes.sig_changed.connect(self._database_changed)

        font = QFont(self.font())
        font.setFamily(bundled_font_family())
        self.setFont(font)
        self.setStyleSheet(pane_sheet())
        self._build(preview, opener)

        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(REFRESH_MS)
        self._clock_timer.timeout.connect(self.refresh)

    # --- building -------------------------------------------------------------------------------
    def _build(self, preview: PreviewSink | None, opener: papers.Opener | None) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(10, 8, 10, 8)
        root.setSpacing(6)

        self.banner = LateBanner()
        self.banner_label = self.banner.label
        self.banner.sig_toggled.connect(self.toggle_soon_late)
        root.addWidget(self.banner)

        self.filter_bar = FilterBar()
        self.filter_buttons = self.filter_bar.buttons
        self.filter_bar.sig_picked.connect(self.set_filter)
        self.filter_bar.check(self.state.query.filter)
        root.addWidget(self.filter_bar)

        self.search_bar = SearchBar()
        self.search_edit = self.search_bar.edit
        self.search_hint = self.search_bar.hint
        self.sort_combo = self.search_bar.sort_combo
        self.search_bar.sig_search.connect(self._search_now)
        self.search_bar.sig_entered.connect(self._search_entered)
        self.search_bar.sig_sort_picked.connect(
            lambda key: self.set_sort(key, self.query.descending)
        )
        self.search_bar.sig_order_flipped.connect(
            lambda: self.set_sort(self.query.sort, not self.query.descending)
        )
        self.search_edit.installEventFilter(self)
        root.addWidget(self.search_bar)

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.hide()
        root.addWidget(self.message)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        self.list_view = DossierListView()
        self.model = self.list_view.model
        self.table = self.list_view.table
        self.count_label = self.list_view.count_label
        self.model.sig_sort_requested.connect(self.set_sort)
        self.list_view.sig_row_settled.connect(self._load_selected)
        self.list_view.sig_activated.connect(self._enter_detail)
        self.table.installEventFilter(self)
        splitter.addWidget(self.list_view)

        self.detail_panel = DossierDetailPanel()
        self.workflow = DossierWorkflow(
            self.ctx,
            self.detail_panel,
            changes=self.changes,
            staff=lambda: self.staff,
            preview=preview,
            opener=opener,
            clock=self._now,
            parent=self,
        )
        self.detail_panel.sig_action.connect(self.workflow.start_action)
        self.detail_panel.sig_paper.connect(self.workflow.make_paper)
        self.detail_panel.sig_retry.connect(self.workflow.retry_submission)
        self.workflow.sig_message.connect(lambda text, error: self._say(text, error=error))
        self.workflow.sig_status.connect(self.sig_status)
        self.workflow.sig_changed.connect(self._changed_here)
        self.workflow.sig_dialog_closed.connect(self._dialog_closed)
        splitter.addWidget(self.detail_panel)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 6)
        root.addWidget(splitter, 1)
        self._show_order(self.state.query)

        keys = create_shortcuts(self)
        for which, shortcut in keys.filters.items():
            shortcut.activated.connect(lambda w=which: self.set_filter(w, focus=True))
        keys.search.activated.connect(self.focus_search)
        keys.offered_paper.activated.connect(self.detail_panel.open_offered)
        keys.soon_late.activated.connect(self.toggle_soon_late)
        self.shortcuts = keys

    # --- life cycle -----------------------------------------------------------------------------
    def start(self) -> None:
        """Start following the database (the first read happens once the tab is shown)."""
        self._clock_timer.start()
        if self.isVisible():
            self.refresh()

    def stop(self) -> None:
        self._clock_timer.stop()
        self.search_bar.stop()
        self.list_view.stop_settling()

    def set_staff(self, staff: StaffInfo | None) -> None:
        self.staff = staff

    def is_busy(self) -> bool:
        """True while a read, an action or a paper runs in the background."""
        return (
            self.workflow.is_busy()
            or self._lister.busy
            or self._detail_reader.busy
            or self.search_bar.waiting()
            or self.list_view.settling()
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
        self.list_view.show_rows(snap)
        self.filter_bar.set_counts(snap.counts)
        self.banner.show_for(snap)
        if self._open_code is not None:
            row = self.model.row_of(self._open_code)
            if row is not None:
                self.list_view.select_row(row)

    # --- filters, search, order -----------------------------------------------------------------
    @property
    def query(self) -> ListQuery:
        """What the list shows (or is being read to show)."""
        return self.state.query

    def set_filter(self, which: DossierFilter, *, focus: bool = False) -> None:
        """Show another pile; its usual order comes with it."""
        self._set_query(self.state.pick_filter(which))
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
        self._set_query(self.state.soon_late(snap.soon_late))
        self.search_bar.clear()
        self.table.setFocus()

    def set_sort(self, key: str, descending: bool) -> None:
        query = self.state.sort_by(key, descending)
        if query is not None:
            self._set_query(query)

    def _set_query(self, query: ListQuery) -> None:
        self.state.query = query
        self.filter_bar.check(query.filter)
        self._show_order(query)
        self.refresh()

    def _show_order(self, query: ListQuery) -> None:
        self.search_bar.show_order(query.sort, query.descending)
        self.list_view.show_order(query.sort, query.descending)

    def take_focus(self) -> None:
        """The tab was chosen: the keyboard goes to the search box, unless it is in here."""
        focused = self.focusWidget()
        if focused is None or not focused.isVisible() or not self.isAncestorOf(focused):
            self.search_edit.setFocus()

    def focus_search(self) -> None:
        self.search_bar.focus()

    def set_search(self, text: str) -> None:
        """Search for ``text`` now (what a scan or a test types)."""
        self.search_bar.set_text(text)
        self._search_now()

    def _search_now(self) -> None:
        query = self.state.search(self.search_bar.text())
        if query is not None:
            self._set_query(query)

    def _search_entered(self) -> None:
        """Enter in the search box: open the only match, else go to the list."""
        if self.search_bar.waiting() or self.search_bar.text() != self.query.search:
            self.search_bar.stop()
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
            self.list_view.select_row(0)
            self._open_code = None  # read it now, even if it was open already
            self._focus_after_detail = True
            self._load_selected()
        elif rows > 1:
            self.list_view.select_row(0)
            self.table.setFocus()
        else:
            self._say(
                self.tr("Không tìm thấy hồ sơ nào khớp “{text}”.").format(
                    text=self.search_bar.text()
                ),
                error=True,
            )

    # --- opening a dossier ----------------------------------------------------------------------
    def open_scan(self, payload: str) -> None:
        """A dossier code scanned from a slip (or typed): show it, ready to act on."""
        code = str(parse_dossier_code(payload))
        query = self.state.scan(code)
        self.search_bar.set_text(code)
        self._set_query(query)
        self.open_code(code, focus=True)

    def open_code(self, code: str, *, focus: bool = False) -> None:
        """Read and show the dossier ``code`` in the detail panel."""
        self._focus_after_detail = focus
        self._load_detail(code)

    def _load_selected(self) -> None:
        self.list_view.stop_settling()
        code = self.list_view.current_code()
        if code is not None and code != self._open_code:
            self._load_detail(code)

    def _load_detail(self, code: str) -> None:
        self._open_code = code
        self._wanted_code = code
        self._detail_reader.invalidate()  # an answer for another dossier is no longer wanted
        self._detail_reader.request()

    def _prepare_detail(self) -> Callable[[], DossierDetail]:
        ctx, office, code, now = self.ctx, self._office, self._wanted_code, self._now()
        self._reading_code = code
        return lambda: data.read_detail(ctx, office, code, now)

    def _detail_read(self, detail: DossierDetail) -> None:
        self._office = detail.office
        self._open_code = detail.status.code
        self.detail_panel.set_detail(detail)
        self.list_view.select_code(detail.status.code)
        self.sig_opened.emit(detail.status.code)
        if self._focus_after_detail:
            self._focus_after_detail = False
            self._enter_detail()

    def _enter_detail(self) -> None:
        """Enter on the list: the keyboard moves to the opened dossier's first button."""
        self.list_view.stop_settling()
        if not self.list_view.has_current() and self.model.rowCount():
            self.list_view.select_row(0)
        code = self.list_view.current_code() if self.list_view.has_current() else self._open_code
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

    # --- acting on the opened dossier -----------------------------------------------------------
    @property
    def dialog(self) -> ActionDialog | None:
        """The action's dialog while one is open."""
        return self.workflow.dialog

    def _changed_here(self, code: str) -> None:
        self._lister.invalidate()
        self.refresh()
        self._load_detail(code)

    def _dialog_closed(self) -> None:
        button = self.detail_panel.offer_button
        if self.detail_panel.offered() is not None and button.isVisible():
            button.setFocus()
        else:
            self.table.setFocus()

    # --- saying ---------------------------------------------------------------------------------
    def _report(self, exc: Exception, what: str) -> None:
        """Log, then show: a known problem with its advice, anything else as a bug in the log."""
        self._say(failure_text(exc, what), error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        restyle(self.message, "kind", "error" if error else "info")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.search_edit:
                if key == Qt.Key.Key_Down and self.model.rowCount():
                    if not self.list_view.has_current():
                        self.list_view.select_row(0)
                    self.table.setFocus()
                    return True
            elif watched is self.table and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._enter_detail()
                return True
        return super().eventFilter(watched, event)
