"""Choosing the procedure (thủ tục): a few letters typed, results by field with time and fee."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable

from PySide6.QtCore import (
    QEvent,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.gui import messages
from onestop_desk.gui.operations import QueryOp
from onestop_desk.gui.reception import style
from onestop_desk.gui.reception.procedure_list import (
    HEADER_ROLE,
    PREFERRED_ROLE,
    PROCEDURE_ROLE,
    ResultDelegate,
    ResultList,
    is_procedure,
)
from onestop_desk.gui.widgets import bundled_font_family, restyle
from onestop_desk.services.catalog import ProcedureSummary

log = logging.getLogger("onestop.gui.reception")

#: (text typed, preferred field code) → matching procedures, best first; runs off the GUI thread.
SearchFn = Callable[[str, str | None], list[ProcedureSummary]]

SEARCH_DELAY_MS = 150  # typing pauses shorter than this do not start a search


class ProcedurePicker(QWidget):
    """Find the procedure the citizen comes for: by a few letters of its name or by its code.

    ``search`` runs in the background (debounced while typing); results that arrive after a
    newer search started are ignored. Enter (in the box or the list) or a double click chooses.
    With nothing typed, ``search("", field)`` may list the preselected field's procedures.
    """

    #: The specialist chose a procedure (a ``ProcedureSummary``).
    sig_chosen = Signal(object)

    def __init__(
        self,
        search: SearchFn,
        *,
        delay_ms: int = SEARCH_DELAY_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._search = search
        self._field: str | None = None
        self._generation = 0
        self._searching = False
        self._choose_when_ready = False

        font = QFont(self.font())
        font.setFamily(bundled_font_family())
        self.setFont(font)
        self.setStyleSheet(style.sheet("picker"))
        self._build()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._run_search)
        self.search_edit.textChanged.connect(lambda _t: self._timer.start())
        self._timer.start()

    # --- public API -------------------------------------------------------------------------
    def preselect_field(self, code: str | None) -> None:
        """Put this field's procedures first (the field of the ticket being served)."""
        if code != self._field:
            self._field = code
            self._timer.start()

    def preferred_field(self) -> str | None:
        return self._field

    def set_text(self, text: str) -> None:
        """Replace the search text (the search follows after the usual pause)."""
        self.search_edit.setText(text)

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.search_edit.selectAll()

    def results(self) -> list[ProcedureSummary]:
        """The procedures on show, in display order (grouped by field)."""
        return [self.list.item(r).data(PROCEDURE_ROLE) for r in self.list.procedure_rows()]

    def current(self) -> ProcedureSummary | None:
        """The highlighted procedure (shown in the detail pane)."""
        item = self.list.currentItem()
        # None when nothing is highlighted, whatever the stubs say.
        chosen: ProcedureSummary | None = item.data(PROCEDURE_ROLE) if item is not None else None
        return chosen

    def is_busy(self) -> bool:
        """True while a search waits for the typing pause or runs."""
        return self._timer.isActive() or self._searching

    def choose_current(self) -> None:
        """Choose the highlighted procedure; while a search is pending, its first result."""
        if self.is_busy():
            self._choose_when_ready = True
            if self._timer.isActive():
                self._timer.stop()
                self._run_search()
            return
        summary = self.current()
        if summary is not None:
            self.sig_chosen.emit(summary)

    # --- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        base = self.font()
        root = QVBoxLayout(self)
        root.setContentsMargins(10, 8, 10, 8)
        root.setSpacing(6)

        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("procedureSearch")
        self.search_edit.setPlaceholderText(
            self.tr("Gõ vài chữ tên thủ tục hoặc mã, có dấu hay không dấu đều được")
        )
        self.search_edit.setClearButtonEnabled(True)
        search_font = QFont(base)
        search_font.setPointSizeF(base.pointSizeF() * 1.2)
        self.search_edit.setFont(search_font)
        self.search_edit.installEventFilter(self)
        root.addWidget(self.search_edit)

        self.status_label = QLabel()
        self.status_label.setObjectName("searchStatus")
        self.status_label.setWordWrap(True)
        root.addWidget(self.status_label)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        self.list = ResultList(self)
        self.list.setObjectName("procedureList")
        self.list.setItemDelegate(ResultDelegate(self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setUniformItemSizes(False)
        self.list.currentItemChanged.connect(lambda *_a: self._show_detail())
        self.list.itemDoubleClicked.connect(lambda _i: self.choose_current())
        # The highlighted procedure stays readable while the focus is in the search box.
        palette = self.list.palette()
        palette.setColor(
            QPalette.ColorGroup.Inactive, QPalette.ColorRole.Highlight, QColor("#d6e6f5")
        )
        palette.setColor(
            QPalette.ColorGroup.Inactive, QPalette.ColorRole.HighlightedText, QColor("#102a43")
        )
        self.list.setPalette(palette)
        splitter.addWidget(self.list)

        detail = QWidget()
        column = QVBoxLayout(detail)
        column.setContentsMargins(6, 0, 0, 0)
        column.setSpacing(6)
        self.detail_view = QTextBrowser()
        self.detail_view.setObjectName("procedureDetail")
        self.detail_view.setOpenLinks(False)
        self.detail_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        column.addWidget(self.detail_view, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.choose_button = QPushButton(self.tr("Chọn thủ tục này (Enter)"))
        self.choose_button.setObjectName("chooseButton")
        self.choose_button.setMinimumHeight(38)
        self.choose_button.clicked.connect(self.choose_current)
        buttons.addWidget(self.choose_button)
        column.addLayout(buttons)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        root.addWidget(splitter, 1)
        self._show_detail()

    # --- behaviour --------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
                self._enter_list()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.choose_current()
                return True
            if key == Qt.Key.Key_Escape and self.search_edit.text():
                self.search_edit.clear()
                return True
        return super().eventFilter(watched, event)

    def _enter_list(self) -> None:
        rows = self.list.procedure_rows()
        if not rows:
            return
        if not is_procedure(self.list.currentIndex()):
            self.list.setCurrentRow(rows[0])
        self.list.setFocus(Qt.FocusReason.OtherFocusReason)

    def _run_search(self) -> None:
        self._generation += 1
        generation = self._generation
        text, field = self.search_edit.text(), self._field
        self._searching = True
        QueryOp(
            lambda: self._search(text, field),
            success=lambda found: self._found(generation, text, found),
            failure=lambda exc: self._failed(generation, exc),
            parent=self,
        ).run_in_background()

    def _found(self, generation: int, text: str, found: list[ProcedureSummary]) -> None:
        if generation != self._generation:
            return  # a newer search is under way; its answer is the one to show
        self._searching = False
        self._show_results(text, found)
        if self._choose_when_ready and not self._timer.isActive():
            self._choose_when_ready = False
            summary = self.current()
            if summary is not None:
                self.sig_chosen.emit(summary)

    def _failed(self, generation: int, exc: Exception) -> None:
        if generation != self._generation:
            return
        self._searching = False
        self._choose_when_ready = False
        text = messages.report(
            exc,
            what="procedure search failed",
            bug_text=self.tr(
                "Không tìm được thủ tục do lỗi chương trình (đã ghi vào nhật ký). Thử lại sau."
            ),
            logger=log,
        )
        self.status_label.setText(text)
        restyle(self.status_label, "kind", "error")

    def _show_results(self, text: str, found: list[ProcedureSummary]) -> None:
        groups: dict[str, list[ProcedureSummary]] = {}
        for summary in found:
            groups.setdefault(summary.field_code, []).append(summary)
        order = sorted(groups, key=lambda code: code != self._field)  # stable: preferred first
        self.list.blockSignals(True)
        self.list.clear()
        for code in order:
            members = groups[code]
            header = QListWidgetItem()
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a band, never selected
            header.setData(
                HEADER_ROLE,
                self.tr("{0} · {1} thủ tục").format(members[0].field_name, len(members)),
            )
            header.setData(PREFERRED_ROLE, code == self._field)
            self.list.addItem(header)
            for summary in members:
                item = QListWidgetItem(summary.name)
                item.setData(PROCEDURE_ROLE, summary)
                item.setToolTip(
                    f"{summary.name} ({summary.code})\n"
                    + self.tr("Thời hạn: {0}\nLệ phí: {1}").format(
                        summary.processing_time, summary.fee
                    )
                )
                self.list.addItem(item)
        rows = self.list.procedure_rows()
        # The best match is highlighted, so Enter right after typing takes it.
        self.list.setCurrentRow(rows[0] if rows else -1)
        self.list.blockSignals(False)
        self.list.scrollToTop()  # the first field's header stays in sight
        self._show_detail()

        wanted = text.strip()
        if found:
            self.status_label.setText(
                self.tr("{0} thủ tục · ↓ để chọn trong danh sách, Enter để chọn").format(len(found))
            )
            restyle(self.status_label, "kind", "found")
        elif wanted:
            self.status_label.setText(
                self.tr(
                    "Không tìm thấy thủ tục nào khớp với “{0}”. Thử ít chữ hơn hoặc gõ mã thủ tục."
                ).format(wanted)
            )
            restyle(self.status_label, "kind", "empty")
        else:
            self.status_label.setText(self.tr("Gõ tên hoặc mã thủ tục để tìm."))
            restyle(self.status_label, "kind", "hint")

    def _show_detail(self) -> None:
        summary = self.current()
        self.choose_button.setEnabled(summary is not None)
        if summary is None:
            self.detail_view.setHtml(
                "<p style='color:#78909c'>"
                + html.escape(
                    self.tr("Chọn một thủ tục để xem thời hạn, lệ phí và giấy tờ cần mang theo.")
                )
                + "</p>"
            )
            return
        e = html.escape
        papers = "".join(f"<li>{e(name)}</li>" for name in summary.documents) or (
            f"<li>{e(self.tr('Danh mục chưa ghi giấy tờ nào.'))}</li>"
        )
        form = (
            self.tr("Có tờ khai hướng dẫn từng bước.")
            if summary.form
            else self.tr("Không có tờ khai hướng dẫn: nhận giấy tờ theo danh sách.")
        )
        self.detail_view.setHtml(
            f"<h3 style='margin-bottom:2px'>{e(summary.name)}</h3>"
            f"<p style='color:#546e7a; margin-top:0'>"
            f"{e(self.tr('Mã'))} {e(summary.code)} · "
            f"{e(self.tr('Lĩnh vực'))} {e(summary.field_name)}</p>"
            f"<p><b>{e(self.tr('Thời hạn giải quyết:'))}</b> {e(summary.processing_time)}</p>"
            f"<p><b>{e(self.tr('Lệ phí:'))}</b> {e(summary.fee)}</p>"
            f"<p style='margin-bottom:2px'><b>{e(self.tr('Giấy tờ cần mang theo:'))}</b></p>"
            f"<ol style='margin-top:0'>{papers}</ol>"
            f"<p style='color:#546e7a'>{e(form)}</p>"
        )
