"""Ticket printing state: when it printed, or why it did not (the counter offers a reprint).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 23:41:05.698793
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("printed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("print_error", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("print_error")
        batch_op.drop_column("printed_at")
