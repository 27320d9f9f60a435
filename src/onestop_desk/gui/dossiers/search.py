"""The search row over the dossier list: the search box with what it searches by, and the order."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from onestop_desk.services.dossier_list import search_kind

SEARCH_DELAY_MS = 250


class SearchBar(QWidget):
    """Typing searches once the keys pause; Enter searches at once. The order sits beside it."""

    #: The text typed should be searched now (the pause after typing is over, or Esc cleared it).
    sig_search = Signal()
    #: Enter in the search box.
    sig_entered = Signal()
    #: Another sort key was picked in the combo.
    sig_sort_picked = Signal(str)
    #: The order button: the other way round.
    sig_order_flipped = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit()
        self.edit.setClearButtonEnabled(True)
        self.edit.setPlaceholderText(
            self.tr(
                "Tìm: mã hồ sơ (hoặc mấy số cuối), số định danh, "
                "họ tên gõ từ họ, không cần dấu — Ctrl+F"
            )
        )
        self.edit.textEdited.connect(self._typed)
        self.edit.returnPressed.connect(self.sig_entered.emit)
        self.edit.installEventFilter(self)
        row.addWidget(self.edit, 1)
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        row.addWidget(self.hint)
        sort_label = QLabel(self.tr("&Sắp xếp:"))
        self.sort_combo = QComboBox()
        sort_label.setBuddy(self.sort_combo)
        for key, text in (
            ("due_at", self.tr("Hẹn trả")),
            ("received_at", self.tr("Ngày nhận")),
            ("code", self.tr("Mã hồ sơ")),
            ("applicant", self.tr("Người nộp")),
            ("procedure", self.tr("Thủ tục")),
            ("state", self.tr("Trạng thái")),
            ("submission", self.tr("Gửi trực tuyến")),
        ):
            self.sort_combo.addItem(text, key)
        self.sort_combo.activated.connect(
            lambda index: self.sig_sort_picked.emit(str(self.sort_combo.itemData(index)))
        )
        self.order_button = QToolButton()
        self.order_button.setToolTip(self.tr("Đảo thứ tự sắp xếp"))
        self.order_button.clicked.connect(self.sig_order_flipped.emit)
        row.addWidget(sort_label)
        row.addWidget(self.sort_combo)
        row.addWidget(self.order_button)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.sig_search.emit)

    def text(self) -> str:
        """What to search for: the box's text without the spaces around it."""
        return self.edit.text().strip()

    def set_text(self, text: str) -> None:
        """Put ``text`` in the box (a scan, a test); the pause after typing no longer counts."""
        self.edit.setText(text)
        self.show_kind()
        self._timer.stop()

    def clear(self) -> None:
        self.edit.clear()

    def waiting(self) -> bool:
        """True while typing has paused for less than the search delay."""
        return self._timer.isActive()

    def stop(self) -> None:
        self._timer.stop()

    def focus(self) -> None:
        """Ctrl+F: the keyboard goes to the box, its text selected."""
        self.edit.setFocus()
        self.edit.selectAll()

    def show_order(self, sort: str, descending: bool) -> None:
        index = self.sort_combo.findData(sort)
        if index >= 0:
            self.sort_combo.setCurrentIndex(index)
        self.order_button.setText(self.tr("↓ giảm dần") if descending else self.tr("↑ tăng dần"))

    def show_kind(self) -> None:
        """Say what the text typed is searched as: a code, an id number or a name."""
        kind = search_kind(self.edit.text())
        self.hint.setText(
            {
                "code": self.tr("theo mã hồ sơ"),
                "id_number": self.tr("theo số định danh"),
                "name": self.tr("theo họ tên"),
            }.get(kind, "")
        )

    def _typed(self, _text: str) -> None:
        self._timer.start()
        self.show_kind()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (
            watched is self.edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and self.edit.text()
        ):
            # Esc empties the box and shows the list without the search at once.
            self.set_text("")
            self.sig_search.emit()
            return True
        return super().eventFilter(watched, event)
