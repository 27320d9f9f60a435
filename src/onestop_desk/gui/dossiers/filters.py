"""The filter bar over the dossier list: one button per pile, each with its count."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QToolButton, QWidget

from onestop_desk.core.calendar import weekday_name
from onestop_desk.gui.widgets import restyle
from onestop_desk.services.dossier_list import DossierFilter, FilterCounts

#: The filter bar, left to right; Alt+1… picks them.
FILTERS = (
    DossierFilter.OPEN,
    DossierFilter.DUE_TODAY,
    DossierFilter.DUE_TOMORROW,
    DossierFilter.LATE,
    DossierFilter.SUPPLEMENT,
    DossierFilter.RESULT_READY,
    DossierFilter.SUBMISSION_FAILED,
    DossierFilter.RETURNED,
    DossierFilter.ALL,
)
#: Filters whose count is shown as a warning when not zero.
ALERTS = (DossierFilter.LATE, DossierFilter.SUBMISSION_FAILED)


class FilterBar(QWidget):
    """The piles as exclusive buttons; their counts follow each read of the list."""

    #: A button was clicked (its ``DossierFilter``).
    sig_picked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(4)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[DossierFilter, QToolButton] = {}
        for number, which in enumerate(FILTERS, start=1):
            button = QToolButton()
            button.setCheckable(True)
            button.setProperty("role", "filter")
            button.setToolTip(self.tr("Alt+{n}").format(n=number))
            button.clicked.connect(lambda _c=False, w=which: self.sig_picked.emit(w))
            self.group.addButton(button)
            self.buttons[which] = button
            bar.addWidget(button)
        bar.addStretch(1)
        self.set_counts(None)

    def check(self, which: DossierFilter) -> None:
        """Show ``which`` as the pile on screen (without asking for it)."""
        self.buttons[which].setChecked(True)

    def set_counts(self, counts: FilterCounts | None) -> None:
        """Name each button, with its count once the list was read (None: not yet)."""
        names = {
            DossierFilter.OPEN: self.tr("Đang xử lý"),
            DossierFilter.DUE_TODAY: self.tr("Hạn hôm nay"),
            DossierFilter.DUE_TOMORROW: self.tr("Hạn ngày mai"),
            DossierFilter.LATE: self.tr("Trễ hạn"),
            DossierFilter.SUPPLEMENT: self.tr("Chờ bổ sung"),
            DossierFilter.RESULT_READY: self.tr("Chờ trả kết quả"),
            DossierFilter.SUBMISSION_FAILED: self.tr("Gửi trực tuyến lỗi"),
            DossierFilter.RETURNED: self.tr("Đã trả"),
            DossierFilter.ALL: self.tr("Tất cả"),
        }
        if counts is not None and (counts.next_working_day - counts.today).days != 1:
            name = weekday_name(counts.next_working_day)
            # Mid-sentence: "Hạn thứ Hai", as the calendar writes the day.
            names[DossierFilter.DUE_TOMORROW] = self.tr("Hạn {weekday}").format(
                weekday=name[:1].lower() + name[1:]
            )
        for which, button in self.buttons.items():
            if counts is None:
                button.setText(names[which])
                continue
            count = counts[which]
            button.setText(f"{names[which]} ({count})")
            restyle(button, "alert", "true" if which in ALERTS and count else "false")
