"""Reception: checklist details, attachments stored by hash, log-book numbers, drafts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 09:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stored_file",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_stored_file")),
    )
    op.create_table(
        "logbook_counter",
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_logbook_counter_office_id_office")
        ),
        sa.PrimaryKeyConstraint("office_id", "year", name=op.f("pk_logbook_counter")),
    )
    op.create_table(
        "dossier_draft",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("counter_number", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_dossier_draft_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_user.id"], name=op.f("fk_dossier_draft_staff_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_dossier_draft_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_draft")),
    )
    with op.batch_alter_table("dossier_draft", schema=None) as batch_op:
        batch_op.create_index("ix_dossier_draft_office_staff", ["office_id", "staff_id"])

    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.add_column(sa.Column("counter_number", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("fee_details", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(sa.Column("logbook_year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("logbook_number", sa.Integer(), nullable=True))
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.alter_column("fee_details", server_default=None)

    with op.batch_alter_table("dossier_document", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("received", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column("position", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.drop_column("attachment_name")
        batch_op.drop_column("attachment_sha256")
        batch_op.drop_column("attachment_size")
    with op.batch_alter_table("dossier_document", schema=None) as batch_op:
        batch_op.alter_column("received", server_default=None)
        batch_op.alter_column("position", server_default=None)

    op.create_table(
        "dossier_attachment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dossier_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossier.id"],
            name=op.f("fk_dossier_attachment_dossier_id_dossier"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["dossier_document.id"],
            name=op.f("fk_dossier_attachment_document_id_dossier_document"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["stored_file.sha256"],
            name=op.f("fk_dossier_attachment_sha256_stored_file"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_attachment")),
    )
    with op.batch_alter_table("dossier_attachment", schema=None) as batch_op:
        batch_op.create_index("ix_dossier_attachment_dossier_id", ["dossier_id"])
        batch_op.create_index("ix_dossier_attachment_document_id", ["document_id"])

    # A returning citizen is also found by the old 9-digit ID number.
    op.create_index("ix_citizen_old_id_number", "citizen", ["old_id_number"])
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_citizen_name_key", table_name="citizen")
        op.create_index(
            "ix_citizen_name_key",
            "citizen",
            ["name_key"],
            postgresql_ops={"name_key": "text_pattern_ops"},
        )


def downgrade() -> None:
    op.drop_index("ix_citizen_old_id_number", table_name="citizen")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_citizen_name_key", table_name="citizen")
        op.create_index("ix_citizen_name_key", "citizen", ["name_key"])
    op.drop_table("dossier_attachment")
    with op.batch_alter_table("dossier_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachment_size", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("attachment_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("attachment_name", sa.String(length=300), nullable=True))
        batch_op.drop_column("position")
        batch_op.drop_column("received")
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_column("logbook_number")
        batch_op.drop_column("logbook_year")
        batch_op.drop_column("fee_details")
        batch_op.drop_column("counter_number")
    op.drop_table("dossier_draft")
    op.drop_table("logbook_counter")
    op.drop_table("stored_file")
