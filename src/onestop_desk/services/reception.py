"""A reception in progress as one frozen value: the draft the desk edits, stores and saves.

The counter's widgets read from and write into a ``ReceptionDraft``; ``to_json``/``from_json``
are what ``services.drafts`` stores, and ``to_request`` is what ``services.dossier`` checks and
saves. One shape from the first keystroke to the saved dossier, instead of three copied by hand.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import IntEnum
from pathlib import Path
from typing import Any, Final

from onestop_desk.core.catalog import DocumentKind
from onestop_desk.core.citizen_id import Sex
from onestop_desk.errors import InputError
from onestop_desk.services.dossier import (
    DOCUMENT_KINDS,
    RESULT_CHANNELS,
    ApplicantInput,
    AttachmentFile,
    ChecklistEntry,
    DossierRequest,
    ResultChannel,
)

#: The JSON shape ``to_json`` writes; ``from_json`` reads this one (the only one so far).
DRAFT_VERSION: Final = 1

#: The keys of the citizen form, in the order of the form (the draft's "citizen" object).
CITIZEN_FIELDS: Final = (
    "id_number",
    "old_id_number",
    "full_name",
    "date_of_birth",
    "sex",
    "address",
    "phone",
    "email",
)

_NUMBER_NOISE = re.compile(r"[\s.\-]")
_PHONE_NOISE = re.compile(r"[\s.\-()]")
_DATE_PARTS = re.compile(r"(\d{1,2})[/.\-\s](\d{1,2})[/.\-\s](\d{4})")
_DATE_DIGITS = re.compile(r"(\d{2})(\d{2})(\d{4})")


class Step(IntEnum):
    """The reception's steps, in the order the counter walks them."""

    CITIZEN = 0
    PROCEDURE = 1
    FORM = 2
    CHECKLIST = 3
    SUMMARY = 4
    DONE = 5


