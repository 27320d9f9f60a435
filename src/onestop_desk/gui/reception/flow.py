"""The reception of one dossier at the counter, step by step, with a draft that is never lost.

Citizen → procedure → declaration → papers → fee and due date → saved, papers printed. Each
widget does its own step (steps.py, citizen.py, …, done.py); this pane assembles them, keeps
what they hold in one ``services.reception.ReceptionDraft``, and runs ``data.py``'s background
work through ``gui.operations``. Drafts are written by ``drafts.DraftAutosave``.

About 540 lines: what is left is the one draft and the step logic all the steps share (going
to a step, restoring a draft to its step); split further, each half would reach into the other.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.context import AppContext
from onestop_desk.core.catalog import ProcedureSpec
from onestop_desk.core.forms import defaults_from_applicant
from onestop_desk.gui import messages
from onestop_desk.gui.reception import style
from onestop_desk.gui.reception.actions import install_shortcuts
from onestop_desk.gui.reception.address import province_of_ward
from onestop_desk.gui.reception.checklist import ChecklistPage
from onestop_desk.gui.reception.citizen import CitizenPanel
from onestop_desk.gui.reception.data import OpenedDraft, ReceptionData, declaration_form
from onestop_desk.gui.reception.done import DonePage
from onestop_desk.gui.reception.drafts import (
    DraftAutosave,
    DraftBanner,
    DraftToSave,
)
from onestop_desk.gui.reception.form_wizard import FormWizard
from onestop_desk.gui.reception.procedure_picker import ProcedurePicker
from onestop_desk.gui.reception.running import PaneWork
from onestop_desk.gui.reception.steps import (
    CHECKLIST,
    CITIZEN,
    DONE,
    FORM,
    PROCEDURE,
    SUMMARY,
    StepBar,
)
from onestop_desk.gui.reception.summary import SummaryPanel
from onestop_desk.gui.widgets import bundled_font_family, papers, restyle
from onestop_desk.log import gui as log
from onestop_desk.printing.printers import PreviewSink
from onestop_desk.services.catalog import ProcedureSummary
from onestop_desk.services.dossier import Assessment, DossierRequest, DossierView, ValidationFailed
from onestop_desk.services.drafts import DraftInfo
from onestop_desk.services.reception import Applicant, ReceptionDraft
from onestop_desk.services.staff import StaffInfo

Opener = papers.Opener


class ReceptionPane(QWidget):
    """One dossier from the citizen's card to the printed receipt."""

    #: A dossier was saved (its ``DossierView``).
    sig_saved = Signal(object)
    #: Something the status bar should say.
    sig_status = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        *,
        staff: StaffInfo | None = None,
        counter_number: int | None = None,
        preview: PreviewSink | None = None,
        opener: Opener | None = None,
        today: Callable[[], date] = date.today,
        now: Callable[[], datetime] = datetime.now,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.staff = staff
        self.counter_number = counter_number
        self.preview = preview
        self._opener = opener
        self._today = today
        self._now = now
        self._data = ReceptionData(ctx.database, ctx.settings.office.ward_code)
        self._field_code: str | None = None
        # What the widgets hold, in one value; the widgets below are how it is edited.
        self._draft = ReceptionDraft()
        self._procedure: ProcedureSummary | None = None  # the chosen one's name, for the title
        self._spec: ProcedureSpec | None = None
        self._wizard: FormWizard | None = None
        self._saved: DossierView | None = None
        self._draft_id = uuid.uuid4()
        self._restoring = False

        font = QFont(self.font())
        font.setFamily(bundled_font_family())
        self.setFont(font)
        self.setStyleSheet(style.sheet("pane"))

        self._work = PaneWork(self._failed, self._draft_not_written)
        self._run = self._work.run
        self._autosave = DraftAutosave(self._data, self._to_save, self._run, self)
        self._build()
        self._go(CITIZEN)

    # --- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)

        self.step_bar = StepBar()
        self.step_bar.back_button.clicked.connect(self.back)
        self.step_bar.new_button.clicked.connect(self.start_new)
        layout.addWidget(self.step_bar)

        self.draft_banner = DraftBanner()
        self.draft_combo = self.draft_banner.combo
        self.draft_open = self.draft_banner.open_button
        self.draft_banner.sig_open_requested.connect(self._open_draft)
        self.draft_banner.sig_drop_requested.connect(self._drop_draft)
        layout.addWidget(self.draft_banner)

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)

        self.citizen = CitizenPanel(self._data.lookup_citizen, today=self._today)
        self.citizen.sig_confirmed.connect(self._citizen_confirmed)
        self.citizen.sig_changed.connect(self._touched)
        self.stack.addWidget(self.citizen)

        self.picker = ProcedurePicker(self._data.search)
        self.picker.sig_chosen.connect(self._procedure_chosen)
        self.stack.addWidget(self.picker)

        self.form_holder = QWidget()
        QVBoxLayout(self.form_holder).setContentsMargins(0, 0, 0, 0)
        self.stack.addWidget(self.form_holder)

        checklist_page = ChecklistPage()
        self.checklist = checklist_page.checklist
        self.checklist.sig_changed.connect(self._touched)
        self.checklist_next = checklist_page.next_button
        self.checklist_next.clicked.connect(self.checklist_done)
        self.stack.addWidget(checklist_page)

        self.summary = SummaryPanel()
        self.summary.sig_exemption_changed.connect(lambda _code: self._assess())
        self.summary.sig_channel_changed.connect(lambda _kind: self._touched())
        self.summary.sig_save_requested.connect(self.save)
        self.stack.addWidget(self.summary)

        self.done_page = DonePage(
            self._data,
            paths=self.ctx.paths,
            settings=self.ctx.settings,
            run=self._run,
            preview=self.preview,
            opener=self._opener,
        )
        self.done_page.set_title_font(self.font())
        self.done_code = self.done_page.code
        self.print_receipt_button = self.done_page.print_receipt_button
        self.print_form_button = self.done_page.print_form_button
        self.done_page.next_button.clicked.connect(self.start_new)
        self.done_page.sig_status.connect(self.sig_status)
        self.done_page.sig_problem.connect(lambda text: self._say(text, error=True))
        self.stack.addWidget(self.done_page)

        self._shortcuts = install_shortcuts(
            self,
            back=self.back,
            start_new=self.start_new,
            checklist_page=checklist_page,
            checklist_done=self.checklist_done,
            done_page=self.done_page,
            print_receipt=self.done_page.print_receipt,
        )

    # --- public API ----------------------------------------------------------------------------

    def start(self) -> None:
        """Look for drafts this specialist left (after a crash, or a window closed mid-form)."""
        staff_id = self._staff_id()
        self._run(lambda: self._data.drafts(staff_id), self._drafts_read, self.tr("đọc hồ sơ nháp"))

    def set_staff(self, staff: StaffInfo | None) -> None:
        self.staff = staff
        self.start()

    def set_counter(self, number: int | None) -> None:
        self.counter_number = number

    def set_ticket(self, ticket: Any) -> None:
        """The ticket being served: its field goes first in the procedure list."""
        if ticket is None:
            return
        self._draft = self._draft.with_ticket(ticket.id)
        self._field_code = ticket.field_code
        self.picker.preselect_field(ticket.field_code)

    def load_scan(self, payload: str) -> None:
        """A card scanned anywhere in the window: start (or restart) at the citizen step."""
        if self.current_step() == DONE:
            self.start_new()
        self._go(CITIZEN)
        self.citizen.load_payload(payload)

    def current_step(self) -> int:
        return self.stack.currentIndex()

    def is_busy(self) -> bool:
        return self._work.busy

    def saved(self) -> DossierView | None:
        return self._saved

    def form_wizard(self) -> FormWizard | None:
        return self._wizard

    def draft_id(self) -> uuid.UUID:
        return self._draft_id

    def draft(self) -> ReceptionDraft:
        """The reception as it stands on screen now."""
        draft = (
            self._draft.with_step(self.current_step())
            .with_citizen(self.citizen.entry())
            .with_checklist(self.checklist.items(), self.checklist.dossier_attachments())
            .with_result(*self.summary.channel(), self.summary.exemption())
        )
        if self._wizard is None:
            return draft.with_declaration({}, 0)
        return draft.with_declaration(self._wizard.values(), self._wizard.current_step())

    # --- steps ----------------------------------------------------------------------------------

    def _go(self, step: int) -> None:
        self.stack.setCurrentIndex(step)
        self.step_bar.show_step(step)
        self._say("")
        focus_of: dict[int, QWidget] = {
            CITIZEN: self.citizen,
            PROCEDURE: self.picker,
            CHECKLIST: self.checklist,
            SUMMARY: self.summary,
            DONE: self.print_receipt_button,
        }
        focus = focus_of.get(step)
        if step == PROCEDURE:
            self.picker.focus_search()
        elif step == FORM and self._wizard is not None:
            # Just added to its page, the wizard is shown by the layout later: show it now so
            # its first field can take the focus.
            self._wizard.show()
            self._wizard.go_to_step(self._wizard.current_step())
        elif focus is not None:
            focus.setFocus()
        self._touched()

    def back(self) -> None:
        step = self.current_step()
        if step in (CITIZEN, DONE):
            return
        previous = step - 1
        if previous == FORM and self._wizard is None:
            previous = PROCEDURE
        self._go(previous)

    def _citizen_confirmed(self, record: Applicant) -> None:
        self._draft = self._draft.with_applicant(record)
        self.summary.set_postal_address(record.address)
        self._go(PROCEDURE)

    def _procedure_chosen(self, summary: ProcedureSummary) -> None:
        self._procedure = summary
        code = summary.code
        self._draft = self._draft.with_procedure(code)
        data = self._data
        self._run(lambda: data.procedure(code), self._procedure_loaded, self.tr("mở thủ tục"))

    def _procedure_loaded(self, spec: ProcedureSpec, restore: ReceptionDraft | None = None) -> None:
        self._spec = spec
        self._make_wizard(spec, dict(restore.declaration.values) if restore is not None else None)
        self.checklist.set_documents(spec.documents)
        if restore is None:
            self._go(FORM if self._wizard is not None else CHECKLIST)

    def _make_wizard(self, spec: ProcedureSpec, values: dict[str, str] | None) -> None:
        if self._wizard is not None:
            self._wizard.deleteLater()
            self._wizard = None
        form = declaration_form(spec)
        if form is None:
            return
        start = values
        applicant = self._draft.applicant
        if start is None and applicant is not None:
            start = defaults_from_applicant(form, applicant.card_values())
        office = self._data.office
        home = province_of_ward(office.ward_code) if office is not None else None
        self._wizard = FormWizard(
            form, start, today=self._today, home_province=home, parent=self.form_holder
        )
        self._wizard.sig_changed.connect(self._wizard_changed)
        self._wizard.sig_finished.connect(self._form_finished)
        self._wizard.sig_step_changed.connect(lambda _i: self._touched())
        holder = self.form_holder.layout()
        assert holder is not None
        holder.addWidget(self._wizard)

    def _wizard_changed(self, values: dict[str, str]) -> None:
        self._draft = self._draft.with_declaration(values)
        self._touched()

    def _form_finished(self, values: dict[str, str]) -> None:
        self._draft = self._draft.with_declaration(values)
        self._go(CHECKLIST)

    def checklist_done(self) -> None:
        if self.current_step() != CHECKLIST:
            return
        if self.checklist.is_busy():
            self._say(self.tr("Đang tính mã của tệp đính kèm, chờ một chút rồi tiếp tục."))
            return
        missing = self.checklist.validate()
        if missing:
            self._say(
                self.tr("Chưa nhận đủ giấy tờ bắt buộc: {names}.").format(names="; ".join(missing)),
                error=True,
            )
            return
        self._go(SUMMARY)
        self._assess()

    # --- fee, due date, save --------------------------------------------------------------------

    def _staff_id(self) -> uuid.UUID | None:
        return self.staff.id if self.staff is not None else None

    def _request(self) -> DossierRequest:
        return self.draft().to_request(
            staff_id=self._staff_id(),
            counter_number=self.counter_number,
            draft_id=self._draft_id,
        )

    def _assess(self) -> None:
        if self._draft.applicant is None or self._procedure is None:
            return
        request, now, data = self._request(), self._now(), self._data
        self._run(
            lambda: data.assess(request, now), self._assessed, self.tr("tính lệ phí và ngày hẹn")
        )

    def _assessed(self, result: Assessment) -> None:
        self.summary.set_fee(result.fee)
        self.summary.set_due_at(result.due_at, "\n".join(result.due_explanation))

    def save(self) -> None:
        if self.current_step() != SUMMARY or self.is_busy():
            return
        if self.summary.validate() is not None:
            return
        request, now, data = self._request(), self._now(), self._data
        self.summary.set_saving(True)
        self._autosave.stop()

        def done(view: DossierView) -> None:
            self.summary.set_saving(False)
            self._saved_view(view)

        def failed(exc: Exception) -> None:
            self.summary.set_saving(False)
            self._failed(exc, self.tr("lưu hồ sơ"))

        self._work.run_with(lambda: data.create(request, now), done, failed)

    def _saved_view(self, view: DossierView) -> None:
        self._saved = view
        self._autosave.forget()
        self.done_page.show_saved(view)
        self._go(DONE)
        self.sig_saved.emit(view)
        self.sig_status.emit(self.tr("Đã lưu hồ sơ {code}.").format(code=view.code))
        self.done_page.print_slip()

    # --- drafts ---------------------------------------------------------------------------------

    def _touched(self) -> None:
        if self._restoring or self.current_step() == DONE:
            return
        if self._draft.applicant is None and self.citizen.entry().is_blank():
            return  # nothing typed yet: nothing to keep
        self._autosave.touched()

    def _title(self) -> str:
        name = self.citizen.values().get("full_name") or self.tr("(chưa có tên)")
        if self._procedure is not None:
            return f"{name} – {self._procedure.name}"
        return name

    def _to_save(self) -> DraftToSave:
        draft = self.draft()
        return DraftToSave(
            payload=draft.to_json(),
            title=self._title(),
            draft_id=self._draft_id,
            staff_id=self._staff_id(),
            counter_number=self.counter_number,
            ticket_id=draft.ticket_id,
        )

    def save_draft_now(self, *, wait: bool = False) -> None:
        """Write the draft; in the background unless ``wait`` (closing the window)."""
        self._autosave.save_now(wait=wait)

    def _drafts_read(self, drafts: list[DraftInfo]) -> None:
        self.draft_banner.show_drafts([d for d in drafts if d.id != self._draft_id])

    def _drop_draft(self, draft: DraftInfo) -> None:
        data = self._data
        self._run(
            lambda: data.discard_draft(draft.id), lambda _r: self.start(), self.tr("bỏ bản nháp")
        )

    def _open_draft(self, draft: DraftInfo) -> None:
        self.save_draft_now()
        data = self._data
        self._run(lambda: data.open_draft(draft.id), self.restore, self.tr("mở bản nháp"))

    def restore(self, loaded: OpenedDraft) -> None:
        """Put a draft back on screen, at the step where it was left."""
        info, draft, spec, summary = loaded.info, loaded.draft, loaded.spec, loaded.procedure
        self._restoring = True
        try:
            ticket = draft.ticket_id or self._draft.ticket_id  # a draft without one keeps ours
            self._reset()
            self._draft_id = info.id
            self._draft = ReceptionDraft(ticket_id=ticket)
            self.citizen.set_entry(draft.citizen)
            if draft.applicant is not None:
                # Checked again as if confirmed now: the panel's checks may have grown since.
                record = self.citizen.confirm()  # as a click would: on to the procedure
                self._draft = self._draft.with_applicant(record)
            if spec is not None and summary is not None:
                self._procedure = summary
                self._draft = self._draft.with_procedure(summary.code)
                self._procedure_loaded(spec, restore=draft)
                self._draft = self._draft.with_declaration(draft.declaration.values)
                if self._wizard is not None:
                    self._wizard.go_to_step(draft.declaration.page)
                self.checklist.set_items(draft.checklist, draft.attachments)
            self.summary.set_result(draft.result)
            step = replace(
                draft,
                applicant=self._draft.applicant,
                procedure_code=self._draft.procedure_code,
            ).reopen_step(has_form=self._wizard is not None)
            self._go(step)
        finally:
            self._restoring = False
        self.draft_banner.hide()
        if self.current_step() == SUMMARY:
            self._assess()
        self.sig_status.emit(self.tr("Đã mở lại bản nháp: {t}.").format(t=info.title))

    def _reset(self) -> None:
        self._draft = ReceptionDraft(ticket_id=self._draft.ticket_id)  # the ticket is still served
        self._procedure = None
        self._spec = None
        self._saved = None
        self.done_page.forget()
        if self._wizard is not None:
            self._wizard.deleteLater()
            self._wizard = None
        self.citizen.clear()
        self.checklist.set_documents(())
        self.summary.set_fee(None)
        self.summary.set_due("")
        self.summary.set_exemption(None)
        self.summary.set_channel("desk")
        self.picker.set_text("")
        self._draft_id = uuid.uuid4()
        self._autosave.forget()

    def start_new(self) -> None:
        """Keep what was typed as a draft and start an empty reception."""
        if self.current_step() != DONE:
            self.save_draft_now()
        self._restoring = True
        try:
            self._reset()
            self._go(CITIZEN)
        finally:
            self._restoring = False
        self.start()

    def closing(self) -> None:
        """The window is closing: write the draft now, not in a second."""
        if self.current_step() != DONE:
            self.save_draft_now(wait=True)

    # --- plumbing -------------------------------------------------------------------------------

    def _draft_not_written(self) -> None:
        self._autosave.failed_quietly()

    def _failed(self, exc: Exception, what: str) -> None:
        if isinstance(exc, ValidationFailed):
            self._say(exc.user_text(), error=True)
            if self.current_step() == SUMMARY:
                self.summary.show_message(exc.message, error=True)
            return
        text = messages.report(
            exc,
            what=f"reception: {what} failed",
            bug_text=self.tr("Lỗi không mong muốn khi {what}; chi tiết đã ghi vào nhật ký.").format(
                what=what
            ),
            logger=log,
        )
        self._say(text, error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        restyle(self.message, "error", "true" if error else "false")
