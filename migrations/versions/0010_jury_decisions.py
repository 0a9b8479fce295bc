"""Juries II: decisions, deliberation, the hash-chained jury records (issue #12).

Revision ID: 0010_jury_decisions
Revises: 0009_jury
Create Date: 2026-12-04 18:30:00

New tables: the panel's decisions (proposed and final, superseded rather than changed), the
discussion thread of each application in a round, and the hash-chained record of each call's
scores and decisions with the head of each chain; and the jury setting that lets published
decisions carry the jurors' feedback to applicants.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_jury_decisions'
down_revision = '0009_jury'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('jury_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_jury_decisions_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_jury_decisions_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_jury_decisions_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['jury_rounds.id'], name=op.f('fk_jury_decisions_round_id_jury_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['jury_decisions.id'], name=op.f('fk_jury_decisions_supersedes_id_jury_decisions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jury_decisions')),
    sa.UniqueConstraint('supersedes_id', name=op.f('uq_jury_decisions_supersedes_id'))
    )
    with op.batch_alter_table('jury_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jury_decisions_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jury_decisions_call_id'), ['call_id'], unique=False)
        batch_op.create_index('ix_jury_decisions_round_application', ['round_id', 'application_id'], unique=False)

    op.create_table('jury_discussion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_jury_discussion_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['jury_members.id'], name=op.f('fk_jury_discussion_member_id_jury_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['jury_rounds.id'], name=op.f('fk_jury_discussion_round_id_jury_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jury_discussion'))
    )
    with op.batch_alter_table('jury_discussion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jury_discussion_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jury_discussion_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_jury_discussion_round_application', ['round_id', 'application_id'], unique=False)

    op.create_table('jury_ledger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('recorded_at', sa.String(length=32), nullable=False),
    sa.Column('previous', sa.String(length=64), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_jury_ledger_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jury_ledger')),
    sa.UniqueConstraint('call_id', 'seq', name='uq_jury_ledger_call_seq')
    )
    with op.batch_alter_table('jury_ledger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jury_ledger_call_id'), ['call_id'], unique=False)

    op.create_table('jury_ledger_heads',
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_jury_ledger_heads_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('call_id', name=op.f('pk_jury_ledger_heads'))
    )
    with op.batch_alter_table('jury_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applicant_feedback', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('jury_settings', schema=None) as batch_op:
        batch_op.drop_column('applicant_feedback')
    op.drop_table('jury_ledger_heads')
    with op.batch_alter_table('jury_ledger', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jury_ledger_call_id'))
    op.drop_table('jury_ledger')
    with op.batch_alter_table('jury_discussion', schema=None) as batch_op:
        batch_op.drop_index('ix_jury_discussion_round_application')
        batch_op.drop_index(batch_op.f('ix_jury_discussion_member_id'))
        batch_op.drop_index(batch_op.f('ix_jury_discussion_application_id'))
    op.drop_table('jury_discussion')
    with op.batch_alter_table('jury_decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_jury_decisions_round_application')
        batch_op.drop_index(batch_op.f('ix_jury_decisions_call_id'))
        batch_op.drop_index(batch_op.f('ix_jury_decisions_application_id'))
    op.drop_table('jury_decisions')
