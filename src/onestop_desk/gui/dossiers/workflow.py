"""What the opened dossier's buttons do: an action through its dialog, a resend, a paper.

Each runs as a background op (``gui/operations.py``); a failure is logged, then said
(``gui/messages.py``). The pane shows what is said and reads the list and the dossier again
after a change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QWidget

from onestop_desk.context import AppContext
from onestop_desk.core.lifecycle import DossierAction, timing_label
from onestop_desk.errors import KnownError
from onestop_desk.gui import messages
from onestop_desk.gui.changes import ChangeHub
from onestop_desk.gui.dossiers import data
from onestop_desk.gui.dossiers.data import NOTICE_NAMES, PAPER_OF_ACTION, SLIP, DossierDetail
from onestop_desk.gui.dossiers.detail import DossierDetailPanel
from onestop_desk.gui.dossiers.dialogs import ActionDialog, dialog_for
from onestop_desk.gui.operations import MutationOp, QueryOp
from onestop_desk.gui.widgets import papers
from onestop_desk.log import gui as log
from onestop_desk.printing.printers import PreviewSink
from onestop_desk.services.lifecycle.commands import DossierCommand
from onestop_desk.services.lifecycle.status import DossierStatus
from onestop_desk.services.staff import StaffInfo

T = TypeVar("T")


def failure_text(exc: Exception, what: str) -> str:
    """Log, then the text to show: a known problem with its advice, else a bug in the log."""
    bug = QCoreApplication.translate(
        "DossiersPane", "{what}: lỗi không mong muốn, chi tiết đã ghi vào nhật ký."
    )
    return messages.report(exc, what=what, bug_text=bug.format(what=what), logger=log, prefix=True)


class DossierWorkflow(QObject):
    """Runs what the detail panel asks for on the dossier it shows."""

    #: Something to say on the pane's message line: (text, is it an error).
    sig_message = Signal(str, bool)
    #: Something the status bar should say.
    sig_status = Signal(str)
    #: The dossier (its code) was changed here: the list and the dossier are read again.
    sig_changed = Signal(str)
    #: An action's dialog closed (the pane puts the keyboard back where it belongs).
    sig_dialog_closed = Signal()

    def __init__(
        self,
        ctx: AppContext,
        panel: DossierDetailPanel,
        *,
        changes: ChangeHub,
        staff: Callable[[], StaffInfo | None],
        preview: PreviewSink | None,
        opener: papers.Opener | None,
        clock: Callable[[], datetime],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.panel = panel
        self.changes = changes
        self.preview = preview
        self.dialog: ActionDialog | None = None
        self._staff = staff
        self._opener = opener
        self._now = clock
        self._window = parent
        self._pending = 0

    def is_busy(self) -> bool:
        """True while an action, a resend or a paper runs in the background."""
        return self._pending > 0

    # --- actions --------------------------------------------------------------------------------
    def start_action(self, action: DossierAction) -> None:
        """Open the action's dialog; the action runs once the dialog is confirmed."""
        detail = self.panel.detail
        if detail is None or self.dialog is not None:
            return
        if action not in detail.status.allowed_actions:
            return
        dialog = dialog_for(action, detail, now=self._now(), parent=self._window)
        self.dialog = dialog
        dialog.sig_submitted.connect(lambda command: self._submit(dialog, action, command))
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        dialog.open()

    def _dialog_closed(self, dialog: ActionDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
        self.sig_dialog_closed.emit()

    def _submit(self, dialog: ActionDialog, action: DossierAction, command: DossierCommand) -> None:
        code = dialog.detail.status.code
        staff = self._staff()
        staff_id = staff.id if staff is not None else None
        now = self._now()

        def done(status: DossierStatus) -> None:
            detail = dialog.detail
            self.panel.set_detail(
                DossierDetail(status, detail.view, detail.office, detail.calendar)
            )
            text = self._done_text(action, status)
            paper = PAPER_OF_ACTION.get(action)
            if paper is not None:
                self.panel.offer_paper(
                    self.tr("{done} {paper} (Mẫu {n}):").format(
                        done=text, paper=self.tr(NOTICE_NAMES[paper]), n=paper
                    ),
                    paper,
                )
            else:
                self.panel.say(text)
            self.sig_status.emit(text)
            dialog.finish()
            # The detail read again: the view (due date after an extension) follows too.
            self.sig_changed.emit(code)

        def failed(exc: Exception) -> None:
            dialog.failed(
                messages.report(
                    exc,
                    what=f"dossier action {action.value} on {code}",
                    bug_text=self.tr("Lỗi không mong muốn; chi tiết đã ghi vào nhật ký."),
                    logger=log,
                )
            )

        self._pending += 1
        MutationOp(
            lambda: data.act(self.ctx, code, command, staff_id=staff_id, now=now),
            changes=self.changes,
            success=self._counted(done),
            failure=self._counted(failed),
            parent=self._window,
        ).run_in_background()

    def _done_text(self, action: DossierAction, status: DossierStatus) -> str:
        texts = {
            DossierAction.START_PROCESSING: self.tr("Đã chuyển hồ sơ {code} đi giải quyết."),
            DossierAction.REQUEST_SUPPLEMENT: self.tr("Đã yêu cầu bổ sung hồ sơ {code}."),
            DossierAction.SUPPLEMENT_RECEIVED: self.tr(
                "Đã nhận hồ sơ bổ sung; hồ sơ {code} tiếp tục được giải quyết."
            ),
            DossierAction.REFUSE: self.tr("Đã từ chối tiếp nhận hồ sơ {code}."),
            DossierAction.EXTEND: self.tr("Đã gia hạn hồ sơ {code} đến {due}."),
            DossierAction.STOP: self.tr("Đã dừng giải quyết hồ sơ {code}."),
            DossierAction.MARK_RESULT_READY: self.tr(
                "Hồ sơ {code} đã có kết quả, chờ trả cho công dân."
            ),
            DossierAction.RETURN_RESULT: self.tr("Đã trả kết quả hồ sơ {code} ({timing})."),
        }
        timing = status.result_timing
        return texts[action].format(
            code=status.code,
            due=f"{status.due_at:%H:%M %d/%m/%Y}",
            timing=timing_label(timing).lower() if timing is not None else "",
        )

    def retry_submission(self) -> None:
        detail = self.panel.detail
        if detail is None:
            return
        code = detail.status.code
        staff = self._staff()
        staff_id = staff.id if staff is not None else None
        now = self._now()

        def done(_code: str) -> None:
            text = self.tr("Đã cho gửi lại hồ sơ {code} lên hệ thống dịch vụ công.").format(
                code=code
            )
            self.panel.say(text)
            self.sig_status.emit(text)
            self.sig_changed.emit(code)

        self._pending += 1
        MutationOp(
            lambda: data.retry(self.ctx, code, staff_id=staff_id, now=now),
            changes=self.changes,
            success=self._counted(done),
            failure=self._counted(
                self._failed(self.tr("Không gửi lại được hồ sơ {code}").format(code=code))
            ),
            parent=self._window,
        ).run_in_background()

    # --- papers ---------------------------------------------------------------------------------
    def make_paper(self, paper: str) -> None:
        """Make (and open) one paper of the opened dossier; the thermal slip goes to the printer."""
        detail = self.panel.detail
        if detail is None:
            return
        ctx, preview, code = self.ctx, self.preview, detail.status.code
        if paper == SLIP:
            self._read(
                lambda: data.print_slip(ctx, detail, preview),
                lambda _r: self._said(self.tr("Đã in lại giấy hẹn {code}.").format(code=code)),
                self.tr("Không in được giấy hẹn"),
            )
            return
        self._read(
            lambda: data.make_paper(ctx, detail, paper),
            self._paper_ready,
            self.tr("Không tạo được giấy tờ"),
        )

    def _paper_ready(self, path: Path) -> None:
        self._said(self.tr("Đã tạo {name} — {folder}").format(name=path.name, folder=path.parent))
        try:
            papers.open_paper(path, self._opener)
        except KnownError as exc:
            self.sig_message.emit(exc.user_text(), True)

    # --- plumbing -------------------------------------------------------------------------------
    def _read(self, work: Callable[[], T], done: Callable[[T], None], what: str) -> None:
        self._pending += 1
        QueryOp(
            work,
            success=self._counted(done),
            failure=self._counted(self._failed(what)),
            parent=self._window,
        ).run_in_background()

    def _counted(self, callback: Callable[[T], None]) -> Callable[[T], None]:
        """``callback``, once the op it ends is no longer counted as under way."""

        def finish(value: T) -> None:
            self._pending -= 1
            callback(value)

        return finish

    def _failed(self, what: str) -> Callable[[Exception], None]:
        return lambda exc: self.sig_message.emit(failure_text(exc, what), True)

    def _said(self, text: str) -> None:
        self.sig_message.emit(text, False)
        self.sig_status.emit(text)
