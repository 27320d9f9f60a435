"""The counter's queue panel: assembles the header, the ticket in hand, the lists and the actions.

The parts are widgets of their own (header.py, in_hand.py, buttons.py, lists.py, reprint.py);
this module wires them to the background reads and actions of data.py and to the change hub.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from onestop_desk.context import AppContext
from onestop_desk.core.ticket import TicketAction, allowed_actions
from onestop_desk.gui import messages
from onestop_desk.gui.changes import ChangeHub, change_hub
from onestop_desk.gui.counter import data, style
from onestop_desk.gui.counter.actions import CounterActions, create_actions
from onestop_desk.gui.counter.buttons import ActionButtons
from onestop_desk.gui.counter.data import CallOutcome, QueueSnapshot
from onestop_desk.gui.counter.header import CounterHeader
from onestop_desk.gui.counter.in_hand import InHandCard
from onestop_desk.gui.counter.lists import QueueLists
from onestop_desk.gui.counter.reprint import ReprintStrip
from onestop_desk.gui.counter.transfer import TransferDialog
from onestop_desk.gui.operations import LatestRead, MutationOp
from onestop_desk.gui.widgets import restyle, scaled
from onestop_desk.printing.printers import PreviewSink
from onestop_desk.services.queue import TicketInfo

log = logging.getLogger("onestop.gui.counter")

# Live changes arrive through the ChangeWatcher; the timer moves the waiting minutes on
# and catches a lost notification.
REFRESH_MS = 30_000


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

        self.setStyleSheet(style.stylesheet())
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

        self.header = CounterHeader(base)
        self.header.sig_counter_picked.connect(self.set_counter)
        root.addWidget(self.header)

        self.reprint_strip = ReprintStrip()
        self.reprint_strip.sig_reprint.connect(self.reprint)
        root.addWidget(self.reprint_strip)

        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 6, 0)
        column.setSpacing(8)
        self.card = InHandCard(base)
        column.addWidget(self.card)
        self.buttons = ActionButtons(self.queue_actions, base)
        column.addWidget(self.buttons)
        self.message_label = QLabel()
        self.message_label.setObjectName("message")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setFont(scaled(base, 1.05))
        self.message_label.setMinimumHeight(44)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.message_label)
        column.addStretch(1)

        self.lists = QueueLists(self.queue_actions, base)
        self.lists.sig_missed_selection.connect(self._update_actions)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(self.lists)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([460, 880])
        root.addWidget(splitter, 1)

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
        self.header.show_snapshot(snap)
        self._follow_counter(snap)
        # TicketInfo does not say it was transferred; the waiting list did while it waited here.
        in_hand = {snap.in_hand.id} if snap.in_hand else set()
        self._transferred_ids = {t.id for t in snap.waiting if t.transferred} | (
            self._transferred_ids & in_hand
        )
        ticket = snap.in_hand
        self.card.show_snapshot(
            snap, transferred=ticket is not None and ticket.id in self._transferred_ids
        )
        key = ticket.id if ticket else None
        if key != self._in_hand_id:
            self._in_hand_id = key
            self.sig_ticket_in_hand.emit(ticket)
        self.lists.show_waiting(snap)
        self.lists.show_missed(snap)
        self.reprint_strip.show_tickets(snap.unprinted, self._printing)
        self._update_actions()

    def _follow_counter(self, snap: QueueSnapshot) -> None:
        """The read fell back to another counter (the wanted one is unknown): work for that one."""
        if snap.counter_number is None or snap.counter_number == self._wanted:
            return
        if self._wanted is not None:
            log.warning(
                "counter %s not found; showing counter %s", self._wanted, snap.counter_number
            )
            self._say(
                self.tr("Không có quầy số {wanted}; đang hiện {name}.").format(
                    wanted=self._wanted, name=self.header.counter_combo.currentText()
                )
            )
        self._wanted = snap.counter_number
        self.sig_counter_changed.emit(snap.counter_number)

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
        """The no-show selected in the missed list (what F8 calls back), if any."""
        return self.lists.selected_missed()

    def _run_action(self, work: Callable[[], Any], done: Callable[[Any], None], what: str) -> None:
        """Run one queue action in the background; no second action starts meanwhile."""
        if self._acting:
            return
        self._acting = True
        self._update_actions()
        self._mutate(work, done=done, what=what, ended=self._action_finished)

    def _mutate(
        self,
        work: Callable[[], Any],
        *,
        done: Callable[[Any], None],
        what: str,
        ended: Callable[[], None],
    ) -> None:
        """Write in the background: ``ended`` first either way, then ``done`` or the report."""

        def success(result: Any) -> None:
            ended()
            done(result)

        def failure(exc: Exception) -> None:
            ended()
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
        self.reprint_strip.set_printing(ticket_id)

        def ended() -> None:
            self._printing.discard(ticket_id)
            self._reader.invalidate()
            self.refresh()

        self._mutate(
            lambda: data.reprint(self.ctx, ticket_id, self.preview),
            done=lambda info: self._say(
                self.tr("Đã in lại phiếu số {number}.").format(number=info.display)
            ),
            what=self.tr("Không in lại được phiếu"),
            ended=ended,
        )

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

    def _connection_changed(self, connected: bool) -> None:
        self.header.show_connection(connected, self.ctx.database.describe())
        if not connected:
            log.warning("counter panel lost the change feed")

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