class DraftUnreadable(InputError):
    """A stored draft is not one this program wrote (damaged, foreign, or from a newer version)."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"Không mở được bản nháp: {reason}",
            "Bỏ bản nháp này và tiếp nhận lại hồ sơ từ đầu.",
        )
        self.reason = reason


# --- the parts ----------------------------------------------------------------------------------


def digits_only(text: str) -> str:
    """An ID number as typed ("066 090.012-345") without its spaces, dots and dashes."""
    return _NUMBER_NOISE.sub("", text)


def phone_number(text: str) -> str | None:
    """A phone number as typed, without spaces and punctuation, +84 as 0; None when empty."""
    phone = _PHONE_NOISE.sub("", text)
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    return phone or None


def parse_birth_date(text: str) -> date | None:
    """A date typed as 15/05/2003, 15.5.2003 or 15052003; None when it is not one."""
    match = _DATE_PARTS.fullmatch(text.strip()) or _DATE_DIGITS.fullmatch(text.strip())
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


@dataclass(frozen=True)
class CitizenEntry:
    """The citizen form as typed: a draft, so possibly incomplete or wrong."""

    id_number: str = ""
    old_id_number: str = ""
    full_name: str = ""
    date_of_birth: str = ""
    sex: str = ""  # "Nam" / "Nữ" / ""
    address: str = ""
    phone: str = ""
    email: str = ""

    def values(self) -> dict[str, str]:
        """The form in the keys of ``CITIZEN_FIELDS``."""
        return {key: getattr(self, key) for key in CITIZEN_FIELDS}

    def is_blank(self) -> bool:
        return not any(self.values().values())


@dataclass(frozen=True)
class Applicant:
    """A citizen as the desk confirmed them (or as a previous dossier recorded them)."""

    id_number: str
    old_id_number: str | None
    full_name: str
    date_of_birth: date
    sex: Sex
    address: str
    phone: str | None = None
    email: str | None = None

    @classmethod
    def from_entry(cls, entry: CitizenEntry) -> Applicant | None:
        """The applicant a typed form stands for, tidied; None when it cannot be one.

        The checks a specialist sees (with their messages) are the citizen panel's; this is
        only the tidying, so a confirmed draft comes back as the same applicant.
        """
        born = parse_birth_date(entry.date_of_birth)
        sex = next((s for s in Sex if s.value == entry.sex), None)
        id_number = digits_only(entry.id_number)
        name = " ".join(entry.full_name.split())
        if born is None or sex is None or not id_number or not name:
            return None
        return cls(
            id_number=id_number,
            old_id_number=digits_only(entry.old_id_number) or None,
            full_name=name,
            date_of_birth=born,
            sex=sex,
            address=" ".join(entry.address.split()),
            phone=phone_number(entry.phone),
            email=entry.email.strip() or None,
        )

    def card_values(self) -> dict[str, str]:
        """The applicant in the keys forms take their defaults from."""
        return self.to_input().card_values()

    def to_input(self) -> ApplicantInput:
        return ApplicantInput(
            id_number=self.id_number,
            full_name=self.full_name,
            date_of_birth=self.date_of_birth,
            sex=self.sex.value,
            address=self.address,
            old_id_number=self.old_id_number,
            phone=self.phone,
            email=self.email,
        )


@dataclass(frozen=True)
class ScannedFile:
    """A scan attached to a paper or to the dossier, identified by its SHA-256."""

    path: str
    name: str
    size: int
    sha256: str

    def to_file(self) -> AttachmentFile:
        return AttachmentFile(Path(self.path), self.name)


@dataclass(frozen=True)
class ChecklistItem:
    """One paper of the dossier as received at the desk."""

    name: str
    kind: DocumentKind
    count: int
    received: bool
    attachments: tuple[ScannedFile, ...] = ()

    def to_entry(self) -> ChecklistEntry:
        return ChecklistEntry(
            name=self.name,
            kind=self.kind,
            count=self.count,
            received=self.received,
            attachments=tuple(a.to_file() for a in self.attachments),
        )


@dataclass(frozen=True)
class DeclarationEntry:
    """The procedure's declaration (tờ khai) as typed, and the wizard page left open."""

    values: Mapping[str, str] = field(default_factory=dict)
    page: int = 0


@dataclass(frozen=True)
class ResultChoice:
    """The fee exemption and where the result goes."""

    channel: ResultChannel = "desk"
    address: str | None = None  # the postal address, when the result goes by post
    exemption: str | None = None  # a key of core.catalog.EXEMPTIONS


