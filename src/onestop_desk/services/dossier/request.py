"""What reception is given: the applicant, the papers, the scans and the choices of one dossier."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final, Literal

from onestop_desk.core.catalog import DocumentKind
from onestop_desk.errors import InputError

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
