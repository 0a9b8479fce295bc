"""The audit log becomes a hash chain: each entry gets a sequence number, the hash of the entry
before it and its own hash; one head row holds the chain's last sequence number and hash.

Revision ID: 0015_audit_chain
Revises: 0014_api
Create Date: 2026-12-04 18:40:00

Existing entries are linked in the order they were written (by id). The append-only triggers are
lifted for that one backfill and put back (SQLite's batch mode rebuilds the table, which drops its
triggers, so they are created again there in any case).
"""
import hashlib
import json
from datetime import timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_audit_chain'
down_revision = '0014_api'
branch_labels = None
depends_on = None

GENESIS = "0" * 64

PG_GUARD = """
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
"""
SQLITE_GUARD = [
    "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
]


def _lift_guard(dialect):
    if dialect == 'postgresql':
        op.execute("DROP TRIGGER audit_entries_no_update ON audit_entries")
    elif dialect == 'sqlite':
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_delete")


def _restore_guard(dialect):
    if dialect == 'postgresql':
        op.execute(PG_GUARD)
    elif dialect == 'sqlite':
        for statement in SQLITE_GUARD:
            op.execute(statement)


def _link(content, previous_hash):
    """The same hash as residency.core.chain.link (copied: a migration must not change with the code)."""
    def default(value):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    digest = hashlib.sha256()
    digest.update(previous_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                             default=default).encode("utf-8"))
    return digest.hexdigest()


def upgrade():
    bind = op.get_bind()
    dialect = bind.dialect.name
    _lift_guard(dialect)
    op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))

    entries = sa.table('audit_entries', sa.column('id', sa.Integer), sa.column('seq', sa.Integer),
                       sa.column('at', sa.DateTime(timezone=True)), sa.column('actor_id', sa.Integer),
                       sa.column('action', sa.String), sa.column('object_type', sa.String),
                       sa.column('object_id', sa.Integer), sa.column('ip', sa.String),
                       sa.column('data', sa.JSON), sa.column('prev_hash', sa.String), sa.column('hash', sa.String))
    previous, seq = GENESIS, 0
    for row in bind.execute(sa.select(entries).order_by(entries.c.id)).all():
        seq += 1
        content = {"seq": seq, "at": row.at, "actor_id": row.actor_id, "action": row.action,
                   "object_type": row.object_type, "object_id": row.object_id, "ip": row.ip,
                   "data": row.data or {}}
        digest = _link(content, previous)
        bind.execute(entries.update().where(entries.c.id == row.id).values(seq=seq, prev_hash=previous, hash=digest))
        previous = digest
    bind.execute(sa.table('audit_chain_head', sa.column('id', sa.Integer), sa.column('seq', sa.Integer),
                          sa.column('hash', sa.String)).insert().values(id=1, seq=seq, hash=previous))

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_entries_seq'), ['seq'])
    _restore_guard(dialect)


def downgrade():
    dialect = op.get_bind().dialect.name
    _lift_guard(dialect)
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_entries_seq'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
    op.drop_table('audit_chain_head')
    _restore_guard(dialect)