@dataclass(frozen=True)
class ReceptionDraft:
    """Everything typed, chosen and ticked for one dossier so far, and the step on screen."""

    step: Step = Step.CITIZEN
    citizen: CitizenEntry = CitizenEntry()
    applicant: Applicant | None = None  # set once the citizen is confirmed
    procedure_code: str | None = None
    declaration: DeclarationEntry = DeclarationEntry()
    checklist: tuple[ChecklistItem, ...] = ()
    attachments: tuple[ScannedFile, ...] = ()  # scans of the dossier as a whole
    result: ResultChoice = ResultChoice()
    ticket_id: uuid.UUID | None = None

    # --- immutable updates (what the widgets call) ---------------------------------------------

    def with_step(self, step: int) -> ReceptionDraft:
        return replace(self, step=Step(step))

    def with_citizen(self, citizen: CitizenEntry) -> ReceptionDraft:
        return replace(self, citizen=citizen)

    def with_applicant(self, applicant: Applicant | None) -> ReceptionDraft:
        return replace(self, applicant=applicant)

    def with_procedure(self, code: str | None) -> ReceptionDraft:
        """Another procedure: its declaration and papers start again."""
        if code == self.procedure_code:
            return self
        return replace(
            self,
            procedure_code=code,
            declaration=DeclarationEntry(),
            checklist=(),
            attachments=(),
        )

    def with_declaration(
        self, values: Mapping[str, str] | None = None, page: int | None = None
    ) -> ReceptionDraft:
        return replace(
            self,
            declaration=DeclarationEntry(
                dict(values) if values is not None else dict(self.declaration.values),
                page if page is not None else self.declaration.page,
            ),
        )

    def with_checklist(
        self, items: Sequence[ChecklistItem], attachments: Sequence[ScannedFile] = ()
    ) -> ReceptionDraft:
        return replace(self, checklist=tuple(items), attachments=tuple(attachments))

    def with_result(
        self, channel: ResultChannel, address: str | None, exemption: str | None
    ) -> ReceptionDraft:
        return replace(self, result=ResultChoice(channel, address, exemption))

    def with_ticket(self, ticket_id: uuid.UUID | None) -> ReceptionDraft:
        return replace(self, ticket_id=ticket_id)

    # --- reading it back -----------------------------------------------------------------------

    def reopen_step(self, *, has_form: bool) -> Step:
        """Where a restored draft opens: its step, or the first one it cannot go past yet."""
        if self.applicant is None:
            return Step.CITIZEN
        step = self.step
        if self.procedure_code is None:
            step = min(step, Step.PROCEDURE)
        if step == Step.FORM and not has_form:
            step = Step.CHECKLIST
        return min(step, Step.SUMMARY)

    def to_request(
        self,
        *,
        staff_id: uuid.UUID | None = None,
        counter_number: int | None = None,
        draft_id: uuid.UUID | None = None,
    ) -> DossierRequest:
        """The dossier as ``services.dossier.assess`` and ``create_dossier`` take it."""
        if self.applicant is None or self.procedure_code is None:
            raise InputError(
                "Hồ sơ chưa đủ để tính lệ phí hay lưu: chưa xác nhận công dân hoặc chưa chọn"
                " thủ tục.",
                "Xác nhận thông tin công dân và chọn thủ tục trước.",
            )
        return DossierRequest(
            procedure_code=self.procedure_code,
            applicant=self.applicant.to_input(),
            form_values=dict(self.declaration.values),
            checklist=[item.to_entry() for item in self.checklist],
            exemption=self.result.exemption,
            result_channel=self.result.channel,
            result_address=self.result.address,
            ticket_id=self.ticket_id,
            staff_id=staff_id,
            counter_number=counter_number,
            draft_id=draft_id,
            attachments=tuple(a.to_file() for a in self.attachments),
        )

    # --- stored form ---------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The draft as ``services.drafts.save_draft`` stores it (version 1)."""
        return {
            "version": DRAFT_VERSION,
            "step": int(self.step),
            "citizen": self.citizen.values(),
            "citizen_confirmed": self.applicant is not None,
            "procedure": self.procedure_code,
            "form": dict(self.declaration.values),
            "form_step": self.declaration.page,
            "checklist": [_item_json(item) for item in self.checklist],
            "attachments": [_scan_json(scan) for scan in self.attachments],
            "channel": self.result.channel,
            "address": self.result.address,
            "exemption": self.result.exemption,
            "ticket_id": str(self.ticket_id) if self.ticket_id else None,
        }

    @classmethod
    def from_json(cls, data: object) -> ReceptionDraft:
        """A stored draft read back; DraftUnreadable when it is not one this program wrote."""
        raw = _Reader(data, "bản nháp")
        version = raw.get("version", int)
        if version != DRAFT_VERSION:
            raise DraftUnreadable(
                f"phiên bản {version} chưa được hỗ trợ (chương trình này đọc phiên bản "
                f"{DRAFT_VERSION}); có thể bản nháp do chương trình mới hơn lưu."
            )
        citizen = raw.child("citizen", optional=True)
        entry = CitizenEntry(**{key: citizen.text(key, default="") or "" for key in CITIZEN_FIELDS})
        confirmed = bool(raw.get("citizen_confirmed", bool, default=False))
        form = raw.child("form", optional=True)
        exemption = raw.text("exemption")
        ticket = raw.text("ticket_id")
        return cls(
            step=_step(raw.get("step", int, default=0)),
            citizen=entry,
            applicant=Applicant.from_entry(entry) if confirmed else None,
            procedure_code=raw.text("procedure") or None,
            declaration=DeclarationEntry(
                {key: form.text(key) or "" for key in form.names()},
                max(0, int(raw.get("form_step", int, default=0))),
            ),
            checklist=tuple(_item(part) for part in raw.children("checklist")),
            attachments=tuple(_scan(part) for part in raw.children("attachments")),
            result=ResultChoice(
                channel=_channel(raw.text("channel") or "desk"),
                address=raw.text("address"),
                exemption=exemption or None,
            ),
            ticket_id=_uuid(ticket) if ticket else None,
        )


