"""The dossier list itself: the table of dossiers and the count under it."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.gui.dossiers.data import ListSnapshot
from onestop_desk.gui.dossiers.models import CODE_ROLE, DossierListModel

SETTLE_MS = 120  # arrowing through the list reads only the row it stops on


class DossierListView(QWidget):
    """The table (sorted by the database through its header) and how many rows it shows."""

    #: The specialist moved to another row and stayed there a moment (not ``select_row``).
    sig_row_settled = Signal()
    #: A row was double-clicked.
    sig_activated = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._selecting = False
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.sig_row_settled.emit)
        self.model = DossierListModel(self)
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
        self.table.doubleClicked.connect(lambda _i: self.sig_activated.emit())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.table, 1)
        self.count_label = QLabel()
        self.count_label.setObjectName("hint")
        layout.addWidget(self.count_label)

    def show_rows(self, snap: ListSnapshot) -> None:
        """The rows of one read and how many they are."""
        self.model.set_rows(snap.rows)
        shown = len(snap.rows)
        if shown >= snap.limit:
            text = self.tr("{n} hồ sơ đầu tiên — gõ mã, tên hoặc số định danh để tìm").format(
                n=shown
            )
        elif snap.query.codes is not None:
            text = self.tr("{n} hồ sơ sắp trễ hạn").format(n=shown)
        else:
            text = self.tr("{n} hồ sơ").format(n=shown)
        self.count_label.setText(text)

    def current_code(self) -> str | None:
        """The dossier code of the current row, if there is one."""
        index = self.table.currentIndex()
        code = self.model.data(index, CODE_ROLE) if index.isValid() else None
        return code if isinstance(code, str) else None

    def has_current(self) -> bool:
        return self.table.currentIndex().isValid()

    def select_row(self, row: int) -> None:
        """Select a row without ``sig_row_changed`` (the caller knows what is open)."""
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

    def select_code(self, code: str) -> None:
        """Select the row of ``code`` if it is listed and not already the current one."""
        row = self.model.row_of(code)
        if row is not None and self.table.currentIndex().row() != row:
            self.select_row(row)

    def show_order(self, sort: str, descending: bool) -> None:
        """The header's sort arrow, without asking the model to sort again."""
        column = DossierListModel.SORT_KEYS.index(sort)
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        header = self.table.horizontalHeader()
        if (header.sortIndicatorSection(), header.sortIndicatorOrder()) != (column, order):
            header.blockSignals(True)
            header.setSortIndicator(column, order)
            header.blockSignals(False)

    def settling(self) -> bool:
        """True while a row just moved to waits for ``sig_row_settled``."""
        return self._settle.isActive()

    def stop_settling(self) -> None:
        self._settle.stop()

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._selecting:
            self._settle.start()
