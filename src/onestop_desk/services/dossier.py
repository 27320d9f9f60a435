"""Reception: check a dossier, price it, date it, and save it with its code in one transaction.

A dossier is saved with everything that belongs to it (the citizen, the checklist, the stored
attachments, the first history event and the submission queued for the online system), or not
at all: a problem anywhere raises before the first write and nothing is left half-way.
"""

from __future__ import annotations

import hashlib
import mimetypes
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal

from sqlalchemy import ColumnElement, func, select

from onestop_desk.core.catalog import (
    EXEMPTIONS,
    DocumentKind,
    FeeQuote,
    ProcedureSpec,
    format_vnd,
)
from onestop_desk.core.citizen_id import Sex as CardSex
from onestop_desk.core.citizen_id import cross_check, validate_id_number
from onestop_desk.core.dossier_code import format_dossier_code
from onestop_desk.core.forms import FormDefinition, defaults_from_applicant, derive, validate
from onestop_desk.core.lifecycle import DossierState
from onestop_desk.core.submission import SubmissionState
from onestop_desk.core.text import nfc, search_key
from onestop_desk.db.models import (
    Citizen,
    Dossier,
    DossierAttachment,
    DossierCounter,
    DossierDocument,
    DossierEvent,
    LogbookCounter,
    Office,
    Procedure,
    StaffUser,
    StoredFile,
    Submission,
)
from onestop_desk.errors import InputError, NotFound
from onestop_desk.services.calendar import office_calendar
from onestop_desk.services.catalog import load_form, procedure_spec
from onestop_desk.services.drafts import delete_draft_in
from onestop_desk.services.uow import UnitOfWork

ResultChannel = Literal["desk", "post", "online"]
RESULT_CHANNELS: Final[tuple[ResultChannel, ...]] = ("desk", "post", "online")
DOCUMENT_KINDS: Final[Mapping[DocumentKind, str]] = {
    "original": "Bản chính",
    "certified_copy": "Bản sao chứng thực",
    "copy": "Bản chụp",
    "present": "Xuất trình bản chính",
}
# Scans and phone photos of papers are a few MB; a bigger file is almost always a mistake
# (a video, a whole folder zipped) and would slow every PC sharing the database.
MAX_ATTACHMENT_BYTES: Final = 20 * 1024 * 1024
# Luật Hộ tịch: a birth is registered within 60 days; later, the late-registration fee applies.
BIRTH_REGISTRATION_DAYS: Final = 60
_HASH_CHUNK: Final = 1024 * 1024


class ValidationFailed(InputError):
    """The dossier cannot be saved as given; ``problems`` maps each field to its message."""

    def __init__(
        self, problems: Mapping[str, str], labels: Mapping[str, str] | None = None
    ) -> None:
        self.problems = dict(problems)
        names = {**_FIELD_NAMES, **(labels or {})}
        lines = [
            f"- {names[key]} ({key}): {message}" if key in names else f"- {key}: {message}"
            for key, message in problems.items()
        ]
        super().__init__(
            "Hồ sơ chưa lưu được vì còn thông tin chưa đúng:\n" + "\n".join(lines),
            "Sửa các mục trên rồi lưu lại; những gì đã nhập vẫn còn nguyên.",
        )


_FIELD_NAMES: Final = {
    "applicant.id_number": "Số định danh cá nhân",
    "applicant.full_name": "Họ và tên người nộp",
    "applicant.date_of_birth": "Ngày sinh người nộp",
    "applicant.phone": "Điện thoại",
    "applicant.email": "Thư điện tử",
    "result_channel": "Hình thức nhận kết quả",
    "result_address": "Địa chỉ nhận kết quả",
    "exemption": "Đối tượng miễn lệ phí",
    "copies": "Số bản",
    "pages": "Số trang",
    "checklist": "Giấy tờ nộp",
    "attachment": "Tệp đính kèm",
}


@dataclass(frozen=True)
class ApplicantInput:
    """The person handing in the dossier, as scanned from the card or typed."""

    id_number: str
    full_name: str
    date_of_birth: date | None = None
    sex: str | None = None  # "Nam" / "Nữ"
    address: str | None = None
    old_id_number: str | None = None
    phone: str | None = None
    email: str | None = None

    def card_values(self) -> dict[str, str]:
        """The applicant in the keys forms take their defaults from."""
        values = {"full_name": self.full_name, "id_number": self.id_number}
        if self.date_of_birth is not None:
            values["date_of_birth"] = f"{self.date_of_birth:%d/%m/%Y}"
        if self.sex:
            values["sex"] = self.sex
        if self.address:
            values["address"] = self.address
        return values


