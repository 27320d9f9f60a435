"""One row of the checklist (a paper: received, how many copies, its scans) and its file chips."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.core.catalog import DocumentKind, RequiredDocument
from onestop_desk.gui.reception.attachments import format_size
from onestop_desk.gui.widgets import restyle
from onestop_desk.services.dossier import DOCUMENT_KINDS
from onestop_desk.services.reception import ChecklistItem, ScannedFile

CHECK_WIDTH = 96
COUNT_WIDTH = 64
KIND_WIDTH = 170
ATTACH_WIDTH = 150


class ChecklistOwner(Protocol):
    """What a row asks of the checklist it sits in."""

    def tr(self, text: str, /) -> str: ...
    def choose_files(self, row: DocumentRow | None) -> None: ...
    def remove_row(self, row: DocumentRow) -> None: ...
    def _row_changed(self) -> None: ...
    def _attachments_changed(self) -> None: ...


class AttachmentList(QWidget):
    """The scanned files of one paper (or of the dossier): one small chip per file."""

    def __init__(self, owner: ChecklistOwner) -> None:
        super().__init__()
        self.owner = owner
        self.attachments: list[ScannedFile] = []
        self._chips: dict[object, QFrame] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(3)
        self.hide()

    def add(self, attachment: ScannedFile) -> None:
        self.attachments.append(attachment)
        self._chips[attachment.sha256] = self._chip(attachment)
        self.show()

    def add_pending(self, token: int, name: str) -> None:
        chip = QFrame()
        chip.setObjectName("attachmentChip")
        chip.setProperty("pending", True)
        row = QHBoxLayout(chip)
        row.setContentsMargins(6, 2, 6, 2)
        row.addWidget(QLabel(self.owner.tr("{0} · đang đọc và tính mã kiểm tra…").format(name)))
        self._layout.addWidget(chip, 0, Qt.AlignmentFlag.AlignLeft)
        self._chips[token] = chip
        self.show()

    def drop_chip(self, key: object) -> None:
        chip = self._chips.pop(key, None)
        if chip is not None:
            chip.hide()
            chip.deleteLater()
        self.setVisible(bool(self._chips))

    def remove(self, attachment: ScannedFile) -> None:
        if attachment in self.attachments:
            self.attachments.remove(attachment)
        self.drop_chip(attachment.sha256)
        self.owner._attachments_changed()

    def clear(self) -> None:
        for key in list(self._chips):
            self.drop_chip(key)
        self.attachments.clear()

    def _chip(self, attachment: ScannedFile) -> QFrame:
        chip = QFrame()
        chip.setObjectName("attachmentChip")
        chip.setToolTip(f"{attachment.path}\nSHA-256: {attachment.sha256}")
        row = QHBoxLayout(chip)
        row.setContentsMargins(6, 1, 2, 1)
        row.setSpacing(4)
        label = QLabel(f"{attachment.name} · {format_size(attachment.size)}")
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        remove = QToolButton()
        remove.setObjectName("removeChip")
        remove.setText("×")
        remove.setToolTip(self.owner.tr("Bỏ tệp đính kèm này"))
        remove.setCursor(Qt.CursorShape.PointingHandCursor)
        remove.clicked.connect(lambda: self.remove(attachment))
        row.addWidget(label)
        row.addWidget(remove)
        self._layout.addWidget(chip, 0, Qt.AlignmentFlag.AlignLeft)  # as wide as its text
        return chip


class DocumentRow(QFrame):
    """One paper: received?, name, number of copies, kind, and its scanned files."""

    def __init__(
        self,
        owner: ChecklistOwner,
        document: RequiredDocument | None,
        *,
        name: str = "",
    ) -> None:
        super().__init__()
        self.owner = owner
        self.document = document
        self.setObjectName("documentRow")
        tr = owner.tr
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)

        self.received_box = QCheckBox(tr("Đã nhận"))
        self.received_box.setFixedWidth(CHECK_WIDTH)
        self.name_edit: QLineEdit | None = None
        name_box = QHBoxLayout()
        name_box.setSpacing(6)
        if document is not None:
            self.name_label = QLabel(document.name)
            self.name_label.setWordWrap(True)
            self.name_label.setSizePolicy(
                QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred
            )
            self.received_box.setAccessibleName(document.name)
            if document.kind == "present":
                self.received_box.setToolTip(
                    tr("Giấy tờ xuất trình để đối chiếu, không giữ lại: đánh dấu khi đã xem")
                )
            name_box.addWidget(self.name_label, 1)
            if document.optional:
                tag = QLabel(tr("(nếu có)"))
                tag.setObjectName("optionalTag")
                name_box.addWidget(tag)
            if document.note:
                self.name_label.setToolTip(document.note)
                mark = QLabel("ⓘ")
                mark.setObjectName("noteMark")
                mark.setToolTip(document.note)
                name_box.addWidget(mark)
        else:
            self.name_edit = QLineEdit(name)
            self.name_edit.setPlaceholderText(tr("Tên giấy tờ khác (ví dụ: Giấy xác nhận…)"))
            self.name_edit.setAcceptDrops(False)
            self.name_edit.textChanged.connect(owner._row_changed)
            name_box.addWidget(self.name_edit, 1)
        self.count_spin = QSpinBox()
        self.count_spin.setRange(1, 99)
        self.count_spin.setFixedWidth(COUNT_WIDTH)
        self.count_spin.setToolTip(tr("Số bản"))
        self.count_spin.setValue(document.count if document else 1)
        self.kind_combo = QComboBox()
        self.kind_combo.setFixedWidth(KIND_WIDTH)
        for code, label in DOCUMENT_KINDS.items():
            self.kind_combo.addItem(tr(label), code)
        self.kind_combo.setCurrentIndex(
            self.kind_combo.findData(document.kind if document else "copy")
        )
        self.attach_button = QPushButton(tr("Đính kèm bản quét…"))
        self.attach_button.setFixedWidth(ATTACH_WIDTH)
        self.attach_button.setToolTip(
            tr("Chọn tệp bản quét của giấy tờ này (hoặc kéo thả tệp lên dòng)")
        )
        self.attach_button.clicked.connect(lambda: owner.choose_files(self))
        for line in self.count_spin.findChildren(QLineEdit):
            line.setAcceptDrops(False)  # a dropped file is an attachment, never spin-box text

        grid.addWidget(self.received_box, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addLayout(name_box, 0, 1)
        grid.addWidget(self.count_spin, 0, 2, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.kind_combo, 0, 3, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.attach_button, 0, 4, Qt.AlignmentFlag.AlignTop)
        self.remove_button: QToolButton | None = None
        if document is None:
            self.remove_button = QToolButton()
            self.remove_button.setText(tr("Bỏ dòng"))
            self.remove_button.setToolTip(tr("Bỏ giấy tờ này khỏi danh sách"))
            self.remove_button.clicked.connect(lambda: owner.remove_row(self))
            grid.addWidget(self.remove_button, 0, 5, Qt.AlignmentFlag.AlignTop)
        self.attachments = AttachmentList(owner)
        grid.addWidget(self.attachments, 1, 1, 1, 4)
        self.message = QLabel()
        self.message.setObjectName("rowMessage")
        self.message.hide()
        grid.addWidget(self.message, 2, 1, 1, 4)
        grid.setColumnStretch(1, 1)

        self.received_box.toggled.connect(self._received_toggled)
        self.count_spin.valueChanged.connect(owner._row_changed)
        self.kind_combo.currentIndexChanged.connect(owner._row_changed)

    @property
    def required(self) -> bool:
        return self.document is not None and not self.document.optional

    def name(self) -> str:
        if self.document is not None:
            return self.document.name
        assert self.name_edit is not None
        return " ".join(self.name_edit.text().split())

    def item(self) -> ChecklistItem:
        kind: DocumentKind = self.kind_combo.currentData()
        return ChecklistItem(
            name=self.name(),
            kind=kind,
            count=self.count_spin.value(),
            received=self.received_box.isChecked(),
            attachments=tuple(self.attachments.attachments),
        )

    def apply(self, item: ChecklistItem) -> None:
        self.received_box.setChecked(item.received)
        self.count_spin.setValue(max(1, min(99, item.count)))
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(item.kind)))
        self.attachments.clear()
        for attachment in item.attachments:
            self.attachments.add(attachment)

    def flag_missing(self, missing: bool) -> None:
        restyle(self, "missing", missing)
        self.message.setText(self.owner.tr("Chưa nhận: giấy tờ này bắt buộc phải có."))
        self.message.setVisible(missing)

    def inputs(self) -> list[QWidget]:
        widgets: list[QWidget] = [self.received_box]
        if self.name_edit is not None:
            widgets.append(self.name_edit)
        widgets += [self.count_spin, self.kind_combo, self.attach_button]
        if self.remove_button is not None:
            widgets.append(self.remove_button)
        return widgets

    def _received_toggled(self, received: bool) -> None:
        restyle(self, "received", received)
        if received and not self.message.isHidden():
            self.flag_missing(False)
        self.owner._row_changed()
