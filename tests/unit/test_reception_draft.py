"""The reception draft without Qt: stored, read back, reopened at its step, or refused."""

from __future__ import annotations

import copy
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from onestop_desk.core.citizen_id import Sex
from onestop_desk.errors import InputError
from onestop_desk.services.dossier import ApplicantInput, AttachmentFile, ChecklistEntry
from onestop_desk.services.reception import (
    Applicant,
    ChecklistItem,
    CitizenEntry,
    DeclarationEntry,
    DraftUnreadable,
    ReceptionDraft,
    ResultChoice,
    ScannedFile,
    Step,
)

SHA = "ab" * 32
TICKET = uuid.UUID("6f1c2a5e-0000-4000-8000-000000000001")

# What the counter's draft save wrote in version 1 (captured from flow.py's ``_payload`` on the
# birth-registration declaration, page 2 of the wizard; form fields cut down, one scan added).
STORED_V1: dict[str, Any] = {
    "version": 1,
    "step": 2,
    "citizen": {
        "id_number": "066090012345",
        "old_id_number": "241234567",
        "full_name": "Nguyễn Văn An",
        "date_of_birth": "15/05/1990",
        "sex": "Nam",
        "address": "Thôn 1, xã Hòa Sơn, tỉnh Đắk Lắk",
        "phone": "",
        "email": "",
    },
    "citizen_confirmed": True,
    "procedure": "1.001193",
    "form": {
        "addressed_to": "Ủy ban nhân dân xã Hòa Sơn",
        "requester.full_name": "Nguyễn Văn An",
        "requester.id_number": "066090012345",
        "child.full_name": "",
        "child.ethnicity": "Kinh",
    },
    "form_step": 1,
    "checklist": [
        {
            "name": "Tờ khai đăng ký khai sinh theo mẫu",
            "kind": "original",
            "count": 1,
            "received": False,
            "attachments": [],
        },
        {
            "name": "Giấy chứng sinh",
            "kind": "original",
            "count": 1,
            "received": True,
            "attachments": [
                {"path": "/scans/giay_chung_sinh.pdf", "name": "giay_chung_sinh.pdf",
                 "size": 1234, "sha256": SHA}
            ],
        },
    ],
    "attachments": [],
    "channel": "desk",
    "address": None,
    "exemption": None,
    "ticket_id": None,
}  # fmt: skip

AN = Applicant(
    id_number="066090012345",
    old_id_number="241234567",
    full_name="Nguyễn Văn An",
    date_of_birth=date(1990, 5, 15),
    sex=Sex.MALE,
    address="Thôn 1, xã Hòa Sơn, tỉnh Đắk Lắk",
)


def _full() -> ReceptionDraft:
    scan = ScannedFile("/scans/a.pdf", "a.pdf", 10, SHA)
    return ReceptionDraft(
        step=Step.SUMMARY,
        citizen=CitizenEntry(
            "066090012345", "", "Nguyễn Văn An", "15/05/1990", "Nam", "Thôn 1", "0912 345 678"
        ),
        applicant=Applicant(
            "066090012345",
            None,
            "Nguyễn Văn An",
            date(1990, 5, 15),
            Sex.MALE,
            "Thôn 1",
            phone="0912345678",
        ),
        procedure_code="1.001193",
        declaration=DeclarationEntry({"child.full_name": "Trần Bảo Anh"}, 3),
        checklist=(ChecklistItem("Giấy chứng sinh", "original", 2, True, (scan,)),),
        attachments=(ScannedFile("/scans/b.jpg", "ảnh hồ sơ.jpg", 20, "cd" * 32),),
        result=ResultChoice("post", "Thôn 2, xã Hòa Sơn", "poor_household"),
        ticket_id=TICKET,
    )


def test_a_version_1_draft_from_the_counter_comes_back_field_by_field() -> None:
    draft = ReceptionDraft.from_json(copy.deepcopy(STORED_V1))

    assert draft.step == Step.FORM
    assert draft.citizen.values() == STORED_V1["citizen"]
    assert draft.applicant == AN  # confirmed: the tidied applicant, as the panel confirmed it
    assert draft.procedure_code == "1.001193"
    assert draft.declaration == DeclarationEntry(STORED_V1["form"], 1)
    assert draft.checklist == (
        ChecklistItem("Tờ khai đăng ký khai sinh theo mẫu", "original", 1, False),
        ChecklistItem(
            "Giấy chứng sinh",
            "original",
            1,
            True,
            (ScannedFile("/scans/giay_chung_sinh.pdf", "giay_chung_sinh.pdf", 1234, SHA),),
        ),
    )
    assert draft.attachments == ()
    assert draft.result == ResultChoice("desk", None, None)
    assert draft.ticket_id is None
    # Written again, it is the same JSON: a draft saved before this version reopens unchanged.
    assert draft.to_json() == STORED_V1


