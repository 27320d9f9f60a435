"""The checklist of papers received (thành phần hồ sơ), with scanned copies and their SHA-256."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent, QFont
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.core.catalog import RequiredDocument
from onestop_desk.gui.operations import QueryOp
from onestop_desk.gui.reception import style
from onestop_desk.gui.reception.attachments import (
    CHUNK_BYTES,
    SCAN_FILTER,
    FileTooLarge,
    digest_file,
    format_size,
)
from onestop_desk.gui.reception.checklist_rows import (
    ATTACH_WIDTH,
    CHECK_WIDTH,
    COUNT_WIDTH,
    KIND_WIDTH,
    AttachmentList,
    DocumentRow,
)
from onestop_desk.gui.widgets import bundled_font_family, restyle
from onestop_desk.services.dossier import MAX_ATTACHMENT_BYTES
from onestop_desk.services.reception import ChecklistItem, ScannedFile

__all__ = ["CHUNK_BYTES", "ChecklistWidget", "FileTooLarge", "digest_file", "format_size"]

log = logging.getLogger("onestop.gui.reception")


class ChecklistWidget(QWidget):
    """Tick the papers received, say how many and of what kind, attach their scans.

    Scans are hashed in the background (never loaded whole); files over ``max_bytes`` are
    refused with a message. Files dropped on a paper's row belong to that paper, files dropped
    elsewhere to the dossier as a whole.
    """

    #: Anything in the checklist changed (a tick, a count, an attachment...).
    sig_changed = Signal()

    def __init__(
        self,
        documents: Sequence[RequiredDocument] = (),
        *,
        max_bytes: int = MAX_ATTACHMENT_BYTES,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.max_bytes = max_bytes
        self._rows: list[DocumentRow] = []
        self._pending: dict[int, tuple[AttachmentList, str]] = {}
        self._tokens = itertools.count(1)
        self._generation = 0  # bumped when the rows are rebuilt: older hashes are dropped
        self._loading = False

        font = QFont(self.font())
        font.setFamily(bundled_font_family())
        self.setFont(font)
        self.setStyleSheet(style.sheet("checklist"))
        self.setAcceptDrops(True)
        self._build()
        self.set_documents(documents)

    # --- public API -------------------------------------------------------------------------
    def set_documents(self, documents: Sequence[RequiredDocument]) -> None:
        """Show the papers of a procedure, none received yet; scans and extras are dropped."""
        self._generation += 1
        self._pending.clear()
        for row in self._rows:
            row.hide()
            row.deleteLater()
        self._rows.clear()
        self.dossier_list.clear()
        for document in documents:
            self._add_row(DocumentRow(self, document))
        self._show_message("")
        self._update_count()

    def items(self) -> list[ChecklistItem]:
        """Every paper in order (extras without a name left out); scans still hashing excluded."""
        return [row.item() for row in self._rows if row.name()]

    def dossier_attachments(self) -> tuple[ScannedFile, ...]:
        """Scans attached to the dossier as a whole rather than to one paper."""
        return tuple(self.dossier_list.attachments)

    def set_items(
        self, items: Iterable[ChecklistItem], dossier_attachments: Iterable[ScannedFile] = ()
    ) -> None:
        """Restore a draft: items named like a required paper fill its row, others are extras."""
        self._generation += 1
        self._pending.clear()
        self._loading = True
        try:
            by_name = {row.document.name: row for row in self._rows if row.document is not None}
            for row in [r for r in self._rows if r.document is None]:
                self._drop_row(row)
            for row in self._rows:
                assert row.document is not None
                doc = row.document
                row.apply(ChecklistItem(doc.name, doc.kind, doc.count, received=False))
            for item in items:
                row = by_name.pop(item.name) if item.name in by_name else self.add_extra(item.name)
                row.apply(item)
            self.dossier_list.clear()
            for attachment in dossier_attachments:
                self.dossier_list.add(attachment)
        finally:
            self._loading = False
        self._update_count()

    def add_extra(self, name: str = "") -> DocumentRow:
        """Add a row for a paper the catalog does not list; it starts as received."""
        row = DocumentRow(self, None, name=name)
        self._add_row(row)
        row.received_box.setChecked(True)
        if not self._loading:
            assert row.name_edit is not None
            row.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self._row_changed()
        return row

    def remove_row(self, row: DocumentRow) -> None:
        """Remove an extra paper (catalog papers stay: untick them instead)."""
        if row.document is None and row in self._rows:
            self._drop_row(row)
            self._row_changed()

    def row_count(self) -> int:
        return len(self._rows)

    def row(self, index: int) -> DocumentRow:
        return self._rows[index]

    def choose_files(self, target: DocumentRow | None = None) -> None:
        """Ask for scan files and attach them to ``target`` (None: to the dossier)."""
        paths, _filter = QFileDialog.getOpenFileNames(
            self, self.tr("Chọn tệp bản quét"), "", self.tr(SCAN_FILTER)
        )
        if paths:
            self.add_files([Path(p) for p in paths], target)

    def add_files(self, paths: Iterable[Path], target: DocumentRow | int | None = None) -> None:
        """Hash files in the background and attach them; ``target`` a row, its index, or None."""
        row = self._rows[target] if isinstance(target, int) else target
        attachments = row.attachments if row is not None else self.dossier_list
        self._show_message("")
        for path in paths:
            token = next(self._tokens)
            self._pending[token] = (attachments, path.name)
            attachments.add_pending(token, path.name)
            generation = self._generation
            QueryOp(
                partial(digest_file, path, max_bytes=self.max_bytes),
                success=partial(self._hashed, token, generation),
                failure=partial(self._hash_failed, token, generation, path),
                parent=self,
                expected=(OSError,),  # a file gone or locked: said under the list, not a bug
            ).run_in_background()

    def is_busy(self) -> bool:
        """True while scans are being read and hashed."""
        return bool(self._pending)

    def validate(self) -> list[str]:
        """Flag the required papers not received; return their names (empty: complete)."""
        missing = []
        for row in self._rows:
            lacking = row.required and not row.received_box.isChecked()
            row.flag_missing(lacking)
            if lacking:
                missing.append(row.name())
        if missing:
            self._show_message(
                self.tr("Còn thiếu {0} giấy tờ bắt buộc: {1}.").format(
                    len(missing), "; ".join(missing)
                ),
                error=True,
            )
            first = next(r for r in self._rows if r.name() == missing[0])
            self.scroll_area.ensureWidgetVisible(first)
            first.received_box.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self._show_message("")
        return missing

    def message(self) -> str:
        """The message on show under the list ("" when none)."""
        return self.message_label.text() if not self.message_label.isHidden() else ""

    # --- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        base = self.font()
        root = QVBoxLayout(self)
        root.setContentsMargins(12, 10, 12, 10)
        root.setSpacing(6)

        title_row = QHBoxLayout()
        self.title_label = QLabel(self.tr("Giấy tờ trong hồ sơ"))
        self.title_label.setObjectName("checklistTitle")
        title_font = QFont(base)
        title_font.setPointSizeF(base.pointSizeF() * 1.2)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.count_label = QLabel()
        self.count_label.setObjectName("checklistCount")
        self.add_button = QPushButton(self.tr("+ Thêm giấy tờ khác"))
        self.add_button.setToolTip(self.tr("Thêm một giấy tờ công dân nộp mà danh mục không ghi"))
        self.add_button.clicked.connect(lambda _checked=False: self.add_extra())
        title_row.addWidget(self.title_label)
        title_row.addSpacing(12)
        title_row.addWidget(self.count_label, 1)
        title_row.addWidget(self.add_button)
        root.addLayout(title_row)

        header = QHBoxLayout()
        header.setContentsMargins(9, 0, 9, 0)
        header.setSpacing(8)
        for text, width in (
            ("", CHECK_WIDTH),  # each row's box says "Đã nhận" itself
            (self.tr("Giấy tờ"), 0),
            (self.tr("Số bản"), COUNT_WIDTH),
            (self.tr("Loại"), KIND_WIDTH),
            (self.tr("Bản quét"), ATTACH_WIDTH),
        ):
            label = QLabel(text)
            label.setObjectName("columnHeader")
            if width:
                label.setFixedWidth(width)
            header.addWidget(label, 0 if width else 1)
        root.addLayout(header)

        self.rows_box = QWidget()
        self.rows_layout = QVBoxLayout(self.rows_box)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout.setSpacing(4)
        self.rows_layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll_area.setWidget(self.rows_box)
        root.addWidget(self.scroll_area, 1)

        self.dossier_box = QFrame()
        self.dossier_box.setObjectName("dossierScans")
        box = QGridLayout(self.dossier_box)
        box.setContentsMargins(10, 6, 10, 6)
        box.setVerticalSpacing(3)
        heading = QLabel(self.tr("Bản quét chung của hồ sơ"))
        heading_font = QFont(base)
        heading_font.setBold(True)
        heading.setFont(heading_font)
        hint = QLabel(
            self.tr(
                "Kéo thả tệp vào đây để đính kèm cho cả hồ sơ; thả lên một dòng giấy tờ để đính"
                " kèm cho giấy tờ đó. Mỗi tệp tối đa {0}."
            ).format(format_size(self.max_bytes))
        )
        hint.setObjectName("dropHint")
        hint.setWordWrap(True)
        self.dossier_button = QPushButton(self.tr("Đính kèm bản quét…"))
        self.dossier_button.setFixedWidth(ATTACH_WIDTH)
        self.dossier_button.clicked.connect(lambda: self.choose_files(None))
        self.dossier_list = AttachmentList(self)
        box.addWidget(heading, 0, 0)
        box.addWidget(self.dossier_button, 0, 1, 2, 1, Qt.AlignmentFlag.AlignTop)
        box.addWidget(hint, 1, 0)
        box.addWidget(self.dossier_list, 2, 0, 1, 2)
        box.setColumnStretch(0, 1)
        root.addWidget(self.dossier_box)

        self.message_label = QLabel()
        self.message_label.setObjectName("message")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()
        root.addWidget(self.message_label)

    def _add_row(self, row: DocumentRow) -> None:
        self.rows_layout.insertWidget(self.rows_layout.count() - 1, row)
        self._rows.append(row)
        self._fix_tab_order()

    def _drop_row(self, row: DocumentRow) -> None:
        self._rows.remove(row)
        row.hide()
        row.deleteLater()
        self._fix_tab_order()

    def _fix_tab_order(self) -> None:
        chain: list[QWidget] = [self.add_button]
        for row in self._rows:
            chain += row.inputs()
        chain.append(self.dossier_button)
        for first, second in itertools.pairwise(chain):
            self.setTabOrder(first, second)

    # --- behaviour --------------------------------------------------------------------------
    def _row_changed(self, *_args: object) -> None:
        self._update_count()
        if not self._loading:
            self.sig_changed.emit()

    def _attachments_changed(self) -> None:
        if not self._loading:
            self.sig_changed.emit()

    def _update_count(self) -> None:
        named = [row for row in self._rows if row.name()]
        received = sum(1 for row in named if row.received_box.isChecked())
        lacking = sum(1 for row in named if row.required and not row.received_box.isChecked())
        text = self.tr("Đã nhận {0}/{1} giấy tờ").format(received, len(named))
        if lacking:
            text += self.tr(" · còn thiếu {0} giấy tờ bắt buộc").format(lacking)
        elif named:
            text += self.tr(" · đủ giấy tờ bắt buộc")
        self.count_label.setText(text)

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setText(text)
        restyle(self.message_label, "kind", "error" if error else "info")
        self.message_label.setVisible(bool(text))

    def _hashed(self, token: int, generation: int, attachment: ScannedFile) -> None:
        pending = self._pending.pop(token, None)
        if pending is None or generation != self._generation:
            return
        target, _name = pending
        target.drop_chip(token)
        if any(a.sha256 == attachment.sha256 for a in target.attachments):
            self._show_message(
                self.tr(
                    "Tệp “{0}” đã được đính kèm rồi (cùng nội dung); không thêm lần nữa."
                ).format(attachment.name),
                error=True,
            )
            return
        target.add(attachment)
        self._attachments_changed()

    def _hash_failed(self, token: int, generation: int, path: Path, error: Exception) -> None:
        pending = self._pending.pop(token, None)
        if pending is None or generation != self._generation:
            return
        pending[0].drop_chip(token)
        if isinstance(error, FileTooLarge):
            text = self.tr(
                "Không đính kèm tệp “{0}”: tệp nặng {1}, vượt giới hạn {2} cho mỗi tệp."
                " Hãy quét lại ở độ phân giải thấp hơn (ví dụ 200 dpi) hoặc tách thành nhiều tệp."
            ).format(path.name, format_size(error.size), format_size(error.limit))
        elif isinstance(error, IsADirectoryError):
            text = self.tr("“{0}” là một thư mục, không phải tệp; chọn từng tệp bản quét.").format(
                path.name
            )
        elif isinstance(error, OSError):
            reason = error.strerror or str(error)
            text = self.tr(
                "Không đọc được tệp “{0}” ({1}); kiểm tra tệp còn đó và mở được."
            ).format(path.name, reason)
        else:
            text = self.tr(
                "Không đính kèm được tệp “{0}”: lỗi chương trình, đã ghi vào nhật ký."
            ).format(path.name)
        log.info("attachment refused: %s (%s)", path, error)
        self._show_message(text, error=True)

    # --- drag and drop ----------------------------------------------------------------------
    @staticmethod
    def _local_paths(urls: Iterable[QUrl]) -> list[Path]:
        return [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasUrls() and self._local_paths(event.mimeData().urls()):
            event.acceptProposedAction()
            restyle(self.dossier_box, "dropping", True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802 - Qt's name
        restyle(self.dossier_box, "dropping", False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        restyle(self.dossier_box, "dropping", False)
        paths = self._local_paths(event.mimeData().urls()) if event.mimeData().hasUrls() else []
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_files(paths, self._row_at(event.position().toPoint()))

    def _row_at(self, pos: Any) -> DocumentRow | None:
        widget: QObject | None = self.childAt(pos)
        while widget is not None and widget is not self:
            if isinstance(widget, DocumentRow):
                return widget
            widget = widget.parent()
        return None


class ChecklistPage(QWidget):
    """The checklist step as the pane shows it: the checklist and the button on to the fee."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        page = QVBoxLayout(self)
        page.setContentsMargins(0, 0, 0, 0)
        self.checklist = ChecklistWidget()
        page.addWidget(self.checklist, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.next_button = QPushButton(self.tr("Tiếp tục: lệ phí và ngày hẹn (Ctrl+Enter)"))
        row.addWidget(self.next_button)
        page.addLayout(row)
