"""Who the citizen is: read from the ID card's QR code or typed, checked, then confirmed."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QWidget,
)

from onestop_desk.core.citizen_id import (
    CitizenCard,
    InvalidCardPayload,
    cross_check,
    looks_garbled,
    parse_card_qr,
    repair_mojibake,
    validate_id_number,
)
from onestop_desk.gui import messages
from onestop_desk.gui.operations import QueryOp
from onestop_desk.gui.reception import style
from onestop_desk.gui.reception.citizen_form import FIELDS, CitizenForm
from onestop_desk.gui.widgets import bundled_font_family, restyle
from onestop_desk.services.reception import (
    Applicant,
    digits_only,
)

__all__ = ["FIELDS", "CitizenPanel"]

log = logging.getLogger("onestop.gui.reception")


# A slow scanner's payload typed into a field: a 12-digit number, a bar, and the rest of the card.
_PAYLOAD_IN_TEXT = re.compile(r"\d{12}\|.*")
_PAYLOAD_MIN_BARS = 6


class CitizenPanel(CitizenForm):
    """Identify the citizen in front of the desk: scan the card, or type, then confirm.

    ``lookup(id_number)`` (run in the background) finds a citizen who has filed here before;
    what it knows fills the fields still empty. ``sig_confirmed`` carries the checked
    ``Applicant``; ``sig_changed`` fires on every edit, scan or fill (not on ``set_values``).
    """

    #: The specialist confirmed the citizen (an ``Applicant``).
    sig_confirmed = Signal(object)
    #: Something in the form changed (by hand, by a scan or by a look-up): drafts follow it.
    sig_changed = Signal()

    def __init__(
        self,
        lookup: Callable[[str], Applicant | None] | None = None,
        *,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._lookup = lookup
        self._today = today
        self._quiet = 0  # > 0 while the panel fills fields itself
        self._looked_up: str | None = None  # the number last sent to lookup
        self._lookups = 0  # look-ups under way
        self._shown_warnings: tuple[str, ...] = ()
        self._card_warnings: tuple[str, ...] = ()
        self._garbled: set[QLineEdit] = set()  # fields a scan filled with broken letters
        self.setObjectName("citizenPanel")
        font = QFont(self.font())
        font.setFamily(bundled_font_family())
        self.setFont(font)
        self.setStyleSheet(style.sheet("citizen"))
        self._build()
        self._connect()

    # --- layout -------------------------------------------------------------------------------

    def _connect(self) -> None:
        for edit in self._line_edits():
            edit.textChanged.connect(lambda _text, edit=edit: self._edited(edit))
        self.sex_combo.currentIndexChanged.connect(lambda _i: self._edited(self.sex_combo))
        self.id_edit.textChanged.connect(self._id_changed)
        self.dob_edit.editingFinished.connect(self._tidy_date)
        self.confirm_button.clicked.connect(self.confirm)
        self.clear_button.clicked.connect(self.clear)

    # --- public -------------------------------------------------------------------------------
    def load_payload(self, text: str) -> bool:
        """Fill the form from a scanned QR payload; on a bad payload say why and change nothing."""
        try:
            card = parse_card_qr(text, today=self._today())
        except InvalidCardPayload as exc:
            # The message may quote the card's fields: personal data stays out of the log.
            log.info("card payload refused (%d characters)", len(text))
            self._show_error(
                self.tr(
                    "Không đọc được mã QR trên thẻ: {reason}\n"
                    "Vui lòng quét lại, hoặc nhập tay thông tin của công dân."
                ).format(reason=exc)
            )
            return False
        self.load_card(card)
        return True

    def load_card(self, card: CitizenCard) -> None:
        """Fill the form from a card read by the scanner and point at what needs a look."""
        same_person = digits_only(self.id_edit.text()) == card.id_number
        self._quiet += 1
        try:
            self._reset_marks()
            self.id_edit.setText(card.id_number)
            self.old_id_edit.setText(card.old_id_number or "")
            self.name_edit.setText(card.full_name)
            self.dob_edit.setText(f"{card.date_of_birth:%d/%m/%Y}")
            self._set_sex(card.sex)
            self.address_edit.setText(card.address)
            if not same_person:  # the previous citizen's contacts must not stay
                self.phone_edit.clear()
                self.email_edit.clear()
        finally:
            self._quiet -= 1

        issued = (
            self.tr(" (thẻ cấp ngày {date})").format(date=f"{card.issue_date:%d/%m/%Y}")
            if card.issue_date
            else ""
        )
        self.source_label.setText(
            self.tr("Đã đọc mã QR trên thẻ Căn cước{issued}. Vui lòng đối chiếu với thẻ.").format(
                issued=issued
            )
        )
        garbled_values: list[str] = []
        self._garbled.clear()
        for edit, value, advice in (
            (
                self.name_edit,
                card.full_name,
                self.tr("Tên trên thẻ bị lỗi dấu do máy quét, vui lòng gõ lại."),
            ),
            (
                self.address_edit,
                card.address,
                self.tr("Địa chỉ trên thẻ bị lỗi dấu do máy quét, vui lòng gõ lại."),
            ),
        ):
            if value and looks_garbled(value):
                self._garbled.add(edit)
                garbled_values.append(f"“{value}”")
                repaired = repair_mojibake(value)
                guess = (
                    " " + self.tr("Có thể đúng là “{text}”.").format(text=repaired)
                    if repaired is not None
                    else ""
                )
                self._note_for(edit).setText(advice + guess)
        # The parser's warnings about those fields are said beside the fields instead.
        self._card_warnings = tuple(
            w for w in card.warnings if not any(v in w for v in garbled_values)
        )
        self._show_warnings(self._card_warnings)
        self._refresh_garbled()
        if self.name_edit in self._garbled:
            self._focus(self.name_edit)
        elif self.address_edit in self._garbled:
            self._focus(self.address_edit)
        else:
            self._focus(self.phone_edit)  # what the card does not say: ask for it next
        log.info("citizen card loaded (%d warnings)", len(card.warnings))
        self.sig_changed.emit()

    def confirm(self) -> Applicant | None:
        """Check the form; emit and return the record, or show what to fix and return None.

        Warnings (the number disagrees with the sex or birth year) are shown first; confirming
        again with them on screen goes ahead.
        """
        if self._take_typed_payload():
            return None
        record, problems = self._check()
        wrong = {widget for widget, _text in problems}
        for widget in self._inputs():
            restyle(widget, "invalid", widget in wrong)
        if problems or record is None:
            lines = "\n".join(f"• {text}" for _widget, text in problems)
            self._show_error(self.tr("Vui lòng sửa trước khi xác nhận:") + "\n" + lines)
            self._focus(problems[0][0])
            return None
        self.error_box.hide()
        warnings = cross_check(record.id_number, record.sex, record.date_of_birth)
        new = [w for w in warnings if w not in self._shown_warnings]
        if new:
            self._show_warnings(
                (*self._shown_warnings, *new),
                footer=self.tr("Nếu thông tin đúng như trên thẻ, nhấn Xác nhận lần nữa."),
            )
            self.confirm_button.setFocus()
            return None
        log.info("citizen confirmed")
        self.sig_confirmed.emit(record)
        return record

    def clear(self) -> None:
        """Empty the form for the next citizen."""
        self._quiet += 1
        try:
            for edit in self._line_edits():
                edit.clear()
            self.sex_combo.setCurrentIndex(-1)
        finally:
            self._quiet -= 1
        self._reset_marks()
        self._garbled.clear()
        self._refresh_garbled()
        self._card_warnings = ()
        self._show_warnings(())
        self.error_box.hide()
        self.returning_note.hide()
        self.source_label.setText(self._default_source())
        self._focus(self.id_edit)
        self.sig_changed.emit()

    def is_busy(self) -> bool:
        """True while a look-up of a returning citizen runs."""
        return self._lookups > 0

    # --- checks -------------------------------------------------------------------------------

    def _take_typed_payload(self) -> bool:
        """A scanner too slow for the wedge detector typed a payload into a field: load it."""
        for edit in self._line_edits():
            match = _PAYLOAD_IN_TEXT.search(edit.text())
            if match is None or match.group().count("|") < _PAYLOAD_MIN_BARS:
                continue
            payload = match.group()
            self._quiet += 1
            try:
                edit.setText(edit.text()[: match.start()])
            finally:
                self._quiet -= 1
            self.load_payload(payload)
            return True
        return False

    # --- look-up of a returning citizen -------------------------------------------------------
    def _id_changed(self, text: str) -> None:
        number = digits_only(text)
        if number != self._looked_up:
            self.returning_note.hide()
        if validate_id_number(number) is not None:
            self._looked_up = None
            return
        if self._lookup is None or number == self._looked_up:
            return
        self._looked_up = number
        self._lookups += 1
        self.lookup_status.setText(self.tr("Đang tìm hồ sơ cũ của công dân…"))
        lookup = self._lookup
        QueryOp(
            lambda: lookup(number),
            success=lambda record: self._found(number, record),
            failure=lambda exc: self._lookup_failed(number, exc),
            parent=self,
        ).run_in_background()

    def _lookup_done(self, number: str) -> bool:
        self._lookups -= 1
        if self._lookups == 0:
            self.lookup_status.clear()
        return number == digits_only(self.id_edit.text())  # else the answer is stale

    def _found(self, number: str, record: Applicant | None) -> None:
        if not self._lookup_done(number) or record is None:
            return
        filled: list[str] = []
        self._quiet += 1
        try:
            for edit, value, what in (
                (self.old_id_edit, record.old_id_number, self.tr("số CMND cũ")),
                (self.name_edit, record.full_name, self.tr("họ tên")),
                (self.dob_edit, f"{record.date_of_birth:%d/%m/%Y}", self.tr("ngày sinh")),
                (self.address_edit, record.address, self.tr("nơi thường trú")),
                (self.phone_edit, record.phone, self.tr("điện thoại")),
                (self.email_edit, record.email, self.tr("email")),
            ):
                if value and not edit.text().strip():
                    edit.setText(value)
                    filled.append(what)
            if self.sex_combo.currentIndex() < 0:
                self._set_sex(record.sex)
                filled.append(self.tr("giới tính"))
        finally:
            self._quiet -= 1
        text = self.tr("Công dân đã từng nộp hồ sơ tại đây.")
        if filled:
            text += " " + self.tr(
                "Đã điền sẵn {fields} từ hồ sơ trước; vui lòng hỏi lại công dân xem còn đúng không."
            ).format(fields=", ".join(filled))
        self.returning_note.setText(text)
        self.returning_note.show()
        if filled:
            self.sig_changed.emit()

    def _lookup_failed(self, number: str, exc: Exception) -> None:
        self._lookup_done(number)
        # Not finding old dossiers does not stop the reception: say it quietly.
        messages.report(exc, what="citizen look-up failed", bug_text="", logger=log)
        self.lookup_status.setText(
            self.tr("Không tra được hồ sơ cũ của công dân; vẫn nhập tiếp được.")
        )

    # --- feedback -----------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        # Line edits and the combo box pass Enter up to here.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.confirm()
            event.accept()
            return
        super().keyPressEvent(event)

    def _edited(self, widget: QWidget) -> None:
        if self._quiet:
            return
        restyle(widget, "invalid", False)
        if widget in self._garbled:
            self._refresh_garbled()
        # Warnings found on confirming were about the old values; the card's own stay.
        checked = widget in (self.id_edit, self.dob_edit, self.sex_combo)
        if checked and self._shown_warnings != self._card_warnings:
            self._show_warnings(self._card_warnings)
        self.sig_changed.emit()

    def _refresh_garbled(self) -> None:
        for edit in (self.name_edit, self.address_edit):
            broken = edit in self._garbled and looks_garbled(edit.text())
            if not broken:
                self._garbled.discard(edit)
            restyle(edit, "attention", broken)
            self._note_for(edit).setVisible(broken)

    def _note_for(self, edit: QLineEdit) -> QLabel:
        return self.name_note if edit is self.name_edit else self.address_note

    def _tidy_date(self) -> None:
        born, problem = self._date_of_birth()
        if born is not None and problem is None:
            tidy = f"{born:%d/%m/%Y}"
            if tidy != self.dob_edit.text():
                self._quiet += 1
                try:
                    self.dob_edit.setText(tidy)
                finally:
                    self._quiet -= 1

    def _reset_marks(self) -> None:
        for widget in self._inputs():
            restyle(widget, "invalid", False)
        self.error_box.hide()

    def _show_error(self, text: str) -> None:
        self.error_box.setText(text)
        self.error_box.show()

    def _show_warnings(self, warnings: tuple[str, ...], *, footer: str = "") -> None:
        self._shown_warnings = warnings
        if not warnings:
            self.warning_box.hide()
            return
        lines = [self.tr("Lưu ý khi đối chiếu với thẻ:"), *(f"• {w}" for w in warnings)]
        if footer:
            lines.append(footer)
        self.warning_box.setText("\n".join(lines))
        self.warning_box.show()

    def _focus(self, widget: QWidget) -> None:
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(widget, QLineEdit):
            widget.selectAll()
