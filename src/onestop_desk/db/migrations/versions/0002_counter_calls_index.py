"""Index for what a counter has in hand and its recent calls (call_next without a table scan).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 23:39:14.111039
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ticket_counter_calls", ["counter_id", "day", "called_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_counter_calls")
