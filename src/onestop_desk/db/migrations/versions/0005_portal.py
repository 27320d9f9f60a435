"""Online submission and lifecycle: portal status on the dossier, outbox index, sync cursor.

Also the index that counts the people ahead of a new ticket, and the dossiers-by-date index
the log book and the dossier list read.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 08:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sync_cursor",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sync_cursor")),
    )
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.add_column(sa.Column("portal_status", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("portal_status_at", sa.DateTime(), nullable=True))
        batch_op.create_index(
            "ix_dossier_office_received", ["office_id", "received_at"], unique=False
        )
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(), nullable=True))
        batch_op.create_index(
            "ix_submission_state_next", ["state", "next_attempt_at"], unique=False
        )
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ticket_waiting_field",
            ["office_id", "day", "field_id", "state", "ticket_class"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_waiting_field")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_index("ix_submission_state_next")
        batch_op.drop_column("sent_at")
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_index("ix_dossier_office_received")
        batch_op.drop_column("portal_status_at")
        batch_op.drop_column("portal_status")
    op.drop_table("sync_cursor")
