"""Waiting counts on the ticket counter row, kept by triggers; lighter ticket indexes.

``ticket_counter`` gains ``waiting`` and ``waiting_priority``: the tickets of that office, day
and field in the ``waiting`` state, all of them and the priority ones. A new ticket reads its
"people ahead" from the row it bumps anyway, instead of counting the queue; the kiosk reads
its per-field counts from a few rows. Triggers on ``ticket`` keep the counts true whatever
writes the tickets (the services, a bulk insert, a hand-made fix in SQL), and keep
``last_number`` at least the highest number issued, so the counter never hands out a number
a ticket already has. The counts start from the tickets already there.

The index that counted the people ahead (0005) goes; ``ix_ticket_counter_calls`` becomes
partial (only called tickets have a counter), so a new ticket writes two index pages fewer.

On SQLite, a later ``batch_alter_table`` that rebuilds ``ticket`` drops its triggers: such a
migration must create them again (``create_triggers``). ``tests/integration`` checks the
counts against the tickets on both backends.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WAITING = "'waiting'"
_PRIORITY = "'priority'"
# The columns whose change can move a ticket in or out of a (office, day, field) count.
_KEY_COLUMNS = ("state", "office_id", "day", "field_id", "ticket_class")

_SQLITE_TRIGGERS = (
    # A waiting ticket joins its field's count; the row is created if the ticket came first
    # (a transfer into a field nobody drew a ticket for yet, a bulk insert).
    f"""
CREATE TRIGGER tr_ticket_waiting_insert AFTER INSERT ON ticket
WHEN NEW.state = {_WAITING}
BEGIN
    INSERT INTO ticket_counter (office_id, day, field_id, last_number, waiting, waiting_priority)
    VALUES (
        NEW.office_id, NEW.day, NEW.field_id,
        CASE WHEN NEW.transferred_from_id IS NULL THEN NEW.number ELSE 0 END,
        1, NEW.ticket_class = {_PRIORITY}
    )
    ON CONFLICT (office_id, day, field_id) DO UPDATE SET
        last_number = max(last_number, excluded.last_number),
        waiting = waiting + 1,
        waiting_priority = waiting_priority + excluded.waiting_priority;
END""",
    f"""
