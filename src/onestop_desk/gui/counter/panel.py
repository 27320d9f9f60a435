"""The counter's queue panel: the ticket in hand, who waits, who was missed, and the actions."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.context import AppContext
from onestop_desk.core.queue_policy import PolicyKind, QueuePolicy, TicketClass
from onestop_desk.core.ticket import TicketAction, TicketState, allowed_actions, priority_label
from onestop_desk.gui import messages
from onestop_desk.gui.changes import ChangeHub, change_hub
from onestop_desk.gui.counter import data
from onestop_desk.gui.counter.actions import CounterActions, create_actions
from onestop_desk.gui.counter.data import CallOutcome, QueueSnapshot
from onestop_desk.gui.counter.models import (
    LONG_WAIT_MINUTES,
    TICKET_ID_ROLE,
    MissedModel,
    WaitingModel,
)
from onestop_desk.gui.counter.transfer import TransferDialog
from onestop_desk.gui.operations import LatestRead, MutationOp
from onestop_desk.gui.widgets import restyle, scaled
from onestop_desk.printing.printers import PreviewSink
from onestop_desk.services.queue import TicketInfo

log = logging.getLogger("onestop.gui.counter")

# Live changes arrive through the ChangeWatcher; the timer moves the waiting minutes on
# and catches a lost notification.
REFRESH_MS = 30_000
# The warning strip offers this many reprint buttons; more failures mean a printer problem.
MAX_REPRINT_BUTTONS = 4

_STYLE = """
QFrame#inHandCard { background: #ffffff; border: 1px solid #c5cfd8; border-radius: 8px; }
QLabel#inHandTitle { color: #455a64; font-weight: bold; letter-spacing: 1px; }
QLabel#inHandNumber { color: #0d47a1; }
QLabel#inHandNumber[serving="true"] { color: #1b5e20; }
QLabel#priorityBadge { background: #fff3e0; color: #b34700; border: 1px solid #ffb74d;
    border-radius: 4px; padding: 2px 8px; font-weight: bold; }
QLabel#transferBadge { background: #e3f2fd; color: #0b5394; border: 1px solid #90caf9;
    border-radius: 4px; padding: 2px 8px; }
