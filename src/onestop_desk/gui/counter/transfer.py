"""The small dialog that sends the citizen in hand to another counter or field."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.gui.counter import style
from onestop_desk.gui.counter.data import CounterChoice
from onestop_desk.services.office import FieldInfo
from onestop_desk.services.queue import TicketInfo


class TransferDialog(QDialog):
    """Pick a counter (or any counter) and a field; ``choice()`` gives what to pass the service."""

    def __init__(
        self,
        ticket: TicketInfo,
        *,
        counters: Sequence[CounterChoice],
        fields: Sequence[FieldInfo],
        current_counter: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ticket = ticket
        self._counters = [c for c in counters if c.number != current_counter]
        self._fields = list(fields)
        self._names = {f.code: f.name for f in fields}
        self.setWindowTitle(self.tr("Chuyển số {number}").format(number=ticket.display))
        self.setMinimumWidth(520)
        # Its own sheet too: the same look when it is opened without the panel as its parent.
        self.setStyleSheet(style.stylesheet())

        layout = QVBoxLayout(self)
        heading = QLabel(
            self.tr("Chuyển công dân số <b>{number}</b> ({field}) sang:").format(
                number=ticket.display, field=ticket.field_name
            )
        )
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        heading.setFont(font)
        layout.addWidget(heading)

        form = QFormLayout()
        self.counter_combo = QComboBox()
        self.counter_combo.addItem(self.tr("Quầy nào cũng được (theo lĩnh vực)"), None)
        for c in self._counters:
            served = (
                ", ".join(self._names.get(code, code) for code in c.field_codes)
                if c.field_codes
                else self.tr("mọi lĩnh vực")
            )
            self.counter_combo.addItem(f"{c.name} — {served}", c.number)
        self.field_combo = QComboBox()
        form.addRow(self.tr("Quầy:"), self.counter_combo)
        form.addRow(self.tr("Lĩnh vực:"), self.field_combo)
        layout.addLayout(form)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setObjectName("transferSummary")
        layout.addWidget(self.summary)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Chuyển"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Huỷ"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.counter_combo.currentIndexChanged.connect(self._counter_changed)
        self.field_combo.currentIndexChanged.connect(self._update_summary)
        self._counter_changed()

    def choice(self) -> tuple[int | None, str | None]:
        """(counter number or None, field code) as ``transfer_ticket`` takes them."""
        return self.counter_combo.currentData(), self.field_combo.currentData()

    def select(self, counter_number: int | None, field_code: str | None = None) -> None:
        """Preselect a counter and, when given, a field (keyboard users and tests)."""
        index = self.counter_combo.findData(counter_number)
        if index >= 0:
            self.counter_combo.setCurrentIndex(index)
        if field_code is not None:
            index = self.field_combo.findData(field_code)
            if index >= 0:
                self.field_combo.setCurrentIndex(index)

    def _counter_changed(self) -> None:
        number = self.counter_combo.currentData()
        counter = next((c for c in self._counters if c.number == number), None)
        served = set(counter.field_codes) if counter and counter.field_codes else None
        previous = self.field_combo.currentData() or self.ticket.field_code
        self.field_combo.blockSignals(True)
        self.field_combo.clear()
        for f in self._fields:
            if served is None or f.code in served:
                self.field_combo.addItem(f.name, f.code)
        index = self.field_combo.findData(previous)
        self.field_combo.setCurrentIndex(max(index, 0))
        self.field_combo.blockSignals(False)
        self._update_summary()

    def _update_summary(self) -> None:
        number, code = self.choice()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(code is not None)
        if code is None:
            self.summary.setText(self.tr("Quầy này chưa được giao lĩnh vực nào."))
            return
        field = self._names.get(code, code)
        if number is not None:
            text = self.tr(
                "Số {number} sẽ chờ ở quầy số {counter}, lĩnh vực {field}, và được gọi trước "
                "những người lấy số sau."
            ).format(number=self.ticket.display, counter=number, field=field)
        else:
            text = self.tr(
                "Số {number} sẽ chờ ở lĩnh vực {field} (quầy nào nhận lĩnh vực này cũng gọi "
                "được), và được gọi trước những người lấy số sau."
            ).format(number=self.ticket.display, field=field)
        self.summary.setText(text)
