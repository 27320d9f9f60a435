"""Benchmark: reception at the counter: procedure search, receipt .docx, dossier save, look-ups.

Run with ``.venv/bin/python bench/reception.py [--iterations N] [--backend sqlite|postgresql|both]
[--quick] [--explain]``. Each measured database call is one whole transaction through the service
layer with a fresh UnitOfWork, as the reception screen does; warm-up calls are excluded. The
procedure search runs over the shipped catalog (12 procedures) and over a full commune catalog
(500: the shipped ones plus synthetic variants). Saves and citizen look-ups run with 200,000
dossiers of ~150,000 citizens bulk-loaded first (``--quick``: 20,000 of ~15,000). PostgreSQL is a
throw-away server with fsync on, reached over 127.0.0.1; SQLite is a WAL file in a temp folder.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
for path in (REPO / "src", REPO):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from bench.tickets import (  # noqa: E402
    counting_statements,
    filesystem_of,
    load_average,
    machine_facts,
    percentile,
)
from sqlalchemy import create_engine, event, func, insert, literal, select, text  # noqa: E402
from tests.support.pgserver import PgServer, find_bin_dir  # noqa: E402

from onestop_desk.core.dossier_code import format_dossier_code  # noqa: E402
from onestop_desk.core.lifecycle import DossierState  # noqa: E402
from onestop_desk.core.text import search_key  # noqa: E402
from onestop_desk.db.database import Database  # noqa: E402
from onestop_desk.db.migrate import upgrade  # noqa: E402
from onestop_desk.db.models import (  # noqa: E402
    Citizen,
    Dossier,
    LogbookCounter,
    Procedure,
    StaffUser,
)
from onestop_desk.documents.receipt import render_receipt  # noqa: E402
from onestop_desk.services.catalog import search_procedures  # noqa: E402
from onestop_desk.services.dossier import (  # noqa: E402
    ApplicantInput,
    ChecklistEntry,
    DossierRequest,
    DossierView,
    create_dossier,
    find_citizen,
    search_citizens,
)
from onestop_desk.services.office import OfficeInfo, find_office, office_info  # noqa: E402
from onestop_desk.services.papers import receipt_data  # noqa: E402
from onestop_desk.services.seed import seed  # noqa: E402
from onestop_desk.services.uow import UnitOfWork  # noqa: E402

SEARCH_P95_TARGET_MS = 10.0
RECEIPT_P95_TARGET_MS = 150.0
SAVE_P95_PG_TARGET_MS = 30.0
LOOKUP_P95_TARGET_MS = 50.0

FULL_CATALOG = 500
DOSSIERS, CITIZENS = 200_000, 150_000
QUICK_DOSSIERS, QUICK_CITIZENS = 20_000, 15_000
DOSSIERS_PER_WORKING_DAY = 150
CHUNK = 5_000
RECEIPT_POOL = 12  # saved dossiers whose receipts are rendered in turn (each has its own QR)

SEARCH_QUERIES = (
    "khai sinh",
    "chung thuc ban sao",
    "chứng thực chữ ký",
    "2.000815",
    "tam tru",
    "ket hon",
    "trích lục",
    "khai tu",
)
# As typed at the counter: diacritics left out, the given name often cut short.
NAME_QUERIES = ("nguyen van h", "tran thi", "le thi h", "pham van", "nguyen thi thanh", "vo duc")

# Wording of real variants of a procedure ("… có yếu tố nước ngoài", "… lưu động"), so a
# 500-procedure catalog has hundreds of names sharing words, as a real commune's list does.
VARIANTS = (
    "có yếu tố nước ngoài",
    "tại khu vực biên giới",
    "lưu động",
    "cho người đã có hồ sơ, giấy tờ cá nhân",
    "cho trẻ em bị bỏ rơi",
    "cho người cư trú ở nước ngoài",
    "theo ủy quyền",
    "cho người khuyết tật",
    "liên thông",
    "trực tuyến toàn trình",
    "trực tuyến một phần",
    "đối với cán bộ, công chức",
)
QUALIFIERS = ("", "(cấp xã)", "(thủ tục rút gọn)", "(trường hợp đặc biệt)")

# Share of the population by surname (approximate national figures); the rest are rarer names.
SURNAMES = (
    ("Nguyễn", 38.4),
    ("Trần", 11.0),
    ("Lê", 9.5),
    ("Phạm", 7.1),
    ("Hoàng", 3.6),
    ("Huỳnh", 1.5),
    ("Phan", 4.5),
    ("Vũ", 2.4),
    ("Võ", 1.5),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.5),
)
MALE_MIDDLE = (("Văn", 50), ("Hữu", 10), ("Đức", 12), ("Minh", 12), ("Thanh", 8), ("Ngọc", 3))
FEMALE_MIDDLE = (("Thị", 60), ("Ngọc", 12), ("Minh", 6), ("Thanh", 12), ("Thu", 6), ("Kim", 4))
MALE_GIVEN = (  # split in People
    "An Bảo Bình Cường Dũng Duy Đạt Định Hải Hiếu Hoàng Hùng Huy Hưng Khang Khánh Khoa Kiên "
    "Long Lộc Lợi Minh Nam Nghĩa Nhân Phong Phúc Quang Quân Sơn Tài Tâm Thành Thắng Thịnh "
    "Toàn Trí Trung Tuấn Tùng Việt Vinh Vũ"
)
FEMALE_GIVEN = (  # split in People
    "Anh Chi Dung Giang Hà Hạnh Hằng Hiền Hoa Hồng Hương Huyền Lan Liên Linh Loan Mai My Nga "
    "Ngân Nhung Oanh Phương Quyên Quỳnh Tâm Thảo Thoa Thu Thủy Trang Trinh Tuyết Uyên Vân Vy "
    "Xuân Yến"
)
PROVINCE_CODES = (("066", 70), ("064", 8), ("062", 5), ("054", 5), ("001", 4), ("079", 8))
VILLAGES = (*(f"Thôn {n}" for n in range(1, 13)), "Thôn Đông", "Thôn Tây", "Buôn Ea Kmar")


@dataclass
class Result:
    """Latencies (ns) per measured operation on one backend, and what the data looked like."""

    backend: str
    version: str
    durability: str
    samples: dict[str, list[int]] = field(default_factory=dict)
    statements: dict[str, float] = field(default_factory=dict)
    shape: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)


@dataclass
class Desk:
    """The office the bench works at and what its operations draw from."""

    office_id: uuid.UUID
    office: OfficeInfo
    staff_id: uuid.UUID
    id_numbers: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # full names, in the order of id_numbers
    #: Former 9-digit numbers, in the order of id_numbers (None: a card issued without one).
    old_of: list[str | None] = field(default_factory=list)
    old_numbers: list[str] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)
    name_keys: list[str] = field(default_factory=list)
    views: list[DossierView] = field(default_factory=list)


# --- people ----------------------------------------------------------------------------------


class People:
    """Realistic Vietnamese applicants: names by national surname shares, valid ID numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._surnames = [s for s, _ in SURNAMES]
        self._surname_weights = [w for _, w in SURNAMES]
        self._male_given = MALE_GIVEN.split()
        self._female_given = FEMALE_GIVEN.split()

    def _pick(self, options: tuple[tuple[str, int], ...]) -> str:
        return self.rng.choices([o for o, _ in options], [w for _, w in options])[0]

    def name(self, male: bool) -> str:
        rng = self.rng
        surname = rng.choices(self._surnames, self._surname_weights)[0]
        middle = self._pick(MALE_MIDDLE if male else FEMALE_MIDDLE)
        given = rng.choice(self._male_given if male else self._female_given)
        if rng.random() < 0.2:  # a second middle name: "Nguyễn Thị Thanh Hương"
            second = rng.choice(
                ("Thanh", "Minh", "Ngọc", "Bảo", "Hoài")
                if male
                else ("Thanh", "Ngọc", "Thu", "Bảo", "Hoài")
            )
            if second != middle:
                middle = f"{middle} {second}"
        return f"{surname} {middle} {given}"

    def id_number(self, male: bool, born: date, taken: set[str]) -> str:
        """A 12-digit personal ID: province, sex-and-century digit, birth year, 6 digits."""
        province = self._pick(PROVINCE_CODES)
        digit = (born.year - 1900) // 100 * 2 + (0 if male else 1)
        while True:
            number = f"{province}{digit}{born.year % 100:02d}{self.rng.randrange(10**6):06d}"
            if number not in taken:
                taken.add(number)
                return number

    def applicant(
        self, taken: set[str], *, male: bool | None = None, born_in: tuple[int, int] = (1950, 2005)
    ) -> ApplicantInput:
        rng = self.rng
        male = rng.random() < 0.5 if male is None else male
        born = date(rng.randint(*born_in), rng.randint(1, 12), rng.randint(1, 28))
        return ApplicantInput(
            id_number=self.id_number(male, born, taken),
            full_name=self.name(male),
            date_of_birth=born,
            sex="Nam" if male else "Nữ",
            address=f"{rng.choice(VILLAGES)}, xã Hòa Sơn, tỉnh Đắk Lắk",
            # The 9-digit identity card (CMND) of people who had one before the chip cards.
            old_id_number=f"24{rng.randrange(10**7):07d}" if born.year < 1995 else None,
            phone=f"09{rng.randrange(10**8):08d}" if rng.random() < 0.6 else None,
        )


