"""The banner over the dossier list: how many dossiers are about to be late, and a way to them."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from onestop_desk.gui.dossiers.data import ListSnapshot
from onestop_desk.gui.dossiers.detail import enter_button


class LateBanner(QFrame):
    """Shown while some dossiers are about to be late, or while only those are listed."""

    #: The button: list just those dossiers, or go back to the list.
    sig_toggled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lateBanner")
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 6, 4)
        self.label = QLabel()
        self.label.setObjectName("bannerText")
        self.label.setWordWrap(True)
        self.button = enter_button()
        self.button.clicked.connect(self.sig_toggled.emit)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        self.hide()

    def show_for(self, snap: ListSnapshot) -> None:
        """What ``snap`` says of late dossiers (its query tells whether only those are listed)."""
        codes = snap.query.codes
        if codes is not None:
            self.label.setText(
                self.tr(
                    "Đang xem {n} hồ sơ sắp trễ hạn — lập văn bản xin lỗi, gia hạn (Mẫu 04) "
                    "cho từng hồ sơ."
                ).format(n=len(codes))
            )
            self.button.setText(self.tr("Bỏ lọc, về danh sách (Alt+0)"))
            self.show()
            return
        soon = len(snap.soon_late)
        self.setVisible(soon > 0)
        if soon:
            self.label.setText(
                self.tr("{n} hồ sơ sắp trễ hạn — lập văn bản xin lỗi, gia hạn (Mẫu 04)").format(
                    n=soon
                )
            )
            self.button.setText(self.tr("Xem các hồ sơ này (Alt+0)"))
