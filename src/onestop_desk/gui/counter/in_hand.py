"""The card with the ticket in hand: its big number, field, badges, state and who comes next."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from onestop_desk.core.queue_policy import TicketClass
from onestop_desk.core.ticket import TicketState, priority_label
from onestop_desk.gui.counter.data import QueueSnapshot
from onestop_desk.gui.widgets import restyle, scaled

#: The ticket number's height: read from the citizen's chair as well as from the desk.
NUMBER_PX = 88


class InHandCard(QFrame):
    """What the counter is doing now; ``show_snapshot`` fills it from a queue read."""

    def __init__(self, base: QFont, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inHandCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 12)
        layout.setSpacing(4)
        self.in_hand_title = QLabel()
        self.in_hand_title.setObjectName("inHandTitle")
        self.in_hand_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.number_label = QLabel("—")
        self.number_label.setObjectName("inHandNumber")
        number_font = QFont(base)
        number_font.setPixelSize(NUMBER_PX)
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
        self.in_hand_state.setObjectName("inHandState")
        self.in_hand_state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.next_label = QLabel()
        self.next_label.setObjectName("nextTicket")
        self.next_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.in_hand_title)
        layout.addWidget(self.number_label)
        layout.addWidget(self.in_hand_field)
        layout.addLayout(badges)
        layout.addWidget(self.in_hand_state)
        layout.addWidget(self.next_label)

    def show_snapshot(self, snap: QueueSnapshot, *, transferred: bool) -> None:
        """The ticket in hand (``transferred``: it came from another counter) and the next one."""
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
            self.transfer_badge.setVisible(transferred)
        if snap.waiting:
            nxt = snap.waiting[0]
            self.next_label.setText(
                self.tr("Tiếp theo: {number} ({field})").format(
                    number=nxt.display, field=nxt.field_name
                )
            )
        else:
            self.next_label.setText(self.tr("Không còn ai chờ"))
