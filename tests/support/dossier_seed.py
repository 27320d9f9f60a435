"""A week of dossiers at the demo office, in every pile of the counter's dossier list.

Seen from Friday 27/11/2026, 10:00 (``NOW``): Tuesday 24/11 was a public holiday (Vietnam
Culture Day) and the next working day is Monday 30/11. States are reached through the
lifecycle service, so each dossier carries the history a real one would.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update

from onestop_desk.db.database import Database
from onestop_desk.db.models import Dossier, StaffUser, Submission
from onestop_desk.services.dossier import ApplicantInput, DossierRequest, create_dossier
from onestop_desk.services.lifecycle import actions
from onestop_desk.services.lifecycle.commands import SupplementItem
from onestop_desk.services.office import find_office
from onestop_desk.services.uow import UnitOfWork
from tests.support.services import in_uow

AGENCY = "000.24481.H15"
NOW = datetime(2026, 11, 27, 10, 0)

AN = ApplicantInput("066090012345", "Nguyễn Văn An", date(1990, 5, 15), "Nam", "Thôn 1")
LAN = ApplicantInput(
    "066190012345", "Nguyễn Thị Lan", date(1990, 3, 2), "Nữ", "Thôn Đông", old_id_number="241234567"
)
BINH = ApplicantInput("066091054321", "Phạm Văn Bình", date(1991, 7, 1), "Nam", "Thôn 3")
ANH = ApplicantInput("066192098765", "Lê Thị Ánh", date(1992, 2, 9), "Nữ", "Thôn 4")

SIGNATURE = "2.000884"  # same day
CORRECTION = "1.004859"  # 3 working days
RE_REGISTRATION = "1.004884"  # 5 working days
EXTRACT = "2.000635"  # same day


@dataclass(frozen=True)
class Seeded:
    office_id: uuid.UUID
    staff_id: uuid.UUID  # tiepnhan1, Nguyễn Thị Hoa
    today: str  # signature certification received this morning, due today 17:00
    monday: str  # correction from Wednesday: due Monday 30/11; its online submission failed
    later: str  # re-registration from Monday 23/11: due Tuesday 1/12, being processed
    late: str  # extract copy due Thursday 19/11, still open
    supplement: str  # waiting for papers the citizen must bring
    ready: str  # result ready, due today
    returned: str  # returned on time on 20/11
    refused: str


def _save(database: Database, office_id: uuid.UUID, request: DossierRequest, at: datetime) -> str:
    with UnitOfWork(database) as uow:
        return create_dossier(uow, office_id=office_id, request=request, now=at).code


def _set(database: Database, code: str, **values: Any) -> None:
    with UnitOfWork(database) as uow:
        uow.session.execute(update(Dossier).where(Dossier.code == code).values(**values))
        uow.commit()


def seed_dossiers(database: Database) -> Seeded:
    """Save the week's dossiers and move each to its pile; returns their codes."""
    with UnitOfWork(database, readonly=True) as uow:
        office_id = find_office(uow).id
        staff_id = uow.session.scalar(select(StaffUser.id).where(StaffUser.username == "tiepnhan1"))
        assert staff_id is not None

    def save(code: str, applicant: ApplicantInput, at: datetime) -> str:
        request = DossierRequest(code, applicant, staff_id=staff_id, counter_number=2)
        return _save(database, office_id, request, at)

    seeded = Seeded(
        office_id=office_id,
        staff_id=staff_id,
        today=save(SIGNATURE, AN, datetime(2026, 11, 27, 8, 0)),
        monday=save(CORRECTION, LAN, datetime(2026, 11, 25, 9, 0)),
        later=save(RE_REGISTRATION, BINH, datetime(2026, 11, 23, 9, 0)),
        late=save(EXTRACT, ANH, datetime(2026, 11, 19, 9, 0)),
        supplement=save(CORRECTION, BINH, datetime(2026, 11, 26, 9, 0)),
        ready=save(SIGNATURE, LAN, datetime(2026, 11, 27, 8, 30)),
        returned=save(SIGNATURE, AN, datetime(2026, 11, 20, 8, 0)),
        refused=save(SIGNATURE, ANH, datetime(2026, 11, 26, 8, 0)),
    )
    act = {"staff_id": staff_id}
    in_uow(actions.start_processing)(
        database, seeded.later, now=datetime(2026, 11, 23, 10, 0), **act
    )
    in_uow(actions.request_supplement)(
        database,
        seeded.supplement,
        items=[SupplementItem("Bản sao giấy khai sinh", 1, "certified_copy")],
        reason="Thiếu giấy tờ chứng minh nội dung cần cải chính",
        now=datetime(2026, 11, 26, 9, 20),
        **act,
    )
    in_uow(actions.start_processing)(
        database, seeded.ready, now=datetime(2026, 11, 27, 8, 40), **act
    )
    in_uow(actions.mark_result_ready)(
        database, seeded.ready, note="Đã ký, đóng dấu", now=datetime(2026, 11, 27, 9, 30), **act
    )
    in_uow(actions.start_processing)(
        database, seeded.returned, now=datetime(2026, 11, 20, 8, 10), **act
    )
    in_uow(actions.mark_result_ready)(
        database, seeded.returned, now=datetime(2026, 11, 20, 14, 0), **act
    )
    in_uow(actions.return_result)(
        database,
        seeded.returned,
        to="Nguyễn Văn An",
        channel="desk",
        at=datetime(2026, 11, 20, 16, 0),
        **act,
    )
    in_uow(actions.refuse)(
        database,
        seeded.refused,
        reasons="Văn bản cần chứng thực chữ ký có nội dung trái pháp luật",
        now=datetime(2026, 11, 26, 8, 15),
        **act,
    )
    _set(database, seeded.later, portal_status="processing", portal_reference="G22.99-2611-0042")
    with UnitOfWork(database) as uow:
        dossier_id = uow.session.scalar(select(Dossier.id).where(Dossier.code == seeded.monday))
        uow.session.execute(
            update(Submission)
            .where(Submission.dossier_id == dossier_id)
            .values(state="failed", attempts=3, last_error="Cổng trả lời 422: thiếu tệp tờ khai")
        )
        uow.commit()
    return seeded
