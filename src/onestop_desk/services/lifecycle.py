"""The dossier after reception: processing, supplements, refusal, extension, stop, result, return.

Each action is one transaction: the dossier row is locked, the move checked against
``core.lifecycle``, the dossier updated and one history event appended with what its paper
(Mẫu 02–06) prints later; an action the state does not allow writes nothing. The papers and the
log book (Mẫu 07) are read from that history, so a reprint years later shows the same words.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select

from onestop_desk.core.lifecycle import (
    DossierAction,
    DossierState,
    IllegalDossierTransition,
    ResultTiming,
    action_label,
    allowed_actions,
    classify_return,
    event_label,
    is_overdue,
    needs_extension,
    next_dossier_state,
    state_label,
    timing_label,
)
from onestop_desk.core.text import nfc
from onestop_desk.db.database import Database
from onestop_desk.db.models import Dossier, DossierEvent, Office, StaffUser, Submission
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
from onestop_desk.services.dossier import DOCUMENT_KINDS, RESULT_CHANNELS
from onestop_desk.services.office import OfficeInfo, office_info
from onestop_desk.services.papers import place_name, unit_name
from onestop_desk.services.uow import UnitOfWork

#: How a paper asked for in Mẫu 02 must be brought: the checklist's kinds, less "shown only".
SUPPLEMENT_KINDS: Final[Mapping[str, str]] = {
    kind: DOCUMENT_KINDS[kind] for kind in ("original", "certified_copy", "copy")
}
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
DESK: Final = "Bộ phận Một cửa"
_MAX_TEXT: Final = 2000  # a reason is a few sentences; a page of text is a paste gone wrong
_MAX_BODY: Final = 300  # the column's width


@dataclass(frozen=True)
class EventView:
    """One entry of a dossier's history, as the counter and ``dossier status`` show it."""

    at: datetime
    kind: str
    label: str
    actor_name: str | None
    from_state: str | None
    to_state: str | None
    note: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class DossierStatus:
    """Where a dossier stands: state, dates, online submission and its whole history."""

    code: str
    state: DossierState
    state_label: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    applicant_id_number: str
    received_at: datetime
    due_at: datetime
    returned_at: datetime | None
    returned_to: str | None
    result_timing: ResultTiming | None
    result_channel: str
    portal_reference: str | None
    portal_status: str | None
    submission_state: str | None
    submission_attempts: int
    submission_error: str | None
    allowed_actions: tuple[DossierAction, ...]
    late: bool  # due date passed and not returned or otherwise closed
    events: tuple[EventView, ...]  # oldest first

    def as_json(self) -> dict[str, Any]:
        """The status as the CLI's ``--json`` prints it."""

        def moment(value: datetime | None) -> str | None:
            return value.isoformat(timespec="minutes") if value is not None else None

        return {
            "code": self.code,
            "state": self.state.value,
            "state_label": self.state_label,
            "procedure_code": self.procedure_code,
            "procedure_name": self.procedure_name,
            "applicant_name": self.applicant_name,
            "applicant_id_number": self.applicant_id_number,
            "received_at": moment(self.received_at),
            "due_at": moment(self.due_at),
            "returned_at": moment(self.returned_at),
            "returned_to": self.returned_to,
            "result_timing": self.result_timing.value if self.result_timing else None,
            "result_timing_label": timing_label(self.result_timing) if self.result_timing else None,
            "result_channel": self.result_channel,
            "portal_reference": self.portal_reference,
            "portal_status": self.portal_status,
            "submission_state": self.submission_state,
            "submission_attempts": self.submission_attempts,
            "submission_error": self.submission_error,
            "allowed_actions": [action.value for action in self.allowed_actions],
            "late": self.late,
            "events": [
                {
                    "at": event.at.isoformat(timespec="seconds"),
                    "kind": event.kind,
                    "label": event.label,
                    "actor_name": event.actor_name,
                    "from_state": event.from_state,
                    "to_state": event.to_state,
                    "note": event.note,
                    "data": event.data,
                }
                for event in self.events
            ],
        }