@dataclass(frozen=True)
class AttachmentFile:
    """A scan or photo on disk to store with the dossier."""

    path: Path
    name: str | None = None  # shown name; defaults to the file name


@dataclass(frozen=True)
class ChecklistEntry:
    """A paper on the checklist: what it is, how many, in which form, and whether it came."""

    name: str
    kind: DocumentKind
    count: int = 1
    received: bool = True
    attachments: tuple[AttachmentFile, ...] = ()


@dataclass(frozen=True)
class DossierRequest:
    """Everything the specialist entered for one dossier."""

    procedure_code: str
    applicant: ApplicantInput
    form_values: Mapping[str, str] = field(default_factory=dict)
    checklist: Sequence[ChecklistEntry] | None = None  # None: the catalog's papers, all received
    exemption: str | None = None
    result_channel: ResultChannel = "desk"
    result_address: str | None = None
    copies: int | None = None  # defaults to the form's "document.copies", else 1
    pages: int | None = None  # defaults to the form's "document.pages", else 1
    ticket_id: uuid.UUID | None = None
    staff_id: uuid.UUID | None = None
    counter_number: int | None = None
    draft_id: uuid.UUID | None = None  # deleted in the same transaction as the save
    attachments: tuple[AttachmentFile, ...] = ()  # scans of the dossier as a whole


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


@dataclass(frozen=True)
class AttachmentView:
    name: str
    size: int
    sha256: str
    media_type: str


@dataclass(frozen=True)
class DocumentView:
    name: str
    kind: str
    kind_label: str
    count: int
    received: bool
    attachments: tuple[AttachmentView, ...]


@dataclass(frozen=True)
class CitizenView:
    """A citizen as the counter shows and pre-fills them."""

    id: uuid.UUID
    id_number: str
    full_name: str
    date_of_birth: date | None
    sex: CardSex | None
    address: str | None
    old_id_number: str | None
    phone: str | None
    email: str | None
    dossier_count: int = 0


@dataclass(frozen=True)
class DossierView:
    """A saved dossier with what its papers print."""

    id: uuid.UUID
    code: str
    state: DossierState
    procedure_code: str
    procedure_name: str
    procedure_form: str | None
    field_code: str
    applicant: CitizenView
    received_at: datetime
    due_at: datetime
    processing_working_days: int
    fee_amount: int
    fee_lines: tuple[str, ...]
    fee_exempted: bool
    result_channel: ResultChannel
    result_address: str | None
    counter_number: int | None
    logbook_year: int | None
    logbook_number: int | None
    form_values: dict[str, str]
    derived: dict[str, str]
    documents: tuple[DocumentView, ...]
    received_by: str | None
    submission_state: SubmissionState | None
    attachments: tuple[AttachmentView, ...] = ()  # of the dossier as a whole

    def as_json(self) -> dict[str, Any]:
        """The dossier as the CLI's ``--json`` prints it."""
        return {
            "code": self.code,
            "state": self.state,
            "procedure": {"code": self.procedure_code, "name": self.procedure_name},
            "applicant": {
                "id_number": self.applicant.id_number,
                "full_name": self.applicant.full_name,
                "address": self.applicant.address,
            },
            "received_at": self.received_at.isoformat(timespec="minutes"),
            "due_at": self.due_at.isoformat(timespec="minutes"),
            "fee": self.fee_amount,
            "fee_text": format_vnd(self.fee_amount) if self.fee_amount else "Miễn phí",
            "fee_lines": list(self.fee_lines),
            "fee_exempted": self.fee_exempted,
            "result_channel": self.result_channel,
            "result_address": self.result_address,
            "logbook": {"year": self.logbook_year, "number": self.logbook_number},
            "documents": [
                {
                    "name": d.name,
                    "kind": d.kind,
                    "count": d.count,
                    "received": d.received,
                    "attachments": [
                        {"name": a.name, "size": a.size, "sha256": a.sha256} for a in d.attachments
                    ],
                }
                for d in self.documents
            ],
            "attachments": [
                {"name": a.name, "size": a.size, "sha256": a.sha256} for a in self.attachments
            ],
            "form": self.form_values,
            "submission": self.submission_state,
        }


