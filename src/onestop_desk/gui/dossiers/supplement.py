"""Mẫu 02's dialog: the papers the citizen must bring, each with its count and form, and why."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from onestop_desk.gui.dossiers.data import DossierDetail
from onestop_desk.gui.dossiers.dialog_base import ActionDialog, text_box
from onestop_desk.services.lifecycle.commands import (
    SUPPLEMENT_KINDS,
    DossierCommand,
    RequestSupplement,
    SupplementItem,
)

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class SupplementDialog(ActionDialog):
    """Mẫu 02: the papers the citizen must bring, each with its count and form, and why."""

    def __init__(self, detail: DossierDetail, parent: QWidget | None = None) -> None:
        super().__init__(
            detail,
            title=self.tr("Yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)"),
            ok_text=self.tr("Lưu và lập Mẫu 02"),
            parent=parent,
        )
        self.setMinimumWidth(680)
        self._items: list[dict[str, Any]] = []

        entry = QWidget()
        row = QHBoxLayout(entry)
        row.setContentsMargins(0, 0, 0, 0)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(self.tr("Tên giấy tờ, rồi Enter để thêm"))
        names = sorted({d.name for d in detail.view.documents})
        completer = QCompleter(names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.name_edit.setCompleter(completer)
        self.count_spin = QSpinBox()
        self.count_spin.setRange(1, 99)
        self.count_spin.setSuffix(self.tr(" bản"))
        self.kind_combo = QComboBox()
        for kind, label in SUPPLEMENT_KINDS.items():
            self.kind_combo.addItem(label, kind)
        self.add_button = QPushButton(self.tr("Thêm"))
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_item)
        row.addWidget(self.name_edit, 1)
        row.addWidget(self.count_spin)
        row.addWidget(self.kind_combo)
        row.addWidget(self.add_button)
        self.form.addRow(self.tr("&Giấy tờ cần bổ sung:"), entry)
        caption = self.form.labelForField(entry)
        if isinstance(caption, QLabel):
            caption.setBuddy(self.name_edit)
        for widget in (self.name_edit, self.count_spin, self.kind_combo):
            widget.installEventFilter(self)

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Giấy tờ"), self.tr("Số lượng"), self.tr("Hình thức")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(120)
        self.table.installEventFilter(self)
        self.table.setToolTip(self.tr("Delete: bỏ giấy tờ đang chọn"))
        self.form.addRow("", self.table)

        self.reason_edit = text_box(
            self.tr("Ví dụ: bản sao giấy khai sinh chưa chứng thực; tờ khai thiếu chữ ký")
        )
        self.form.addRow(self.tr("&Lý do:"), self.reason_edit)
        self.name_edit.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.table and key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.remove_selected()
                return True
            if (
                watched in (self.name_edit, self.count_spin, self.kind_combo)
                and key in _ENTER_KEYS
                and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
            ):
                completer = self.name_edit.completer()
                popup = completer.popup() if completer is not None else None
                if watched is self.name_edit and popup is not None and popup.isVisible():
                    return False  # Enter picks the suggestion first
                self.add_item()
                return True
        return super().eventFilter(watched, event)

    def add_item(self) -> bool:
        """Add the paper being typed to the list; False when no name was typed."""
        name = " ".join(self.name_edit.text().split())
        if not name:
            return False
        item = {
            "name": name,
            "count": self.count_spin.value(),
            "kind": str(self.kind_combo.currentData()),
        }
        self._items.append(item)
        row = self.table.rowCount()
        self.table.insertRow(row)
        cells = (name, str(item["count"]), self.kind_combo.currentText())
        for column, text in enumerate(cells):
            self.table.setItem(row, column, QTableWidgetItem(text))
        self.name_edit.clear()
        self.count_spin.setValue(1)
        self.kind_combo.setCurrentIndex(0)
        self.name_edit.setFocus()
        self.error_label.hide()
        return True

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.table.removeRow(row)
            del self._items[row]

    def items(self) -> list[dict[str, Any]]:
        return [dict(item) for item in self._items]

    def accept(self) -> None:
        self.add_item()  # a paper typed but not yet added counts
        super().accept()

    def problem(self) -> str | None:
        if not self._items:
            return self.tr("Chưa ghi giấy tờ nào cần bổ sung: gõ tên giấy tờ rồi nhấn Enter.")
        return self._required(
            self.reason_edit.toPlainText(), self.tr("Chưa ghi lý do yêu cầu bổ sung.")
        )

    def command(self) -> DossierCommand:
        return RequestSupplement(
            items=tuple(SupplementItem(**item) for item in self._items),
            reason=self.reason_edit.toPlainText().strip(),
        )