QToolButton[role="queueAction"] { border: 1px solid #9aa9b6; border-radius: 6px;
    background: #f5f7f9; padding: 6px 10px; text-align: left; }
QToolButton[role="queueAction"]:hover { background: #e8eef3; }
QToolButton[role="queueAction"]:pressed { background: #d5dee6; }
QToolButton[role="queueAction"]:disabled { color: #a0a8ae; background: #f2f2f2;
    border-color: #d6d6d6; }
QToolButton#callNextButton { background: #1565c0; color: #ffffff; border-color: #0d47a1;
    font-weight: bold; }
QToolButton#callNextButton:hover { background: #1976d2; }
QToolButton#callNextButton:pressed { background: #0d47a1; }
QToolButton#callNextButton:disabled { background: #b0bec5; color: #eceff1;
    border-color: #b0bec5; }
QFrame#reprintStrip { background: #fff8e1; border: 1px solid #ffca28; border-radius: 6px; }
QLabel#sectionTitle { font-weight: bold; color: #263238; }
QLabel#longWait { color: #b71c1c; font-weight: bold; }
QLabel#message[kind="info"] { color: #1b5e20; }
QLabel#message[kind="error"] { color: #b71c1c; background: #fdecea; border-radius: 4px;
    padding: 4px 6px; }
QLabel#connection[ok="true"] { color: #2e7d32; }
QLabel#connection[ok="false"] { color: #b71c1c; font-weight: bold; }
"""


class QueuePanel(QWidget):
    """What a reception specialist uses to call and serve citizens at one counter.

    Everything it reads or writes goes through background operations; it refreshes itself when
    the queue changes, here or on another PC (``changes``), and every half minute.
    """

    #: The ticket in hand changed (a ``TicketInfo`` or None): the dossier form follows it.
    sig_ticket_in_hand = Signal(object)
    #: The counter this panel works for changed (its number).
    sig_counter_changed = Signal(int)

    def __init__(
        self,
        ctx: AppContext,
        *,
        counter_number: int | None = None,
        changes: ChangeHub | None = None,
        preview: PreviewSink | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.preview = preview
        self.snapshot: QueueSnapshot | None = None
        self.transfer_dialog: TransferDialog | None = None
        configured = ctx.settings.office.counter_number
        self._wanted: int | None = counter_number or configured or None
        # Every finished action invalidates it: reads started before show the queue as it was.
        self._reader = LatestRead(
            self._prepare_read, success=self._read_done, failure=self._read_failed, parent=self
        )
        self._acting = False
        self._printing: set[uuid.UUID] = set()
        self._in_hand_id: object = object()  # never equal to a ticket id or None at start
        self._transferred_ids: set[uuid.UUID] = set()
        self._read_error = ""  # the failed-read message on show, cleared once a read works

        self.setStyleSheet(_STYLE)
        self.queue_actions = create_actions(self)
        for action in self.queue_actions.all():
            self.addAction(action)
        self._build()
        self._connect_actions()

        self._own_hold = changes is None  # standalone: the panel holds the hub itself
        self.changes = changes or change_hub(ctx.database)
        self.changes.sig_changed.connect(self.refresh)
        self.changes.sig_connection.connect(self._connection_changed)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)

    # --- life cycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Start following the database (call once, after the panel is placed)."""
        if self._own_hold:
            self.changes.hold(self)
        self._connection_changed(self.changes.connected)
        self.timer.start()
        self.refresh()

    def stop(self) -> None:
        """Stop timers and the change watcher (the host window calls this when closing)."""
        self.timer.stop()
        if self._own_hold:
            self.changes.release(self)

    def is_busy(self) -> bool:
        """True while a read, an action or a reprint runs in the background."""
        return self._reader.busy or self._acting or bool(self._printing)

    @property
    def counter_number(self) -> int | None:
        return self._wanted

    # --- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        base = self.font()
        root = QVBoxLayout(self)
        root.setContentsMargins(10, 8, 10, 8)
        root.setSpacing(8)

        # Header: counter choice, the fields it serves, the office's calling order, connection.
        header = QHBoxLayout()
        label = QLabel(self.tr("Quầy:"))
        label.setFont(scaled(base, 1.15, bold=True))
        self.counter_combo = QComboBox()
        self.counter_combo.setFont(scaled(base, 1.15, bold=True))
        self.counter_combo.setMinimumWidth(130)
        self.counter_combo.setToolTip(self.tr("Quầy bạn đang ngồi"))
        self.counter_combo.currentIndexChanged.connect(self._counter_picked)
        self.fields_label = QLabel()
        self.fields_label.setWordWrap(True)
        self.fields_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.policy_label = QLabel()
        self.policy_label.setStyleSheet("color: #546e7a;")
        self.connection_label = QLabel()
        self.connection_label.setObjectName("connection")
        header.addWidget(label)
        header.addWidget(self.counter_combo)
        header.addSpacing(12)
        header.addWidget(self.fields_label, 1)
        header.addWidget(self.policy_label)
        header.addSpacing(12)
        header.addWidget(self.connection_label)
        root.addLayout(header)

        # Kiosk tickets whose paper did not come out: one tap reprints here.
        self.reprint_strip = QFrame()
        self.reprint_strip.setObjectName("reprintStrip")
        strip = QHBoxLayout(self.reprint_strip)
        strip.setContentsMargins(10, 6, 10, 6)
        self.reprint_label = QLabel()
        self.reprint_label.setWordWrap(True)
        strip.addWidget(self.reprint_label, 1)
        self.reprint_buttons_box = QHBoxLayout()
        strip.addLayout(self.reprint_buttons_box)
        self.reprint_buttons: dict[uuid.UUID, QPushButton] = {}
        self.reprint_strip.hide()
        root.addWidget(self.reprint_strip)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_left(base))
        splitter.addWidget(self._build_right(base))
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([460, 880])
        root.addWidget(splitter, 1)

    def _build_left(self, base: QFont) -> QWidget:
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 6, 0)
        column.setSpacing(8)

        card = QFrame()
        card.setObjectName("inHandCard")
        card_layout = QVBoxLayout(card)
        card_layout.setContentsMargins(16, 10, 16, 12)
        card_layout.setSpacing(4)
        self.in_hand_title = QLabel()
        self.in_hand_title.setObjectName("inHandTitle")
        self.in_hand_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.number_label = QLabel("—")
        self.number_label.setObjectName("inHandNumber")
        number_font = QFont(base)
        number_font.setPixelSize(88)
        number_font.setBold(True)
        self.number_label.setFont(number_font)
        self.number_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.in_hand_field = QLabel()
        self.in_hand_field.setFont(scaled(base, 1.3, bold=True))
        self.in_hand_field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.in_hand_field.setWordWrap(True)
        badges = QHBoxLayout()
        badges.addStretch(1)
        self.priority_badge = QLabel()
        self.priority_badge.setObjectName("priorityBadge")
        self.transfer_badge = QLabel(self.tr("Được chuyển đến"))
        self.transfer_badge.setObjectName("transferBadge")
        badges.addWidget(self.priority_badge)
        badges.addWidget(self.transfer_badge)
        badges.addStretch(1)
        self.in_hand_state = QLabel()
        self.in_hand_state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.in_hand_state.setStyleSheet("color: #455a64;")
        self.next_label = QLabel()
        self.next_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.next_label.setStyleSheet("color: #546e7a;")
        card_layout.addWidget(self.in_hand_title)
        card_layout.addWidget(self.number_label)
        card_layout.addWidget(self.in_hand_field)
        card_layout.addLayout(badges)
        card_layout.addWidget(self.in_hand_state)
        card_layout.addWidget(self.next_label)
        column.addWidget(card)

        buttons = QGridLayout()
        buttons.setSpacing(6)
        self.call_next_button = self._button(self.queue_actions.call_next, base, big=True)
        self.call_next_button.setObjectName("callNextButton")
        self.recall_button = self._button(self.queue_actions.recall, base)
        self.start_button = self._button(self.queue_actions.start, base)
        self.finish_button = self._button(self.queue_actions.finish, base)
        self.skip_button = self._button(self.queue_actions.skip, base)
        self.transfer_button = self._button(self.queue_actions.transfer, base)
        buttons.addWidget(self.call_next_button, 0, 0, 1, 2)
        buttons.addWidget(self.start_button, 1, 0)
        buttons.addWidget(self.finish_button, 1, 1)
        buttons.addWidget(self.recall_button, 2, 0)
        buttons.addWidget(self.skip_button, 2, 1)
        buttons.addWidget(self.transfer_button, 3, 0, 1, 2)
        column.addLayout(buttons)

        self.message_label = QLabel()
        self.message_label.setObjectName("message")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setFont(scaled(base, 1.05))
        self.message_label.setMinimumHeight(44)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.message_label)
        column.addStretch(1)
        return left

    def _button(self, action: Any, base: QFont, *, big: bool = False) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setProperty("role", "queueAction")
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        button.setFont(scaled(base, 1.35 if big else 1.1, bold=big))
        button.setMinimumHeight(58 if big else 42)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return button

    def _table(self, model: Any) -> QTableView:
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

    def _build_right(self, base: QFont) -> QWidget:
        right = QWidget()
        column = QVBoxLayout(right)
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
        self.waiting_view = self._table(self.waiting_model)
        self.waiting_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.waiting_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.waiting_view.horizontalHeader()
        for col in range(self.waiting_model.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(WaitingModel.NOTE, QHeaderView.ResizeMode.Stretch)
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
        self.call_back_button = self._button(self.queue_actions.call_back, base)
        self.call_back_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.call_back_button.setMinimumHeight(36)
        missed_row.addWidget(self.call_back_button)
        column.addSpacing(4)
        column.addLayout(missed_row)

        self.missed_model = MissedModel(self)
        self.missed_view = self._table(self.missed_model)
        header = self.missed_view.horizontalHeader()
        for col in range(self.missed_model.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(MissedModel.NOTE, QHeaderView.ResizeMode.Stretch)
        self.missed_view.selectionModel().selectionChanged.connect(self._update_actions)
        # The preselected no-show is a suggestion: without focus it shows pale, not alarm-blue.
        palette = self.missed_view.palette()
        palette.setColor(
            QPalette.ColorGroup.Inactive, QPalette.ColorRole.Highlight, QColor("#d6e6f5")
        )
        palette.setColor(
            QPalette.ColorGroup.Inactive, QPalette.ColorRole.HighlightedText, QColor("#102a43")
        )
        self.missed_view.setPalette(palette)
        column.addWidget(self.missed_view, 1)
        return right

    def _connect_actions(self) -> None:
        a: CounterActions = self.queue_actions
        a.call_next.triggered.connect(self.call_next)
        a.recall.triggered.connect(lambda: self.act(TicketAction.RECALL))
        a.start.triggered.connect(lambda: self.act(TicketAction.START))
        a.finish.triggered.connect(lambda: self.act(TicketAction.FINISH))
        a.skip.triggered.connect(lambda: self.act(TicketAction.SKIP))
        a.transfer.triggered.connect(self.open_transfer)
        a.call_back.triggered.connect(self.call_back_selected)

    # --- reading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the queue in the background; a change during the read triggers one more."""
        self._reader.request()

    def _prepare_read(self) -> Callable[[], QueueSnapshot]:
        ctx, wanted = self.ctx, self._wanted
        return lambda: data.read_queue(ctx, wanted)

    def _read_done(self, snap: QueueSnapshot) -> None:
        if self._read_error and self.message_label.text() == self._read_error:
            self._say(self.tr("Đã đọc lại được danh sách chờ."))
        self._read_error = ""
        self._show(snap)

    def _read_failed(self, exc: Exception) -> None:
        self._report(exc, self.tr("Không đọc được danh sách chờ"))
        self._read_error = self.message_label.text()
        self._update_actions()

    # --- showing ------------------------------------------------------------------------------
    def _show(self, snap: QueueSnapshot) -> None:
        self.snapshot = snap
        self._show_counters(snap)
        counter = snap.counter(snap.counter_number)
        names = {f.code: f.name for f in snap.fields}
        if counter is None:
            self.fields_label.setText(
                self.tr("Đơn vị chưa khai báo quầy nào (người quản trị thêm quầy).")
            )
        elif counter.field_codes:
            self.fields_label.setText(
                self.tr("Lĩnh vực: {names}").format(
                    names=", ".join(names.get(c, c) for c in counter.field_codes)
                )
            )
        else:
            self.fields_label.setText(self.tr("Lĩnh vực: tất cả"))
        self.policy_label.setText(self._policy_text(snap.policy))
        self._show_in_hand(snap)
        self._show_waiting(snap)
        self._show_missed(snap)
        self._show_unprinted(snap)
        self._update_actions()

    def _policy_text(self, policy: QueuePolicy) -> str:
        if policy.kind is PolicyKind.STRICT:
            return self.tr("Thứ tự gọi: số ưu tiên luôn trước")
        return self.tr("Thứ tự gọi: 1 số ưu tiên sau mỗi {n} số thường").format(
            n=policy.normal_per_priority
        )

    def _show_counters(self, snap: QueueSnapshot) -> None:
        items = [(c.name, c.number) for c in snap.counters]
        current = [
            (self.counter_combo.itemText(i), self.counter_combo.itemData(i))
            for i in range(self.counter_combo.count())
        ]
        self.counter_combo.blockSignals(True)
        if items != current:
            self.counter_combo.clear()
            for name, number in items:
                self.counter_combo.addItem(name, number)
        index = self.counter_combo.findData(snap.counter_number)
        self.counter_combo.setCurrentIndex(index)
        self.counter_combo.blockSignals(False)
        if snap.counter_number is not None and snap.counter_number != self._wanted:
            if self._wanted is not None:
                log.warning(
                    "counter %s not found; showing counter %s", self._wanted, snap.counter_number
                )
                self._say(
                    self.tr("Không có quầy số {wanted}; đang hiện {name}.").format(
                        wanted=self._wanted, name=self.counter_combo.currentText()
                    )
                )
            self._wanted = snap.counter_number
            self.sig_counter_changed.emit(snap.counter_number)

    def _show_in_hand(self, snap: QueueSnapshot) -> None:
        ticket = snap.in_hand
        serving = ticket is not None and ticket.state is TicketState.SERVING
        restyle(self.number_label, "serving", serving)
        if ticket is None:
            self.in_hand_title.setText(self.tr("CHƯA GỌI SỐ NÀO"))
            self.number_label.setText("—")
            self.in_hand_field.setText("")
            self.in_hand_state.setText(
                self.tr("Nhấn F2 để gọi người tiếp theo.")
                if snap.waiting
                else self.tr("Chưa có ai chờ ở quầy này.")
            )
            self.priority_badge.hide()
            self.transfer_badge.hide()
        else:
            self.in_hand_title.setText(
                self.tr("ĐANG PHỤC VỤ") if serving else self.tr("ĐANG GỌI SỐ")
            )
            self.number_label.setText(ticket.display)
            self.in_hand_field.setText(ticket.field_name)
            called = f"{ticket.called_at:%H:%M}" if ticket.called_at else "—"
            self.in_hand_state.setText(
                self.tr("Gọi lúc {time}").format(time=called)
                if serving
                else self.tr("Gọi lúc {time} · chờ công dân đến quầy").format(time=called)
            )
            if ticket.ticket_class is TicketClass.PRIORITY:
                reason = priority_label(ticket.priority_reason) if ticket.priority_reason else None
                self.priority_badge.setText(
                    self.tr("Ưu tiên: {reason}").format(reason=reason)
                    if reason
                    else self.tr("Ưu tiên")
                )
                self.priority_badge.show()
            else:
                self.priority_badge.hide()
            # A transferred ticket's row at this counter was re-queued from another one.
            self.transfer_badge.setVisible(self._was_transferred(ticket))
        if snap.waiting:
            nxt = snap.waiting[0]
            self.next_label.setText(
                self.tr("Tiếp theo: {number} ({field})").format(
                    number=nxt.display, field=nxt.field_name
                )
            )
        else:
            self.next_label.setText(self.tr("Không còn ai chờ"))
        key = ticket.id if ticket else None
        if key != self._in_hand_id:
            self._in_hand_id = key
            self.sig_ticket_in_hand.emit(ticket)

    def _was_transferred(self, ticket: TicketInfo) -> bool:
        # TicketInfo does not say so; the waiting list did while the ticket waited here.
        return ticket.id in self._transferred_ids

    def _show_waiting(self, snap: QueueSnapshot) -> None:
        self._transferred_ids = {t.id for t in snap.waiting if t.transferred} | (
            self._transferred_ids & ({snap.in_hand.id} if snap.in_hand else set())
        )
        self.waiting_model.set_tickets(snap.waiting)
        self.waiting_title.setText(self.tr("Đang chờ: {n} người").format(n=len(snap.waiting)))
        long_waits = self.waiting_model.long_waits()
        self.long_wait_label.setText(
            self.tr("⚠ {n} người đã chờ quá {m} phút").format(n=long_waits, m=LONG_WAIT_MINUTES)
            if long_waits
            else ""
        )

    def _show_missed(self, snap: QueueSnapshot) -> None:
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

    def _show_unprinted(self, snap: QueueSnapshot) -> None:
        tickets = snap.unprinted
        self.reprint_strip.setVisible(bool(tickets))
        wanted = {t.id for t in tickets[:MAX_REPRINT_BUTTONS]}
        for ticket_id in list(self.reprint_buttons):
            if ticket_id not in wanted:
                button = self.reprint_buttons.pop(ticket_id)
                self.reprint_buttons_box.removeWidget(button)
                button.deleteLater()
        for ticket in tickets[:MAX_REPRINT_BUTTONS]:
            button = self.reprint_buttons.get(ticket.id)
            if button is None:
                button = QPushButton(self.tr("In lại {number}").format(number=ticket.display))
                button.setMinimumHeight(32)
                button.clicked.connect(lambda _=False, t=ticket.id: self.reprint(t))
                self.reprint_buttons_box.addWidget(button)
                self.reprint_buttons[ticket.id] = button
            button.setToolTip(ticket.print_error or "")
            button.setEnabled(ticket.id not in self._printing)
        if not tickets:
            return
        first = tickets[0]
        text = self.tr("⚠ Phiếu chưa in được ở máy lấy số: {numbers}.").format(
            numbers=", ".join(t.display for t in tickets)
        )
        if first.print_error:
            text += " " + self.tr("Lỗi: {error}").format(error=first.print_error.rstrip("."))
        self.reprint_label.setText(text)

    # --- actions ------------------------------------------------------------------------------
    def _update_actions(self) -> None:
        a = self.queue_actions
        snap = self.snapshot
        ready = (
            snap is not None
            and not self._acting
            and snap.counter_number is not None
            and snap.counter_number == self._wanted
        )
        state = snap.in_hand.state if snap and snap.in_hand else None
        allowed = allowed_actions(state) if ready and state else frozenset()
        a.call_next.setEnabled(ready and bool(snap and snap.waiting))
        a.recall.setEnabled(TicketAction.RECALL in allowed)
        a.start.setEnabled(TicketAction.START in allowed)
        a.finish.setEnabled(TicketAction.FINISH in allowed)
        a.skip.setEnabled(TicketAction.SKIP in allowed)
        a.transfer.setEnabled(TicketAction.TRANSFER in allowed)
        a.call_back.setEnabled(ready and self.selected_missed() is not None)

    def selected_missed(self) -> uuid.UUID | None:
        rows = self.missed_view.selectionModel().selectedRows()
        if not rows:
            return None
        value = self.missed_model.data(rows[0], TICKET_ID_ROLE)
        return value if isinstance(value, uuid.UUID) else None

    def _run_action(self, work: Callable[[], Any], done: Callable[[Any], None], what: str) -> None:
        """Run one queue action in the background; no second action starts meanwhile."""
        if self._acting:
            return
        self._acting = True
        self._update_actions()

        def success(result: Any) -> None:
            self._action_finished()
            done(result)

        def failure(exc: Exception) -> None:
            self._action_finished()
            self._report(exc, what)

        MutationOp(
            work, changes=self.changes, success=success, failure=failure, parent=self
        ).run_in_background()

    def _action_finished(self) -> None:
        self._acting = False
        self._reader.invalidate()
        self.refresh()
        self._update_actions()

    def call_next(self) -> None:
        snap, number = self.snapshot, self._wanted
        if snap is None or number is None or not self.queue_actions.call_next.isEnabled():
            return
        self._run_action(
            lambda: data.do_call_next(self.ctx, snap.office_id, number),
            self._called,
            self.tr("Không gọi được số tiếp theo"),
        )

    def call_back_selected(self) -> None:
        snap, number, ticket_id = self.snapshot, self._wanted, self.selected_missed()
        if snap is None or number is None or ticket_id is None:
            return
        if not self.queue_actions.call_back.isEnabled():
            return
        self._run_action(
            lambda: data.do_call_back(self.ctx, snap.office_id, ticket_id, number),
            self._called,
            self.tr("Không gọi lại được số này"),
        )

    def _called(self, outcome: CallOutcome) -> None:
        done = (
            self.tr("Đã xong số {number}. ").format(number=outcome.finished.display)
            if outcome.finished
            else ""
        )
        if outcome.called is None:
            self._say(done + self.tr("Không còn ai đang chờ ở quầy này."))
            return
        log.info("counter %s called %s", self._wanted, outcome.called.display)
        self._say(
            done
            + self.tr("Đang mời số {number} đến quầy {counter}.").format(
                number=outcome.called.display, counter=self._wanted
            )
        )

    def act(self, action: TicketAction) -> None:
        """Recall, start, finish or mark the ticket in hand as no-show."""
        snap = self.snapshot
        ticket = snap.in_hand if snap else None
        if ticket is None or action not in allowed_actions(ticket.state) or self._acting:
            return
        texts = {
            TicketAction.RECALL: self.tr("Đã gọi lại số {number}."),
            TicketAction.START: self.tr("Đang phục vụ số {number}."),
            TicketAction.FINISH: self.tr("Đã xong số {number}."),
            TicketAction.SKIP: self.tr(
                "Số {number} vắng mặt: đã chuyển vào danh sách vắng mặt (gọi lại bằng F8)."
            ),
        }
        self._run_action(
            lambda: data.do_act(self.ctx, ticket.id, action),
            lambda info: self._say(texts[action].format(number=info.display)),
            self.tr("Không thực hiện được"),
        )

    def open_transfer(self) -> None:
        """Ask where to send the ticket in hand (a window-modal dialog that does not block)."""
        snap = self.snapshot
        ticket = snap.in_hand if snap else None
        if snap is None or ticket is None or snap.counter_number is None:
            return
        if TicketAction.TRANSFER not in allowed_actions(ticket.state) or self._acting:
            return
        dialog = TransferDialog(
            ticket,
            counters=snap.counters,
            fields=snap.fields,
            current_counter=snap.counter_number,
            parent=self,
        )
        self.transfer_dialog = dialog
        dialog.accepted.connect(lambda: self._transfer(dialog))
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        dialog.open()

    def _dialog_closed(self, dialog: TransferDialog) -> None:
        if self.transfer_dialog is dialog:
            self.transfer_dialog = None
        dialog.deleteLater()

    def _transfer(self, dialog: TransferDialog) -> None:
        snap = self.snapshot
        if snap is None:
            return
        to_counter, to_field = dialog.choice()
        ticket_id = dialog.ticket.id

        def done(info: TicketInfo) -> None:
            where = (
                self.tr("quầy số {n}").format(n=to_counter)
                if to_counter is not None
                else self.tr("các quầy nhận lĩnh vực {field}").format(field=info.field_name)
            )
            self._say(
                self.tr("Đã chuyển số {number} sang {where} ({field}).").format(
                    number=info.display, where=where, field=info.field_name
                )
            )

        self._run_action(
            lambda: data.do_transfer(self.ctx, snap.office_id, ticket_id, to_counter, to_field),
            done,
            self.tr("Không chuyển được số này"),
        )

    def reprint(self, ticket_id: uuid.UUID) -> None:
        """Print a kiosk ticket again on this PC's printer (in the background)."""
        if ticket_id in self._printing:
            return
        self._printing.add(ticket_id)
        button = self.reprint_buttons.get(ticket_id)
        if button is not None:
            button.setEnabled(False)

        def finished() -> None:
            self._printing.discard(ticket_id)
            self._reader.invalidate()
            self.refresh()

        def success(info: TicketInfo) -> None:
            finished()
            self._say(self.tr("Đã in lại phiếu số {number}.").format(number=info.display))

        def failure(exc: Exception) -> None:
            finished()
            self._report(exc, self.tr("Không in lại được phiếu"))

        MutationOp(
            lambda: data.reprint(self.ctx, ticket_id, self.preview),
            changes=self.changes,
            success=success,
            failure=failure,
            parent=self,
        ).run_in_background()

    # --- counter, connection, messages --------------------------------------------------------
    def set_counter(self, number: int) -> None:
        """Work for another counter from now on."""
        if number == self._wanted:
            return
        self._wanted = number
        self._reader.invalidate()
        self._update_actions()
        self.sig_counter_changed.emit(number)
        self._say("")
        self.refresh()

    def _counter_picked(self, index: int) -> None:
        number = self.counter_combo.itemData(index)
        if isinstance(number, int):
            self.set_counter(number)

    def _connection_changed(self, connected: bool) -> None:
        if connected:
            self.connection_label.setText(self.tr("● Đã kết nối"))
            self.connection_label.setToolTip(self.ctx.database.describe())
        else:
            self.connection_label.setText(self.tr("● Mất kết nối, đang thử lại…"))
            log.warning("counter panel lost the change feed")
        restyle(self.connection_label, "ok", connected)

    def _say(self, text: str) -> None:
        """Show what just happened (in green)."""
        self.message_label.setText(text)
        restyle(self.message_label, "kind", "info")

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
        self.message_label.setText(text)
        restyle(self.message_label, "kind", "error")