# --- checking ------------------------------------------------------------------------------------


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


# --- saving --------------------------------------------------------------------------------------


def _upsert_citizen(uow: UnitOfWork, applicant: ApplicantInput, now: datetime) -> Citizen:
    number = applicant.id_number.strip()
    citizen = uow.session.scalar(select(Citizen).where(Citizen.id_number == number))
    name = nfc(applicant.full_name).strip()
    if citizen is None:
        citizen = Citizen(id_number=number, created_at=now)
        uow.session.add(citizen)
    citizen.full_name = name
    citizen.name_key = search_key(name)
    citizen.updated_at = now
    # Keep what we knew when this visit leaves a detail out; a new value replaces the old.
    if applicant.date_of_birth is not None:
        citizen.date_of_birth = applicant.date_of_birth
    if applicant.sex is not None and nfc(applicant.sex).strip():
        # The column holds a Sex: a plain string would stay on the row object until reloaded.
        sex = card_sex(nfc(applicant.sex).strip())
        if sex is None:
            raise InputError(f"Giới tính “{applicant.sex}” không hợp lệ.", "Chọn Nam hoặc Nữ.")
        citizen.sex = sex
    for attr in ("address", "old_id_number", "phone", "email"):
        value = getattr(applicant, attr)
        if value is not None and nfc(value).strip():
            setattr(citizen, attr, nfc(value).strip())
    return citizen


def _store_file(uow: UnitOfWork, attachment: AttachmentFile, now: datetime) -> tuple[str, int, str]:
    digest = hashlib.sha256()
    chunks: list[bytes] = []
    with attachment.path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
            chunks.append(chunk)
    content = b"".join(chunks)
    sha = digest.hexdigest()
    if uow.session.get(StoredFile, sha) is None:
        uow.session.add(StoredFile(sha256=sha, size=len(content), content=content, created_at=now))
        uow.session.flush()
    media_type = mimetypes.guess_type(attachment.path.name)[0] or "application/octet-stream"
    return sha, len(content), media_type


