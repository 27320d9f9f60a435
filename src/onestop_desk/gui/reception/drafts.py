"""Drafts that are never lost: the banner offering the ones left, and the autosave after typing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from onestop_desk.errors import KnownError
from onestop_desk.gui.reception.data import ReceptionData
from onestop_desk.log import gui as log
from onestop_desk.services.drafts import DraftInfo

DRAFT_DELAY_MS = 1200  # save the draft this long after the last keystroke


@dataclass(frozen=True)
class DraftToSave:
    """What the pane holds now, ready to be written as a draft."""

    payload: dict[str, Any]
    title: str
    draft_id: uuid.UUID
    staff_id: uuid.UUID | None
    counter_number: int | None
    ticket_id: uuid.UUID | None


#: How the pane runs background work: (work, done, what, quiet).
Runner = Callable[..., None]


class DraftBanner(QFrame):
    """The banner of drafts left half-done: pick one to reopen or to throw away."""

    #: Reopen this draft (a ``DraftInfo``).
    sig_open_requested = Signal(object)
    #: Throw this draft away (a ``DraftInfo``).
    sig_drop_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("draftBanner")
        self._drafts: list[DraftInfo] = []
        row = QHBoxLayout(self)
        self.text = QLabel()
        self.combo = QComboBox()
        self.open_button = QPushButton(self.tr("Mở lại"))
        self.open_button.clicked.connect(lambda: self._chosen(self.sig_open_requested))
        self.drop_button = QPushButton(self.tr("Bỏ bản nháp"))
        self.drop_button.clicked.connect(lambda: self._chosen(self.sig_drop_requested))
        row.addWidget(self.text)
        row.addWidget(self.combo, 1)
        row.addWidget(self.open_button)
        row.addWidget(self.drop_button)
        self.hide()

    def show_drafts(self, drafts: list[DraftInfo]) -> None:
        """Offer these drafts (hidden when there are none)."""
        self._drafts = drafts
        self.combo.clear()
        for draft in drafts:
            self.combo.addItem(f"{draft.title} ({draft.updated_at:%H:%M %d/%m})")
        self.text.setText(self.tr("Có {n} hồ sơ đang khai dở:").format(n=len(drafts)))
        self.setVisible(bool(drafts))

    def _chosen(self, signal: Any) -> None:
        index = self.combo.currentIndex()
        if 0 <= index < len(self._drafts):
            signal.emit(self._drafts[index])


class DraftAutosave(QObject):
    """Writes the reception as a draft a moment after the last edit, and when asked to."""

    def __init__(
        self,
        data: ReceptionData,
        snapshot: Callable[[], DraftToSave],
        run: Runner,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._data = data
        self._snapshot = snapshot
        self._run = run
        self.dirty = False  # something changed since the draft was last written
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DRAFT_DELAY_MS)
        self._timer.timeout.connect(self.save_now)

    def touched(self) -> None:
        """Something was edited: write it soon."""
        self.dirty = True
        self._timer.start()

    def stop(self) -> None:
        """Nothing to write (saved as a dossier, or started afresh)."""
        self._timer.stop()

    def forget(self) -> None:
        """What is on screen need not be kept."""
        self._timer.stop()
        self.dirty = False

    def save_now(self, *, wait: bool = False) -> None:
        """Write the draft; in the background unless ``wait`` (closing the window)."""
        self._timer.stop()
        if not self.dirty:
            return
        self.dirty = False
        draft = self._snapshot()
        data = self._data

        def work() -> uuid.UUID:
            return data.save_draft(
                payload=draft.payload,
                title=draft.title,
                draft_id=draft.draft_id,
                staff_id=draft.staff_id,
                counter_number=draft.counter_number,
                ticket_id=draft.ticket_id,
            )

        if wait:
            try:
                work()
            except KnownError as exc:
                log.warning("draft not saved on close: %s", exc.message)
            return
        self._run(work, lambda _id: None, self.tr("lưu bản nháp"), quiet=True)

    def failed_quietly(self) -> None:
        """A write failed for a known reason: try again on the next edit or step."""
        self.dirty = True