@dataclass(frozen=True)
class SupplementItem:
    """A paper the citizen must still bring (Mẫu 02)."""

    name: str
    count: int
    kind: str  # original | certified_copy | copy (as on the checklist)


# --- reading -------------------------------------------------------------------------------------


def _find(uow: UnitOfWork, code: str, *, lock: bool = False) -> Dossier:
    wanted = code.strip().upper()
    if not wanted:
        raise InputError("Chưa nhập mã hồ sơ.", "Nhập hoặc quét mã trên giấy hẹn.")
    # Codes are stored in capitals (the agency code is): equality keeps the unique index in use.
    stmt = select(Dossier).where(Dossier.code == wanted)
    if lock:
        # Two counters acting on one dossier queue here (PostgreSQL; SQLite's write lock is
        # already held), so the second sees the first's state. OF: the eager joins stay unlocked.
        stmt = stmt.with_for_update(of=Dossier)
    dossier = uow.session.scalar(stmt)
    if dossier is None:
        raise NotFound(
            f"Không có hồ sơ mã '{code.strip()}'.",
            "Kiểm tra lại mã trên giấy hẹn (dạng 000.24481.H15-261123-0001).",
        )
    return dossier


def _events(uow: UnitOfWork, dossier_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[EventView]]:
    rows = uow.session.execute(
        select(DossierEvent, StaffUser.full_name)
        .outerjoin(StaffUser, StaffUser.id == DossierEvent.actor_id)
        .where(DossierEvent.dossier_id.in_(dossier_ids))
        .order_by(DossierEvent.at)
    ).all()
    found: dict[uuid.UUID, list[EventView]] = {key: [] for key in dossier_ids}
    for event, actor_name in rows:
        found[event.dossier_id].append(
            EventView(
                at=event.at,
                kind=event.kind,
                label=event_label(event.kind),
                actor_name=actor_name,
                from_state=event.from_state,
                to_state=event.to_state,
                note=event.note,
                data=dict(event.data or {}),
            )
        )
    return found


def _statuses(uow: UnitOfWork, dossiers: Sequence[Dossier], now: datetime) -> list[DossierStatus]:
    """Statuses of several dossiers in three queries, whatever their number."""
    ids = [d.id for d in dossiers]
    if not ids:
        return []
    events = _events(uow, ids)
    submissions = {
        s.dossier_id: s
        for s in uow.session.scalars(select(Submission).where(Submission.dossier_id.in_(ids)))
    }
    statuses = []
    for dossier in dossiers:
        state = DossierState(dossier.state)
        submission = submissions.get(dossier.id)
        allowed = allowed_actions(state)
        statuses.append(
            DossierStatus(
                code=dossier.code,
                state=state,
                state_label=state_label(state),
                procedure_code=dossier.procedure.code,
                procedure_name=dossier.procedure.name,
                applicant_name=dossier.applicant.full_name,
                applicant_id_number=dossier.applicant.id_number,
                received_at=dossier.received_at,
                due_at=dossier.due_at,
                returned_at=dossier.returned_at,
                returned_to=dossier.returned_to,
                result_timing=ResultTiming(dossier.result_timing)
                if dossier.result_timing
                else None,
                result_channel=dossier.result_channel,
                portal_reference=dossier.portal_reference,
                portal_status=dossier.portal_status,
                submission_state=submission.state if submission else None,
                submission_attempts=submission.attempts if submission else 0,
                submission_error=submission.last_error if submission else None,
                allowed_actions=tuple(a for a in DossierAction if a in allowed),
                late=is_overdue(state, dossier.due_at, now),
                events=tuple(events[dossier.id]),
            )
        )
    return statuses


def dossier_status(database: Database, code: str, *, now: datetime | None = None) -> DossierStatus:
    """A dossier by code (any case): state, dates, submission and history."""
    with UnitOfWork(database, readonly=True) as uow:
        return _statuses(uow, [_find(uow, code)], now or datetime.now())[0]


