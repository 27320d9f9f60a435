"""The dossier's moves: each action checked against ``core.lifecycle``, written with its history.

Every function takes the caller's unit of work and commits it; an action the state does not
allow, or bad input, raises before anything is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Final, assert_never

from onestop_desk.core.lifecycle import (
    DossierAction,
    IllegalDossierTransition,
    action_label,
    allowed_actions,
    classify_return,
    next_dossier_state,
)
from onestop_desk.core.text import nfc
from onestop_desk.db.models import Dossier, DossierEvent, Office, StaffUser
from onestop_desk.documents.notices import format_moment_short
from onestop_desk.errors import Conflict, InputError, NotFound
from onestop_desk.services.dossier import RESULT_CHANNELS
from onestop_desk.services.lifecycle.commands import (
    SUPPLEMENT_KINDS,
    DossierCommand,
    Extend,
    MarkResultReady,
    ReceiveSupplement,
    Refuse,
    RequestSupplement,
    ReturnResult,
    StartProcessing,
    Stop,
    SupplementItem,
)
from onestop_desk.services.lifecycle.status import (
    DESK,
    DossierStatus,
    default_deciding_body,
    find_dossier,
    statuses,
)
from onestop_desk.services.uow import UnitOfWork

_MAX_TEXT: Final = 2000  # a reason is a few sentences; a page of text is a paste gone wrong
_MAX_BODY: Final = 300  # the column's width


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
    state = dossier.state
    possible = [action_label(a) for a in DossierAction if a in allowed_actions(state)]
    hint = (
        f"Lúc này hồ sơ {dossier.code} chỉ có thể: {', '.join(possible)}."
        if possible
        else f"Hồ sơ {dossier.code} đã kết thúc, không thể thao tác thêm."
    )
    return Conflict(str(error), hint)


def _act(
    uow: UnitOfWork,
    code: str,
    action: DossierAction,
    *,
    staff_id: uuid.UUID | None,
    note: str | None,
    now: datetime | None,
    apply: Callable[[UnitOfWork, Dossier], dict[str, Any]] | None = None,
) -> DossierStatus:
    """Run one lifecycle action and commit; ``apply`` changes the dossier, returns its data."""
    now = now or datetime.now()
    dossier = find_dossier(uow, code, lock=True)
    _check_staff(uow, staff_id)
    before = dossier.state
    try:
        after = next_dossier_state(before, action)
    except IllegalDossierTransition as exc:
        raise _conflict(dossier, exc) from None
    # Raising in apply leaves the transaction uncommitted: nothing is written.
    data = apply(uow, dossier) if apply is not None else {}
    dossier.state = after
    uow.session.add(
        DossierEvent(
            dossier_id=dossier.id,
            at=now,
            actor_id=staff_id,
            kind=action.value,
            from_state=before,
            to_state=after,
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
    status = statuses(uow, [dossier], now)[0]
    uow.commit()
    return status


def start_processing(
    uow: UnitOfWork,
    code: str,
    *,
    staff_id: uuid.UUID | None,
    deciding_body: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
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
        uow,
        code,
        DossierAction.START_PROCESSING,
        staff_id=staff_id,
        note=_optional(note),
        now=now,
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
    uow: UnitOfWork,
    code: str,
    *,
    staff_id: uuid.UUID | None,
    items: Sequence[SupplementItem],
    reason: str,
    now: datetime | None = None,
) -> DossierStatus:
    """Ask the citizen for missing or corrected papers (Mẫu 02)."""
    checked = _check_items(items)
    why = _text(reason, "lý do yêu cầu bổ sung")
    return _act(
        uow,
        code,
        DossierAction.REQUEST_SUPPLEMENT,
        staff_id=staff_id,
        note=why,
        now=now,
        apply=lambda _uow, _dossier: {"items": checked, "reason": why},
    )


def receive_supplement(
    uow: UnitOfWork,
    code: str,
    *,
    staff_id: uuid.UUID | None,
    note: str | None = None,
    now: datetime | None = None,
) -> DossierStatus:
    """The citizen brought what Mẫu 02 asked for: processing resumes."""
    return _act(
        uow,
        code,
        DossierAction.SUPPLEMENT_RECEIVED,
        staff_id=staff_id,
        note=_optional(note),
        now=now,
    )


def refuse(
    uow: UnitOfWork,
    code: str,
    *,
    staff_id: uuid.UUID | None,
    reasons: str,
    now: datetime | None = None,
) -> DossierStatus:
    """Refuse to accept the dossier, with the specific reasons (Mẫu 03)."""
    why = _text(reasons, "lý do từ chối")
    return _act(
        uow,
        code,
        DossierAction.REFUSE,
        staff_id=staff_id,
        note=why,
        now=now,
        apply=lambda _uow, _dossier: {"reasons": why},
    )


def extend(
    uow: UnitOfWork,
    code: str,
    *,
    staff_id: uuid.UUID | None,
    new_due_at: datetime,
    reason: str,
    now: datetime | None = None,
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
        uow,
        code,
        DossierAction.EXTEND,
        staff_id=staff_id,
        note=why,
        now=now,
        apply=apply,
    )


def stop(
    uow: UnitOfWork,
    code: str,
    *,
    staff_id: uuid.UUID | None,
    reason: str,
    legal_basis: str,
    now: datetime | None = None,
) -> DossierStatus:
    """Stop handling the dossier, with the reason and its legal basis (Mẫu 05)."""
    why = _text(reason, "lý do dừng giải quyết")
    basis = _text(legal_basis, "căn cứ pháp lý")
    return _act(
        uow,
        code,
        DossierAction.STOP,
        staff_id=staff_id,
        note=why,
        now=now,
        apply=lambda _uow, _dossier: {"reason": why, "legal_basis": basis},
    )


def mark_result_ready(
    uow: UnitOfWork,
    code: str,
    *,
    staff_id: uuid.UUID | None,
    note: str | None = None,
    now: datetime | None = None,
) -> DossierStatus:
    """The deciding body handed the result back to the desk; it waits for the citizen."""
    moment = now or datetime.now()

    def apply(_uow: UnitOfWork, dossier: Dossier) -> dict[str, Any]:
        # Mẫu 06 classes each hand-over; this one against the due date it was made under.
        timing = classify_return(dossier.due_at, moment)
        return {"due_at": dossier.due_at.isoformat(), "timing": timing.value}

    return _act(
        uow,
        code,
        DossierAction.MARK_RESULT_READY,
        staff_id=staff_id,
        note=_optional(note),
        now=moment,
        apply=apply,
    )


def _check_channel(channel: str) -> str:
    if channel not in RESULT_CHANNELS:
        raise InputError(
            f"Hình thức trả kết quả “{channel}” không hợp lệ.",
            "Chọn desk (tại Bộ phận Một cửa), post (qua bưu điện) hoặc online (trực tuyến).",
        )
    return channel


def return_result(
    uow: UnitOfWork,
    code: str,
    *,
    staff_id: uuid.UUID | None,
    to: str,
    channel: str | None = None,
    at: datetime | None = None,
) -> DossierStatus:
    """Hand the result over and class it early / on time / late against the due date.

    ``channel`` None: the way the citizen chose at reception.
    """
    receiver = _text(to, "tên người nhận kết quả", limit=200)
    if channel is not None:
        _check_channel(channel)
    moment = at or datetime.now()

    def apply(_uow: UnitOfWork, dossier: Dossier) -> dict[str, Any]:
        chosen = channel if channel is not None else _check_channel(dossier.result_channel)
        if moment < dossier.received_at:
            raise InputError(
                f"Thời điểm trả ({format_moment_short(moment)}) ở trước lúc tiếp nhận hồ sơ "
                f"({format_moment_short(dossier.received_at)}).",
                "Kiểm tra lại ngày, giờ trả kết quả.",
            )
        timing = classify_return(dossier.due_at, moment)
        dossier.returned_at = moment
        dossier.returned_to = receiver
        dossier.result_timing = timing
        dossier.result_channel = chosen
        return {
            "returned_to": receiver,
            "channel": chosen,
            "timing": timing.value,
            "due_at": dossier.due_at.isoformat(),
        }

    return _act(
        uow,
        code,
        DossierAction.RETURN_RESULT,
        staff_id=staff_id,
        note=None,
        now=moment,
        apply=apply,
    )


def perform(
    uow: UnitOfWork,
    code: str,
    command: DossierCommand,
    *,
    staff_id: uuid.UUID | None,
    now: datetime | None = None,
) -> DossierStatus:
    """Run one action as its form collected it (the counter's dialogs, the CLI's options)."""
    match command:
        case StartProcessing(deciding_body=body, note=note):
            return start_processing(
                uow, code, staff_id=staff_id, deciding_body=body, note=note, now=now
            )
        case RequestSupplement(items=items, reason=reason):
            return request_supplement(
                uow, code, staff_id=staff_id, items=items, reason=reason, now=now
            )
        case ReceiveSupplement(note=note):
            return receive_supplement(uow, code, staff_id=staff_id, note=note, now=now)
        case Refuse(reasons=reasons):
            return refuse(uow, code, staff_id=staff_id, reasons=reasons, now=now)
        case Extend(new_due_at=new_due_at, reason=reason):
            return extend(
                uow, code, staff_id=staff_id, new_due_at=new_due_at, reason=reason, now=now
            )
        case Stop(reason=reason, legal_basis=basis):
            return stop(uow, code, staff_id=staff_id, reason=reason, legal_basis=basis, now=now)
        case MarkResultReady(note=note):
            return mark_result_ready(uow, code, staff_id=staff_id, note=note, now=now)
        case ReturnResult(to=to, channel=channel):
            return return_result(uow, code, staff_id=staff_id, to=to, channel=channel, at=now)
        case _:
            assert_never(command)
