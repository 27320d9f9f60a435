"""The opened dossier: its facts, what can be done to it now, its papers and its history."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.core.lifecycle import DossierAction, DossierState, timing_label
from onestop_desk.core.submission import SubmissionState
from onestop_desk.gui.dossiers.data import DECLARATION, NOTICE_NAMES, RECEIPT, SLIP, DossierDetail
from onestop_desk.gui.dossiers.models import HistoryModel
from onestop_desk.gui.widgets import restyle, scaled
from onestop_desk.services.dossier_list import portal_status_label, submission_label

#: The notice each action's history entry prints.
NOTICE_OF_EVENT: Mapping[str, str] = {
    DossierAction.REQUEST_SUPPLEMENT.value: "02",
    DossierAction.REFUSE.value: "03",
    DossierAction.EXTEND.value: "04",
    DossierAction.STOP.value: "05",
}
ACTION_COLUMNS = 3


def enter_button(text: str = "") -> QPushButton:
    """A push button Enter presses too: outside dialogs Qt leaves that to Space alone."""
    button = QPushButton(text)
    button.setAutoDefault(True)
    return button


class DossierDetailPanel(QWidget):
    """Facts, action buttons (only those the state allows), papers and the history table."""

    #: A button asked for an action (``DossierAction``).
    sig_action = Signal(object)
    #: A paper is wanted: "01", "declaration", "slip" or a notice "02".."06".
    sig_paper = Signal(str)
    #: The failed online submission should be sent again.
    sig_retry = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail: DossierDetail | None = None
        self.stack = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

        self.empty_label = QLabel(
            self.tr(
                "Chọn một hồ sơ trong danh sách, hoặc quét mã QR trên giấy hẹn, "
                "để xem chi tiết và xử lý."
            )
        )
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setObjectName("hint")
        self.stack.addWidget(self.empty_label)

        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 4, 0, 0)
        row.setSpacing(12)
        row.addWidget(self._build_left(), 5)
        row.addWidget(self._build_history(), 6)
        self.stack.addWidget(page)

    # --- building -------------------------------------------------------------------------------
    def _build_left(self) -> QWidget:
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)

        title = QHBoxLayout()
        self.code_label = QLabel()
        self.code_label.setObjectName("detailCode")
        self.code_label.setFont(scaled(self.font(), 1.35, bold=True))
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state_chip = QLabel()
        self.state_chip.setObjectName("stateChip")
        title.addWidget(self.code_label)
        title.addWidget(self.state_chip)
        title.addStretch(1)
        column.addLayout(title)

        self.facts = QFormLayout()
        self.facts.setHorizontalSpacing(10)
        self.facts.setVerticalSpacing(3)
        self.fact_labels: dict[str, QLabel] = {}
        rows = (
            ("procedure", self.tr("Thủ tục:")),
            ("applicant", self.tr("Người nộp:")),
            ("received", self.tr("Tiếp nhận:")),
            ("due", self.tr("Hẹn trả:")),
            ("result", self.tr("Kết quả:")),
            ("online", self.tr("Trực tuyến:")),
        )
        for key, caption in rows:
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            name = QLabel(caption)
            name.setObjectName("factName")
            self.facts.addRow(name, value)
            self.fact_labels[key] = value
        column.addLayout(self.facts)

        self.offer = QFrame()
        self.offer.setObjectName("offer")
        offer_row = QHBoxLayout(self.offer)
        offer_row.setContentsMargins(8, 4, 8, 4)
        self.offer_label = QLabel()
        self.offer_label.setWordWrap(True)
        self.offer_button = enter_button(self.tr("Mở để in (Ctrl+P)"))
        self.offer_button.clicked.connect(self._open_offered)
        offer_row.addWidget(self.offer_label, 1)
        offer_row.addWidget(self.offer_button)
        self.offer.hide()
        self._offered: str | None = None
        column.addWidget(self.offer)

        actions_title = QLabel(self.tr("Xử lý hồ sơ"))
        actions_title.setObjectName("sectionTitle")
        column.addWidget(actions_title)
        self.actions_grid = QGridLayout()
        self.actions_grid.setSpacing(6)
        texts = {
            DossierAction.START_PROCESSING: self.tr("Ch&uyển giải quyết"),
            DossierAction.REQUEST_SUPPLEMENT: self.tr("Yêu cầu &bổ sung (Mẫu 02)"),
            DossierAction.SUPPLEMENT_RECEIVED: self.tr("&Nhận hồ sơ bổ sung"),
            DossierAction.REFUSE: self.tr("Từ &chối tiếp nhận (Mẫu 03)"),
            DossierAction.EXTEND: self.tr("Gia &hạn (Mẫu 04)"),
            DossierAction.STOP: self.tr("&Dừng giải quyết (Mẫu 05)"),
            DossierAction.MARK_RESULT_READY: self.tr("Đã có &kết quả"),
            DossierAction.RETURN_RESULT: self.tr("&Trả kết quả"),
        }
        self.action_buttons: dict[DossierAction, QPushButton] = {}
        for action in DossierAction:
            button = enter_button(texts[action])
            button.setProperty("role", "dossierAction")
            button.clicked.connect(lambda _c=False, a=action: self.sig_action.emit(a))
            self.action_buttons[action] = button
        self.retry_button = enter_button(self.tr("Gửi lại t&rực tuyến"))
        self.retry_button.setProperty("role", "dossierAction")
        self.retry_button.setToolTip(
            self.tr("Gửi lại hồ sơ lên hệ thống dịch vụ công sau khi đã sửa nguyên nhân lỗi")
        )
        self.retry_button.clicked.connect(self.sig_retry.emit)
        for place in range(ACTION_COLUMNS):
            self.actions_grid.setColumnStretch(place, 1)
        column.addLayout(self.actions_grid)
        self.no_action_label = QLabel()
        self.no_action_label.setObjectName("hint")
        self.no_action_label.setWordWrap(True)
        column.addWidget(self.no_action_label)

        papers_title = QLabel(self.tr("Giấy tờ"))
        papers_title.setObjectName("sectionTitle")
        column.addWidget(papers_title)
        self.papers_grid = QGridLayout()
        self.papers_grid.setSpacing(6)
        self.paper_buttons: dict[str, QPushButton] = {}
        paper_texts = {
            "06": self.tr("In &phiếu kiểm soát (Mẫu 06)"),
            RECEIPT: self.tr("In lại giấy tiếp nhận (&Mẫu 01)"),
            DECLARATION: self.tr("In lại tờ kh&ai"),
            SLIP: self.tr("In &lại giấy hẹn (máy in nhiệt)"),
            "02": self.tr("In Mẫu 02 (yêu cầu bổ sung)"),
            "03": self.tr("In Mẫu 03 (từ chối)"),
            "04": self.tr("In Mẫu 04 (xin lỗi, gia hạn)"),
            "05": self.tr("In Mẫu 05 (dừng giải quyết)"),
        }
        for key, text in paper_texts.items():
            button = enter_button(text)
            button.setProperty("role", "paper")
            if key in NOTICE_NAMES:
                button.setToolTip(self.tr(NOTICE_NAMES[key]))
            button.clicked.connect(lambda _c=False, k=key: self.sig_paper.emit(k))
            self.paper_buttons[key] = button
        for place in range(ACTION_COLUMNS):
            self.papers_grid.setColumnStretch(place, 1)
        column.addLayout(self.papers_grid)
        column.addStretch(1)
        return left

    def _build_history(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        title = QLabel(self.tr("Quá trình giải quyết (cũ trước, mới sau)"))
        title.setObjectName("sectionTitle")
        column.addWidget(title)
        self.history_model = HistoryModel(self)
        self.history_view = QTableView()
        self.history_view.setModel(self.history_model)
        self.history_view.setWordWrap(True)
        self.history_view.setAlternatingRowColors(True)
        self.history_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history_view.verticalHeader().setVisible(False)
        header = self.history_view.horizontalHeader()
        header.setSectionResizeMode(HistoryModel.AT, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(HistoryModel.WHO, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(HistoryModel.WHAT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(HistoryModel.NOTE, QHeaderView.ResizeMode.Stretch)
        self.history_view.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        column.addWidget(self.history_view, 1)
        return box

    # --- showing --------------------------------------------------------------------------------
    def set_detail(self, detail: DossierDetail | None) -> None:
        """Show ``detail`` (None: nothing opened)."""
        same = (
            detail is not None
            and self.detail is not None
            and detail.status.code == self.detail.status.code
        )
        self.detail = detail
        if not same:
            self.clear_offer()
        if detail is None:
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        status = detail.status
        self.code_label.setText(status.code)
        chip = status.state_label + (self.tr(" · trễ hạn") if status.late else "")
        self.state_chip.setText(chip)
        restyle(self.state_chip, "late", "true" if status.late else "false")
        facts = self.fact_labels
        facts["procedure"].setText(f"{status.procedure_name} ({status.procedure_code})")
        facts["applicant"].setText(
            self.tr("{name} — số định danh {number}").format(
                name=status.applicant_name, number=status.applicant_id_number
            )
        )
        facts["received"].setText(self._moment(status.received_at))
        due = self._moment(status.due_at)
        if status.late:
            due = self.tr("{due} — đã quá hạn").format(due=due)
        facts["due"].setText(due)
        restyle(facts["due"], "late", "true" if status.late else "false")
        facts["result"].setText(self._result_text(detail))
        facts["online"].setText(self._online_text(detail))
        self.history_model.set_events(status.events)
        self.history_view.resizeRowsToContents()
        self.history_view.scrollToBottom()
        self._place_buttons(detail)

    def _moment(self, moment: object) -> str:
        return self.tr("{m:%H:%M}, ngày {m:%d/%m/%Y}").format(m=moment)

    def _result_text(self, detail: DossierDetail) -> str:
        status = detail.status
        phrases = {
            "desk": self.tr("tại Bộ phận Một cửa"),
            "post": self.tr("qua dịch vụ bưu chính công ích"),
            "online": self.tr("trực tuyến"),
        }
        channel = phrases.get(status.result_channel, status.result_channel)
        if status.state is DossierState.RETURNED and status.returned_at is not None:
            timing = timing_label(status.result_timing) if status.result_timing else ""
            return self.tr("Đã trả {when} cho {who}, {channel} — {timing}").format(
                when=self._moment(status.returned_at),
                who=status.returned_to or "",
                channel=channel,
                timing=timing.lower(),
            )
        if detail.view.result_address and status.result_channel == "post":
            return self.tr("Nhận {channel}: {address}").format(
                channel=channel, address=detail.view.result_address
            )
        return self.tr("Nhận {channel}").format(channel=channel)

    def _online_text(self, detail: DossierDetail) -> str:
        status = detail.status
        if status.submission_state is None:
            return self.tr("Không gửi lên hệ thống dịch vụ công")
        parts = [submission_label(status.submission_state)]
        if status.portal_reference:
            parts.append(self.tr("mã trên hệ thống {ref}").format(ref=status.portal_reference))
        if status.portal_status:
            parts.append(portal_status_label(status.portal_status).lower())
        if status.submission_state == SubmissionState.FAILED:
            parts.append(
                self.tr("đã thử {n} lần: {error}").format(
                    n=status.submission_attempts, error=status.submission_error or ""
                )
            )
        return " — ".join(parts)

    def _place_buttons(self, detail: DossierDetail) -> None:
        status = detail.status
        for grid in (self.actions_grid, self.papers_grid):
            while grid.count():
                item = grid.takeAt(0)
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.hide()
        shown = [self.action_buttons[a] for a in status.allowed_actions]
        if status.submission_state == SubmissionState.FAILED:
            shown.append(self.retry_button)
        for place, button in enumerate(shown):
            self.actions_grid.addWidget(button, place // ACTION_COLUMNS, place % ACTION_COLUMNS)
            button.show()
        self.no_action_label.setVisible(not shown)
        self.no_action_label.setText(
            self.tr("Hồ sơ đã kết thúc ({state}); chỉ còn in lại giấy tờ.").format(
                state=status.state_label.lower()
            )
        )
        kinds = {e.kind for e in status.events}
        papers = ["06", RECEIPT]
        if detail.view.procedure_form is not None:
            papers.append(DECLARATION)
        papers.append(SLIP)
        papers += [form for kind, form in NOTICE_OF_EVENT.items() if kind in kinds]
        for place, key in enumerate(papers):
            button = self.paper_buttons[key]
            self.papers_grid.addWidget(button, place // ACTION_COLUMNS, place % ACTION_COLUMNS)
            button.show()

    # --- the paper offered after an action ------------------------------------------------------
    def offer_paper(self, text: str, paper: str) -> None:
        """After an action: say what was done and offer its paper (Enter or Ctrl+P opens it)."""
        self._offered = paper
        self.offer_label.setText(text)
        self.offer_button.setVisible(True)
        self.offer.show()
        self.offer_button.setFocus()

    def say(self, text: str) -> None:
        """After an action with no paper of its own: just say what was done."""
        self._offered = None
        self.offer_label.setText(text)
        self.offer_button.setVisible(False)
        self.offer.show()

    def clear_offer(self) -> None:
        self._offered = None
        self.offer.hide()

    def offered(self) -> str | None:
        return self._offered

    def open_offered(self) -> bool:
        """Ask for the offered paper; False when none is offered."""
        if self._offered is None or not self.offer.isVisible():
            return False
        self.sig_paper.emit(self._offered)
        return True

    def _open_offered(self) -> None:
        self.open_offered()

    def first_button(self) -> QPushButton | None:
        """The first action (else paper) button shown: where the keyboard goes on opening."""
        for grid in (self.actions_grid, self.papers_grid):
            item = grid.itemAtPosition(0, 0)
            widget = item.widget() if item is not None else None
            if isinstance(widget, QPushButton):
                return widget
        return None

    def visible_actions(self) -> list[DossierAction]:
        return [a for a, b in self.action_buttons.items() if not b.isHidden()]

    def visible_papers(self) -> list[str]:
        return [k for k, b in self.paper_buttons.items() if not b.isHidden()]

    def fact(self, key: str) -> str:
        return self.fact_labels[key].text()
