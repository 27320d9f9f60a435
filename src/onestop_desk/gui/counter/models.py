"""Qt table models of the counter's queue: who waits (in calling order) and who was missed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from onestop_desk.core.queue_policy import TicketClass
from onestop_desk.core.ticket import priority_label
from onestop_desk.gui.widgets.table import RowTable, bold_font
from onestop_desk.services.queue import TicketInfo, WaitingTicket

#: From this many minutes on, a wait is shown as too long (the desk's service promise).
LONG_WAIT_MINUTES = 30

TICKET_ID_ROLE = Qt.ItemDataRole.UserRole + 1

PRIORITY_COLOUR = QColor("#b34700")
TRANSFERRED_COLOUR = QColor("#0b5394")
LONG_WAIT_COLOUR = QColor("#b71c1c")
LONG_WAIT_BACKGROUND = QColor("#fde7e7")

_Index = QModelIndex | QPersistentModelIndex


class _TicketTable(RowTable):
    """A read-only table of tickets with fixed column headers; subclasses give the cells."""

    def set_tickets(self, tickets: Sequence[Any]) -> None:
        self.reset_rows(tickets)


class WaitingModel(_TicketTable):
    """The waiting list, one row per ticket in the order the counter will call them."""

    ORDER, NUMBER, FIELD, ISSUED, WAITED, NOTE = range(6)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                self.tr("Thứ tự"),
                self.tr("Số"),
                self.tr("Lĩnh vực"),
                self.tr("Lấy số lúc"),
                self.tr("Đã chờ"),
                self.tr("Ghi chú"),
            ],
            parent,
        )

    def tickets(self) -> list[WaitingTicket]:
        return list(self._rows)

    def long_waits(self) -> int:
        return sum(1 for t in self._rows if t.waited_minutes >= LONG_WAIT_MINUTES)

    def note(self, ticket: WaitingTicket) -> str:
        parts = []
        if ticket.priority:
            reason = priority_label(ticket.priority_reason) if ticket.priority_reason else None
            parts.append(
                self.tr("Ưu tiên: {reason}").format(reason=reason) if reason else self.tr("Ưu tiên")
            )
        if ticket.transferred:
            parts.append(self.tr("Chuyển đến"))
        return " · ".join(parts)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        ticket = self._rows[index.row()]
        column = index.column()
        long_wait = ticket.waited_minutes >= LONG_WAIT_MINUTES
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(ticket, index.row(), column)
        if role == TICKET_ID_ROLE:
            return ticket.id
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (self.ORDER, self.ISSUED, self.WAITED):
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        if role == Qt.ItemDataRole.FontRole:
            if column == self.NUMBER or (column == self.WAITED and long_wait):
                return bold_font()
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == self.WAITED and long_wait:
                return QBrush(LONG_WAIT_COLOUR)
            if column in (self.NUMBER, self.NOTE) and ticket.priority:
                return QBrush(PRIORITY_COLOUR)
            if column == self.NOTE and ticket.transferred:
                return QBrush(TRANSFERRED_COLOUR)
            return None
        if role == Qt.ItemDataRole.BackgroundRole and long_wait and column == self.WAITED:
            return QBrush(LONG_WAIT_BACKGROUND)
        if role == Qt.ItemDataRole.ToolTipRole and long_wait:
            return self.tr("Đã chờ quá {n} phút").format(n=LONG_WAIT_MINUTES)
        return None

    def _text(self, ticket: WaitingTicket, row: int, column: int) -> str:
        match column:
            case self.ORDER:
                return str(row + 1)
            case self.NUMBER:
                return ticket.display
            case self.FIELD:
                return ticket.field_name
            case self.ISSUED:
                return f"{ticket.issued_at:%H:%M}"
            case self.WAITED:
                return self.tr("{n} phút").format(n=ticket.waited_minutes)
            case _:
                return self.note(ticket)


class MissedModel(_TicketTable):
    """Tickets this counter marked as no-show today, latest first: they can be called back."""

    NUMBER, FIELD, CALLED, NOTE = range(4)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [self.tr("Số"), self.tr("Lĩnh vực"), self.tr("Gọi lúc"), self.tr("Ghi chú")], parent
        )

    def tickets(self) -> list[TicketInfo]:
        return list(self._rows)

    def row_of(self, ticket_id: uuid.UUID) -> int | None:
        return next((i for i, t in enumerate(self._rows) if t.id == ticket_id), None)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        ticket = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            match column:
                case self.NUMBER:
                    return ticket.display
                case self.FIELD:
                    return ticket.field_name
                case self.CALLED:
                    return f"{ticket.called_at:%H:%M}" if ticket.called_at else ""
                case _:
                    if ticket.ticket_class is not TicketClass.PRIORITY:
                        return ""
                    if ticket.priority_reason is None:
                        return self.tr("Ưu tiên")
                    return self.tr("Ưu tiên: {reason}").format(
                        reason=priority_label(ticket.priority_reason)
                    )
        if role == TICKET_ID_ROLE:
            return ticket.id
        if role == Qt.ItemDataRole.FontRole and column == self.NUMBER:
            return bold_font()
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.CALLED:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None