# --- JSON helpers -------------------------------------------------------------------------------


def _scan_json(scan: ScannedFile) -> dict[str, Any]:
    return {"path": scan.path, "name": scan.name, "size": scan.size, "sha256": scan.sha256}


def _item_json(item: ChecklistItem) -> dict[str, Any]:
    return {
        "name": item.name,
        "kind": item.kind,
        "count": item.count,
        "received": item.received,
        "attachments": [_scan_json(scan) for scan in item.attachments],
    }


class _Reader:
    """One JSON object of a stored draft, read with its type checked key by key."""

    def __init__(self, data: object, where: str, *, allow_missing: bool = False) -> None:
        if data is None and allow_missing:
            data = {}
        if not isinstance(data, Mapping):
            raise DraftUnreadable(f"{where} không phải là một đối tượng JSON.")
        self.data: Mapping[str, Any] = data
        self.where = where

    def names(self) -> list[str]:
        return [str(key) for key in self.data]

    def get(self, key: str, kind: type[Any], *, default: Any = ...) -> Any:
        if key not in self.data or self.data[key] is None:
            if default is ...:
                raise DraftUnreadable(f"{self.where} thiếu mục “{key}”.")
            return default
        value = self.data[key]
        # bool is an int in Python: a count of True is a damaged draft, not 1.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise DraftUnreadable(f"mục “{key}” của {self.where} có giá trị sai: {value!r}.")
        return value

    def text(self, key: str, *, default: str | None = None) -> str | None:
        value: str | None = self.get(key, str, default=default)
        return value

    def child(self, key: str, *, optional: bool = False) -> _Reader:
        return _Reader(self.data.get(key), f"mục “{key}”", allow_missing=optional)

    def children(self, key: str) -> list[_Reader]:
        values = self.get(key, list, default=[])
        return [_Reader(value, f"một phần tử của “{key}”") for value in values]


def _scan(raw: _Reader) -> ScannedFile:
    size = raw.get("size", int)
    if size < 0:
        raise DraftUnreadable(f"kích thước tệp đính kèm âm: {size}.")
    return ScannedFile(
        path=raw.get("path", str),
        name=raw.get("name", str),
        size=size,
        sha256=raw.get("sha256", str),
    )


def _item(raw: _Reader) -> ChecklistItem:
    kind = raw.get("kind", str)
    if kind not in DOCUMENT_KINDS:
        raise DraftUnreadable(f"loại giấy tờ không xác định: {kind!r}.")
    return ChecklistItem(
        name=raw.get("name", str),
        kind=kind,
        count=raw.get("count", int),
        received=raw.get("received", bool),
        attachments=tuple(_scan(part) for part in raw.children("attachments")),
    )


def _step(value: int) -> Step:
    if not Step.CITIZEN <= value <= Step.DONE:
        raise DraftUnreadable(f"bước {value} không có trong quy trình tiếp nhận.")
    return Step(value)


def _channel(value: str) -> ResultChannel:
    for channel in RESULT_CHANNELS:
        if channel == value:
            return channel
    raise DraftUnreadable(f"hình thức nhận kết quả không xác định: {value!r}.")


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise DraftUnreadable(f"mã phiếu {value!r} không đúng dạng.") from None
