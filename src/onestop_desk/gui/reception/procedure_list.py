"""The procedure picker's result list: field headers as bands, procedures as two-line rows."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLineEdit,
    QListWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from onestop_desk.services.catalog import ProcedureSummary

PROCEDURE_ROLE = Qt.ItemDataRole.UserRole + 1
HEADER_ROLE = Qt.ItemDataRole.UserRole + 2
PREFERRED_ROLE = Qt.ItemDataRole.UserRole + 3


class PickerOwner(Protocol):
    """What the result list asks of the picker around it."""

    search_edit: QLineEdit

    def choose_current(self) -> None: ...


def is_procedure(index: QModelIndex | QPersistentModelIndex) -> bool:
    return index.isValid() and index.data(PROCEDURE_ROLE) is not None


class ResultDelegate(QStyledItemDelegate):
    """Field headers as shaded bands; procedures as two lines: name and code, time and fee."""

    PAD = 7
    INDENT = 14

    def sizeHint(  # noqa: N802 - Qt's name
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        metrics = QFontMetrics(option.font)
        if is_procedure(index):
            return QSize(200, 2 * metrics.height() + 2 * self.PAD + 3)
        return QSize(200, metrics.height() + 2 * self.PAD)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        rect: QRect = opt.rect
        palette: QPalette = opt.palette
        font: QFont = opt.font
        painter.save()
        if not is_procedure(index):
            painter.fillRect(rect, QColor("#e8eef3"))
            bold = QFont(font)
            bold.setBold(True)
            painter.setFont(bold)
            painter.setPen(QColor("#263238"))
            text_rect = rect.adjusted(self.PAD, 0, -self.PAD, 0)
            title = str(index.data(HEADER_ROLE) or "")
            painter.drawText(
                text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, title
            )
            if index.data(PREFERRED_ROLE):
                note = QApplication.translate("ProcedurePicker", "lĩnh vực của số đang phục vụ")
                painter.setFont(font)
                painter.setPen(QColor("#1565c0"))
                painter.drawText(
                    text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, note
                )
            painter.restore()
            return

        summary: ProcedureSummary = index.data(PROCEDURE_ROLE)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, opt.widget)
        # The same colour group the style used for the highlight behind the text.
        state = opt.state
        group = (
            QPalette.ColorGroup.Active
            if state & QStyle.StateFlag.State_Active
            else QPalette.ColorGroup.Inactive
        )
        main = palette.color(
            group, QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        muted = main if selected else QColor("#546e7a")
        metrics = QFontMetrics(font)
        inner = rect.adjusted(self.INDENT, self.PAD, -self.PAD, -self.PAD)
        line1 = QRect(inner.left(), inner.top(), inner.width(), metrics.height())
        line2 = QRect(
            inner.left(), inner.top() + metrics.height() + 3, inner.width(), metrics.height()
        )

        code_width = metrics.horizontalAdvance(summary.code) + 12
        painter.setFont(font)
        painter.setPen(muted)
        painter.drawText(
            line1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, summary.code
        )
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(main)
        name = QFontMetrics(bold).elidedText(
            summary.name, Qt.TextElideMode.ElideRight, max(10, line1.width() - code_width)
        )
        painter.drawText(line1, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
        painter.setFont(font)
        painter.setPen(muted)
        detail = QApplication.translate("ProcedurePicker", "Thời hạn: {0} · Lệ phí: {1}").format(
            summary.processing_time, summary.fee
        )
        painter.drawText(
            line2,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(detail, Qt.TextElideMode.ElideRight, line2.width()),
        )
        painter.restore()


class ResultList(QListWidget):
    """The results; arrows skip field headers, letters typed here go back to the search box."""

    def __init__(self, picker: PickerOwner) -> None:
        super().__init__()
        self.picker = picker

    def procedure_rows(self) -> list[int]:
        return [r for r in range(self.count()) if is_procedure(self.model().index(r, 0))]

    def moveCursor(  # noqa: N802 - Qt's name
        self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        rows = self.procedure_rows()
        if not rows:
            return QModelIndex()
        current = self.currentRow()
        kind = QAbstractItemView.CursorAction
        if action in (kind.MoveDown, kind.MoveNext, kind.MoveRight):
            target = next((r for r in rows if r > current), rows[-1])
        elif action in (kind.MoveUp, kind.MovePrevious, kind.MoveLeft):
            target = next((r for r in reversed(rows) if r < current), rows[0])
        elif action == kind.MoveHome:
            target = rows[0]
        elif action == kind.MoveEnd:
            target = rows[-1]
        else:
            # Page up/down: where Qt would land, then the nearest procedure from there.
            landed = super().moveCursor(action, modifiers).row()
            target = min(rows, key=lambda r: abs(r - landed))
        return self.model().index(target, 0)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        key = event.key()
        rows = self.procedure_rows()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.picker.choose_current()
            return
        if key == Qt.Key.Key_Up and rows and self.currentRow() <= rows[0]:
            self.picker.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        control = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        typed = event.text()
        if (typed and typed.isprintable() and not event.modifiers() & control) or key in (
            Qt.Key.Key_Backspace,
            Qt.Key.Key_Delete,
        ):
            edit = self.picker.search_edit
            edit.setFocus(Qt.FocusReason.OtherFocusReason)
            edit.deselect()
            edit.end(False)
            QApplication.sendEvent(
                edit, QKeyEvent(event.type(), event.key(), event.modifiers(), event.text())
            )
            return
        super().keyPressEvent(event)