# --- set-up ----------------------------------------------------------------------------------


def prepare(database: Database) -> Desk:
    """Migrate and seed the demo office (shipped catalog, counters, staff)."""
    upgrade(database)
    with UnitOfWork(database) as uow:
        seed(uow, demo=True)
    with UnitOfWork(database, readonly=True) as uow:
        office = find_office(uow)
        staff = uow.session.scalar(select(StaffUser).where(StaffUser.username == "tiepnhan1"))
        assert staff is not None
        return Desk(office.id, office_info(office), staff.id)


def grow_catalog(database: Database, office_id: uuid.UUID) -> int:
    """Add synthetic variants of the shipped procedures until the office has 500."""
    with UnitOfWork(database) as uow:
        shipped = list(
            uow.session.scalars(
                select(Procedure).where(Procedure.office_id == office_id).order_by(Procedure.code)
            )
        )
        for i in range(FULL_CATALOG - len(shipped)):
            base = shipped[i % len(shipped)]
            combo = i // len(shipped)
            qualifier = QUALIFIERS[combo // len(VARIANTS) % len(QUALIFIERS)]
            name = f"{base.name} {VARIANTS[combo % len(VARIANTS)]} {qualifier}".strip()
            uow.session.add(
                Procedure(
                    office_id=office_id,
                    field_id=base.field_id,
                    # Same ministry prefix as the original, numbers no real procedure uses here.
                    code=f"{base.code.split('.')[0]}.{10_000 + i:06d}",
                    name=name,
                    name_key=search_key(name),
                    processing_time=base.processing_time,
                    fee=base.fee,
                    documents=base.documents,
                    form=base.form,
                    result=base.result,
                    legal_basis=base.legal_basis,
                    active=True,
                )
            )
        uow.commit()
    with UnitOfWork(database, readonly=True) as uow:
        return int(
            uow.session.scalar(
                select(func.count()).select_from(Procedure).where(Procedure.office_id == office_id)
            )
            or 0
        )


def working_days_back(today: date, count: int) -> list[date]:
    """The ``count`` working days (Monday to Friday) before today, oldest first."""
    days: list[date] = []
    day = today
    while len(days) < count:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days[::-1]


def bulk_load(
    database: Database, desk: Desk, people: People, dossiers: int, citizens: int
) -> float:
    """Insert ``citizens`` citizens and ``dossiers`` dossiers received on earlier working days.

    Core executemany in chunks (insertmanyvalues on PostgreSQL); every row is one the services
    could have written: valid ID numbers, unique codes, log book numbers per year.
    """
    started = time.perf_counter()
    rng = people.rng
    now = datetime.now().replace(microsecond=0)
    citizen_ids: list[uuid.UUID] = []
    citizen_rows: list[dict[str, Any]] = []
    for _ in range(citizens):
        person = people.applicant(desk.taken)
        key = search_key(person.full_name)
        cid = uuid.uuid4()
        citizen_ids.append(cid)
        desk.id_numbers.append(person.id_number)
        desk.names.append(person.full_name)
        desk.name_keys.append(key)
        desk.old_of.append(person.old_id_number)
        if person.old_id_number is not None:
            desk.old_numbers.append(person.old_id_number)
        citizen_rows.append(
            {
                "id": cid,
                "id_number": person.id_number,
                "old_id_number": person.old_id_number,
                "full_name": person.full_name,
                "name_key": key,
                "date_of_birth": person.date_of_birth,
                "sex": person.sex,
                "address": person.address,
                "phone": person.phone,
                "email": None,
                "created_at": now,
                "updated_at": now,
            }
        )

    with UnitOfWork(database, readonly=True) as uow:
        procedures = [
            (p.id, p.code, p.processing_time.get("kind") == "same_day")
            # The shipped procedures (the synthetic variants are numbered from x.010000).
            for p in uow.session.scalars(
                select(Procedure).where(
                    Procedure.office_id == desk.office_id, Procedure.code.like("_.00%")
                )
            )
        ]
    # Civil status and certification make most of a commune desk's work.
    weights = [
        {"2.000815": 30, "2.000884": 20, "1.001193": 10, "2.000635": 8}.get(code, 4)
        for _, code, _ in procedures
    ]
    days = working_days_back(now.date(), -(-dossiers // DOSSIERS_PER_WORKING_DAY))
    dossier_rows: list[dict[str, Any]] = []
    book: dict[int, int] = {}
    for i in range(dossiers):
        day = days[i // DOSSIERS_PER_WORKING_DAY]
        sequence = i % DOSSIERS_PER_WORKING_DAY + 1
        # Every citizen came at least once; the remaining dossiers go to returning citizens.
        applicant = citizen_ids[i] if i < citizens else rng.choice(citizen_ids)
        pid, _, same_day = rng.choices(procedures, weights)[0]
        received = datetime.combine(day, datetime.min.time()) + timedelta(
            hours=7, minutes=30 + sequence * 3
        )
        due = received.replace(hour=17, minute=0) + timedelta(days=0 if same_day else 5)
        old = (now - received).days > 10
        book[day.year] = book.get(day.year, 0) + 1
        dossier_rows.append(
            {
                "id": uuid.uuid4(),
                "office_id": desk.office_id,
                "code": format_dossier_code(desk.office.agency_code, day, sequence),
                "procedure_id": pid,
                "applicant_id": applicant,
                "ticket_id": None,
                "received_by_id": desk.staff_id,
                "received_at": received,
                "due_at": due,
                "state": (DossierState.RETURNED if old else DossierState.RECEIVED).value,
                "result_channel": "desk",
                "result_address": None,
                "deciding_body": None,
                "fee_amount": rng.choice((0, 0, 8_000, 10_000, 20_000)),
                "form_data": {},
                "portal_reference": None,
                "returned_at": due if old else None,
                "returned_to": None,
                "result_timing": "on_time" if old else None,
                "counter_number": rng.randint(1, 4),
                "fee_details": {},
                "logbook_year": day.year,
                "logbook_number": book[day.year],
            }
        )

    with database.engine.begin() as conn:
        for start in range(0, len(citizen_rows), CHUNK):
            conn.execute(insert(Citizen), citizen_rows[start : start + CHUNK])
        for start in range(0, len(dossier_rows), CHUNK):
            conn.execute(insert(Dossier), dossier_rows[start : start + CHUNK])
        year = now.year
        if book.get(year):
            conn.execute(
                insert(LogbookCounter).values(
                    office_id=desk.office_id, year=year, last_number=book[year]
                )
            )
    if database.is_postgresql:
        # Bulk-filled tables have no statistics or visibility map yet, and autovacuum would
        # work through them during the measured rounds; on a live server that was done long
        # ago, so measure that steady state.
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return time.perf_counter() - started


# --- the measured operations -----------------------------------------------------------------

BIRTH_PAPERS = (
    ChecklistEntry("Tờ khai đăng ký khai sinh theo mẫu", "original"),
    ChecklistEntry(
        "Giấy tờ tùy thân của người đi đăng ký (căn cước, căn cước công dân hoặc hộ chiếu)",
        "present",
    ),
    ChecklistEntry("Giấy chứng sinh", "original"),
)


def birth_request(people: People, desk: Desk, today: date) -> DossierRequest:
    """A full birth registration handed in by the mother, the child born 1-50 days ago."""
    rng = people.rng
    mother = people.applicant(desk.taken, male=False, born_in=(1988, 2002))
    father_name = people.name(male=True)
    child_male = rng.random() < 0.5
    child = f"{father_name.split()[0]} {people.name(child_male).split(' ', 1)[1]}"
    born = today - timedelta(days=rng.randint(1, 50))
    values = {
        "addressed_to": "Ủy ban nhân dân xã Hòa Sơn, tỉnh Đắk Lắk",
        "requester.relationship": "Mẹ",
        "child.full_name": child,
        "child.date_of_birth": f"{born:%d/%m/%Y}",
        "child.sex": "Nam" if child_male else "Nữ",
        "child.place_of_birth": "Trạm Y tế xã Hòa Sơn, tỉnh Đắk Lắk",
        "child.home_town": "xã Hòa Sơn, tỉnh Đắk Lắk",
        "mother.full_name": mother.full_name,
        "mother.year_of_birth": str(mother.date_of_birth.year if mother.date_of_birth else 1990),
        "mother.residence": mother.address or "",
        "father.full_name": father_name,
        "father.year_of_birth": str(rng.randint(1985, 1998)),
        "father.residence": mother.address or "",
    }
    return DossierRequest(
        "1.001193",
        mother,
        values,
        checklist=BIRTH_PAPERS,
        staff_id=desk.staff_id,
        counter_number=rng.randint(1, 2),
    )


def signature_request(people: People, desk: Desk) -> DossierRequest:
    """A signature certification; one applicant in three has been to the desk before."""
    rng = people.rng
    applicant = people.applicant(desk.taken)
    if desk.id_numbers and rng.random() < 1 / 3:
        k = rng.randrange(len(desk.id_numbers))
        # The same card again: its number, name and former number (the save must not lose it).
        applicant = replace(
            applicant,
            id_number=desk.id_numbers[k],
            full_name=desk.names[k],
            old_id_number=desk.old_of[k],
        )
    return DossierRequest(
        "2.000884",
        applicant,
        {
            "document.title": "Giấy ủy quyền nhận lương hưu",
            "document.copies": str(rng.randint(1, 3)),
        },
        staff_id=desk.staff_id,
        counter_number=rng.choice((3, 4)),
    )


def save(database: Database, desk: Desk, request: DossierRequest) -> DossierView:
    with UnitOfWork(database) as uow:
        return create_dossier(uow, office_id=desk.office_id, request=request)


def make_search(database: Database, desk: Desk, rng: random.Random) -> Callable[[], None]:
    def search() -> None:
        query = rng.choice(SEARCH_QUERIES)
        with UnitOfWork(database, readonly=True) as uow:
            found = search_procedures(uow, office_id=desk.office_id, text=query)
        if not found:
            raise RuntimeError(f"procedure search {query!r} found nothing: the bench is broken")

    return search


def make_operations(
    database: Database, desk: Desk, people: People, folder: Path
) -> dict[str, Callable[[], None]]:
    """One closure per measured operation; each database one is a whole transaction."""
    rng = people.rng
    today = datetime.now().date()
    turn = iter(range(10**9))

    def floor() -> None:
        with UnitOfWork(database, readonly=True) as uow:
            uow.session.execute(select(literal(1))).all()

    def receipt() -> None:
        view = desk.views[next(turn) % len(desk.views)]
        render_receipt(receipt_data(view, desk.office), folder / "receipt.docx")

    def save_signature() -> None:
        save(database, desk, signature_request(people, desk))

    def save_birth() -> None:
        save(database, desk, birth_request(people, desk, today))

    def find_by_id() -> None:
        number = rng.choice(desk.id_numbers)
        with UnitOfWork(database, readonly=True) as uow:
            found = find_citizen(uow, number)
        if found is None or found.dossier_count < 1:
            raise RuntimeError(f"citizen {number} not found: the bench is broken")

    def find_by_old_id() -> None:
        number = rng.choice(desk.old_numbers)
        with UnitOfWork(database, readonly=True) as uow:
            found = find_citizen(uow, number)
        if found is None:
            raise RuntimeError(f"old ID {number} not found: the bench is broken")

    def search_by_name() -> None:
        # Half fixed prefixes as typed, half a whole existing name without diacritics.
        query = rng.choice(NAME_QUERIES) if rng.random() < 0.5 else rng.choice(desk.name_keys)
        with UnitOfWork(database, readonly=True) as uow:
            found = search_citizens(uow, query)
        if not found:
            raise RuntimeError(f"name search {query!r} found nobody: the bench is broken")

    return {
        "floor": floor,
        "search_full": make_search(database, desk, rng),
        "receipt": receipt,
        "save_signature": save_signature,
        "save_birth": save_birth,
        "find_id": find_by_id,
        "find_old_id": find_by_old_id,
        "search_name": search_by_name,
    }


def timed(
    database: Database,
    ops: dict[str, Callable[[], None]],
    result: Result,
    *,
    iterations: int,
    warmup: int,
    rng: random.Random,
) -> None:
    """Warm up (counting statements), then time ``iterations`` rounds in a shuffled order."""
    names = list(ops)
    for name in names:
        with counting_statements(database) as count:
            for _ in range(warmup):
                ops[name]()
        result.statements[name] = count[0] / warmup
        result.samples[name] = []
    for _ in range(iterations):
        # Interleaved so drift (checkpoints, autovacuum, caches) hits every operation alike.
        rng.shuffle(names)
        for name in names:
            started = time.perf_counter_ns()
            ops[name]()
            result.samples[name].append(time.perf_counter_ns() - started)


def explain_plans(database: Database, desk: Desk) -> list[str]:
    """The database's plan for each SELECT the citizen look-ups send (EXPLAIN ANALYZE on PG)."""
    calls: list[tuple[str, Callable[[UnitOfWork], object]]] = [
        ("search_citizens('nguyen van h')", lambda uow: search_citizens(uow, "nguyen van h")),
        ("search_citizens('tran thi')", lambda uow: search_citizens(uow, "tran thi")),
        # Not in the timed mix: the widest prefix a specialist might pause on.
        ("search_citizens('nguyen')", lambda uow: search_citizens(uow, "nguyen")),
        ("find_citizen(12-digit ID)", lambda uow: find_citizen(uow, desk.id_numbers[0])),
    ]
    if desk.old_numbers:
        old = desk.old_numbers[len(desk.old_numbers) // 2]
        calls.append(("find_citizen(9-digit old ID)", lambda uow: find_citizen(uow, old)))
    lines: list[str] = []
    for label, call in calls:
        captured: list[tuple[str, Any]] = []

        def on_execute(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            captured.append((statement, parameters))  # noqa: B023 (listener removed below)

        event.listen(database.engine, "before_cursor_execute", on_execute)
        try:
            with UnitOfWork(database, readonly=True) as uow:
                call(uow)
        finally:
            event.remove(database.engine, "before_cursor_execute", on_execute)
        lines.append(f"{label}:")
        with database.engine.connect() as conn:
            for statement, parameters in captured:
                if not statement.lstrip().upper().startswith("SELECT"):
                    continue
                if database.is_postgresql:
                    rows = conn.exec_driver_sql(
                        "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters
                    ).all()
                    plan = [str(row[0]) for row in rows]
                else:
                    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
                    plan = [str(row[-1]) for row in rows]
                lines.append("    " + " ".join(statement.split())[:160])
                lines.extend(f"      {line}" for line in plan)
    return lines


def measure(
    database: Database,
    result: Result,
    folder: Path,
    args: argparse.Namespace,
    *,
    dossiers: int,
    citizens: int,
) -> None:
    rng = random.Random(20250915)
    people = People(rng)
    desk = prepare(database)

    # The shipped catalog first, before the office's list grows to a real commune's size.
    shipped = {"search_shipped": make_search(database, desk, rng)}
    timed(database, shipped, result, iterations=args.iterations, warmup=args.warmup, rng=rng)
    procedures = grow_catalog(database, desk.office_id)
    seconds = bulk_load(database, desk, people, dossiers, citizens)
    with UnitOfWork(database, readonly=True) as uow:
        counted = {
            model.__tablename__: int(
                uow.session.scalar(select(func.count()).select_from(model)) or 0
            )
            for model in (Citizen, Dossier)
        }
    result.shape.append(
        f"{procedures} procedures after growing the catalog; {counted['dossier']:,} dossiers of "
        f"{counted['citizen']:,} citizens bulk-loaded in {seconds:.1f} s"
    )

    # Dossiers whose receipts are rendered in turn, as just saved at the counter.
    today = datetime.now().date()
    for i in range(RECEIPT_POOL):
        request = birth_request(people, desk, today) if i % 2 else signature_request(people, desk)
        desk.views.append(save(database, desk, request))
    ops = make_operations(database, desk, people, folder)
    timed(database, ops, result, iterations=args.iterations, warmup=args.warmup, rng=rng)
    if args.explain:
        result.plans = explain_plans(database, desk)


def run_sqlite(args: argparse.Namespace, dossiers: int, citizens: int) -> Result:
    folder = Path(tempfile.mkdtemp(prefix="onestop-bench-"))
    database = Database(f"sqlite:///{folder / 'bench.sqlite3'}")
    try:
        with database.engine.connect() as conn:
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
        sync_name = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(int(sync or 0), sync)
        result = Result(
            "sqlite",
            f"SQLite {sqlite3.sqlite_version}",
            f"journal_mode={mode}, synchronous={sync_name}; file on {filesystem_of(folder)}; "
            "no ANALYZE (the app never runs it)",
        )
        measure(database, result, folder, args, dossiers=dossiers, citizens=citizens)
        return result
    finally:
        database.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def run_postgresql(args: argparse.Namespace, dossiers: int, citizens: int) -> Result:
    server = PgServer(durable=True)
    folder = Path(tempfile.mkdtemp(prefix="onestop-bench-"))
    database: Database | None = None
    try:
        server.start()
        admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE bench"))
            version = conn.execute(text("SHOW server_version")).scalar()
            settings = {
                name: conn.execute(text(f"SHOW {name}")).scalar()
                for name in ("fsync", "synchronous_commit", "lc_collate")
            }
        admin.dispose()
        durability = ", ".join(f"{k}={v}" for k, v in settings.items())
        result = Result(
            "postgresql",
            f"PostgreSQL {version}",
            f"{durability}; data on {filesystem_of(server.base)}; over 127.0.0.1:{server.port}; "
            "VACUUM ANALYZE after loading",
        )
        database = Database(server.url("bench"))
        measure(database, result, folder, args, dossiers=dossiers, citizens=citizens)
        return result
    finally:
        if database is not None:
            database.dispose()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


# --- reporting -------------------------------------------------------------------------------

# (label, target in ms, backends the target applies to)
MEASURES: dict[str, tuple[str, float, tuple[str, ...]]] = {
    "floor": ("floor: fresh UnitOfWork + SELECT 1", 0.0, ()),
    "search_shipped": (
        "procedure search, shipped catalog",
        SEARCH_P95_TARGET_MS,
        ("sqlite", "postgresql"),
    ),
    "search_full": (
        f"procedure search, {FULL_CATALOG} procedures",
        SEARCH_P95_TARGET_MS,
        ("sqlite", "postgresql"),
    ),
    "receipt": ("receipt .docx (Mẫu 01)", RECEIPT_P95_TARGET_MS, ("sqlite", "postgresql")),
    "save_signature": ("save: signature certification", SAVE_P95_PG_TARGET_MS, ("postgresql",)),
    "save_birth": ("save: birth registration", SAVE_P95_PG_TARGET_MS, ("postgresql",)),
    "find_id": ("find_citizen, 12-digit ID", LOOKUP_P95_TARGET_MS, ("sqlite", "postgresql")),
    "find_old_id": ("find_citizen, old 9-digit ID", LOOKUP_P95_TARGET_MS, ("sqlite", "postgresql")),
    "search_name": ("search_citizens, name prefix", LOOKUP_P95_TARGET_MS, ("sqlite", "postgresql")),
}


def report(results: list[Result], args: argparse.Namespace, load_before: str) -> None:
    pg_version = next((r.version for r in results if r.backend == "postgresql"), None)
    print("Machine")
    for line in machine_facts(pg_version, load_before):
        print(f"  {line}")
    print()
    print(
        f"Each figure: {args.iterations} measured calls after {args.warmup} warm-up calls "
        "(excluded); database calls are one"
    )
    print(
        "whole transaction each through the service layer with a fresh UnitOfWork. The shipped-"
        "catalog search"
    )
    print(
        "is timed first on its own; the other operations, on the full catalog and the loaded "
        "dossiers, interleaved"
    )
    print(
        "in a shuffled order (the floor with them). Warm-up also fills the search's cache of "
        "parsed procedures."
    )
    print(f"Procedure queries: {', '.join(repr(q) for q in SEARCH_QUERIES)}.")
    print(
        f"Name queries: half of {', '.join(repr(q) for q in NAME_QUERIES)}; half a whole "
        "loaded name without diacritics."
    )
    print("Saves: new applicants, one signature applicant in three a returning citizen.")
    for r in results:
        print()
        print(f"{r.backend}: {r.version}; {r.durability}")
        for line in r.shape:
            print(f"  {line}")
        header = (
            f"  {'measure':<38}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}{'SQL/call':>9}"
            f"{'target p95':>12}  verdict"
        )
        print(header)
        print("  " + "-" * (len(header) - 2))
        for name, (label, target, applies) in MEASURES.items():
            s = r.samples[name]
            p95 = percentile(s, 95)
            if not target:
                goal, verdict = "", "for comparison"
            elif r.backend in applies:
                met = p95 <= target
                goal, verdict = f"<= {target:g} ms", "met" if met else "NOT MET"
            else:
                goal, verdict = f"({target:g} ms)", "for information"
            print(
                f"  {label:<38}{percentile(s, 50):>8.2f}{p95:>8.2f}{max(s) / 1e6:>8.2f}"
                f"{r.statements[name]:>9.1f}{goal:>12}  {verdict}"
            )
        if r.plans:
            print("  Plans:")
            for line in r.plans:
                print(f"    {line}")
    print()
    print("SQL/call: statements sent through the engine (SQLite's BEGIN included; commit and the")
    print("pool's pre-ping not included). The save target applies to PostgreSQL.")


def sizes(args: argparse.Namespace) -> tuple[int, int]:
    return (QUICK_DOSSIERS, QUICK_CITIZENS) if args.quick else (DOSSIERS, CITIZENS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--iterations", type=int, default=300, help="measured calls per operation")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up calls, not measured")
    parser.add_argument(
        "--backend", choices=("sqlite", "postgresql", "both"), default="both", help="what to run"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_DOSSIERS:,} dossiers of {QUICK_CITIZENS:,} citizens instead of "
        f"{DOSSIERS:,} of {CITIZENS:,}",
    )
    parser.add_argument(
        "--explain", action="store_true", help="print the plans of the citizen look-up queries"
    )
    args = parser.parse_args(argv)
    if args.iterations < 20 or args.warmup < 1:
        parser.error("use --iterations >= 20 and --warmup >= 1")

    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and find_bin_dir() is None:
        if args.backend == "postgresql":
            print("PostgreSQL server binaries not found (apt-get install postgresql).")
            return 2
        print("PostgreSQL server binaries not found: measuring SQLite only.\n")
        backends.remove("postgresql")

    load_before = load_average()
    results = []
    for backend in backends:
        print(f"Measuring {backend}...", file=sys.stderr, flush=True)
        run = run_sqlite if backend == "sqlite" else run_postgresql
        results.append(run(args, *sizes(args)))
    report(results, args, load_before)
    return 0


if __name__ == "__main__":
    sys.exit(main())
