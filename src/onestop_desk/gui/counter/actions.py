"""The counter's actions with their function keys: one QAction each, shared by buttons and menus."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence


@dataclass(frozen=True)
class CounterActions:
    """Every queue action of a counter; enabled only when the ticket in hand allows it."""

    call_next: QAction
    recall: QAction
    start: QAction
    finish: QAction
    skip: QAction
    transfer: QAction
    call_back: QAction

    def all(self) -> tuple[QAction, ...]:
        return (
            self.call_next,
            self.recall,
            self.start,
            self.finish,
            self.skip,
            self.transfer,
            self.call_back,
        )


def _action(parent: QObject, text: str, key: str, tip: str) -> QAction:
    action = QAction(text, parent)
    action.setShortcut(QKeySequence(key))
    # Window-wide: the keys keep working when the panel sits beside the dossier form.
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setIconText(f"{key}  {text}")  # what the panel's buttons show
    action.setToolTip(f"{tip} ({key})")
    action.setEnabled(False)
    return action


def create_actions(parent: QObject) -> CounterActions:
    """The actions with their Vietnamese names and keys (F2-F8, as on the desk's keyboard card)."""
    tr = parent.tr
    return CounterActions(
        call_next=_action(
            parent,
            tr("Gọi số tiếp theo"),
            "F2",
            tr("Xong số đang phục vụ (nếu có) và gọi người tiếp theo trong danh sách chờ"),
        ),
        recall=_action(
            parent, tr("Gọi lại"), "F3", tr("Gọi lại số vừa gọi (công dân chưa đến quầy)")
        ),
        start=_action(
            parent, tr("Bắt đầu phục vụ"), "F4", tr("Công dân đã đến quầy: bắt đầu phục vụ")
        ),
        finish=_action(parent, tr("Xong"), "F5", tr("Đã phục vụ xong số này")),
        skip=_action(
            parent,
            tr("Vắng mặt"),
            "F6",
            tr("Công dân không đến quầy: chuyển số vào danh sách vắng mặt để gọi lại sau"),
        ),
        transfer=_action(
            parent,
            tr("Chuyển quầy/lĩnh vực…"),
            "F7",
            tr("Chuyển công dân sang quầy hoặc lĩnh vực khác, giữ nguyên số và lượt"),
        ),
        call_back=_action(
            parent,
            tr("Gọi lại số này"),
            "F8",
            tr("Gọi lại số vắng mặt đang chọn (xong số đang phục vụ trước)"),
        ),
    )
