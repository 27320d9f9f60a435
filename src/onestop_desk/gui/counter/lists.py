"""The queue panel's right side: who waits, in calling order, and who was missed today."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.gui.counter import style
from onestop_desk.gui.counter.actions import CounterActions
from onestop_desk.gui.counter.buttons import queue_button
from onestop_desk.gui.counter.data import QueueSnapshot
from onestop_desk.gui.counter.models import (
    LONG_WAIT_MINUTES,
    TICKET_ID_ROLE,
    MissedModel,
    WaitingModel,
)
from onestop_desk.gui.widgets import scaled
from onestop_desk.gui.widgets.table import RowTable


def ticket_table(model: RowTable) -> QTableView:
    """A read-only, one-row-at-a-time table of tickets without grid or row numbers."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 12)
    return view


def _fit_columns(view: QTableView, stretch: int) -> None:
    header = view.horizontalHeader()
    for col in range(view.model().columnCount()):
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


class QueueLists(QWidget):
    """The waiting list over the missed list (3:1); the latter with its call-back button."""

    #: The selected no-show changed (the call-back action follows it).
    sig_missed_selection = Signal()

    def __init__(self, actions: CounterActions, base: QFont, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 0, 0, 0)
        column.setSpacing(6)

        title_row = QHBoxLayout()
        self.waiting_title = QLabel()
        self.waiting_title.setObjectName("sectionTitle")
        self.waiting_title.setFont(scaled(base, 1.15, bold=True))
        self.long_wait_label = QLabel()
        self.long_wait_label.setObjectName("longWait")
        title_row.addWidget(self.waiting_title)
        title_row.addStretch(1)
        title_row.addWidget(self.long_wait_label)
        column.addLayout(title_row)

        self.waiting_model = WaitingModel(self)
        self.waiting_view = ticket_table(self.waiting_model)
        self.waiting_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.waiting_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        _fit_columns(self.waiting_view, WaitingModel.NOTE)
        self.waiting_view.setFont(scaled(base, 1.1))
        self.waiting_view.verticalHeader().setDefaultSectionSize(
            self.waiting_view.fontMetrics().height() + 12
        )
        column.addWidget(self.waiting_view, 3)

        missed_row = QHBoxLayout()
        self.missed_title = QLabel()
        self.missed_title.setObjectName("sectionTitle")
        self.missed_title.setFont(scaled(base, 1.15, bold=True))
        missed_row.addWidget(self.missed_title)
        missed_row.addStretch(1)
        self.call_back_button = queue_button(actions.call_back, base)
        self.call_back_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.call_back_button.setMinimumHeight(36)
        missed_row.addWidget(self.call_back_button)
        column.addSpacing(4)
        column.addLayout(missed_row)

        self.missed_model = MissedModel(self)
        self.missed_view = ticket_table(self.missed_model)
        _fit_columns(self.missed_view, MissedModel.NOTE)
        self.missed_view.selectionModel().selectionChanged.connect(
            lambda *_args: self.sig_missed_selection.emit()
        )
        palette = self.missed_view.palette()
        palette.setColor(
            QPalette.ColorGroup.Inactive, QPalette.ColorRole.Highlight, style.INACTIVE_HIGHLIGHT
        )
        palette.setColor(
            QPalette.ColorGroup.Inactive,
            QPalette.ColorRole.HighlightedText,
            style.INACTIVE_HIGHLIGHTED_TEXT,
        )
        self.missed_view.setPalette(palette)
        column.addWidget(self.missed_view, 1)

    def show_waiting(self, snap: QueueSnapshot) -> None:
        """The tickets waiting for this counter, with how many waited too long."""
        self.waiting_model.set_tickets(snap.waiting)
        self.waiting_title.setText(self.tr("Đang chờ: {n} người").format(n=len(snap.waiting)))
        long_waits = self.waiting_model.long_waits()
        self.long_wait_label.setText(
            self.tr("⚠ {n} người đã chờ quá {m} phút").format(n=long_waits, m=LONG_WAIT_MINUTES)
            if long_waits
            else ""
        )

    def show_missed(self, snap: QueueSnapshot) -> None:
        """Today's no-shows; the selection stays on its ticket, else goes to the latest."""
        selected = self.selected_missed()
        self.missed_model.set_tickets(snap.missed)
        self.missed_title.setText(self.tr("Vắng mặt: {n} số").format(n=len(snap.missed)))
        row = self.missed_model.row_of(selected) if selected is not None else None
        if row is None and snap.missed:
            row = 0  # the latest no-show is the one most likely back at the desk
        if row is not None:
            self.missed_view.selectionModel().select(
                self.missed_model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )

    def selected_missed(self) -> uuid.UUID | None:
        """The no-show selected to call back, if any."""
        rows = self.missed_view.selectionModel().selectedRows()
        if not rows:
            return None
        value = self.missed_model.data(rows[0], TICKET_ID_ROLE)
        return value if isinstance(value, uuid.UUID) else None
