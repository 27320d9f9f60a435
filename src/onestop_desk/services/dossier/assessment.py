"""Checking a dossier before it is saved: applicant, form and papers, then its fee and due date."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from sqlalchemy import select

from onestop_desk.core.catalog import EXEMPTIONS, FeeQuote, ProcedureSpec
from onestop_desk.core.citizen_id import Sex as CardSex
from onestop_desk.core.citizen_id import cross_check, validate_id_number
from onestop_desk.core.forms import FormDefinition, defaults_from_applicant, derive, validate
from onestop_desk.core.text import nfc
from onestop_desk.db.models import Procedure
from onestop_desk.errors import NotFound
from onestop_desk.services.calendar import office_calendar
from onestop_desk.services.catalog import load_form, procedure_spec
from onestop_desk.services.dossier.request import (
    DOCUMENT_KINDS,
    MAX_ATTACHMENT_BYTES,
    RESULT_CHANNELS,
    ApplicantInput,
    AttachmentFile,
    ChecklistEntry,
    DossierRequest,
    ValidationFailed,
)
from onestop_desk.services.uow import UnitOfWork

# Luật Hộ tịch: a birth is registered within 60 days; later, the late-registration fee applies.
BIRTH_REGISTRATION_DAYS: Final = 60


@dataclass(frozen=True)
class Assessment:
    """What a dossier would cost and when it would be due, before it is saved."""

    procedure: ProcedureSpec
    procedure_row: Procedure
    form: FormDefinition | None
    form_values: dict[str, str]
    derived: dict[str, str]
    fee: FeeQuote
    late_registration: bool
    received_at: datetime
    due_at: datetime
    due_explanation: tuple[str, ...]
    processing_working_days: int  # 0 for a same-day procedure
    checklist: tuple[ChecklistEntry, ...]


def _procedure_row(uow: UnitOfWork, office_id: uuid.UUID, code: str) -> Procedure:
    row = uow.session.scalar(
        select(Procedure).where(
            Procedure.office_id == office_id,
            Procedure.code == code.strip(),
            Procedure.active.is_(True),
        )
    )
    if row is None:
        raise NotFound(
            f"Không có thủ tục mã '{code}'.",
            "Tìm thủ tục theo tên bằng 'onestop-desk procedure search TÊN'.",
        )
    return row


def _check_applicant(applicant: ApplicantInput, today: date) -> dict[str, str]:
    problems: dict[str, str] = {}
    number_problem = validate_id_number(applicant.id_number.strip())
    if number_problem is not None:
        problems["applicant.id_number"] = number_problem
    if not nfc(applicant.full_name).strip():
        problems["applicant.full_name"] = "Chưa nhập họ và tên người nộp hồ sơ."
    elif len(applicant.full_name) > 200:
        problems["applicant.full_name"] = "Họ và tên dài quá 200 ký tự."
    born = applicant.date_of_birth
    if born is not None and born > today:
        problems["applicant.date_of_birth"] = (
            f"Ngày sinh {born:%d/%m/%Y} ở sau hôm nay; kiểm tra lại ngày sinh."
        )
    phone = (applicant.phone or "").replace(" ", "").replace(".", "")
    if phone and not (phone.lstrip("+").isdigit() and 9 <= len(phone.lstrip("+")) <= 12):
        problems["applicant.phone"] = f"Số điện thoại '{applicant.phone}' không đúng."
    email = (applicant.email or "").strip()
    if email and ("@" not in email or " " in email or len(email) > 200):
        problems["applicant.email"] = f"Địa chỉ thư điện tử '{email}' không đúng."
    return problems


def _labels(form: FormDefinition | None) -> dict[str, str]:
    if form is None:
        return {}
    return {f.id: f"{s.title} › {f.label}" for s in form.sections for f in s.fields}


def _positive(value: str | int | None, default: int) -> int | None:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        return None
    return number if number >= 1 else None


def _is_late_birth(spec: ProcedureSpec, values: Mapping[str, str], received: date) -> bool:
    if spec.fee.late_amount is None:
        return False
    born_text = values.get("child.date_of_birth", "")
    try:
        born = datetime.strptime(born_text.strip(), "%d/%m/%Y").date()
    except ValueError:
        return False
    return (received - born) > timedelta(days=BIRTH_REGISTRATION_DAYS)


def _default_checklist(spec: ProcedureSpec) -> tuple[ChecklistEntry, ...]:
    return tuple(
        ChecklistEntry(name=d.name, kind=d.kind, count=d.count, received=not d.optional)
        for d in spec.documents
    )


def _check_checklist(
    entries: Sequence[ChecklistEntry], spec: ProcedureSpec, max_bytes: int
) -> dict[str, str]:
    problems: dict[str, str] = {}
    received = {nfc(e.name).strip() for e in entries if e.received}
    missing = [d.name for d in spec.documents if not d.optional and d.name not in received]
    if missing:
        problems["checklist"] = "Chưa nhận: " + "; ".join(missing) + "."
    for entry in entries:
        if entry.count < 1:
            problems["checklist"] = f"Số lượng của “{entry.name}” phải từ 1 trở lên."
        if entry.kind not in DOCUMENT_KINDS:
            problems["checklist"] = f"Loại giấy tờ không xác định: {entry.kind!r}."
        for attachment in entry.attachments:
            problem = _attachment_problem(attachment, max_bytes)
            if problem is not None:
                problems["attachment"] = problem
    return problems


def _attachment_problem(attachment: AttachmentFile, max_bytes: int) -> str | None:
    name = attachment.name or attachment.path.name
    try:
        size = attachment.path.stat().st_size
    except OSError:
        return f"Không đọc được tệp “{name}” (tệp đã bị xoá hoặc chuyển đi?)."
    if not attachment.path.is_file():
        return f"“{name}” không phải là một tệp."
    if size > max_bytes:
        return (
            f"Tệp “{name}” nặng {_megabytes(size)}, quá giới hạn {_megabytes(max_bytes)}. "
            "Hãy quét lại ở độ phân giải thấp hơn hoặc chụp từng trang."
        )
    if size == 0:
        return f"Tệp “{name}” rỗng (0 byte)."
    return None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def assess(
    uow: UnitOfWork, *, office_id: uuid.UUID, request: DossierRequest, now: datetime
) -> Assessment:
    """Check a dossier as entered and work out its fee and due date; raise ValidationFailed."""
    row = _procedure_row(uow, office_id, request.procedure_code)
    spec = procedure_spec(row)
    today = now.date()
    problems = _check_applicant(request.applicant, today)

    form = load_form(spec.form) if spec.form else None
    values: dict[str, str] = {}
    derived: dict[str, str] = {}
    if form is not None:
        values = defaults_from_applicant(form, request.applicant.card_values())
        values.update({k: nfc(v).strip() for k, v in request.form_values.items()})
        problems.update(validate(form, values, today=today))
        derived = derive(form, values)
    elif request.form_values:
        problems["form"] = "Thủ tục này không có tờ khai; không cần dữ liệu tờ khai."

    copies = _positive(request.copies or values.get("document.copies"), 1)
    pages = _positive(request.pages or values.get("document.pages"), 1)
    if copies is None:
        problems["copies"] = "Số bản phải là số nguyên từ 1 trở lên."
    if pages is None:
        problems["pages"] = "Số trang phải là số nguyên từ 1 trở lên."

    if request.result_channel not in RESULT_CHANNELS:
        problems["result_channel"] = "Chọn nhận tại Bộ phận Một cửa, qua bưu điện hoặc trực tuyến."
    elif request.result_channel == "post" and not (request.result_address or "").strip():
        problems["result_address"] = "Nhận qua bưu điện thì cần ghi địa chỉ nhận kết quả."
    if request.exemption is not None and request.exemption not in EXEMPTIONS:
        problems["exemption"] = f"Đối tượng miễn lệ phí không xác định: {request.exemption!r}."

    checklist = (
        tuple(request.checklist) if request.checklist is not None else _default_checklist(spec)
    )
    problems.update(_check_checklist(checklist, spec, MAX_ATTACHMENT_BYTES))
    for attachment in request.attachments:
        problem = _attachment_problem(attachment, MAX_ATTACHMENT_BYTES)
        if problem is not None:
            problems["attachment"] = problem
    if problems:
        raise ValidationFailed(problems, _labels(form))

    late = _is_late_birth(spec, values, today)
    fee = spec.fee.quote(
        copies=copies or 1, pages=pages or 1, late=late, exemption=request.exemption
    )
    calendar = office_calendar(uow, office_id)
    timing = spec.processing_time
    if timing.kind == "same_day":
        due = calendar.due(now, same_day=True)
        working_days = 0
    else:
        working_days = timing.days or 0
        due = calendar.due(now, working_days=working_days)
    return Assessment(
        procedure=spec,
        procedure_row=row,
        form=form,
        form_values=values,
        derived=derived,
        fee=fee,
        late_registration=late,
        received_at=now,
        due_at=due.due_at,
        due_explanation=due.explanation,
        processing_working_days=working_days,
        checklist=checklist,
    )


def procedure_for_reception(uow: UnitOfWork, office_id: uuid.UUID, code: str) -> ProcedureSpec:
    """The catalog entry the counter needs once a procedure is chosen (papers, fee, time)."""
    return procedure_spec(_procedure_row(uow, office_id, code))


def card_sex(sex: str | None) -> CardSex | None:
    """The card's sex value for a stored "Nam"/"Nữ"."""
    for member in CardSex:
        if sex is not None and member.value == sex:
            return member
    return None


def applicant_warnings(applicant: ApplicantInput) -> tuple[str, ...]:
    """Mismatches between the ID number and the sex/birth date entered (shown, not blocking)."""
    sex = card_sex(applicant.sex)
    if sex is None or applicant.date_of_birth is None:
        return ()
    if validate_id_number(applicant.id_number.strip()) is not None:
        return ()
    return cross_check(applicant.id_number.strip(), sex, applicant.date_of_birth)
