"""The warning strip over the queue: kiosk tickets whose paper did not come out, to reprint."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from onestop_desk.services.queue import TicketInfo

#: The strip offers this many reprint buttons; more failures mean a printer problem.
MAX_REPRINT_BUTTONS = 4


class ReprintStrip(QFrame):
    """Hidden while every ticket printed; a button per unprinted ticket emits ``sig_reprint``."""

    #: Print this ticket again (its id, a ``uuid.UUID``).
    sig_reprint = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reprintStrip")
        strip = QHBoxLayout(self)
        strip.setContentsMargins(10, 6, 10, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        strip.addWidget(self.label, 1)
        self._buttons_box = QHBoxLayout()
        strip.addLayout(self._buttons_box)
        self.buttons: dict[uuid.UUID, QPushButton] = {}
        self.hide()

    def show_tickets(self, tickets: Sequence[TicketInfo], printing: Collection[uuid.UUID]) -> None:
        """Today's unprinted tickets; the buttons of those ``printing`` now stay disabled."""
        self.setVisible(bool(tickets))
        offered = tickets[:MAX_REPRINT_BUTTONS]
        wanted = {t.id for t in offered}
        for ticket_id in list(self.buttons):
            if ticket_id not in wanted:
                gone = self.buttons.pop(ticket_id)
                self._buttons_box.removeWidget(gone)
                gone.deleteLater()
        for ticket in offered:
            button = self.buttons.get(ticket.id)
            if button is None:
                button = QPushButton(self.tr("In lại {number}").format(number=ticket.display))
                button.setMinimumHeight(32)
                button.clicked.connect(lambda _=False, t=ticket.id: self.sig_reprint.emit(t))
                self._buttons_box.addWidget(button)
                self.buttons[ticket.id] = button
            button.setToolTip(ticket.print_error or "")
            button.setEnabled(ticket.id not in printing)
        if not tickets:
            return
        first = tickets[0]
        text = self.tr("⚠ Phiếu chưa in được ở máy lấy số: {numbers}.").format(
            numbers=", ".join(t.display for t in tickets)
        )
        if first.print_error:
            text += " " + self.tr("Lỗi: {error}").format(error=first.print_error.rstrip("."))
        self.label.setText(text)

    def set_printing(self, ticket_id: uuid.UUID) -> None:
        """A reprint of ``ticket_id`` started: its button waits until the next read."""
        button = self.buttons.get(ticket_id)
        if button is not None:
            button.setEnabled(False)
