"""Reception on real databases: a dossier is saved whole (code, fee, due date) or not at all."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from onestop_desk.db.database import Database
from onestop_desk.db.models import (
    AuditEvent,
    Citizen,
    Dossier,
    DossierAttachment,
    DossierEvent,
    StoredFile,
    Submission,
)
from onestop_desk.errors import NotFound
from onestop_desk.services.dossier import (
    ApplicantInput,
    AttachmentFile,
    ChecklistEntry,
    DossierRequest,
    ValidationFailed,
    attachment_content,
    create_dossier,
    find_citizen,
    get_dossier,
    search_citizens,
)
from onestop_desk.services.drafts import discard_draft, list_drafts, load_draft, save_draft
from onestop_desk.services.office import find_office
from onestop_desk.services.uow import UnitOfWork

# Monday 23/11/2026; Tuesday 24/11 is Vietnam Culture Day (a public holiday from 2026).
MONDAY_10 = datetime(2026, 11, 23, 10, 0)
AGENCY = "000.24481.H15"

AN = ApplicantInput(
    id_number="066090012345",
    full_name="Nguyễn Văn An",
    date_of_birth=date(1990, 5, 15),
    sex="Nam",
    address="Thôn 1, xã Hòa Sơn, tỉnh Đắk Lắk",
)
LAN = ApplicantInput(
    id_number="066190012345",
    full_name="Nguyễn Thị Lan",
    date_of_birth=date(1990, 3, 2),
    sex="Nữ",
    address="Thôn Đông, xã Hòa Sơn, tỉnh Đắk Lắk",
    phone="0905 123 456",
)


# The birth registration's required papers other than the birth certificate.
BIRTH_PAPERS = (
    ChecklistEntry("Tờ khai đăng ký khai sinh theo mẫu", "original"),
    ChecklistEntry(
        "Giấy tờ tùy thân của người đi đăng ký (căn cước, căn cước công dân hoặc hộ chiếu)",
        "present",
    ),
)


def birth_values(child_born: str = "10/11/2026") -> dict[str, str]:
    return {
        "addressed_to": "Ủy ban nhân dân xã Hòa Sơn, tỉnh Đắk Lắk",
        "requester.relationship": "Mẹ",
        "child.full_name": "Trần Ngọc Bảo Anh",
        "child.date_of_birth": child_born,
        "child.sex": "Nữ",
        "child.place_of_birth": "Trạm Y tế xã Hòa Sơn, tỉnh Đắk Lắk",
        "child.home_town": "xã Hòa Sơn, tỉnh Đắk Lắk",
        "mother.full_name": "Nguyễn Thị Lan",
        "mother.year_of_birth": "1990",
        "mother.residence": "Thôn Đông, xã Hòa Sơn, tỉnh Đắk Lắk",
    }


def _office_id(database: Database) -> uuid.UUID:
    with UnitOfWork(database, readonly=True) as uow:
        return find_office(uow).id


def _save(database: Database, request: DossierRequest, now: datetime = MONDAY_10):  # type: ignore[no-untyped-def]
    office_id = _office_id(database)
    with UnitOfWork(database) as uow:
        return create_dossier(uow, office_id=office_id, request=request, now=now)


def _count(database: Database, model: type) -> int:
    with UnitOfWork(database, readonly=True) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def test_birth_registration_is_saved_with_code_history_and_queued_submission(
    database: Database,
) -> None:
    request = DossierRequest("1.001193", LAN, birth_values(), counter_number=2)
    view = _save(database, request)

    assert view.code == f"{AGENCY}-261123-0001"
    assert view.state == "received"
    assert view.due_at == datetime(2026, 11, 23, 17, 0)  # same day, received before 15:00
    assert view.fee_amount == 0
    assert view.form_values["child.full_name"] == "Trần Ngọc Bảo Anh"
    # Defaults come from the card: the requester is the applicant.
    assert view.form_values["requester.full_name"] == "Nguyễn Thị Lan"
    assert view.derived["child.date_of_birth_words"].startswith("Ngày mồng mười, tháng mười một")
    assert (view.logbook_year, view.logbook_number) == (2026, 1)
    assert view.submission_state == "pending"
    with UnitOfWork(database, readonly=True) as uow:
        dossier = uow.session.scalar(select(Dossier))
        assert dossier is not None
        events = uow.session.scalars(select(DossierEvent)).all()
        assert [(e.kind, e.to_state) for e in events] == [("received", "received")]
        submission = uow.session.scalar(select(Submission))
        assert submission is not None
        assert submission.dossier_id == dossier.id
        assert submission.idempotency_key == dossier.id.hex
        audit = uow.session.scalars(select(AuditEvent.kind)).all()
        assert "dossier.received" in audit
    # It reads back by code, whatever case the specialist types.
    with UnitOfWork(database, readonly=True) as uow:
        again = get_dossier(uow, view.code.lower())
    assert again.applicant.full_name == "Nguyễn Thị Lan"
    assert [d.name for d in again.documents] == [d.name for d in view.documents]


def test_codes_count_per_day_without_gaps_and_restart_next_day(database: Database) -> None:
    sign = DossierRequest("2.000884", AN)
    codes = [_save(database, sign).code for _ in range(3)]
    tomorrow = _save(database, sign, now=datetime(2026, 11, 25, 9, 0)).code
    assert codes == [f"{AGENCY}-261123-000{n}" for n in (1, 2, 3)]
    assert tomorrow == f"{AGENCY}-261125-0001"
    with UnitOfWork(database, readonly=True) as uow:
        numbers = uow.session.scalars(select(Dossier.logbook_number).order_by(Dossier.code)).all()
    assert sorted(numbers) == [1, 2, 3, 4]  # the log book counts on through the year


@pytest.mark.parametrize(
    ("code", "extra", "expected_fee"),
    [
        ("2.000884", {}, 10_000),  # signature certification: per case
        ("2.000815", {"pages": 5, "copies": 2}, 2 * (2 * 2_000 + 3 * 1_000)),
        ("2.000815", {"pages": 400, "copies": 1}, 200_000),  # capped per copy
        ("2.000635", {"copies": 3}, 3 * 8_000),  # extract copies
    ],
)
def test_fee_follows_the_catalog_rule(
    database: Database, code: str, extra: dict[str, int], expected_fee: int
) -> None:
    view = _save(database, DossierRequest(code, AN, **extra))  # type: ignore[arg-type]
    assert view.fee_amount == expected_fee
    assert view.fee_lines


def test_late_birth_registration_costs_the_late_fee_unless_exempt(database: Database) -> None:
    late = birth_values(child_born="01/06/2026")  # more than 60 days before 23/11
    view = _save(database, DossierRequest("1.001193", LAN, late))
    assert view.fee_amount == 8_000
    exempt = _save(database, DossierRequest("1.001193", LAN, late, exemption="poor_household"))
    assert exempt.fee_amount == 0
    assert exempt.fee_exempted
    assert any("hộ nghèo" in line for line in exempt.fee_lines)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (datetime(2026, 11, 23, 14, 59), datetime(2026, 11, 23, 17, 0)),
        # After 15:00 on Monday: Tuesday 24/11 is a holiday, so Wednesday.
        (datetime(2026, 11, 23, 15, 1), datetime(2026, 11, 25, 17, 0)),
        (datetime(2026, 11, 27, 16, 0), datetime(2026, 11, 30, 17, 0)),  # Friday → Monday
    ],
)
def test_same_day_procedure_follows_the_15_00_rule(
    database: Database, received: datetime, due: datetime
) -> None:
    assert _save(database, DossierRequest("2.000884", AN), now=received).due_at == due


def test_working_day_procedure_skips_weekend_and_holiday(database: Database) -> None:
    # Temporary residence: 3 working days from Monday 23/11; Tuesday 24/11 is a holiday.
    values = {
        "addressed_to": "Công an xã Hòa Sơn",
        "request.content": "Đăng ký tạm trú",
        "request.address": "Thôn 2, xã Hòa Sơn, tỉnh Đắk Lắk",
        "request.relationship_to_head": "Người thuê nhà",
        "request.lawful_residence_basis": "Hợp đồng thuê nhà",
        "request.stay_until": "31/12/2027",
    }
    view = _save(database, DossierRequest("1.004194", AN, values))
    assert view.due_at == datetime(2026, 11, 27, 17, 0)  # Wed, Thu, Fri
    assert view.processing_working_days == 3


def test_returning_citizen_is_found_and_updated(database: Database) -> None:
    _save(database, DossierRequest("2.000884", AN))
    with_phone = ApplicantInput(**{**AN.__dict__, "phone": "0912345678", "address": None})
    _save(database, DossierRequest("2.000884", with_phone))
    assert _count(database, Citizen) == 1
    with UnitOfWork(database, readonly=True) as uow:
        found = find_citizen(uow, AN.id_number)
        by_old = find_citizen(uow, "241234567")
        by_name = search_citizens(uow, "nguyen van")
        nobody = search_citizens(uow, "tran")
    assert found is not None
    assert (found.phone, found.address, found.dossier_count) == ("0912345678", AN.address, 2)
    assert by_old is None  # no old number was given
    assert [c.full_name for c in by_name] == ["Nguyễn Văn An"]
    assert nobody == []


def test_attachments_are_stored_by_sha256_once(database: Database, tmp_path: Path) -> None:
    scan = tmp_path / "giay-chung-sinh.jpg"
    scan.write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 40)
    entries = [
        *BIRTH_PAPERS,
        ChecklistEntry("Giấy chứng sinh", "original", 1, True, (AttachmentFile(scan),)),
        ChecklistEntry(
            "Bản sao giấy chứng sinh", "copy", 1, True, (AttachmentFile(scan, "ban-sao.jpg"),)
        ),
    ]
    view = _save(database, DossierRequest("1.001193", LAN, birth_values(), checklist=entries))
    digest = hashlib.sha256(scan.read_bytes()).hexdigest()
    assert [d.name for d in view.documents][-2:] == ["Giấy chứng sinh", "Bản sao giấy chứng sinh"]
    shown = [(a.name, a.sha256, a.size) for d in view.documents for a in d.attachments]
    size = scan.stat().st_size
    assert shown == [("giay-chung-sinh.jpg", digest, size), ("ban-sao.jpg", digest, size)]
    assert _count(database, StoredFile) == 1
    assert _count(database, DossierAttachment) == 2
    with UnitOfWork(database, readonly=True) as uow:
        assert attachment_content(uow, digest) == scan.read_bytes()


def _refused(database: Database, request: DossierRequest) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        _save(database, request)
    return caught.value.problems


@pytest.mark.parametrize(
    ("applicant", "values", "field", "words"),
    [
        (
            ApplicantInput("06609001234", "Nguyễn Văn An"),
            {},
            "applicant.id_number",
            "12 chữ số",
        ),
        (
            ApplicantInput("066090012345", "Nguyễn Văn An", date_of_birth=date(2030, 1, 1)),
            {},
            "applicant.date_of_birth",
            "sau hôm nay",
        ),
        (AN, {"child.date_of_birth": "01/01/2027"}, "child.date_of_birth", "sau ngày hôm nay"),
        (AN, {"mother.year_of_birth": "2016"}, "mother.year_of_birth", "12 tuổi"),
        (AN, {"child.full_name": ""}, "child.full_name", "Chưa nhập"),
    ],
)
def test_bad_input_is_named_and_nothing_is_saved(
    database: Database,
    applicant: ApplicantInput,
    values: dict[str, str],
    field: str,
    words: str,
) -> None:
    problems = _refused(database, DossierRequest("1.001193", applicant, birth_values() | values))
    assert field in problems
    assert words in problems[field]
    assert _count(database, Dossier) == 0
    assert _count(database, Citizen) == 0
    # The refused attempt did not use up a number: the next dossier is still 0001.
    assert _save(database, DossierRequest("2.000884", AN)).code.endswith("-0001")


def test_message_names_the_field_as_the_form_labels_it(database: Database) -> None:
    problems = birth_values() | {"child.full_name": ""}
    with pytest.raises(ValidationFailed) as caught:
        _save(database, DossierRequest("1.001193", LAN, problems))
    assert "Người được khai sinh › Họ, chữ đệm và tên (child.full_name)" in str(caught.value)


def test_oversized_attachment_is_refused_before_anything_is_written(
    database: Database, tmp_path: Path
) -> None:
    big = tmp_path / "video.mp4"
    with big.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB without using the disk
    entries = [
        *BIRTH_PAPERS,
        ChecklistEntry("Giấy chứng sinh", "original", 1, True, (AttachmentFile(big),)),
    ]
    problems = _refused(
        database, DossierRequest("1.001193", LAN, birth_values(), checklist=entries)
    )
    assert "video.mp4" in problems["attachment"]
    assert "200,0 MB" in problems["attachment"]
    assert "20,0 MB" in problems["attachment"]
    assert _count(database, StoredFile) == 0
    assert _count(database, Dossier) == 0


def test_missing_required_paper_is_refused(database: Database) -> None:
    entries = [ChecklistEntry("Giấy chứng sinh", "original", 1, received=False)]
    problems = _refused(
        database, DossierRequest("1.001193", LAN, birth_values(), checklist=entries)
    )
    assert "Chưa nhận" in problems["checklist"]


def test_post_delivery_needs_an_address(database: Database) -> None:
    problems = _refused(database, DossierRequest("2.000884", AN, result_channel="post"))
    assert "địa chỉ" in problems["result_address"]
    view = _save(
        database,
        DossierRequest("2.000884", AN, result_channel="post", result_address="Thôn 1, Hòa Sơn"),
    )
    assert (view.result_channel, view.result_address) == ("post", "Thôn 1, Hòa Sơn")


def test_unknown_procedure_and_dossier_are_not_found(database: Database) -> None:
    with pytest.raises(NotFound, match=r"9\.999999"):
        _save(database, DossierRequest("9.999999", AN))
    with (
        UnitOfWork(database, readonly=True) as uow,
        pytest.raises(NotFound, match="Không có hồ sơ"),
    ):
        get_dossier(uow, f"{AGENCY}-261123-0042")


def test_draft_survives_and_is_removed_by_the_save(database: Database) -> None:
    office_id = _office_id(database)
    payload = {"procedure": "1.001193", "form": birth_values(), "step": 3}
    with UnitOfWork(database) as uow:
        draft = save_draft(uow, office_id=office_id, payload=payload, title="Nguyễn Thị Lan")
    with UnitOfWork(database) as uow:  # typed on: the same draft is overwritten
        save_draft(
            uow,
            office_id=office_id,
            payload={**payload, "step": 4},
            title="Nguyễn Thị Lan – Đăng ký khai sinh",
            draft_id=draft,
        )
    with UnitOfWork(database, readonly=True) as uow:
        drafts = list_drafts(uow, office_id=office_id)
        loaded = load_draft(uow, draft)
    assert [d.title for d in drafts] == ["Nguyễn Thị Lan – Đăng ký khai sinh"]
    assert loaded.payload["step"] == 4
    assert loaded.payload["form"]["child.full_name"] == "Trần Ngọc Bảo Anh"

    _save(database, DossierRequest("1.001193", LAN, birth_values(), draft_id=draft))
    with UnitOfWork(database, readonly=True) as uow:
        assert list_drafts(uow, office_id=office_id) == []


def test_refused_save_keeps_the_draft(database: Database) -> None:
    office_id = _office_id(database)
    with UnitOfWork(database) as uow:
        draft = save_draft(uow, office_id=office_id, payload={"a": 1}, title="x")
    _refused(
        database,
        DossierRequest("1.001193", LAN, birth_values() | {"child.sex": ""}, draft_id=draft),
    )
    with UnitOfWork(database, readonly=True) as uow:
        assert load_draft(uow, draft).payload == {"a": 1}
    with UnitOfWork(database) as uow:
        discard_draft(uow, draft)
    with UnitOfWork(database, readonly=True) as uow, pytest.raises(NotFound):
        load_draft(uow, draft)