def about_to_be_late(
    database: Database, office_id: uuid.UUID, *, now: datetime, within_hours: int = 24
) -> list[DossierStatus]:
    """Open dossiers due within ``within_hours`` that can still be extended (Mẫu 04), soonest first.

    A dossier extended past the window has its new due date and is not listed; one already
    overdue is late (``DossierStatus.late``), no longer about to be.
    """
    if within_hours < 0:
        raise InputError("Khoảng thời gian cảnh báo phải từ 0 giờ trở lên.")
    window = timedelta(hours=within_hours)
    extendable = [s.value for s in DossierState if DossierAction.EXTEND in allowed_actions(s)]
    with UnitOfWork(database, readonly=True) as uow:
        # The index on (office, state, due) narrows it; needs_extension has the last word.
        candidates = uow.session.scalars(
            select(Dossier)
            .where(
                Dossier.office_id == office_id,
                Dossier.state.in_(extendable),
                Dossier.due_at >= datetime.combine(now.date(), time.min),
                Dossier.due_at <= now + window,
            )
            .order_by(Dossier.due_at, Dossier.code)
        ).all()
        wanted = [
            d for d in candidates if needs_extension(DossierState(d.state), d.due_at, now, window)
        ]
        return _statuses(uow, wanted, now)


# --- acting --------------------------------------------------------------------------------------


def _text(value: str | None, what: str, *, limit: int = _MAX_TEXT) -> str:
    text = nfc(value or "").strip()
    if not text:
        raise InputError(f"Chưa ghi {what}.", f"Ghi {what} rồi thực hiện lại.")
    if len(text) > limit:
        raise InputError(f"{what[:1].upper()}{what[1:]} dài quá {limit} ký tự.")
    return text


def _optional(value: str | None) -> str | None:
    text = nfc(value or "").strip()
    return text or None


def _check_staff(uow: UnitOfWork, staff_id: uuid.UUID | None) -> None:
    if staff_id is not None and uow.session.get(StaffUser, staff_id) is None:
        raise NotFound("Cán bộ thực hiện không còn trong cơ sở dữ liệu.", "Đăng nhập lại.")


def _conflict(dossier: Dossier, error: IllegalDossierTransition) -> Conflict:
    state = DossierState(dossier.state)
    possible = [action_label(a) for a in DossierAction if a in allowed_actions(state)]
    hint = (
        f"Lúc này hồ sơ {dossier.code} chỉ có thể: {', '.join(possible)}."
        if possible
        else f"Hồ sơ {dossier.code} đã kết thúc, không thể thao tác thêm."
    )
    return Conflict(str(error), hint)


def _act(
    database: Database,
    code: str,
    action: DossierAction,
    *,
    staff_id: uuid.UUID | None,
    note: str | None,
    now: datetime | None,
    source: str,
    apply: Callable[[UnitOfWork, Dossier], dict[str, Any]] | None = None,
) -> DossierStatus:
    """Run one lifecycle action in one transaction; ``apply`` changes the dossier, returns data."""
    now = now or datetime.now()
    with UnitOfWork(database, source=source) as uow:
        dossier = _find(uow, code, lock=True)
        _check_staff(uow, staff_id)
        before = DossierState(dossier.state)
        try:
            after = next_dossier_state(before, action)
        except IllegalDossierTransition as exc:
            raise _conflict(dossier, exc) from None
        # Raising in apply leaves the transaction uncommitted: nothing is written.
        data = apply(uow, dossier) if apply is not None else {}
        dossier.state = after.value
        uow.session.add(
            DossierEvent(
                dossier_id=dossier.id,
                at=now,
                actor_id=staff_id,
                kind=action.value,
                from_state=before.value,
                to_state=after.value,
                note=note,
                data=data,
            )
        )
        uow.audit(
            f"dossier.{action.value}",
            office_id=dossier.office_id,
            subject_id=dossier.id,
            actor_id=staff_id,
            at=now,
            code=dossier.code,
            state=after.value,
        )
        uow.session.flush()
        status = _statuses(uow, [dossier], now)[0]
        uow.commit()
    return status


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def default_deciding_body(office: Office | OfficeInfo) -> str:
    """Who decides when nobody said: the commune's People's Committee, for most desk procedures."""
    return f"Ủy ban nhân dân {_lower_first(office.name)}"


