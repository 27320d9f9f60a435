"""Offices, counters and fields: who the desk is and what it serves."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from onestop_desk.core.dossier_code import is_valid_agency_code
from onestop_desk.core.queue_policy import PolicyKind, QueuePolicy
from onestop_desk.db.models import Counter, Field, Office
from onestop_desk.errors import InputError, NotFound
from onestop_desk.services.uow import UnitOfWork


@dataclass(frozen=True)
class OfficeInfo:
    """What screens and papers show about the office."""

    id: uuid.UUID
    ward_code: int
    name: str
    province_name: str
    center_name: str
    agency_code: str
    policy: QueuePolicy


@dataclass(frozen=True)
class FieldInfo:
    """A field (lĩnh vực) as listed for the kiosk and the CLI."""

    code: str
    name: str
    ticket_prefix: str
    sort_order: int


def office_info(office: Office) -> OfficeInfo:
    return OfficeInfo(
        id=office.id,
        ward_code=office.ward_code,
        name=office.name,
        province_name=office.province_name,
        center_name=office.center_name,
        agency_code=office.agency_code,
        policy=QueuePolicy(office.queue_policy, office.normal_per_priority),
    )


def find_office(uow: UnitOfWork, ward_code: int = 0) -> Office:
    """The office with ``ward_code``, or the only/first one when ``ward_code`` is 0."""
    session = uow.session
    if ward_code:
        office = session.scalar(select(Office).where(Office.ward_code == ward_code))
        if office is None:
            raise NotFound(
                f"Chưa có đơn vị nào với mã xã/phường {ward_code} trong cơ sở dữ liệu.",
                "Kiểm tra mã trong cài đặt, hoặc tạo đơn vị bằng 'onestop-desk office create'.",
            )
        return office
    office = session.scalar(select(Office).order_by(Office.created_at, Office.ward_code).limit(1))
    if office is None:
        raise NotFound(
            "Cơ sở dữ liệu chưa có đơn vị nào.",
            "Chạy 'onestop-desk db seed --demo' để tạo đơn vị mẫu, hoặc "
            "'onestop-desk office create --ward-code MÃ --agency-code MÃ_ĐỊNH_DANH'.",
        )
    return office


def ward_names(ward_code: int) -> tuple[str, str]:
    """(ward name, province name) of a post-2025 commune/ward code from ``vietnam-provinces``."""
    from vietnam_provinces import Province, Ward, WardCode

    try:
        ward = Ward.from_code(WardCode(ward_code))
    except ValueError as exc:
        raise InputError(
            f"Mã xã/phường {ward_code} không có trong danh mục đơn vị hành chính sau 1/7/2025."
        ) from exc
    province = Province.from_code(ward.province_code)
    return str(ward.name), str(province.name)


def _lower_first(name: str) -> str:
    """'Xã Hòa Sơn' -> 'xã Hòa Sơn', as the unit's name reads inside a longer title."""
    return name[:1].lower() + name[1:]


def create_office(
    uow: UnitOfWork,
    *,
    ward_code: int,
    agency_code: str,
    center_name: str | None = None,
    now: datetime | None = None,
) -> Office:
    """Create an office for a commune/ward; its names come from the official list."""
    now = now or datetime.now()
    if not is_valid_agency_code(agency_code):
        raise InputError(
            f"Mã định danh cơ quan '{agency_code}' không đúng dạng.",
            "Mã gồm các nhóm chữ số hoặc chữ in hoa cách nhau bởi dấu chấm, ví dụ 000.17.22.H56.",
        )
    name, province = ward_names(ward_code)
    existing = uow.session.scalar(select(Office).where(Office.ward_code == ward_code))
    if existing is not None:
        raise InputError(f"Đơn vị {name} (mã {ward_code}) đã có trong cơ sở dữ liệu.")
    office = Office(
        ward_code=ward_code,
        name=name,
        province_name=province,
        center_name=center_name or f"Trung tâm Phục vụ hành chính công {_lower_first(name)}",
        agency_code=agency_code,
        queue_policy=PolicyKind.INTERLEAVED,
        normal_per_priority=3,
        settings={},
        created_at=now,
    )
    uow.session.add(office)
    uow.session.flush()
    uow.audit("office.created", office_id=office.id, subject_id=office.id, at=now, name=name)
    return office


