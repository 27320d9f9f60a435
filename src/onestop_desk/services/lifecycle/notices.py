"""A dossier's papers (Mẫu 02–06) and the log book (Mẫu 07), read from the dossier's history.

Each reader takes a unit of work and returns a writer: the data is read in the transaction,
the file is written after it, so nothing waits on the disk with the transaction open.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select

from onestop_desk.core.lifecycle import (
    DossierAction,
    DossierState,
    ResultTiming,
    is_overdue,
    state_label,
    timing_label,
)
from onestop_desk.core.roles import Role
from onestop_desk.db.models import Dossier, Office, StaffUser
from onestop_desk.documents.notices import (
    ExtensionData,
    Handover,
    Letterhead,
    LogbookData,
    LogbookRow,
    NoticeApplicant,
    RefusalData,
    StopNoticeData,
    SupplementLine,
    SupplementRequestData,
    TrackingSlipData,
    format_moment_short,
    render_extension,
    render_logbook,
    render_refusal,
    render_stop_notice,
    render_supplement_request,
    render_tracking_slip,
)
from onestop_desk.errors import Conflict, InputError, NotFound
from onestop_desk.services.lifecycle.commands import SUPPLEMENT_KINDS
from onestop_desk.services.lifecycle.status import (
    DESK,
    EventView,
    default_deciding_body,
    dossier_events,
    find_dossier,
)
from onestop_desk.services.office import OfficeInfo, office_info
from onestop_desk.services.papers import place_name, unit_name
from onestop_desk.services.uow import UnitOfWork

#: A paper read from the database: called with the path to write, returns that path.
PaperWriter = Callable[[Path], Path]

#: The notices a dossier can print, by form number.
NOTICE_FORMS: Final = ("02", "03", "04", "05", "06")
# Which history event a notice prints (the latest of its kind).
_NOTICE_EVENTS: Final[Mapping[str, DossierAction]] = {
    "02": DossierAction.REQUEST_SUPPLEMENT,
    "03": DossierAction.REFUSE,
    "04": DossierAction.EXTEND,
    "05": DossierAction.STOP,
}
_CHANNEL_RETURNED: Final[Mapping[str, str]] = {
    "desk": "Tại Bộ phận Một cửa",
    "post": "Qua dịch vụ bưu chính công ích",
    "online": "Trực tuyến",
}


def _salutation(sex: str | None) -> str:
    return {"Nam": "Ông", "Nữ": "Bà"}.get(sex or "", "Ông/Bà")


def _applicant(dossier: Dossier) -> NoticeApplicant:
    person = dossier.applicant
    return NoticeApplicant(
        name=person.full_name,
        address=person.address or "",
        phone=person.phone or "",
        email=person.email or "",
        id_number=person.id_number,
        salutation=_salutation(person.sex),
    )


def _receipt_number(dossier: Dossier) -> str:
    """The number printed on the dossier's Mẫu 01, which the desk's own slips carry too."""
    year = dossier.logbook_year or dossier.received_at.year
    return f"{dossier.logbook_number or 0:04d}/{year}"


def _staff_name(uow: UnitOfWork, staff_id: uuid.UUID | None) -> str:
    if staff_id is None:
        return ""
    staff = uow.session.get(StaffUser, staff_id)
    return staff.full_name if staff is not None else ""


def _head_name(uow: UnitOfWork, office_id: uuid.UUID) -> str:
    """The centre's head, who signs letters (Mẫu 04, 05); "" leaves the name to write by hand."""
    name = uow.session.scalar(
        select(StaffUser.full_name)
        .where(
            StaffUser.office_id == office_id,
            StaffUser.role == Role.HEAD,
            StaffUser.active.is_(True),
        )
        .order_by(StaffUser.created_at, StaffUser.username)
        .limit(1)
    )
    return name or ""


def _moment(data: Mapping[str, Any], key: str, default: datetime) -> datetime:
    value = data.get(key)
    return datetime.fromisoformat(value) if isinstance(value, str) else default


def _timing_text(data: Mapping[str, Any]) -> str:
    value = data.get("timing")
    for timing in ResultTiming:
        if timing.value == value:
            return timing_label(timing)
    return ""


