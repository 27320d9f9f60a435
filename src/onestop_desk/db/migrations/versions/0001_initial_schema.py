"""Initial schema: the whole data model of DESIGN.md.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 23:04:30.356619
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "citizen",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("id_number", sa.String(length=12), nullable=False),
        sa.Column("old_id_number", sa.String(length=9), nullable=True),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=3), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen")),
        sa.UniqueConstraint("id_number", name=op.f("uq_citizen_id_number")),
    )
    with op.batch_alter_table("citizen", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_citizen_name_key"), ["name_key"], unique=False)

    op.create_table(
        "office",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("province_name", sa.String(length=200), nullable=False),
        sa.Column("center_name", sa.String(length=300), nullable=False),
        sa.Column("agency_code", sa.String(length=60), nullable=False),
        sa.Column("queue_policy", sa.String(length=20), nullable=False),
        sa.Column("normal_per_priority", sa.Integer(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office")),
        sa.UniqueConstraint("ward_code", name=op.f("uq_office_ward_code")),
    )
    op.create_table(
        "calendar_override",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_calendar_override_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_override")),
        sa.UniqueConstraint("office_id", "day", name=op.f("uq_calendar_override_office_id_day")),
    )
    op.create_table(
        "counter",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_counter_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counter")),
        sa.UniqueConstraint("office_id", "number", name=op.f("uq_counter_office_id_number")),
    )
    op.create_table(
        "dossier_counter",
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_dossier_counter_office_id_office")
        ),
        sa.PrimaryKeyConstraint("office_id", "day", name=op.f("pk_dossier_counter")),
    )
    op.create_table(
        "field",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("ticket_prefix", sa.String(length=3), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_field_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field")),
        sa.UniqueConstraint("office_id", "code", name=op.f("uq_field_office_id_code")),
        sa.UniqueConstraint(
            "office_id", "ticket_prefix", name=op.f("uq_field_office_id_ticket_prefix")
        ),
    )
    op.create_table(
        "staff_user",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "role IN ('reception', 'head', 'admin')", name=op.f("ck_staff_user_role")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_staff_user_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_user")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_user_username")),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff_user.id"], name=op.f("fk_audit_event_actor_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_audit_event_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_office_at", ["office_id", "at"], unique=False)

    op.create_table(
        "counter_field",
        sa.Column("counter_id", sa.Uuid(), nullable=False),
        sa.Column("field_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["counter_id"],
            ["counter.id"],
            name=op.f("fk_counter_field_counter_id_counter"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["field_id"],
            ["field.id"],
            name=op.f("fk_counter_field_field_id_field"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("counter_id", "field_id", name=op.f("pk_counter_field")),
    )
    op.create_table(
        "procedure",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("field_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("name_key", sa.String(length=500), nullable=False),
        sa.Column("processing_time", sa.JSON(), nullable=False),
        sa.Column("fee", sa.JSON(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("form", sa.String(length=60), nullable=True),
        sa.Column("result", sa.String(length=500), nullable=True),
        sa.Column("legal_basis", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["field_id"], ["field.id"], name=op.f("fk_procedure_field_id_field")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_procedure_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure")),
        sa.UniqueConstraint("office_id", "code", name=op.f("uq_procedure_office_id_code")),
    )
    with op.batch_alter_table("procedure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procedure_name_key"), ["name_key"], unique=False)

    op.create_table(
        "staff_field",
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("field_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["field_id"],
            ["field.id"],
            name=op.f("fk_staff_field_field_id_field"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_user.id"],
            name=op.f("fk_staff_field_staff_id_staff_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("staff_id", "field_id", name=op.f("pk_staff_field")),
    )
    op.create_table(
        "ticket",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("field_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("display", sa.String(length=12), nullable=False),
        sa.Column("ticket_class", sa.String(length=10), nullable=False),
        sa.Column("priority_reason", sa.String(length=30), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("counter_id", sa.Uuid(), nullable=True),
        sa.Column("served_by_id", sa.Uuid(), nullable=True),
        sa.Column("transferred_from_id", sa.Uuid(), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("called_at", sa.DateTime(), nullable=True),
        sa.Column("call_count", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_ticket_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(["field_id"], ["field.id"], name=op.f("fk_ticket_field_id_field")),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_ticket_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["served_by_id"], ["staff_user.id"], name=op.f("fk_ticket_served_by_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["transferred_from_id"],
            ["ticket.id"],
            name=op.f("fk_ticket_transferred_from_id_ticket"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket")),
    )
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ticket_queue",
            ["office_id", "day", "state", "ticket_class", "issued_at"],
            unique=False,
        )
        batch_op.create_index(
            "uq_ticket_issued_number",
            ["office_id", "day", "field_id", "number"],
            unique=True,
            sqlite_where=sa.text("transferred_from_id IS NULL"),
            postgresql_where=sa.text("transferred_from_id IS NULL"),
        )

    op.create_table(
        "ticket_counter",
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("field_id", sa.Uuid(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["field_id"], ["field.id"], name=op.f("fk_ticket_counter_field_id_field")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_ticket_counter_office_id_office")
        ),
        sa.PrimaryKeyConstraint("office_id", "day", "field_id", name=op.f("pk_ticket_counter")),
    )
    op.create_table(
        "dossier",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("procedure_id", sa.Uuid(), nullable=False),
        sa.Column("applicant_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=True),
        sa.Column("received_by_id", sa.Uuid(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("result_channel", sa.String(length=20), nullable=False),
        sa.Column("result_address", sa.Text(), nullable=True),
        sa.Column("deciding_body", sa.String(length=300), nullable=True),
        sa.Column("fee_amount", sa.Integer(), nullable=False),
        sa.Column("form_data", sa.JSON(), nullable=False),
        sa.Column("portal_reference", sa.String(length=100), nullable=True),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.Column("returned_to", sa.String(length=200), nullable=True),
        sa.Column("result_timing", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["citizen.id"], name=op.f("fk_dossier_applicant_id_citizen")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_dossier_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"], ["procedure.id"], name=op.f("fk_dossier_procedure_id_procedure")
        ),
        sa.ForeignKeyConstraint(
            ["received_by_id"], ["staff_user.id"], name=op.f("fk_dossier_received_by_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_dossier_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier")),
        sa.UniqueConstraint("code", name=op.f("uq_dossier_code")),
    )
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossier_applicant_id"), ["applicant_id"], unique=False)
        batch_op.create_index(
            "ix_dossier_office_state_due", ["office_id", "state", "due_at"], unique=False
        )

    op.create_table(
        "dossier_document",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dossier_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("attachment_name", sa.String(length=300), nullable=True),
        sa.Column("attachment_sha256", sa.String(length=64), nullable=True),
        sa.Column("attachment_size", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossier.id"],
            name=op.f("fk_dossier_document_dossier_id_dossier"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_document")),
    )
    with op.batch_alter_table("dossier_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dossier_document_dossier_id"), ["dossier_id"], unique=False
        )

    op.create_table(
        "dossier_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dossier_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("from_state", sa.String(length=30), nullable=True),
        sa.Column("to_state", sa.String(length=30), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff_user.id"], name=op.f("fk_dossier_event_actor_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossier.id"],
            name=op.f("fk_dossier_event_dossier_id_dossier"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_event")),
    )
    with op.batch_alter_table("dossier_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dossier_event_dossier_id"), ["dossier_id"], unique=False
        )

    op.create_table(
        "rating",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=True),
        sa.Column("dossier_id", sa.Uuid(), nullable=True),
        sa.Column("counter_id", sa.Uuid(), nullable=True),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_rating_score")),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_rating_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_rating_dossier_id_dossier")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_rating_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_user.id"], name=op.f("fk_rating_staff_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_rating_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating")),
    )
    op.create_table(
        "submission",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dossier_id", sa.Uuid(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("portal_reply", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_submission_dossier_id_dossier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission")),
        sa.UniqueConstraint("dossier_id", name=op.f("uq_submission_dossier_id")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_submission_idempotency_key")),
    )


def downgrade() -> None:
    op.drop_table("submission")
    op.drop_table("rating")
    with op.batch_alter_table("dossier_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_event_dossier_id"))

    op.drop_table("dossier_event")
    with op.batch_alter_table("dossier_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_document_dossier_id"))

    op.drop_table("dossier_document")
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_index("ix_dossier_office_state_due")
        batch_op.drop_index(batch_op.f("ix_dossier_applicant_id"))

    op.drop_table("dossier")
    op.drop_table("ticket_counter")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_ticket_issued_number",
            sqlite_where=sa.text("transferred_from_id IS NULL"),
            postgresql_where=sa.text("transferred_from_id IS NULL"),
        )
        batch_op.drop_index("ix_ticket_queue")

    op.drop_table("ticket")
    op.drop_table("staff_field")
    with op.batch_alter_table("procedure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procedure_name_key"))

    op.drop_table("procedure")
    op.drop_table("counter_field")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_office_at")

    op.drop_table("audit_event")
    op.drop_table("staff_user")
    op.drop_table("field")
    op.drop_table("dossier_counter")
    op.drop_table("counter")
    op.drop_table("calendar_override")
    op.drop_table("office")
    with op.batch_alter_table("citizen", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_citizen_name_key"))

    op.drop_table("citizen")