def set_queue_policy(
    uow: UnitOfWork,
    *,
    office_id: uuid.UUID,
    kind: PolicyKind,
    normal_per_priority: int = 3,
    staff_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> OfficeInfo:
    """Change how the office mixes priority tickets with normal ones; open faces follow live."""
    now = now or datetime.now()
    try:
        policy = QueuePolicy(PolicyKind(kind), normal_per_priority)
    except ValueError as exc:
        raise InputError(str(exc), "Nhập một số từ 1 trở lên, ví dụ 3.") from exc
    office = uow.session.get(Office, office_id)
    if office is None:
        raise NotFound("Không tìm thấy đơn vị trong cơ sở dữ liệu.")
    office.queue_policy = policy.kind
    office.normal_per_priority = policy.normal_per_priority
    uow.audit(
        "office.queue_policy",
        office_id=office.id,
        subject_id=office.id,
        actor_id=staff_id,
        at=now,
        policy=policy.kind.value,
        normal_per_priority=policy.normal_per_priority,
    )
    info = office_info(office)
    uow.commit()
    return info


def list_fields(uow: UnitOfWork, office_id: uuid.UUID) -> list[FieldInfo]:
    """Active fields of an office in kiosk order."""
    rows = uow.session.scalars(
        select(Field)
        .where(Field.office_id == office_id, Field.active.is_(True))
        .order_by(Field.sort_order, Field.code)
    )
    return [FieldInfo(f.code, f.name, f.ticket_prefix, f.sort_order) for f in rows]


def find_field(uow: UnitOfWork, office_id: uuid.UUID, code: str) -> Field:
    """An active field by code (case-insensitive), or a clear error listing the valid codes."""
    wanted = code.strip().upper()
    field = uow.session.scalar(
        select(Field).where(
            Field.office_id == office_id, Field.code == wanted, Field.active.is_(True)
        )
    )
    if field is None:
        codes = ", ".join(f.code for f in list_fields(uow, office_id)) or "(chưa có)"
        raise NotFound(
            f"Không có lĩnh vực mã '{code}'.",
            f"Các mã lĩnh vực hiện có: {codes}.",
        )
    return field


@dataclass(frozen=True)
class CounterInfo:
    """A counter and the codes of the fields it serves (empty: every field)."""

    number: int
    name: str
    field_codes: tuple[str, ...]


def list_counters(uow: UnitOfWork, office_id: uuid.UUID) -> list[CounterInfo]:
    """The office's active counters by number."""
    rows = uow.session.scalars(
        select(Counter)
        .where(Counter.office_id == office_id, Counter.active.is_(True))
        .order_by(Counter.number)
    )
    return [
        CounterInfo(
            c.number,
            c.name,
            tuple(
                f.code for f in sorted(c.fields, key=lambda f: (f.sort_order, f.code)) if f.active
            ),
        )
        for c in rows
    ]


def find_counter(uow: UnitOfWork, office_id: uuid.UUID, number: int) -> Counter:
    """An active counter by its number."""
    counter = uow.session.scalar(
        select(Counter).where(
            Counter.office_id == office_id, Counter.number == number, Counter.active.is_(True)
        )
    )
    if counter is None:
        count = uow.session.scalar(
            select(func.count()).select_from(Counter).where(Counter.office_id == office_id)
        )
        raise NotFound(
            f"Không có quầy số {number}.",
            f"Đơn vị hiện có {count} quầy." if count else "Đơn vị chưa khai báo quầy nào.",
        )
    return counter
