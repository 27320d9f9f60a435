"""Qt models of the dossier tab: the list of dossiers and the history of the one opened."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from onestop_desk.core.lifecycle import DossierAction, DossierState
from onestop_desk.core.submission import SubmissionState
from onestop_desk.gui.widgets.table import RowTable, bold_font
from onestop_desk.services.dossier_list import DossierRow
from onestop_desk.services.lifecycle.commands import SUPPLEMENT_KINDS
from onestop_desk.services.lifecycle.status import EventView

CODE_ROLE = Qt.ItemDataRole.UserRole + 1

LATE_COLOUR = QColor("#b71c1c")
LATE_BACKGROUND = QColor("#fdecea")
SOON_COLOUR = QColor("#a15c00")
DONE_COLOUR = QColor("#5f6b73")
FAILED_COLOUR = QColor("#b71c1c")

_Index = QModelIndex | QPersistentModelIndex


class DossierListModel(RowTable):
    """One row per dossier; the header sorts through the database (``sig_sort_requested``)."""

    CODE, PROCEDURE, APPLICANT, RECEIVED, DUE, STATE, ONLINE = range(7)
    #: The service's sort key of each column.
    SORT_KEYS = ("code", "procedure", "applicant", "received_at", "due_at", "state", "submission")

    #: The header asked for another order: (sort key, descending).
    sig_sort_requested = Signal(str, bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent=parent)
        self._headers = [
            self.tr("Mã hồ sơ"),
            self.tr("Thủ tục"),
            self.tr("Người nộp"),
            self.tr("Ngày nhận"),
            self.tr("Hẹn trả"),
            self.tr("Trạng thái"),
            self.tr("Gửi trực tuyến"),
        ]

    def set_rows(self, rows: Sequence[DossierRow]) -> None:
        self.reset_rows(rows)

    def rows(self) -> list[DossierRow]:
        return list(self._rows)

    def row_of(self, code: str) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.code == code), None)

    def dossier(self, row: int) -> DossierRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # --- Qt API ---------------------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(self.SORT_KEYS):
            self.sig_sort_requested.emit(
                self.SORT_KEYS[column], order is Qt.SortOrder.DescendingOrder
            )

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == CODE_ROLE:
            return row.code
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.FontRole:
            if column == self.CODE or (column == self.DUE and (row.late or row.due_soon)):
                return bold_font()
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(row, column)
        if role == Qt.ItemDataRole.BackgroundRole and row.late:
            return QBrush(LATE_BACKGROUND)
        return None

    def _text(self, row: DossierRow, column: int) -> str:
        match column:
            case self.CODE:
                return row.code
            case self.PROCEDURE:
                return row.procedure_name
            case self.APPLICANT:
                return row.applicant_name
            case self.RECEIVED:
                return f"{row.received_at:%d/%m/%Y %H:%M}"
            case self.DUE:
                return row.due_label
            case self.STATE:
                return row.state_label
            case _:
                return row.submission_label

    def _tooltip(self, row: DossierRow, column: int) -> str | None:
        if column == self.DUE:
            return self.tr("Hẹn trả: {due:%H:%M} ngày {due:%d/%m/%Y}").format(due=row.due_at)
        if column == self.APPLICANT:
            return self.tr("Số định danh: {n}").format(n=row.applicant_id_number)
        if column == self.ONLINE and row.portal_status_label:
            return self.tr("Trên hệ thống dịch vụ công: {status}").format(
                status=row.portal_status_label
            )
        if column == self.PROCEDURE:
            return f"{row.procedure_code} – {row.procedure_name}"
        return None

    def _foreground(self, row: DossierRow, column: int) -> QBrush | None:
        if column == self.DUE and row.late:
            return QBrush(LATE_COLOUR)
        if column == self.DUE and row.due_soon:
            return QBrush(SOON_COLOUR)
        if column == self.ONLINE and row.submission_state == SubmissionState.FAILED:
            return QBrush(FAILED_COLOUR)
        if row.state in (DossierState.RETURNED, DossierState.REFUSED, DossierState.STOPPED):
            return QBrush(DONE_COLOUR)
        return None


def _tr(text: str) -> str:
    return QCoreApplication.translate("DossierHistory", text)


def describe_event(event: EventView) -> tuple[str, str]:
    """What a history entry says (its label and the facts it carries) and its note."""
    data = event.data
    what = event.label
    details = ""
    note = event.note or ""
    kind = event.kind
    if kind == "received":
        due = data.get("due_at")
        if isinstance(due, str):
            details = _tr("hẹn trả {due}").format(due=_moment(due))
    elif kind == DossierAction.START_PROCESSING.value and data.get("deciding_body"):
        details = _tr("chuyển đến {body}").format(body=data["deciding_body"])
    elif kind == DossierAction.REQUEST_SUPPLEMENT.value:
        items = [
            f"{item.get('name', '')} ({item.get('count', 1)} "
            f"{SUPPLEMENT_KINDS.get(str(item.get('kind')), '').lower()})"
            for item in data.get("items", [])
            if isinstance(item, dict)
        ]
        details = "; ".join(items)
    elif kind == DossierAction.EXTEND.value and isinstance(data.get("new_due_at"), str):
        details = _tr("hẹn mới {new}, hẹn cũ {old}").format(
            new=_moment(data["new_due_at"]), old=_moment(str(data.get("old_due_at", "")))
        )
    elif kind == DossierAction.STOP.value and data.get("legal_basis"):
        details = _tr("căn cứ: {basis}").format(basis=data["legal_basis"])
    elif kind == DossierAction.RETURN_RESULT.value:
        details = _tr("cho {who}").format(who=data.get("returned_to", ""))
    return (f"{what}: {details}" if details else what), note


def _moment(text: str) -> str:
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return f"{moment:%H:%M %d/%m/%Y}"


class HistoryModel(RowTable):
    """A dossier's history, oldest first: when, who, what, note."""

    AT, WHO, WHAT, NOTE = range(4)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent=parent)
        self._events: list[EventView] = []
        self._headers = [
            self.tr("Thời gian"),
            self.tr("Cán bộ"),
            self.tr("Nội dung"),
            self.tr("Ghi chú"),
        ]

    def set_events(self, events: Sequence[EventView]) -> None:
        self.beginResetModel()
        self._events = list(events)
        self._rows = []
        for event in self._events:
            what, note = describe_event(event)
            self._rows.append(
                (
                    f"{event.at:%d/%m/%Y %H:%M}",
                    event.actor_name or self.tr("(hệ thống)"),
                    what,
                    note,
                )
            )
        self.endResetModel()

    def events(self) -> list[EventView]:
        return list(self._events)

    def cells(self) -> list[tuple[str, str, str, str]]:
        return list(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        cells = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return cells[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        return None
