"""The reception of one dossier at the counter, step by step, with a draft that is never lost.

Citizen → procedure → declaration → papers → fee and due date → saved, papers printed. Each
widget does its own step; this pane keeps what they hold in one ``services.reception.
ReceptionDraft``, stores it in the database as the specialist types, and talks to the services
in the background.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.context import AppContext
from onestop_desk.core.calendar import weekday_name
from onestop_desk.core.catalog import ProcedureSpec
from onestop_desk.core.forms import defaults_from_applicant
from onestop_desk.errors import KnownError
from onestop_desk.gui import messages
from onestop_desk.gui.operations import QueryOp
from onestop_desk.gui.reception.address import province_of_ward
from onestop_desk.gui.reception.checklist import ChecklistWidget
from onestop_desk.gui.reception.citizen import CitizenPanel
from onestop_desk.gui.reception.form_wizard import FormWizard
from onestop_desk.gui.reception.procedure_picker import ProcedurePicker
from onestop_desk.gui.reception.summary import SummaryPanel
from onestop_desk.gui.widgets import bundled_font_family, papers, restyle
from onestop_desk.log import gui as log
from onestop_desk.printing.printers import PreviewSink
from onestop_desk.services.catalog import ProcedureSummary, load_form, search_procedures
from onestop_desk.services.dossier import (
    CitizenView,
    DossierRequest,
    DossierView,
    ValidationFailed,
    assess,
    card_sex,
    create_dossier,
    find_citizen,
    procedure_for_reception,
)
from onestop_desk.services.drafts import (
    DraftInfo,
    discard_draft,
    list_drafts,
    load_draft,
    save_draft,
)
from onestop_desk.services.office import OfficeInfo, find_office, office_info
from onestop_desk.services.reception import Applicant, ReceptionDraft, Step
from onestop_desk.services.staff import StaffInfo
from onestop_desk.services.uow import UnitOfWork

STEP_TITLES = (
    "Người nộp",
    "Thủ tục",
    "Tờ khai",
    "Giấy tờ",
    "Lệ phí, hẹn trả",
    "In giấy tờ",
)
CITIZEN, PROCEDURE, FORM, CHECKLIST, SUMMARY, DONE = Step
DRAFT_DELAY_MS = 1200  # save the draft this long after the last keystroke

_STYLE = """
QLabel#stepLabel { color: #667085; padding: 4px 10px; border-radius: 12px; }
QLabel#stepLabel[state="current"] { background: #1f5fbf; color: white; font-weight: bold; }
QLabel#stepLabel[state="done"] { color: #1f7a3f; }
QFrame#draftBanner { background: #fff6e0; border: 1px solid #f0c36d; border-radius: 6px; }
QLabel#doneCode { font-size: 26pt; font-weight: bold; color: #1f5fbf; }
QLabel#message[error="true"] { color: #b42318; }
"""

Opener = papers.Opener


def _record_of(view: CitizenView | None) -> Applicant | None:
    if view is None or view.date_of_birth is None:
        return None
    sex = card_sex(view.sex)
    if sex is None:
        return None
    return Applicant(
        id_number=view.id_number,
        old_id_number=view.old_id_number,
        full_name=view.full_name,
        date_of_birth=view.date_of_birth,
        sex=sex,
        address=view.address or "",
        phone=view.phone,
        email=view.email,
    )


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
        self._office: OfficeInfo | None = None
        self._field_code: str | None = None
        # What the widgets hold, in one value; the widgets below are how it is edited.
        self._draft = ReceptionDraft()
        self._procedure: ProcedureSummary | None = None  # the chosen one's name, for the title
        self._spec: ProcedureSpec | None = None
        self._wizard: FormWizard | None = None
        self._saved: DossierView | None = None
        self._draft_id = uuid.uuid4()
        self._draft_dirty = False
        self._restoring = False
        self._pending = 0
        self._drafts: list[DraftInfo] = []

        font = QFont(self.font())
        font.setFamily(bundled_font_family())
        self.setFont(font)
        self.setStyleSheet(_STYLE)

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft_now)
        self._build()
        self._go(CITIZEN)

    # --- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)

        steps = QHBoxLayout()
        self.step_labels: list[QLabel] = []
        for number, title in enumerate(STEP_TITLES, start=1):
            label = QLabel(self.tr("{n}. {t}").format(n=number, t=self.tr(title)))
            label.setObjectName("stepLabel")
            steps.addWidget(label)
            self.step_labels.append(label)
        steps.addStretch(1)
        self.back_button = QPushButton(self.tr("← Bước trước"))
        self.back_button.setToolTip(self.tr("Quay lại bước trước (Ctrl+PgUp)"))
        self.back_button.clicked.connect(self.back)
        steps.addWidget(self.back_button)
        self.new_button = QPushButton(self.tr("Hồ sơ mới"))
        self.new_button.setToolTip(self.tr("Bỏ hồ sơ đang khai và bắt đầu hồ sơ khác (Ctrl+N)"))
        self.new_button.clicked.connect(self.start_new)
        steps.addWidget(self.new_button)
        layout.addLayout(steps)

        self.draft_banner = QFrame()
        self.draft_banner.setObjectName("draftBanner")
        banner = QHBoxLayout(self.draft_banner)
        self.draft_text = QLabel()
        self.draft_combo = QComboBox()
        self.draft_open = QPushButton(self.tr("Mở lại"))
        self.draft_open.clicked.connect(self._open_chosen_draft)
        self.draft_drop = QPushButton(self.tr("Bỏ bản nháp"))
        self.draft_drop.clicked.connect(self._drop_chosen_draft)
        banner.addWidget(self.draft_text)
        banner.addWidget(self.draft_combo, 1)
        banner.addWidget(self.draft_open)
        banner.addWidget(self.draft_drop)
        self.draft_banner.hide()
        layout.addWidget(self.draft_banner)

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)

        self.citizen = CitizenPanel(self._lookup_citizen, today=self._today)
        self.citizen.confirmed.connect(self._citizen_confirmed)
        self.citizen.changed.connect(self._touched)
        self.stack.addWidget(self.citizen)

        self.picker = ProcedurePicker(self._search)
        self.picker.chosen.connect(self._procedure_chosen)
        self.stack.addWidget(self.picker)

        self.form_holder = QWidget()
        QVBoxLayout(self.form_holder).setContentsMargins(0, 0, 0, 0)
        self.stack.addWidget(self.form_holder)

        checklist_page = QWidget()
        page = QVBoxLayout(checklist_page)
        page.setContentsMargins(0, 0, 0, 0)
        self.checklist = ChecklistWidget()
        self.checklist.changed.connect(self._touched)
        page.addWidget(self.checklist, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.checklist_next = QPushButton(self.tr("Tiếp tục: lệ phí và ngày hẹn (Ctrl+Enter)"))
        self.checklist_next.clicked.connect(self.checklist_done)
        row.addWidget(self.checklist_next)
        page.addLayout(row)
        self.stack.addWidget(checklist_page)

        self.summary = SummaryPanel()
        self.summary.exemption_changed.connect(lambda _code: self._assess())
        self.summary.channel_changed.connect(lambda _kind: self._touched())
        self.summary.save_requested.connect(self.save)
        self.stack.addWidget(self.summary)

        self.stack.addWidget(self._build_done())

        QShortcut(QKeySequence("Ctrl+PgUp"), self, activated=self.back)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.start_new)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), checklist_page)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.checklist_done)

    def _build_done(self) -> QWidget:
        done = QWidget()
        layout = QVBoxLayout(done)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.done_title = QLabel(self.tr("Đã tiếp nhận hồ sơ"))
        title_font = QFont(self.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.4)
        title_font.setBold(True)
        self.done_title.setFont(title_font)
        layout.addWidget(self.done_title)
        self.done_code = QLabel()
        self.done_code.setObjectName("doneCode")
        self.done_code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.done_code)
        self.done_details = QLabel()
        self.done_details.setWordWrap(True)
        layout.addWidget(self.done_details)
        buttons = QHBoxLayout()
        self.print_receipt_button = QPushButton(self.tr("In giấy tiếp nhận – Mẫu 01 (Ctrl+P)"))
        self.print_receipt_button.clicked.connect(self.print_receipt)
        self.print_form_button = QPushButton(self.tr("In tờ khai để ký"))
        self.print_form_button.clicked.connect(self.print_declaration)
        self.print_slip_button = QPushButton(self.tr("In lại giấy hẹn (máy in nhiệt)"))
        self.print_slip_button.clicked.connect(self.print_slip)
        self.next_button = QPushButton(self.tr("Tiếp nhận hồ sơ khác (Ctrl+N)"))
        self.next_button.clicked.connect(self.start_new)
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
        QShortcut(QKeySequence("Ctrl+P"), done, activated=self.print_receipt).setContext(
            Qt.ShortcutContext.WidgetWithChildrenShortcut
        )
        return done

    # --- public API ----------------------------------------------------------------------------

    def start(self) -> None:
        """Look for drafts this specialist left (after a crash, or a window closed mid-form)."""
        self._run(self._read_drafts, self._drafts_read, self.tr("đọc hồ sơ nháp"))

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
        return self._pending > 0

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
        for index, label in enumerate(self.step_labels):
            state = "current" if index == step else ("done" if index < step else "")
            restyle(label, "state", state)
        self.back_button.setEnabled(CITIZEN < step < DONE)
        self._say("")
        focus = {
            CITIZEN: self.citizen,
            PROCEDURE: self.picker,
            CHECKLIST: self.checklist,
            SUMMARY: self.summary,
            DONE: self.print_receipt_button,
        }.get(step)
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
        self._run(
            lambda: self._with_uow(
                lambda uow, office: procedure_for_reception(uow, office.id, code)
            ),
            self._procedure_loaded,
            self.tr("mở thủ tục"),
        )

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
        if spec.form is None:
            return
        form = load_form(spec.form)
        start = values
        applicant = self._draft.applicant
        if start is None and applicant is not None:
            start = defaults_from_applicant(form, applicant.card_values())
        home = province_of_ward(self._office.ward_code) if self._office is not None else None
        self._wizard = FormWizard(
            form, start, today=self._today, home_province=home, parent=self.form_holder
        )
        self._wizard.changed.connect(self._wizard_changed)
        self._wizard.finished.connect(self._form_finished)
        self._wizard.step_changed.connect(lambda _i: self._touched())
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

    def _request(self) -> DossierRequest:
        return self.draft().to_request(
            staff_id=self.staff.id if self.staff is not None else None,
            counter_number=self.counter_number,
            draft_id=self._draft_id,
        )

    def _assess(self) -> None:
        if self._draft.applicant is None or self._procedure is None:
            return
        request = self._request()
        now = self._now()
        self._run(
            lambda: self._with_uow(
                lambda uow, office: assess(uow, office_id=office.id, request=request, now=now),
                readonly=True,
            ),
            self._assessed,
            self.tr("tính lệ phí và ngày hẹn"),
        )

    def _assessed(self, result: Any) -> None:
        self.summary.set_fee(result.fee)
        due = result.due_at
        name = weekday_name(due)
        weekday = name[:1].lower() + name[1:]  # mid-sentence: "17 giờ 00 phút, thứ Hai …"
        self.summary.set_due(
            self.tr("{hh:02d} giờ {mm:02d} phút, {weekday} ngày {day:%d/%m/%Y}").format(
                hh=due.hour, mm=due.minute, weekday=weekday, day=due
            ),
            "\n".join(result.due_explanation),
        )

    def save(self) -> None:
        if self.current_step() != SUMMARY or self.is_busy():
            return
        if self.summary.validate() is not None:
            return
        request = self._request()
        now = self._now()
        self.summary.set_saving(True)
        self._draft_timer.stop()

        def work() -> DossierView:
            return self._with_uow(
                lambda uow, office: create_dossier(
                    uow, office_id=office.id, request=request, now=now
                )
            )

        def done(view: DossierView) -> None:
            self.summary.set_saving(False)
            self._saved_view(view)

        def failed(exc: Exception) -> None:
            self.summary.set_saving(False)
            self._failed(exc, self.tr("lưu hồ sơ"))

        self._pending += 1
        QueryOp(
            work, success=lambda v: self._finish(done, v), failure=lambda e: self._finish(failed, e)
        ).run_in_background()

    def _saved_view(self, view: DossierView) -> None:
        self._saved = view
        self._draft_dirty = False
        self.done_code.setText(view.code)
        fee = view.as_json()["fee_text"]
        self.done_details.setText(
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
        self._go(DONE)
        self.sig_saved.emit(view)
        self.sig_status.emit(self.tr("Đã lưu hồ sơ {code}.").format(code=view.code))
        self.print_slip()

    # --- papers ---------------------------------------------------------------------------------

    def print_receipt(self) -> None:
        view = self._saved
        if view is None:
            return
        office = self._office

        def work() -> Path:
            assert office is not None
            return papers.receipt_paper(self.ctx.paths, view, office)

        self._run(work, self._paper_ready, self.tr("in giấy tiếp nhận"))

    def print_declaration(self) -> None:
        view = self._saved
        if view is None or view.procedure_form is None:
            return
        office = self._office

        def work() -> Path:
            assert office is not None
            return papers.declaration_paper(self.ctx.paths, view, office)

        self._run(work, self._paper_ready, self.tr("in tờ khai"))

    def _paper_ready(self, path: Path) -> None:
        self.papers_label.setText(self.tr("Đã tạo {path}").format(path=path))
        self.sig_status.emit(self.tr("Đã tạo {name}.").format(name=path.name))
        try:
            papers.open_paper(path, self._opener)
        except KnownError as exc:
            self._say(exc.user_text(), error=True)

    def print_slip(self) -> None:
        view = self._saved
        if view is None:
            return
        office = self._office
        settings = self.ctx.settings
        preview = self.preview

        def work() -> None:
            assert office is not None
            papers.print_slip(settings, view, office, preview)

        self._run(
            work,
            lambda _r: self.sig_status.emit(
                self.tr("Đã in giấy hẹn {code}.").format(code=view.code)
            ),
            self.tr("in giấy hẹn"),
        )

    # --- drafts ---------------------------------------------------------------------------------

    def _touched(self) -> None:
        if self._restoring or self.current_step() == DONE:
            return
        if self._draft.applicant is None and self.citizen.entry().is_blank():
            return  # nothing typed yet: nothing to keep
        self._draft_dirty = True
        self._draft_timer.start()

    def _title(self) -> str:
        name = self.citizen.values().get("full_name") or self.tr("(chưa có tên)")
        if self._procedure is not None:
            return f"{name} – {self._procedure.name}"
        return name

    def save_draft_now(self, *, wait: bool = False) -> None:
        """Write the draft; in the background unless ``wait`` (closing the window)."""
        self._draft_timer.stop()
        if not self._draft_dirty:
            return
        self._draft_dirty = False
        draft = self.draft()
        payload, title, draft_id = draft.to_json(), self._title(), self._draft_id
        staff_id = self.staff.id if self.staff is not None else None
        counter, ticket = self.counter_number, draft.ticket_id

        def work() -> uuid.UUID:
            return self._with_uow(
                lambda uow, office: save_draft(
                    uow,
                    office_id=office.id,
                    payload=payload,
                    title=title,
                    draft_id=draft_id,
                    staff_id=staff_id,
                    counter_number=counter,
                    ticket_id=ticket,
                )
            )

        if wait:
            try:
                work()
            except KnownError as exc:
                log.warning("draft not saved on close: %s", exc.message)
            return
        self._run(work, lambda _id: None, self.tr("lưu bản nháp"), quiet=True)

    def _read_drafts(self) -> list[DraftInfo]:
        staff_id = self.staff.id if self.staff is not None else None
        return self._with_uow(
            lambda uow, office: list_drafts(uow, office_id=office.id, staff_id=staff_id),
            readonly=True,
        )

    def _drafts_read(self, drafts: list[DraftInfo]) -> None:
        self._drafts = [d for d in drafts if d.id != self._draft_id]
        self.draft_combo.clear()
        for draft in self._drafts:
            self.draft_combo.addItem(f"{draft.title} ({draft.updated_at:%H:%M %d/%m})")
        self.draft_text.setText(self.tr("Có {n} hồ sơ đang khai dở:").format(n=len(self._drafts)))
        self.draft_banner.setVisible(bool(self._drafts))

    def _chosen_draft(self) -> DraftInfo | None:
        index = self.draft_combo.currentIndex()
        return self._drafts[index] if 0 <= index < len(self._drafts) else None

    def _drop_chosen_draft(self) -> None:
        draft = self._chosen_draft()
        if draft is None:
            return
        self._run(
            lambda: self._with_uow(lambda uow, _office: discard_draft(uow, draft.id)),
            lambda _r: self.start(),
            self.tr("bỏ bản nháp"),
        )

    def _open_chosen_draft(self) -> None:
        draft = self._chosen_draft()
        if draft is None:
            return
        self.save_draft_now()
        self._run(
            lambda: self._with_uow(
                lambda uow, office: self._draft_and_spec(uow, office, draft.id), readonly=True
            ),
            self.restore,
            self.tr("mở bản nháp"),
        )

    @staticmethod
    def _draft_and_spec(
        uow: UnitOfWork, office: OfficeInfo, draft_id: uuid.UUID
    ) -> tuple[DraftInfo, ReceptionDraft, ProcedureSpec | None, ProcedureSummary | None]:
        from onestop_desk.services.catalog import find_procedure

        info = load_draft(uow, draft_id)
        draft = ReceptionDraft.from_json(info.payload)  # DraftUnreadable: said, nothing changes
        code = draft.procedure_code
        if not code:
            return info, draft, None, None
        spec = procedure_for_reception(uow, office.id, code)
        return info, draft, spec, find_procedure(uow, office_id=office.id, code=code)

    def restore(
        self,
        loaded: tuple[DraftInfo, ReceptionDraft, ProcedureSpec | None, ProcedureSummary | None],
    ) -> None:
        """Put a draft back on screen, at the step where it was left."""
        info, draft, spec, summary = loaded
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
        self._draft_dirty = False

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

    def _with_uow(
        self, work: Callable[[UnitOfWork, OfficeInfo], Any], readonly: bool = False
    ) -> Any:
        with UnitOfWork(self.ctx.database, readonly=readonly, source="counter") as uow:
            # The office is read once per window, not again for every search keystroke.
            office = self._office
            if office is None:
                office = office_info(find_office(uow, self.ctx.settings.office.ward_code))
                self._office = office
            return work(uow, office)

    def _lookup_citizen(self, id_number: str) -> Applicant | None:
        return _record_of(
            self._with_uow(lambda uow, _office: find_citizen(uow, id_number), readonly=True)
        )

    def _search(self, text: str, field_code: str | None) -> list[ProcedureSummary]:
        # The picker groups the results and puts ``field_code``'s group first itself.
        def work(uow: UnitOfWork, office: OfficeInfo) -> list[ProcedureSummary]:
            return search_procedures(uow, office_id=office.id, text=text)

        result: list[ProcedureSummary] = self._with_uow(work, readonly=True)
        return result

    def _run(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        what: str,
        *,
        quiet: bool = False,
    ) -> None:
        self._pending += 1

        def failure(exc: Exception) -> None:
            if quiet and not messages.is_bug(exc):
                messages.report(exc, what=f"{what} failed", bug_text="", logger=log)
                self._draft_dirty = True
                return
            self._failed(exc, what)

        QueryOp(
            work,
            success=lambda r: self._finish(done, r),
            failure=lambda e: self._finish(failure, e),
        ).run_in_background()

    def _finish(self, callback: Callable[[Any], None], value: Any) -> None:
        self._pending -= 1
        callback(value)

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