def start_processing(
    database: Database,
    code: str,
    *,
    staff_id: uuid.UUID | None,
    deciding_body: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
    source: str = "app",
) -> DossierStatus:
    """Hand the dossier to the deciding body (by default the commune's People's Committee)."""
    body = _optional(deciding_body)
    if body is not None and len(body) > _MAX_BODY:
        raise InputError(f"Tên cơ quan giải quyết dài quá {_MAX_BODY} ký tự.")

    def apply(uow: UnitOfWork, dossier: Dossier) -> dict[str, Any]:
        office = uow.session.get(Office, dossier.office_id)
        chosen = (
            body or dossier.deciding_body or (default_deciding_body(office) if office else DESK)
        )
        dossier.deciding_body = chosen
        return {"deciding_body": chosen}

    return _act(
        database,
        code,
        DossierAction.START_PROCESSING,
        staff_id=staff_id,
        note=_optional(note),
        now=now,
        source=source,
        apply=apply,
    )


def _check_items(items: Sequence[SupplementItem]) -> list[dict[str, Any]]:
    if not items:
        raise InputError(
            "Chưa ghi giấy tờ nào cần bổ sung.",
            "Ghi ít nhất một giấy tờ, với số lượng và hình thức "
            "(bản chính, bản sao chứng thực hoặc bản chụp).",
        )
    checked = []
    for number, item in enumerate(items, start=1):
        name = nfc(item.name).strip()
        if not name:
            raise InputError(f"Giấy tờ thứ {number} cần bổ sung chưa có tên.")
        if isinstance(item.count, bool) or not isinstance(item.count, int) or item.count < 1:
            raise InputError(f"Số lượng của “{name}” phải là số nguyên từ 1 trở lên.")
        if item.kind not in SUPPLEMENT_KINDS:
            raise InputError(
                f"Hình thức “{item.kind}” của “{name}” không hợp lệ.",
                "Chọn original (bản chính), certified_copy (bản sao chứng thực) "
                "hoặc copy (bản chụp).",
            )
        checked.append({"name": name, "count": item.count, "kind": item.kind})
    return checked


def request_supplement(
    database: Database,
    code: str,
    *,
    staff_id: uuid.UUID | None,
    items: Sequence[SupplementItem],
    reason: str,
    now: datetime | None = None,
    source: str = "app",
) -> DossierStatus:
    """Ask the citizen for missing or corrected papers (Mẫu 02)."""
    checked = _check_items(items)
    why = _text(reason, "lý do yêu cầu bổ sung")
    return _act(
        database,
        code,
        DossierAction.REQUEST_SUPPLEMENT,
        staff_id=staff_id,
        note=why,
        now=now,
        source=source,
        apply=lambda _uow, _dossier: {"items": checked, "reason": why},
    )


def receive_supplement(
    database: Database,
    code: str,
    *,
    staff_id: uuid.UUID | None,
    note: str | None = None,
    now: datetime | None = None,
    source: str = "app",
) -> DossierStatus:
    """The citizen brought what Mẫu 02 asked for: processing resumes."""
    return _act(
        database,
        code,
        DossierAction.SUPPLEMENT_RECEIVED,
        staff_id=staff_id,
        note=_optional(note),
        now=now,
        source=source,
    )


def refuse(
    database: Database,
    code: str,
    *,
    staff_id: uuid.UUID | None,
    reasons: str,
    now: datetime | None = None,
    source: str = "app",
) -> DossierStatus:
    """Refuse to accept the dossier, with the specific reasons (Mẫu 03)."""
    why = _text(reasons, "lý do từ chối")
    return _act(
        database,
        code,
        DossierAction.REFUSE,
        staff_id=staff_id,
        note=why,
        now=now,
        source=source,
        apply=lambda _uow, _dossier: {"reasons": why},
    )


