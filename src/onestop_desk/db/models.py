"""SQLAlchemy 2 typed models of the shared database (UUID keys so offline PCs can merge later).

Times are naive local office time (Vietnam has no daylight saving), the time printed on papers.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from onestop_desk.core.citizen_id import Sex
from onestop_desk.core.lifecycle import DossierState, ResultTiming
from onestop_desk.core.queue_policy import PolicyKind, TicketClass
from onestop_desk.core.roles import Role
from onestop_desk.core.submission import SubmissionState
from onestop_desk.core.ticket import PriorityReason, TicketState

# Stable constraint names: migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _values(enum_type: type[StrEnum]) -> list[str]:
    return [member.value for member in enum_type]


def stored_enum(enum_type: type[StrEnum], length: int) -> Enum:
    """A core enum kept in a plain VARCHAR of ``length``: the member's value is what is stored.

    No native type and no CHECK constraint, so the schema is the same VARCHAR as before the
    columns were typed (and a new member needs no migration); unknown strings are refused on
    the way in and the way out.
    """
    return Enum(
        enum_type,
        native_enum=False,
        length=length,
        values_callable=_values,
        validate_strings=True,
        create_constraint=False,
    )


class Base(DeclarativeBase):
    """Declarative base with the naming convention, JSON columns typed as dicts and core enums.

    Each enum is stored in the VARCHAR length its columns had as strings; a column that needs
    another length names its type itself.
    """

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[Any]: JSON,
        DossierState: stored_enum(DossierState, 30),
        PolicyKind: stored_enum(PolicyKind, 20),
        PriorityReason: stored_enum(PriorityReason, 30),
        ResultTiming: stored_enum(ResultTiming, 10),
        Role: stored_enum(Role, 20),
        Sex: stored_enum(Sex, 3),
        SubmissionState: stored_enum(SubmissionState, 20),
        TicketClass: stored_enum(TicketClass, 10),
        TicketState: stored_enum(TicketState, 20),
    }


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def _pk() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, primary_key=True, default=new_id)


class Office(Base):
    """A commune/ward Public Administration Service Center."""

    __tablename__ = "office"

    id: Mapped[uuid.UUID] = _pk()
    ward_code: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    province_name: Mapped[str] = mapped_column(String(200))
    center_name: Mapped[str] = mapped_column(String(300))
    agency_code: Mapped[str] = mapped_column(String(60))
    queue_policy: Mapped[PolicyKind] = mapped_column(default=PolicyKind.INTERLEAVED)
    normal_per_priority: Mapped[int] = mapped_column(Integer, default=3)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime)


counter_field = Table(
    "counter_field",
    Base.metadata,
    Column("counter_id", Uuid, ForeignKey("counter.id", ondelete="CASCADE"), primary_key=True),
    Column("field_id", Uuid, ForeignKey("field.id", ondelete="CASCADE"), primary_key=True),
)

staff_field = Table(
    "staff_field",
    Base.metadata,
    Column("staff_id", Uuid, ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True),
    Column("field_id", Uuid, ForeignKey("field.id", ondelete="CASCADE"), primary_key=True),
)


class Counter(Base):
    """A numbered counter (quầy) at the desk."""

    __tablename__ = "counter"
    __table_args__ = (UniqueConstraint("office_id", "number"),)

    id: Mapped[uuid.UUID] = _pk()
    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("office.id"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    fields: Mapped[list[Field]] = relationship(secondary=counter_field, lazy="selectin")


class Field(Base):
    """A field of procedures (lĩnh vực) with its ticket prefix."""

    __tablename__ = "field"
    __table_args__ = (
        UniqueConstraint("office_id", "code"),
        UniqueConstraint("office_id", "ticket_prefix"),
    )

    id: Mapped[uuid.UUID] = _pk()
    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("office.id"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    ticket_prefix: Mapped[str] = mapped_column(String(3))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Procedure(Base):
    """An administrative procedure (thủ tục hành chính) the office handles."""

    __tablename__ = "procedure"
    __table_args__ = (UniqueConstraint("office_id", "code"),)

    id: Mapped[uuid.UUID] = _pk()
    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("office.id"))
    field_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("field.id"))
    code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(500))
    name_key: Mapped[str] = mapped_column(String(500), index=True)
    processing_time: Mapped[dict[str, Any]] = mapped_column()
    fee: Mapped[dict[str, Any]] = mapped_column()
    documents: Mapped[list[Any]] = mapped_column(default=list)
    form: Mapped[str | None] = mapped_column(String(60))
    result: Mapped[str | None] = mapped_column(String(500))
    legal_basis: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    field: Mapped[Field] = relationship(lazy="joined")


class CalendarOverride(Base):
    """An extra day off or extra working day declared by the office."""

    __tablename__ = "calendar_override"
    __table_args__ = (UniqueConstraint("office_id", "day"),)

    id: Mapped[uuid.UUID] = _pk()
    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("office.id"))
    day: Mapped[date] = mapped_column(Date)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(500), default="")


class StaffUser(Base):
    """A staff account: reception specialist, center head or administrator."""

    __tablename__ = "staff_user"
    __table_args__ = (CheckConstraint("role IN ('reception', 'head', 'admin')", name="role"),)

    id: Mapped[uuid.UUID] = _pk()
    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("office.id"))
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column()
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    fields: Mapped[list[Field]] = relationship(secondary=staff_field, lazy="selectin")


class Ticket(Base):
    """A numbered queue ticket (số thứ tự) for one field on one day."""

    __tablename__ = "ticket"
    __table_args__ = (
        # A transfer re-queues the citizen's same number as a new row; only issued rows are unique.
        Index(
            "uq_ticket_issued_number",
            "office_id",
            "day",
            "field_id",
            "number",
            unique=True,
            sqlite_where=text("transferred_from_id IS NULL"),
            postgresql_where=text("transferred_from_id IS NULL"),
        ),
        Index("ix_ticket_queue", "office_id", "day", "state", "ticket_class", "issued_at"),
        # What a counter has in hand and its recent calls (call_next, policy), without a scan.
        # Only called tickets have a counter: a new ticket adds nothing to this index.
        Index(
            "ix_ticket_counter_calls",
            "counter_id",
            "day",
            "called_at",
            sqlite_where=text("counter_id IS NOT NULL"),
            postgresql_where=text("counter_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = _pk()
    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("office.id"))
    day: Mapped[date] = mapped_column(Date)
    field_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("field.id"))
    number: Mapped[int] = mapped_column(Integer)
    display: Mapped[str] = mapped_column(String(12))
    ticket_class: Mapped[TicketClass] = mapped_column()
    priority_reason: Mapped[PriorityReason | None] = mapped_column()
    state: Mapped[TicketState] = mapped_column()
    counter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("counter.id"))
    served_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    transferred_from_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ticket.id"))
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    called_at: Mapped[datetime | None] = mapped_column(DateTime)
    call_count: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    printed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Last printing problem (None once printed): the counter offers a reprint.
    print_error: Mapped[str | None] = mapped_column(Text)

    # Plain lazy loads: fields and counters are usually in the session already, and a join
    # here would be paid on every candidate row call_next looks at.
    field: Mapped[Field] = relationship()
    counter: Mapped[Counter | None] = relationship()


class TicketCounter(Base):
    """The last ticket number per office, day and field: bumped by an upsert, never MAX()+1.

    ``waiting`` and ``waiting_priority`` count the field's tickets in the ``waiting`` state
    that day (all, and the priority ones): the "people ahead" of a new ticket and the kiosk's
    counts, read from one row. Triggers on ``ticket`` keep them (and ``last_number`` at least
    the highest issued number) true whatever writes the tickets; see migration 0006.
    """

    __tablename__ = "ticket_counter"

    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("office.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    field_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("field.id"), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)
    waiting: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    waiting_priority: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class DossierCounter(Base):
    """The last dossier sequence per office and day (the XXXX of the dossier code)."""

    __tablename__ = "dossier_counter"

    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("office.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class Citizen(Base):
    """An applicant, identified by the personal ID number; minimal personal data only."""

    __tablename__ = "citizen"
    # Name look-up is a prefix match on the diacritic-free key; PostgreSQL needs the pattern
    # operator class for LIKE 'prefix%' to use the index under a non-C collation.
    __table_args__ = (
        Index("ix_citizen_name_key", "name_key", postgresql_ops={"name_key": "text_pattern_ops"}),
    )

    id: Mapped[uuid.UUID] = _pk()
    id_number: Mapped[str] = mapped_column(String(12), unique=True)
    old_id_number: Mapped[str | None] = mapped_column(String(9), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[Sex | None] = mapped_column()
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Dossier(Base):
    """A dossier (hồ sơ) received at the desk, from receipt to returned result."""

    __tablename__ = "dossier"
    __table_args__ = (
        Index("ix_dossier_office_state_due", "office_id", "state", "due_at"),
        # The log book (Mẫu 07) and the dossier list read by date of receipt.
        Index("ix_dossier_office_received", "office_id", "received_at"),
    )

    id: Mapped[uuid.UUID] = _pk()
    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("office.id"))
    code: Mapped[str] = mapped_column(String(80), unique=True)
    procedure_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("procedure.id"))
    applicant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizen.id"), index=True)
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ticket.id"))
    received_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    received_at: Mapped[datetime] = mapped_column(DateTime)
    due_at: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[DossierState] = mapped_column()
    result_channel: Mapped[str] = mapped_column(String(20), default="desk")
    result_address: Mapped[str | None] = mapped_column(Text)
    deciding_body: Mapped[str | None] = mapped_column(String(300))
    fee_amount: Mapped[int] = mapped_column(Integer, default=0)
    form_data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    portal_reference: Mapped[str | None] = mapped_column(String(100))
    #: The online system's own status of the dossier, as last synced, and when it changed.
    portal_status: Mapped[str | None] = mapped_column(String(40))
    portal_status_at: Mapped[datetime | None] = mapped_column(DateTime)
    returned_at: Mapped[datetime | None] = mapped_column(DateTime)
    returned_to: Mapped[str | None] = mapped_column(String(200))
    result_timing: Mapped[ResultTiming | None] = mapped_column()
    counter_number: Mapped[int | None] = mapped_column(Integer)
    fee_details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    logbook_year: Mapped[int | None] = mapped_column(Integer)
    logbook_number: Mapped[int | None] = mapped_column(Integer)

    procedure: Mapped[Procedure] = relationship(lazy="joined")
    applicant: Mapped[Citizen] = relationship(lazy="joined")
    documents: Mapped[list[DossierDocument]] = relationship(
        lazy="selectin", order_by="DossierDocument.position"
    )


class DossierDocument(Base):
    """A paper on the checklist of a dossier: what was handed in, how many, original or copy."""

    __tablename__ = "dossier_document"

    id: Mapped[uuid.UUID] = _pk()
    dossier_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dossier.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20))
    count: Mapped[int] = mapped_column(Integer, default=1)
    received: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    attachments: Mapped[list[DossierAttachment]] = relationship(
        lazy="selectin", order_by="DossierAttachment.position"
    )


class DossierAttachment(Base):
    """A scan or photo of a paper, by content hash (the bytes live once in ``stored_file``)."""

    __tablename__ = "dossier_attachment"

    id: Mapped[uuid.UUID] = _pk()
    dossier_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dossier.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("dossier_document.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_file.sha256"))
    media_type: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    added_at: Mapped[datetime] = mapped_column(DateTime)


class StoredFile(Base):
    """File content shared by every PC through the database, keyed by its SHA-256."""

    __tablename__ = "stored_file"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class LogbookCounter(Base):
    """Per office and year: the last entry number in the log book (Mẫu 07, "Số thứ tự")."""

    __tablename__ = "logbook_counter"

    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("office.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class DossierDraft(Base):
    """A reception in progress, saved as the specialist types so nothing is lost."""

    __tablename__ = "dossier_draft"
    __table_args__ = (Index("ix_dossier_draft_office_staff", "office_id", "staff_id"),)

    id: Mapped[uuid.UUID] = _pk()
    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("office.id"))
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    counter_number: Mapped[int | None] = mapped_column(Integer)
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ticket.id"))
    title: Mapped[str] = mapped_column(String(300), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class DossierEvent(Base):
    """Append-only history of a dossier: who did what when (source of Mẫu 06/07)."""

    __tablename__ = "dossier_event"

    id: Mapped[uuid.UUID] = _pk()
    dossier_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dossier.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    kind: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[DossierState | None] = mapped_column()
    to_state: Mapped[DossierState | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Submission(Base):
    """Outbox row: one online submission of a dossier, retried until the portal has it."""

    __tablename__ = "submission"
    __table_args__ = (Index("ix_submission_state_next", "state", "next_attempt_at"),)

    id: Mapped[uuid.UUID] = _pk()
    dossier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dossier.id"), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[SubmissionState] = mapped_column(default=SubmissionState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    portal_reply: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class SyncCursor(Base):
    """Where a periodic exchange left off (e.g. the portal's change feed), by name."""

    __tablename__ = "sync_cursor"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Rating(Base):
    """A citizen's 5-point satisfaction rating after service."""

    __tablename__ = "rating"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score"),)

    id: Mapped[uuid.UUID] = _pk()
    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("office.id"))
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ticket.id"))
    dossier_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("dossier.id"))
    counter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("counter.id"))
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    score: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime)


class AuditEvent(Base):
    """Append-only log of every mutation outside a dossier's own history (tickets, staff...)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_office_at", "office_id", "at"),)

    id: Mapped[uuid.UUID] = _pk()
    office_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("office.id"))
    at: Mapped[datetime] = mapped_column(DateTime)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    source: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
