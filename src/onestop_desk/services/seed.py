"""First-run data: the catalog for every office, and the demo office for newcomers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from onestop_desk.core.accounts import DEMO_PASSWORD
from onestop_desk.core.roles import Role
from onestop_desk.db.models import Counter, Field, Office
from onestop_desk.services.catalog import SeedResult, load_catalog, seed_catalog
from onestop_desk.services.office import create_office
from onestop_desk.services.staff import create_staff
from onestop_desk.services.uow import UnitOfWork

DEMO_WARD_CODE = 24481  # Xã Hòa Sơn, tỉnh Đắk Lắk
# Demo value in the official pattern; each office enters its own e-ID code.
DEMO_AGENCY_CODE = "000.24481.H15"
# (number, field codes served; empty = every field)
DEMO_COUNTERS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, ("HT",)),
    (2, ("HT", "CTR")),
    (3, ("CT",)),
    (4, ()),
)
DEMO_STAFF: tuple[tuple[str, str, Role], ...] = (
    ("admin", "Quản trị hệ thống", Role.ADMIN),
    ("lanhdao", "Trần Văn Bình", Role.HEAD),
    ("tiepnhan1", "Nguyễn Thị Hoa", Role.RECEPTION),
    ("tiepnhan2", "Lê Văn Nam", Role.RECEPTION),
)


@dataclass(frozen=True)
class SeedReport:
    demo_office_created: bool
    catalogs: dict[int, SeedResult]


def seed(uow: UnitOfWork, *, demo: bool, now: datetime | None = None) -> SeedReport:
    """Load the bundled catalog into every office; with ``demo``, create the demo office first."""
    now = now or datetime.now()
    data = load_catalog()
    demo_office: Office | None = None
    if (
        demo
        and uow.session.scalar(select(Office).where(Office.ward_code == DEMO_WARD_CODE)) is None
    ):
        demo_office = create_office(
            uow, ward_code=DEMO_WARD_CODE, agency_code=DEMO_AGENCY_CODE, now=now
        )
    results: dict[int, SeedResult] = {}
    for office in uow.session.scalars(select(Office).order_by(Office.ward_code)).all():
        results[office.ward_code] = seed_catalog(uow, office.id, data, now=now)
    if demo_office is not None:
        _seed_demo_desk(uow, demo_office, now)
    uow.commit()
    return SeedReport(demo_office is not None, results)


def _seed_demo_desk(uow: UnitOfWork, office: Office, now: datetime) -> None:
    rows = uow.session.scalars(select(Field).where(Field.office_id == office.id))
    fields = {f.code: f for f in rows}
    for number, codes in DEMO_COUNTERS:
        counter = Counter(office_id=office.id, number=number, name=f"Quầy {number}", active=True)
        counter.fields = [fields[c] for c in codes if c in fields]
        uow.session.add(counter)
    for username, full_name, role in DEMO_STAFF:
        create_staff(
            uow,
            office_id=office.id,
            username=username,
            full_name=full_name,
            password=DEMO_PASSWORD,
            role=role,
            now=now,
            demo=True,
        )
    uow.session.flush()