def extend(
    database: Database,
    code: str,
    *,
    staff_id: uuid.UUID | None,
    new_due_at: datetime,
    reason: str,
    now: datetime | None = None,
    source: str = "app",
) -> DossierStatus:
    """Move the due date later, with the apology letter (Mẫu 04)."""
    why = _text(reason, "lý do gia hạn")

    def apply(_uow: UnitOfWork, dossier: Dossier) -> dict[str, Any]:
        old = dossier.due_at
        if new_due_at <= old:
            raise InputError(
                f"Hạn mới ({format_moment_short(new_due_at)}) phải sau hạn hiện tại "
                f"({format_moment_short(old)}).",
                "Chọn ngày, giờ trả kết quả mới muộn hơn hạn đang hẹn.",
            )
        dossier.due_at = new_due_at
        return {"old_due_at": old.isoformat(), "new_due_at": new_due_at.isoformat(), "reason": why}

    return _act(
        database,
        code,
        DossierAction.EXTEND,
        staff_id=staff_id,
        note=why,
        now=now,
        source=source,
        apply=apply,
    )


def stop(
    database: Database,
    code: str,
    *,
    staff_id: uuid.UUID | None,
    reason: str,
    legal_basis: str,
    now: datetime | None = None,
    source: str = "app",
) -> DossierStatus:
    """Stop handling the dossier, with the reason and its legal basis (Mẫu 05)."""
    why = _text(reason, "lý do dừng giải quyết")
    basis = _text(legal_basis, "căn cứ pháp lý")
    return _act(
        database,
        code,
        DossierAction.STOP,
        staff_id=staff_id,
        note=why,
        now=now,
        source=source,
        apply=lambda _uow, _dossier: {"reason": why, "legal_basis": basis},
    )


def mark_result_ready(
    database: Database,
    code: str,
    *,
    staff_id: uuid.UUID | None,
    note: str | None = None,
    now: datetime | None = None,
    source: str = "app",
) -> DossierStatus:
    """The deciding body handed the result back to the desk; it waits for the citizen."""
    moment = now or datetime.now()

    def apply(_uow: UnitOfWork, dossier: Dossier) -> dict[str, Any]:
        # Mẫu 06 classes each hand-over; this one against the due date it was made under.
        timing = classify_return(dossier.due_at, moment)
        return {"due_at": dossier.due_at.isoformat(), "timing": timing.value}

    return _act(
        database,
        code,
        DossierAction.MARK_RESULT_READY,
        staff_id=staff_id,
        note=_optional(note),
        now=moment,
        source=source,
        apply=apply,
    )


def return_result(
    database: Database,
    code: str,
    *,
    staff_id: uuid.UUID | None,
    to: str,
    channel: str,
    at: datetime | None = None,
    source: str = "app",
) -> DossierStatus:
    """Hand the result over and class it early / on time / late against the due date."""
    receiver = _text(to, "tên người nhận kết quả", limit=200)
    if channel not in RESULT_CHANNELS:
        raise InputError(
            f"Hình thức trả kết quả “{channel}” không hợp lệ.",
            "Chọn desk (tại Bộ phận Một cửa), post (qua bưu điện) hoặc online (trực tuyến).",
        )
    moment = at or datetime.now()

    def apply(_uow: UnitOfWork, dossier: Dossier) -> dict[str, Any]:
        if moment < dossier.received_at:
            raise InputError(
                f"Thời điểm trả ({format_moment_short(moment)}) ở trước lúc tiếp nhận hồ sơ "
                f"({format_moment_short(dossier.received_at)}).",
                "Kiểm tra lại ngày, giờ trả kết quả.",
            )
        timing = classify_return(dossier.due_at, moment)
        dossier.returned_at = moment
        dossier.returned_to = receiver
        dossier.result_timing = timing.value
        dossier.result_channel = channel
        return {
            "returned_to": receiver,
            "channel": channel,
            "timing": timing.value,
            "due_at": dossier.due_at.isoformat(),
        }

    return _act(
        database,
        code,
        DossierAction.RETURN_RESULT,
        staff_id=staff_id,
        note=None,
        now=moment,
        source=source,
        apply=apply,
    )


