"""The last step: the dossier saved, its code, and the papers printed for the citizen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from onestop_desk.config import Paths, Settings
from onestop_desk.errors import KnownError
from onestop_desk.gui import messages
from onestop_desk.gui.reception.data import ReceptionData
from onestop_desk.gui.widgets import papers
from onestop_desk.printing.printers import PreviewSink
from onestop_desk.services.dossier import DossierView

#: How the pane runs background work: (work, done, what).
Runner = Callable[[Callable[[], object], Callable[[object], None], str], None]


class DonePage(QWidget):
    """The "Đã tiếp nhận hồ sơ" page: the code, who and what, when to come back, the papers."""

    #: Something the status bar should say.
    sig_status = Signal(str)
    #: A paper was made but cannot be shown (the text to say on the pane).
    sig_problem = Signal(str)

    def __init__(
        self,
        data: ReceptionData,
        *,
        paths: Paths,
        settings: Settings,
        run: Runner,
        preview: PreviewSink | None = None,
        opener: papers.Opener | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._data = data
        self._paths = paths
        self._settings = settings
        self._run = run
        self.preview = preview
        self._opener = opener
        self._view: DossierView | None = None
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.title = QLabel(self.tr("Đã tiếp nhận hồ sơ"))
        layout.addWidget(self.title)
        self.code = QLabel()
        self.code.setObjectName("doneCode")
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.code)
        self.details = QLabel()
        self.details.setWordWrap(True)
        layout.addWidget(self.details)
        buttons = QHBoxLayout()
        self.print_receipt_button = QPushButton(self.tr("In giấy tiếp nhận – Mẫu 01 (Ctrl+P)"))
        self.print_form_button = QPushButton(self.tr("In tờ khai để ký"))
        self.print_slip_button = QPushButton(self.tr("In lại giấy hẹn (máy in nhiệt)"))
        self.next_button = QPushButton(self.tr("Tiếp nhận hồ sơ khác (Ctrl+N)"))
        self.print_receipt_button.clicked.connect(self.print_receipt)
        self.print_form_button.clicked.connect(self.print_declaration)
        self.print_slip_button.clicked.connect(self.print_slip)
        for button in (
            self.print_receipt_button,
            self.print_form_button,
            self.print_slip_button,
            self.next_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.papers_label = QLabel()
        self.papers_label.setWordWrap(True)
        self.papers_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.papers_label)

    def set_title_font(self, base: QFont) -> None:
        """The title a size above the pane's font (known once the pane has set its family)."""
        title_font = QFont(base)
        title_font.setPointSizeF(title_font.pointSizeF() * 1.4)
        title_font.setBold(True)
        self.title.setFont(title_font)

    def show_saved(self, view: DossierView) -> None:
        """Say what was saved; the declaration button only when the procedure has one."""
        self._view = view
        self.code.setText(view.code)
        fee = view.as_json()["fee_text"]
        self.details.setText(
            self.tr(
                "{name} — {procedure}\nHẹn trả kết quả: {due:%H:%M}, ngày {due:%d/%m/%Y}. "
                "Lệ phí: {fee}."
            ).format(
                name=view.applicant.full_name,
                procedure=view.procedure_name,
                due=view.due_at,
                fee=fee,
            )
        )
        self.print_form_button.setEnabled(view.procedure_form is not None)
        self.papers_label.setText("")

    def forget(self) -> None:
        """A new reception starts: nothing saved to print."""
        self._view = None

    # --- papers ---------------------------------------------------------------------------------

    def print_receipt(self) -> None:
        view, data, paths = self._view, self._data, self._paths
        if view is None:
            return
        self._run(
            lambda: data.receipt(paths, view), self._paper_ready, self.tr("in giấy tiếp nhận")
        )

    def print_declaration(self) -> None:
        view, data, paths = self._view, self._data, self._paths
        if view is None or view.procedure_form is None:
            return
        self._run(lambda: data.declaration(paths, view), self._paper_ready, self.tr("in tờ khai"))

    def _paper_ready(self, path: object) -> None:
        assert isinstance(path, Path)
        self.papers_label.setText(self.tr("Đã tạo {path}").format(path=path))
        self.sig_status.emit(self.tr("Đã tạo {name}.").format(name=path.name))
        try:
            papers.open_paper(path, self._opener)
        except KnownError as exc:
            self.sig_problem.emit(messages.user_text(exc, bug_text=""))

    def print_slip(self) -> None:
        view, data, settings, preview = self._view, self._data, self._settings, self.preview
        if view is None:
            return
        self._run(
            lambda: data.slip(settings, view, preview),
            lambda _r: self.sig_status.emit(
                self.tr("Đã in giấy hẹn {code}.").format(code=view.code)
            ),
            self.tr("in giấy hẹn"),
        )