def create_dossier(
    uow: UnitOfWork,
    *,
    office_id: uuid.UUID,
    request: DossierRequest,
    now: datetime | None = None,
) -> DossierView:
    """Save a dossier received at the desk and queue its online submission; commit."""
    now = (now or datetime.now()).replace(microsecond=0)
    assessment = assess(uow, office_id=office_id, request=request, now=now)
    office = uow.session.get(Office, office_id)
    if office is None:
        raise NotFound("Đơn vị không còn trong cơ sở dữ liệu.")
    row = assessment.procedure_row

    day = now.date()
    sequence = uow.next_number(DossierCounter, office_id=office_id, day=day)
    book_number = uow.next_number(LogbookCounter, office_id=office_id, year=day.year)
    # The counter upserts above lock this office's day row (PostgreSQL) or hold the write lock
    # (SQLite): two desks receiving the same new citizen serialise here, so the second finds
    # the first's row instead of failing on the unique ID number.
    citizen = _upsert_citizen(uow, request.applicant, now)
    fee = assessment.fee
    dossier = Dossier(
        office_id=office_id,
        code=format_dossier_code(office.agency_code, day, sequence),
        procedure_id=row.id,
        applicant=citizen,
        ticket_id=request.ticket_id,
        received_by_id=request.staff_id,
        received_at=now,
        due_at=assessment.due_at,
        state=DossierState.RECEIVED,
        result_channel=request.result_channel,
        result_address=(request.result_address or "").strip() or None,
        fee_amount=fee.amount,
        fee_details={
            "lines": list(fee.lines),
            "exempted": fee.exempted,
            "exemption": request.exemption,
            "amount_known": fee.amount_known,
            "late_registration": assessment.late_registration,
        },
        form_data=dict(assessment.form_values),
        counter_number=request.counter_number,
        logbook_year=day.year,
        logbook_number=book_number,
    )
    uow.session.add(dossier)
    uow.session.flush()
    # The view is built from what is written here, not read back: seven fewer round trips.
    document_views: list[DocumentView] = []
    loose_views: list[AttachmentView] = []
    for position, entry in enumerate(assessment.checklist):
        document = DossierDocument(
            id=uuid.uuid4(),  # known now: attachments refer to it without a flush per paper
            dossier_id=dossier.id,
            name=nfc(entry.name).strip(),
            kind=entry.kind,
            count=entry.count,
            received=entry.received,
            position=position,
        )
        uow.session.add(document)
        scans = [
            _add_attachment(
                uow,
                attachment,
                dossier_id=dossier.id,
                document_id=document.id,
                position=place,
                now=now,
            )
            for place, attachment in enumerate(entry.attachments)
        ]
        document_views.append(_document_view(document, tuple(scans)))
    for place, attachment in enumerate(request.attachments):
        loose_views.append(
            _add_attachment(
                uow, attachment, dossier_id=dossier.id, document_id=None, position=place, now=now
            )
        )
    uow.session.add(
        DossierEvent(
            dossier_id=dossier.id,
            at=now,
            actor_id=request.staff_id,
            kind="received",
            from_state=None,
            to_state=DossierState.RECEIVED,
            note=f"Tiếp nhận tại quầy {request.counter_number}" if request.counter_number else None,
            data={"due_at": assessment.due_at.isoformat(), "fee": fee.amount},
        )
    )
    uow.session.add(
        Submission(
            dossier_id=dossier.id,
            idempotency_key=dossier.id.hex,
            state=SubmissionState.PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
    )
    if request.draft_id is not None:
        delete_draft_in(uow, request.draft_id)
    uow.audit(
        "dossier.received",
        office_id=office_id,
        subject_id=dossier.id,
        actor_id=request.staff_id,
        at=now,
        code=dossier.code,
        procedure=row.code,
    )
    uow.session.flush()
    view = _view(
        uow,
        dossier,
        known=_Known(
            documents=tuple(document_views),
            attachments=tuple(loose_views),
            submission_state=SubmissionState.PENDING,
        ),
    )
    uow.commit()
    return view


def _add_attachment(
    uow: UnitOfWork,
    attachment: AttachmentFile,
    *,
    dossier_id: uuid.UUID,
    document_id: uuid.UUID | None,
    position: int,
    now: datetime,
) -> AttachmentView:
    """Store one scan (once per content) and link it to the dossier, or to one of its papers."""
    sha, size, media_type = _store_file(uow, attachment, now)
    name = attachment.name or attachment.path.name
    uow.session.add(
        DossierAttachment(
            dossier_id=dossier_id,
            document_id=document_id,
            name=name,
            size=size,
            sha256=sha,
            media_type=media_type,
            position=position,
            added_at=now,
        )
    )
    return AttachmentView(name, size, sha, media_type)


def _document_view(document: DossierDocument, scans: tuple[AttachmentView, ...]) -> DocumentView:
    return DocumentView(
        name=document.name,
        kind=document.kind,
        kind_label=DOCUMENT_KINDS.get(document.kind, document.kind),  # type: ignore[call-overload]
        count=document.count,
        received=document.received,
        attachments=scans,
    )


@dataclass(frozen=True)
class _Known:
    """Parts of a dossier's view its caller already has in hand (it has just written them)."""

    documents: tuple[DocumentView, ...]
    attachments: tuple[AttachmentView, ...]
    submission_state: SubmissionState | None


# --- reading -------------------------------------------------------------------------------------


def _citizen_view(citizen: Citizen, dossier_count: int = 0) -> CitizenView:
    return CitizenView(
        id=citizen.id,
        id_number=citizen.id_number,
        full_name=citizen.full_name,
        date_of_birth=citizen.date_of_birth,
        sex=citizen.sex,
        address=citizen.address,
        old_id_number=citizen.old_id_number,
        phone=citizen.phone,
        email=citizen.email,
        dossier_count=dossier_count,
    )


def _view(uow: UnitOfWork, dossier: Dossier, *, known: _Known | None = None) -> DossierView:
    spec = procedure_spec(dossier.procedure)
    timing = spec.processing_time
    form = load_form(spec.form) if spec.form else None
    values = {str(k): str(v) for k, v in dossier.form_data.items()}
    if known is None:
        known = _Known(
            documents=tuple(
                _document_view(
                    d,
                    tuple(
                        AttachmentView(a.name, a.size, a.sha256, a.media_type)
                        for a in d.attachments
                    ),
                )
                for d in dossier.documents
            ),
            attachments=tuple(
                AttachmentView(a.name, a.size, a.sha256, a.media_type)
                for a in uow.session.scalars(
                    select(DossierAttachment)
                    .where(
                        DossierAttachment.dossier_id == dossier.id,
                        DossierAttachment.document_id.is_(None),
                    )
                    .order_by(DossierAttachment.position)
                )
            ),
            submission_state=uow.session.scalar(
                select(Submission.state).where(Submission.dossier_id == dossier.id)
            ),
        )
    received_by = None
    if dossier.received_by_id is not None:
        received_by = uow.session.scalar(
            select(StaffUser.full_name).where(StaffUser.id == dossier.received_by_id)
        )
    details = dossier.fee_details or {}
    channel = dossier.result_channel
    return DossierView(
        id=dossier.id,
        code=dossier.code,
        state=dossier.state,
        procedure_code=dossier.procedure.code,
        procedure_name=dossier.procedure.name,
        procedure_form=spec.form,
        field_code=dossier.procedure.field.code,
        applicant=_citizen_view(dossier.applicant),
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        processing_working_days=(timing.days or 0) if timing.kind == "working_days" else 0,
        fee_amount=dossier.fee_amount,
        fee_lines=tuple(str(line) for line in details.get("lines", [])),
        fee_exempted=bool(details.get("exempted", False)),
        result_channel=_channel(channel),
        result_address=dossier.result_address,
        counter_number=dossier.counter_number,
        logbook_year=dossier.logbook_year,
        logbook_number=dossier.logbook_number,
        form_values=values,
        derived=derive(form, values) if form is not None else {},
        documents=known.documents,
        received_by=received_by,
        submission_state=known.submission_state,
        attachments=known.attachments,
    )


def procedure_for_reception(uow: UnitOfWork, office_id: uuid.UUID, code: str) -> ProcedureSpec:
    """The catalog entry the counter needs once a procedure is chosen (papers, fee, time)."""
    return procedure_spec(_procedure_row(uow, office_id, code))


def get_dossier(uow: UnitOfWork, code: str) -> DossierView:
    """A dossier by its code (as typed or scanned from the slip's QR)."""
    wanted = code.strip().upper()
    dossier = uow.session.scalar(select(Dossier).where(Dossier.code == wanted))
    if dossier is None:
        raise NotFound(
            f"Không có hồ sơ mã '{code.strip()}'.",
            "Kiểm tra lại mã trên giấy hẹn (dạng 000.24481.H15-261123-0001).",
        )
    return _view(uow, dossier)


def attachment_content(uow: UnitOfWork, sha256: str) -> bytes:
    """The stored bytes of an attachment."""
    stored = uow.session.get(StoredFile, sha256)
    if stored is None:
        raise NotFound(f"Không còn tệp đính kèm {sha256[:12]}… trong cơ sở dữ liệu.")
    return stored.content


def find_citizen(uow: UnitOfWork, id_number: str) -> CitizenView | None:
    """A returning citizen by ID number (12 digits) or old 9-digit ID, with their dossier count."""
    number = id_number.strip()
    column = Citizen.old_id_number if len(number) == 9 else Citizen.id_number
    citizen = uow.session.scalar(select(Citizen).where(column == number).limit(1))
    if citizen is None:
        return None
    count = uow.session.scalar(
        select(func.count()).select_from(Dossier).where(Dossier.applicant_id == citizen.id)
    )
    return _citizen_view(citizen, int(count or 0))


def search_citizens(uow: UnitOfWork, name: str, *, limit: int = 20) -> list[CitizenView]:
    """Citizens whose name starts with ``name``, with or without diacritics."""
    key = search_key(name)
    if not key:
        return []
    if uow.session.get_bind().dialect.name == "postgresql":
        escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        condition: ColumnElement[bool] = Citizen.name_key.like(escaped + "%", escape="\\")
    else:
        # SQLite's LIKE ignores the index; a range on the binary-ordered key uses it.
        condition = (Citizen.name_key >= key) & (Citizen.name_key < key + "\U0010ffff")
    rows = uow.session.scalars(
        select(Citizen).where(condition).order_by(Citizen.name_key, Citizen.id_number).limit(limit)
    ).all()
    return [_citizen_view(row) for row in rows]


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


def _channel(value: str) -> ResultChannel:
    for channel in RESULT_CHANNELS:
        if channel == value:
            return channel
    return "desk"
