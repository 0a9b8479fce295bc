"""Residencies: participants, sessions, calendar feeds (issue #13).

Revision ID: 0011_residencies
Revises: 0010_jury_decisions
Create Date: 2026-12-04 18:30:00

New tables only (residencies, their participants, sessions, participants' calendar feeds and
in-app notices); nothing existing is touched.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_residencies'
down_revision = '0010_jury_decisions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('residencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_residencies_call_id_calls'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_residencies_city_id_cities'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_residencies_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_residencies'))
    )
    with op.batch_alter_table('residencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_residencies_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_residencies_city_id'), ['city_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_residencies_status'), ['status'], unique=False)

    op.create_table('residency_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('residency_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_residency_participants_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_residency_participants_application_id_applications'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['residency_id'], ['residencies.id'], name=op.f('fk_residency_participants_residency_id_residencies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_residency_participants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_residency_participants')),
    sa.UniqueConstraint('residency_id', 'user_id', name='uq_residency_participants_user')
    )
    with op.batch_alter_table('residency_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_residency_participants_residency_id'), ['residency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_residency_participants_user_id'), ['user_id'], unique=False)

    op.create_table('residency_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('residency_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_residency_sessions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['residency_id'], ['residencies.id'], name=op.f('fk_residency_sessions_residency_id_residencies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_residency_sessions'))
    )
    with op.batch_alter_table('residency_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_residency_sessions_residency_start', ['residency_id', 'starts_at'], unique=False)

    op.create_table('residency_calendar_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['residency_participants.id'], name=op.f('fk_residency_calendar_feeds_participant_id_residency_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_residency_calendar_feeds')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_residency_calendar_feeds_token_hash'))
    )
    with op.batch_alter_table('residency_calendar_feeds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_residency_calendar_feeds_participant_id'), ['participant_id'], unique=False)

    op.create_table('residency_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('residency_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['residency_id'], ['residencies.id'], name=op.f('fk_residency_notices_residency_id_residencies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['residency_sessions.id'], name=op.f('fk_residency_notices_session_id_residency_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_residency_notices_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_residency_notices'))
    )
    with op.batch_alter_table('residency_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_residency_notices_residency_id'), ['residency_id'], unique=False)
        batch_op.create_index('ix_residency_notices_user_unread', ['user_id', 'read_at'], unique=False)


def downgrade():
    with op.batch_alter_table('residency_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_residency_notices_user_unread')
        batch_op.drop_index(batch_op.f('ix_residency_notices_residency_id'))
    op.drop_table('residency_notices')

    with op.batch_alter_table('residency_calendar_feeds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_residency_calendar_feeds_participant_id'))
    op.drop_table('residency_calendar_feeds')

    with op.batch_alter_table('residency_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_residency_sessions_residency_start')
    op.drop_table('residency_sessions')

    with op.batch_alter_table('residency_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_residency_participants_user_id'))
        batch_op.drop_index(batch_op.f('ix_residency_participants_residency_id'))
    op.drop_table('residency_participants')

    with op.batch_alter_table('residencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_residencies_status'))
        batch_op.drop_index(batch_op.f('ix_residencies_city_id'))
        batch_op.drop_index(batch_op.f('ix_residencies_call_id'))
    op.drop_table('residencies')