@pytest.mark.parametrize(
    ("changes", "has_form", "step"),
    [
        ({}, True, Step.FORM),
        ({}, False, Step.CHECKLIST),  # the procedure has no declaration (any more)
        ({"citizen_confirmed": False}, True, Step.CITIZEN),
        ({"procedure": None, "step": 4}, True, Step.PROCEDURE),
        ({"step": 4}, True, Step.SUMMARY),
        ({"citizen": {**STORED_V1["citizen"], "date_of_birth": "31/02/1990"}}, True, Step.CITIZEN),
    ],
)
def test_a_restored_draft_reopens_at_the_step_it_can_reach(
    changes: dict[str, Any], has_form: bool, step: Step
) -> None:
    draft = ReceptionDraft.from_json({**copy.deepcopy(STORED_V1), **changes})
    assert draft.reopen_step(has_form=has_form) == step


def test_every_part_survives_a_round_trip() -> None:
    draft = _full()
    stored = draft.to_json()
    assert stored["ticket_id"] == str(TICKET)
    assert stored["citizen_confirmed"] is True
    assert ReceptionDraft.from_json(stored) == draft


def test_an_empty_reception_round_trips() -> None:
    assert ReceptionDraft.from_json(ReceptionDraft().to_json()) == ReceptionDraft()


def test_the_request_is_what_the_dossier_service_takes() -> None:
    draft_id, staff_id = uuid.uuid4(), uuid.uuid4()
    request = _full().to_request(staff_id=staff_id, counter_number=3, draft_id=draft_id)
    assert request.procedure_code == "1.001193"
    assert request.applicant == ApplicantInput(
        id_number="066090012345",
        full_name="Nguyễn Văn An",
        date_of_birth=date(1990, 5, 15),
        sex="Nam",
        address="Thôn 1",
        phone="0912345678",
    )
    assert request.form_values == {"child.full_name": "Trần Bảo Anh"}
    assert request.checklist == [
        ChecklistEntry(
            "Giấy chứng sinh", "original", 2, True, (AttachmentFile(Path("/scans/a.pdf"), "a.pdf"),)
        )
    ]
    assert request.attachments == (AttachmentFile(Path("/scans/b.jpg"), "ảnh hồ sơ.jpg"),)
    assert (request.result_channel, request.result_address) == ("post", "Thôn 2, xã Hòa Sơn")
    assert request.exemption == "poor_household"
    assert (request.ticket_id, request.staff_id) == (TICKET, staff_id)
    assert (request.counter_number, request.draft_id) == (3, draft_id)


def test_no_request_before_the_citizen_and_procedure() -> None:
    with pytest.raises(InputError, match="chưa xác nhận công dân"):
        ReceptionDraft(procedure_code="1.001193").to_request()
    with pytest.raises(InputError, match="chưa chọn"):
        ReceptionDraft(applicant=AN).to_request()


def test_updates_leave_the_original_as_it_was() -> None:
    draft = _full()
    other = draft.with_procedure("1.000656")
    assert other.procedure_code == "1.000656"
    assert (other.checklist, other.attachments, other.declaration) == ((), (), DeclarationEntry())
    assert draft == _full()
    assert draft.with_procedure("1.001193") is draft  # the same procedure keeps what was typed
    assert draft.with_declaration(page=1).declaration == DeclarationEntry(
        {"child.full_name": "Trần Bảo Anh"}, 1
    )
    assert draft.with_step(2).step is Step.FORM


def _broken(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(STORED_V1), **changes}


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        ([1, 2], "không phải là một đối tượng JSON"),
        ("{}", "không phải là một đối tượng JSON"),
        ({"a": 1}, "thiếu mục “version”"),
        (_broken(version=2), "phiên bản 2 chưa được hỗ trợ"),
        (_broken(version="1"), "mục “version” của bản nháp có giá trị sai"),
        (_broken(step=9), "bước 9 không có"),
        (_broken(step=True), "mục “step” của bản nháp có giá trị sai"),
        (_broken(citizen=["066090012345"]), "mục “citizen” không phải là một đối tượng JSON"),
        (_broken(form={"child.full_name": 7}), "mục “child.full_name” của mục “form”"),
        (_broken(checklist=[{"name": "Giấy chứng sinh"}]), "thiếu mục “kind”"),
        (
            _broken(checklist=[{**STORED_V1["checklist"][0], "kind": "scan"}]),
            "loại giấy tờ không xác định: 'scan'",
        ),
        (
            _broken(checklist=[{**STORED_V1["checklist"][0], "count": "2"}]),
            "mục “count” của một phần tử của “checklist” có giá trị sai: '2'",
        ),
        (_broken(attachments=[{"path": "/a.pdf", "name": "a.pdf"}]), "thiếu mục “size”"),
        (_broken(channel="fax"), "hình thức nhận kết quả không xác định: 'fax'"),
        (_broken(ticket_id="quầy 3"), "mã phiếu 'quầy 3' không đúng dạng"),
    ],
)
def test_a_damaged_or_foreign_draft_is_refused_with_a_reason(stored: Any, message: str) -> None:
    with pytest.raises(DraftUnreadable, match=message) as caught:
        ReceptionDraft.from_json(stored)
    assert caught.value.message.startswith("Không mở được bản nháp: ")
    assert caught.value.hint == "Bỏ bản nháp này và tiếp nhận lại hồ sơ từ đầu."
    assert isinstance(caught.value, InputError)