def _handovers(dossier: Dossier, events: Sequence[EventView], body: str) -> list[Handover]:
    """The tracking slip's rows: each event that moved the dossier, or a paper, between hands."""
    applicant = dossier.applicant.full_name
    citizen = f"{applicant} (người nộp hồ sơ)"
    rows: list[Handover] = []
    for event in events:
        actor = event.actor_name or ""
        data = event.data
        # Before processing the dossier is with the desk; after, with the deciding body.
        holder = body if event.from_state == DossierState.PROCESSING.value else DESK
        kind = event.kind
        if kind == "received":
            rows.append(Handover(citizen, DESK, event.at, applicant, actor, note=event.note or ""))
        elif kind == DossierAction.START_PROCESSING.value:
            to_body = str(data.get("deciding_body") or body)
            rows.append(Handover(DESK, to_body, event.at, actor, note=event.note or ""))
        elif kind == DossierAction.REQUEST_SUPPLEMENT.value:
            reason = str(data.get("reason") or "")
            note = "Yêu cầu bổ sung hồ sơ (Mẫu 02)" + (f": {reason}" if reason else "")
            rows.append(Handover(holder, citizen, event.at, actor, applicant, note=note))
        elif kind == DossierAction.SUPPLEMENT_RECEIVED.value:
            note = "Nhận hồ sơ bổ sung" + (f": {event.note}" if event.note else "")
            rows.append(Handover(citizen, DESK, event.at, applicant, actor, note=note))
        elif kind == DossierAction.EXTEND.value:
            new_due = _moment(data, "new_due_at", dossier.due_at)
            note = f"Gia hạn đến {format_moment_short(new_due)} (Mẫu 04): {data.get('reason', '')}"
            rows.append(Handover(holder, citizen, event.at, actor, applicant, note=note))
        elif kind == DossierAction.REFUSE.value:
            note = f"Từ chối tiếp nhận (Mẫu 03): {data.get('reasons', '')}"
            rows.append(Handover(DESK, citizen, event.at, actor, applicant, note=note))
        elif kind == DossierAction.STOP.value:
            note = f"Dừng giải quyết (Mẫu 05): {data.get('reason', '')}"
            rows.append(Handover(holder, citizen, event.at, actor, applicant, note=note))
        elif kind == DossierAction.MARK_RESULT_READY.value:
            note = event.note or "Có kết quả giải quyết"
            timing = _timing_text(data)
            rows.append(Handover(body, DESK, event.at, "", actor, timing=timing, note=note))
        elif kind == DossierAction.RETURN_RESULT.value:
            to = str(data.get("returned_to") or applicant)
            note = _CHANNEL_RETURNED.get(str(data.get("channel")), "")
            timing = _timing_text(data)
            rows.append(Handover(DESK, to, event.at, actor, to, timing=timing, note=note))
        # Other entries (the online system's news) are not hand-overs.
    return rows


def _latest(events: Sequence[EventView], action: DossierAction) -> EventView | None:
    return next((e for e in reversed(events) if e.kind == action.value), None)


def _form_number(form: str) -> str:
    number = form.strip().removeprefix("Mẫu").removeprefix("mau").strip().zfill(2)
    if number not in NOTICE_FORMS:
        raise InputError(
            f"Không có mẫu '{form}' cho một hồ sơ.",
            "Chọn 02 (yêu cầu bổ sung), 03 (từ chối), 04 (xin lỗi, gia hạn), "
            "05 (dừng giải quyết) hoặc 06 (phiếu kiểm soát).",
        )
    return number


_MISSING_EVENT: Final[Mapping[str, str]] = {
    "02": "chưa có yêu cầu bổ sung nào",
    "03": "không bị từ chối tiếp nhận",
    "04": "chưa được gia hạn",
    "05": "không bị dừng giải quyết",
}


def notice_document(uow: UnitOfWork, code: str, form: str) -> PaperWriter:
    """Read the dossier's Mẫu 02–06 from its history; the writer makes the file at its path."""
    number = _form_number(form)
    dossier = find_dossier(uow, code)
    office_row = uow.session.get(Office, dossier.office_id)
    if office_row is None:
        raise NotFound("Đơn vị của hồ sơ không còn trong cơ sở dữ liệu.")
    events = dossier_events(uow, [dossier.id])[dossier.id]
    event = None
    if number in _NOTICE_EVENTS:
        event = _latest(events, _NOTICE_EVENTS[number])
        if event is None:
            raise Conflict(
                f"Hồ sơ {dossier.code} {_MISSING_EVENT[number]} nên không có Mẫu {number}.",
                f"Trạng thái hiện tại: {state_label(dossier.state)}.",
            )
    return _notice(uow, dossier, office_row=office_row, number=number, event=event, events=events)


def _letterhead(office: OfficeInfo, number: str, dated: date) -> Letterhead:
    return Letterhead(unit_name(office), place_name(office), number, dated)