CREATE TRIGGER tr_ticket_waiting_update AFTER UPDATE OF {", ".join(_KEY_COLUMNS)} ON ticket
WHEN (OLD.state = {_WAITING} OR NEW.state = {_WAITING})
    AND ({" OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _KEY_COLUMNS)})
BEGIN
    UPDATE ticket_counter SET
        waiting = waiting - 1,
        waiting_priority = waiting_priority - (OLD.ticket_class = {_PRIORITY})
    WHERE OLD.state = {_WAITING}
        AND office_id = OLD.office_id AND day = OLD.day AND field_id = OLD.field_id;
    INSERT INTO ticket_counter (office_id, day, field_id, last_number, waiting, waiting_priority)
    SELECT NEW.office_id, NEW.day, NEW.field_id, 0, 1, NEW.ticket_class = {_PRIORITY}
    WHERE NEW.state = {_WAITING}
    ON CONFLICT (office_id, day, field_id) DO UPDATE SET
        waiting = waiting + 1,
        waiting_priority = waiting_priority + excluded.waiting_priority;
END""",
    f"""
CREATE TRIGGER tr_ticket_waiting_delete AFTER DELETE ON ticket
WHEN OLD.state = {_WAITING}
BEGIN
    UPDATE ticket_counter SET
        waiting = waiting - 1,
        waiting_priority = waiting_priority - (OLD.ticket_class = {_PRIORITY})
    WHERE office_id = OLD.office_id AND day = OLD.day AND field_id = OLD.field_id;
END""",
)

_PG_FUNCTION = f"""
CREATE FUNCTION ticket_waiting_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.state = {_WAITING} THEN
        UPDATE ticket_counter SET
            waiting = waiting - 1,
            waiting_priority = waiting_priority - (OLD.ticket_class = {_PRIORITY})::int
        WHERE office_id = OLD.office_id AND day = OLD.day AND field_id = OLD.field_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.state = {_WAITING} THEN
        INSERT INTO ticket_counter AS tc
            (office_id, day, field_id, last_number, waiting, waiting_priority)
        VALUES (
            NEW.office_id, NEW.day, NEW.field_id,
            CASE WHEN TG_OP = 'INSERT' AND NEW.transferred_from_id IS NULL
                THEN NEW.number ELSE 0 END,
            1, (NEW.ticket_class = {_PRIORITY})::int
        )
        ON CONFLICT (office_id, day, field_id) DO UPDATE SET
            last_number = greatest(tc.last_number, excluded.last_number),
            waiting = tc.waiting + 1,
            waiting_priority = tc.waiting_priority + excluded.waiting_priority;
    END IF;
    RETURN NULL;
END
$$"""

_PG_TRIGGERS = (
    f"""
CREATE TRIGGER tr_ticket_waiting_insert AFTER INSERT ON ticket
FOR EACH ROW WHEN (NEW.state = {_WAITING}) EXECUTE FUNCTION ticket_waiting_count()""",
    f"""
CREATE TRIGGER tr_ticket_waiting_update AFTER UPDATE OF {", ".join(_KEY_COLUMNS)} ON ticket
FOR EACH ROW WHEN ((OLD.state = {_WAITING} OR NEW.state = {_WAITING})
    AND ({", ".join(f"OLD.{c}" for c in _KEY_COLUMNS)})
        IS DISTINCT FROM ({", ".join(f"NEW.{c}" for c in _KEY_COLUMNS)}))
EXECUTE FUNCTION ticket_waiting_count()""",
    f"""
CREATE TRIGGER tr_ticket_waiting_delete AFTER DELETE ON ticket
FOR EACH ROW WHEN (OLD.state = {_WAITING}) EXECUTE FUNCTION ticket_waiting_count()""",
)

_TRIGGER_NAMES = (
    "tr_ticket_waiting_insert",
    "tr_ticket_waiting_update",
    "tr_ticket_waiting_delete",
)

# The counts from the tickets already there; counter rows a waiting ticket lacks are made.
_MISSING_ROWS = f"""
INSERT INTO ticket_counter (office_id, day, field_id, last_number, waiting, waiting_priority)
SELECT DISTINCT t.office_id, t.day, t.field_id, 0, 0, 0 FROM ticket t
WHERE t.state = {_WAITING} AND NOT EXISTS (
    SELECT 1 FROM ticket_counter c
    WHERE c.office_id = t.office_id AND c.day = t.day AND c.field_id = t.field_id
)"""


def create_triggers() -> None:
    """The triggers that keep ``ticket_counter``'s counts (also for a later rebuild of ticket)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        statements = _PG_TRIGGERS
    else:
        statements = _SQLITE_TRIGGERS
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    with op.batch_alter_table("ticket_counter", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("waiting", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.add_column(
            sa.Column("waiting_priority", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_waiting_field")
        batch_op.drop_index("ix_ticket_counter_calls")
        batch_op.create_index(
            "ix_ticket_counter_calls",
            ["counter_id", "day", "called_at"],
            unique=False,
            sqlite_where=sa.text("counter_id IS NOT NULL"),
            postgresql_where=sa.text("counter_id IS NOT NULL"),
        )
    op.execute(_MISSING_ROWS)
    op.execute(_backfill(op.get_bind().dialect.name))
    create_triggers()


def _backfill(dialect: str) -> str:
    """The counts from the waiting tickets, and ``last_number`` raised to the highest issued."""
    highest = "greatest" if dialect == "postgresql" else "max"
    same_row = """t.office_id = ticket_counter.office_id AND t.day = ticket_counter.day
            AND t.field_id = ticket_counter.field_id"""
    return f"""
UPDATE ticket_counter SET
    waiting = (
        SELECT count(*) FROM ticket t
        WHERE {same_row} AND t.state = {_WAITING}
    ),
    waiting_priority = (
        SELECT count(*) FROM ticket t
        WHERE {same_row} AND t.state = {_WAITING} AND t.ticket_class = {_PRIORITY}
    ),
    last_number = {highest}(last_number, coalesce((
        SELECT max(t.number) FROM ticket t
        WHERE {same_row} AND t.transferred_from_id IS NULL
    ), 0))
"""


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in _TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER {name} ON ticket" if postgresql else f"DROP TRIGGER {name}")
    if postgresql:
        op.execute("DROP FUNCTION ticket_waiting_count()")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_counter_calls")
        batch_op.create_index(
            "ix_ticket_counter_calls", ["counter_id", "day", "called_at"], unique=False
        )
        batch_op.create_index(
            "ix_ticket_waiting_field",
            ["office_id", "day", "field_id", "state", "ticket_class"],
            unique=False,
        )
    with op.batch_alter_table("ticket_counter", schema=None) as batch_op:
        batch_op.drop_column("waiting_priority")
        batch_op.drop_column("waiting")
