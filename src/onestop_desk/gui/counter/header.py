"""The queue panel's header: the counter choice, its fields, the calling order, the link."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QWidget

from onestop_desk.core.queue_policy import PolicyKind, QueuePolicy
from onestop_desk.gui.counter.data import QueueSnapshot
from onestop_desk.gui.widgets import restyle, scaled


class CounterHeader(QWidget):
    """One row above the queue; picking a counter in its list emits ``sig_counter_picked``."""

    #: The specialist picked another counter in the list (its number).
    sig_counter_picked = Signal(int)

    def __init__(self, base: QFont, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        # As when the row was a layout inside the panel's: no margins, the panel's spacing.
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        label = QLabel(self.tr("Quầy:"))
        label.setFont(scaled(base, 1.15, bold=True))
        self.counter_combo = QComboBox()
        self.counter_combo.setFont(scaled(base, 1.15, bold=True))
        self.counter_combo.setMinimumWidth(130)
        self.counter_combo.setToolTip(self.tr("Quầy bạn đang ngồi"))
        self.counter_combo.currentIndexChanged.connect(self._picked)
        self.fields_label = QLabel()
        self.fields_label.setWordWrap(True)
        self.fields_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.policy_label = QLabel()
        self.policy_label.setObjectName("policyLabel")
        self.connection_label = QLabel()
        self.connection_label.setObjectName("connection")
        row.addWidget(label)
        row.addWidget(self.counter_combo)
        row.addSpacing(12)
        row.addWidget(self.fields_label, 1)
        row.addWidget(self.policy_label)
        row.addSpacing(12)
        row.addWidget(self.connection_label)

    def show_snapshot(self, snap: QueueSnapshot) -> None:
        """The office's counters (the one read selected), its fields and its calling order."""
        items = [(c.name, c.number) for c in snap.counters]
        combo = self.counter_combo
        current = [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]
        combo.blockSignals(True)
        if items != current:
            combo.clear()
            for name, number in items:
                combo.addItem(name, number)
        combo.setCurrentIndex(combo.findData(snap.counter_number))
        combo.blockSignals(False)

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
        self.policy_label.setText(self.policy_text(snap.policy))

    def policy_text(self, policy: QueuePolicy) -> str:
        if policy.kind is PolicyKind.STRICT:
            return self.tr("Thứ tự gọi: số ưu tiên luôn trước")
        return self.tr("Thứ tự gọi: 1 số ưu tiên sau mỗi {n} số thường").format(
            n=policy.normal_per_priority
        )

    def show_connection(self, connected: bool, where: str) -> None:
        """Green while the change feed runs (``where`` as its tooltip), red while it retries."""
        if connected:
            self.connection_label.setText(self.tr("● Đã kết nối"))
            self.connection_label.setToolTip(where)
        else:
            self.connection_label.setText(self.tr("● Mất kết nối, đang thử lại…"))
        restyle(self.connection_label, "ok", connected)

    def _picked(self, index: int) -> None:
        number = self.counter_combo.itemData(index)
        if isinstance(number, int):
            self.sig_counter_picked.emit(number)