def perform(
    database: Database,
    code: str,
    action: DossierAction,
    values: Mapping[str, Any],
    *,
    staff_id: uuid.UUID | None,
    now: datetime | None = None,
    source: str = "app",
) -> DossierStatus:
    """Run one action with the fields its form collected (the counter's dialogs, the CLI's options).

    ``values`` holds the keyword arguments of the action's own function above; a supplement's
    ``items`` may be :class:`SupplementItem` or mappings of the same fields.
    """
    match action:
        case DossierAction.START_PROCESSING:
            return start_processing(
                database,
                code,
                staff_id=staff_id,
                deciding_body=values.get("deciding_body"),
                note=values.get("note"),
                now=now,
                source=source,
            )
        case DossierAction.REQUEST_SUPPLEMENT:
            items = [
                item if isinstance(item, SupplementItem) else SupplementItem(**item)
                for item in values["items"]
            ]
            return request_supplement(
                database,
                code,
                staff_id=staff_id,
                items=items,
                reason=values["reason"],
                now=now,
                source=source,
            )
        case DossierAction.SUPPLEMENT_RECEIVED:
            return receive_supplement(
                database, code, staff_id=staff_id, note=values.get("note"), now=now, source=source
            )
        case DossierAction.REFUSE:
            return refuse(
                database, code, staff_id=staff_id, reasons=values["reasons"], now=now, source=source
            )
        case DossierAction.EXTEND:
            return extend(
                database,
                code,
                staff_id=staff_id,
                new_due_at=values["new_due_at"],
                reason=values["reason"],
                now=now,
                source=source,
            )
        case DossierAction.STOP:
            return stop(
                database,
                code,
                staff_id=staff_id,
                reason=values["reason"],
                legal_basis=values["legal_basis"],
                now=now,
                source=source,
            )
        case DossierAction.MARK_RESULT_READY:
            return mark_result_ready(
                database, code, staff_id=staff_id, note=values.get("note"), now=now, source=source
            )
        case DossierAction.RETURN_RESULT:
            return return_result(
                database,
                code,
                staff_id=staff_id,
                to=values["to"],
                channel=values["channel"],
                at=now,
                source=source,
            )
    raise ValueError(f"unknown dossier action {action!r}")


# --- papers --------------------------------------------------------------------------------------


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
            StaffUser.role == "head",
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


def notice_document(database: Database, code: str, form: str, out: Path) -> Path:
    """Write the dossier's Mẫu 02–06 to ``out`` from its history; returns ``out``."""
    number = _form_number(form)
    with UnitOfWork(database, readonly=True) as uow:
        dossier = _find(uow, code)
        office_row = uow.session.get(Office, dossier.office_id)
        if office_row is None:
            raise NotFound("Đơn vị của hồ sơ không còn trong cơ sở dữ liệu.")
        events = _events(uow, [dossier.id])[dossier.id]
        event = None
        if number in _NOTICE_EVENTS:
            event = _latest(events, _NOTICE_EVENTS[number])
            if event is None:
                raise Conflict(
                    f"Hồ sơ {dossier.code} {_MISSING_EVENT[number]} nên không có Mẫu {number}.",
                    f"Trạng thái hiện tại: {state_label(DossierState(dossier.state))}.",
                )
        render = _notice(
            uow, dossier, office_row=office_row, number=number, event=event, events=events
        )
    # Writing the file happens outside the transaction: nothing waits on the disk.
    return render(out)


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
    state = DossierState(dossier.state)
    if state is DossierState.RETURNED and dossier.result_timing:
        return timing_label(ResultTiming(dossier.result_timing))
    if is_overdue(state, dossier.due_at, now):
        return f"{state_label(state)}, quá hạn"
    return state_label(state)


def logbook_document(
    database: Database, office_id: uuid.UUID, start: date, end: date, out: Path
) -> Path:
    """Write the log book (Mẫu 07) of the dossiers received from ``start`` to ``end``."""
    if end < start:
        raise InputError(
            f"Ngày kết thúc {end:%d/%m/%Y} ở trước ngày bắt đầu {start:%d/%m/%Y}.",
            "Đổi lại hai ngày cho đúng thứ tự.",
        )
    now = datetime.now()
    with UnitOfWork(database, readonly=True) as uow:
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
    return render_logbook(book, out)
