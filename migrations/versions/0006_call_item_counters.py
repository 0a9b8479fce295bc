"""Calls count the ids they give to questions, criteria and eligibility conditions.

Revision ID: 0006_call_item_counters
Revises: 0005_application_listing
Create Date: 2026-12-03 09:00:00

Before this revision the next id (``q4``…) was worked out from the call's items and from the
audit log's removals. The backfill sets each counter to the highest number found in either,
so that an id removed before the upgrade is still never given again.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_call_item_counters'
down_revision = '0005_application_listing'
branch_labels = None
depends_on = None

#: prefix → (counter column, audit action of a removal)
COUNTERS = {
    "q": ("last_question_number", "call.question_removed"),
    "c": ("last_criterion_number", "call.criterion_removed"),
    "e": ("last_condition_number", "call.condition_removed"),
}

calls = sa.table(
    "calls", sa.column("id", sa.Integer), sa.column("form", sa.JSON), sa.column("rubric", sa.JSON),
    sa.column("eligibility", sa.JSON), *(sa.column(column, sa.Integer) for column, _action in COUNTERS.values()),
)
audit = sa.table("audit_entries", sa.column("action", sa.String), sa.column("object_type", sa.String),
                 sa.column("object_id", sa.Integer), sa.column("data", sa.JSON))


def upgrade():
    with op.batch_alter_table('calls', schema=None) as batch_op:
        for column, _action in COUNTERS.values():
            batch_op.add_column(sa.Column(column, sa.Integer(), server_default='0', nullable=False))
    _backfill(op.get_bind())


def downgrade():
    with op.batch_alter_table('calls', schema=None) as batch_op:
        for column, _action in reversed(list(COUNTERS.values())):
            batch_op.drop_column(column)


def _number(item_id, prefix):
    if isinstance(item_id, str) and item_id.startswith(prefix) and item_id[len(prefix):].isdigit():
        return int(item_id[len(prefix):])
    return 0


def _backfill(connection):
    removed = {}
    actions = {action: prefix for prefix, (_column, action) in COUNTERS.items()}
    for row in connection.execute(sa.select(audit.c.action, audit.c.object_id, audit.c.data).where(
            audit.c.object_type == "calls", audit.c.action.in_(list(actions)))):
        prefix = actions[row.action]
        key = (row.object_id, prefix)
        removed[key] = max(removed.get(key, 0), _number((row.data or {}).get("item_id"), prefix))
    for call in connection.execute(sa.select(calls.c.id, calls.c.form, calls.c.rubric, calls.c.eligibility)).all():
        items = {"q": call.form or [], "c": call.rubric or [], "e": (call.eligibility or {}).get("questions") or []}
        values = {}
        for prefix, (column, _action) in COUNTERS.items():
            found = [_number(item.get("id"), prefix) for item in items[prefix] if isinstance(item, dict)]
            values[column] = max([removed.get((call.id, prefix), 0), *found])
        if any(values.values()):
            connection.execute(calls.update().where(calls.c.id == call.id).values(**values))