def _notice(
    uow: UnitOfWork,
    dossier: Dossier,
    *,
    office_row: Office,
    number: str,
    event: EventView | None,
    events: Sequence[EventView],
) -> Callable[[Path], Path]:
    """The render call for one form, its data read while the session is open."""
    office = office_info(office_row)
    applicant = _applicant(dossier)
    procedure = dossier.procedure.name
    receipt_number = _receipt_number(dossier)
    body = dossier.deciding_body or default_deciding_body(office)
    if number == "06":
        slip = TrackingSlipData(
            letterhead=_letterhead(office, receipt_number, dossier.received_at.date()),
            code=dossier.code,
            receipt_number=receipt_number,
            applicant_name=applicant.name,
            procedure_name=procedure,
            deciding_body=body,
            received_at=dossier.received_at,
            due_at=dossier.due_at,
            handovers=_handovers(dossier, events, body),
        )
        return lambda out: render_tracking_slip(slip, out)
    if event is None:  # notice_document looked it up for 02-05
        raise ValueError(f"Mẫu {number} needs its history event")
    data = event.data
    dated = event.at.date()
    officer = event.actor_name or _staff_name(uow, dossier.received_by_id)
    if number == "02":
        # The desk's phone, where the office has set one; otherwise the form leaves dots.
        phone = str((office_row.settings or {}).get("phone", ""))
        request = SupplementRequestData(
            letterhead=_letterhead(office, receipt_number, dated),
            code=dossier.code,
            applicant=applicant,
            procedure_name=procedure,
            items=[
                SupplementLine(
                    str(item["name"]),
                    int(item["count"]),
                    SUPPLEMENT_KINDS.get(str(item["kind"]), str(item["kind"])),
                )
                for item in data.get("items", [])
            ],
            reason=str(data.get("reason", "")),
            contact_name=officer,
            contact_phone=phone,
            guide_name=officer,
        )
        return lambda out: render_supplement_request(request, out)
    if number == "03":
        refusal = RefusalData(
            letterhead=_letterhead(office, receipt_number, dated),
            code=dossier.code,
            desk_name=office.center_name,
            applicant=applicant,
            procedure_name=procedure,
            reasons=str(data.get("reasons", "")),
            receiver_name=officer,
        )
        return lambda out: render_refusal(refusal, out)
    # Letters (04, 05) take their number from the office's register of outgoing documents.
    head = _head_name(uow, dossier.office_id)
    if number == "04":
        letter = ExtensionData(
            letterhead=_letterhead(office, "", dated),
            code=dossier.code,
            agency_name=office.center_name,
            applicant=applicant,
            procedure_name=procedure,
            received_at=dossier.received_at,
            old_due_at=_moment(data, "old_due_at", dossier.due_at),
            new_due_at=_moment(data, "new_due_at", dossier.due_at),
            reason=str(data.get("reason", "")),
            signer_name=head,
        )
        return lambda out: render_extension(letter, out)
    notice = StopNoticeData(
        letterhead=_letterhead(office, "", dated),
        code=dossier.code,
        agency_name=office.center_name,
        applicant=applicant,
        procedure_name=procedure,
        received_at=dossier.received_at,
        reason=str(data.get("reason", "")),
        legal_basis=str(data.get("legal_basis", "")),
        signer_name=head,
    )
    return lambda out: render_stop_notice(notice, out)


def _logbook_note(dossier: Dossier, now: datetime) -> str:
    state = dossier.state
    if state is DossierState.RETURNED and dossier.result_timing is not None:
        return timing_label(dossier.result_timing)
    if is_overdue(state, dossier.due_at, now):
        return f"{state_label(state)}, quá hạn"
    return state_label(state)


def logbook_document(uow: UnitOfWork, office_id: uuid.UUID, start: date, end: date) -> PaperWriter:
    """Read the log book (Mẫu 07) of the dossiers received from ``start`` to ``end``."""
    if end < start:
        raise InputError(
            f"Ngày kết thúc {end:%d/%m/%Y} ở trước ngày bắt đầu {start:%d/%m/%Y}.",
            "Đổi lại hai ngày cho đúng thứ tự.",
        )
    now = datetime.now()
    office_row = uow.session.get(Office, office_id)
    if office_row is None:
        raise NotFound("Đơn vị không còn trong cơ sở dữ liệu.")
    office = office_info(office_row)
    dossiers = uow.session.scalars(
        select(Dossier)
        .where(
            Dossier.office_id == office_id,
            Dossier.received_at >= datetime.combine(start, time.min),
            Dossier.received_at < datetime.combine(end + timedelta(days=1), time.min),
        )
        .order_by(
            Dossier.logbook_year.nulls_last(),
            Dossier.logbook_number.nulls_last(),
            Dossier.received_at,
        )
    ).all()
    rows = [
        LogbookRow(
            number=d.logbook_number or 0,
            code=d.code,
            procedure_name=d.procedure.name,
            applicant_name=d.applicant.full_name,
            address=d.applicant.address or "",
            phone=d.applicant.phone or "",
            deciding_body=d.deciding_body or "",
            received_at=d.received_at,
            due_at=d.due_at,
            returned_at=d.returned_at,
            result_channel=_CHANNEL_RETURNED.get(d.result_channel, d.result_channel),
            returned_to=d.returned_to or "",
            note=_logbook_note(d, now),
        )
        for d in dossiers
    ]
    volumes = sorted({start.year, end.year})
    book = LogbookData(
        letterhead=_letterhead(office, " – ".join(f"01/{y}" for y in volumes), now.date()),
        start=start,
        end=end,
        rows=rows,
    )
    return lambda out: render_logbook(book, out)
