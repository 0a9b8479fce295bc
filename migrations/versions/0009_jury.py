"""Juries: panel members, rounds and the applications they cover, conflicts of interest, bids,
assignments, score sheets (one score per criterion, superseded rather than changed), comments,
the jury's settings of a call (with the questions that identify an applicant), and the scoring
reminders sent to jurors.

Revision ID: 0009_jury
Revises: 0008_asset_purged_at
Create Date: 2026-12-04 15:54:53

New tables only; nothing existing is touched.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_jury'
down_revision = '0008_asset_purged_at'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('jury_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('max_load', sa.Integer(), nullable=True),
    sa.Column('expertise', sa.JSON(), nullable=False),
    sa.Column('collaborators', sa.JSON(), nullable=False),
    sa.Column('declared_no_conflicts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('token_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_jury_members_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_jury_members_invited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_jury_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jury_members')),
    sa.UniqueConstraint('call_id', 'email', name='uq_jury_members_call_email'),
    sa.UniqueConstraint('token_hash', name=op.f('uq_jury_members_token_hash'))
    )
    with op.batch_alter_table('jury_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jury_members_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jury_members_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_jury_members_user_id'), ['user_id'], unique=False)

    op.create_table('jury_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('phase', sa.String(length=16), nullable=False),
    sa.Column('scoring_opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scoring_closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('coverage', sa.String(length=16), nullable=False),
    sa.Column('reviews_per_application', sa.Integer(), nullable=False),
    sa.Column('blind', sa.Boolean(), nullable=False),
    sa.Column('others_scores', sa.String(length=16), nullable=False),
    sa.Column('max_pair_probability', sa.Float(), nullable=True),
    sa.Column('assignment_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_jury_rounds_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jury_rounds')),
    sa.UniqueConstraint('call_id', 'number', name='uq_jury_rounds_call_number')
    )
    with op.batch_alter_table('jury_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jury_rounds_call_id'), ['call_id'], unique=False)

    op.create_table('jury_settings',
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('same_city_conflicts', sa.Boolean(), nullable=False),
    sa.Column('identifying_question_ids', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_jury_settings_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('call_id', name=op.f('pk_jury_settings'))
    )
    op.create_table('jury_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_reason', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_jury_assignments_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['jury_members.id'], name=op.f('fk_jury_assignments_member_id_jury_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['jury_rounds.id'], name=op.f('fk_jury_assignments_round_id_jury_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jury_assignments'))
    )
    with op.batch_alter_table('jury_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jury_assignments_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jury_assignments_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jury_assignments_round_id'), ['round_id'], unique=False)
        batch_op.create_index('uq_jury_assignments_live', ['round_id', 'member_id', 'application_id'], unique=True, postgresql_where=sa.text('removed_at IS NULL'), sqlite_where=sa.text('removed_at IS NULL'))

    op.create_table('jury_bids',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('bid', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_jury_bids_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['jury_members.id'], name=op.f('fk_jury_bids_member_id_jury_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'application_id', name=op.f('pk_jury_bids'))
    )
    with op.batch_alter_table('jury_bids', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jury_bids_application_id'), ['application_id'], unique=False)

    op.create_table('jury_conflicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_jury_conflicts_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_jury_conflicts_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['jury_members.id'], name=op.f('fk_jury_conflicts_member_id_jury_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jury_conflicts')),
    sa.UniqueConstraint('member_id', 'application_id', 'reason', name='uq_jury_conflicts_member_application_reason')
    )
    with op.batch_alter_table('jury_conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jury_conflicts_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jury_conflicts_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jury_conflicts_member_id'), ['member_id'], unique=False)

    op.create_table('jury_round_applications',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('advanced', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_jury_round_applications_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['jury_rounds.id'], name=op.f('fk_jury_round_applications_round_id_jury_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'application_id', name=op.f('pk_jury_round_applications'))
    )
    with op.batch_alter_table('jury_round_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jury_round_applications_application_id'), ['application_id'], unique=False)

    op.create_table('jury_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('abstained', sa.Boolean(), nullable=False),
    sa.Column('abstain_reason', sa.Text(), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_jury_reviews_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['assignment_id'], ['jury_assignments.id'], name=op.f('fk_jury_reviews_assignment_id_jury_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['jury_members.id'], name=op.f('fk_jury_reviews_member_id_jury_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['jury_rounds.id'], name=op.f('fk_jury_reviews_round_id_jury_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['jury_reviews.id'], name=op.f('fk_jury_reviews_supersedes_id_jury_reviews'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jury_reviews')),
    sa.UniqueConstraint('supersedes_id', name=op.f('uq_jury_reviews_supersedes_id'))
    )
    with op.batch_alter_table('jury_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jury_reviews_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jury_reviews_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jury_reviews_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jury_reviews_round_id'), ['round_id'], unique=False)

    op.create_table('jury_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=True),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_jury_comments_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['jury_members.id'], name=op.f('fk_jury_comments_member_id_jury_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['jury_reviews.id'], name=op.f('fk_jury_comments_review_id_jury_reviews'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['jury_rounds.id'], name=op.f('fk_jury_comments_round_id_jury_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jury_comments'))
    )
    with op.batch_alter_table('jury_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jury_comments_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jury_comments_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jury_comments_round_id'), ['round_id'], unique=False)

    op.create_table('jury_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['jury_reviews.id'], name=op.f('fk_jury_scores_review_id_jury_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jury_scores')),
    sa.UniqueConstraint('review_id', 'criterion_id', name='uq_jury_scores_review_criterion')
    )
    with op.batch_alter_table('jury_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jury_scores_review_id'), ['review_id'], unique=False)

    op.create_table('jury_reminders',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('hours_before', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('unscored', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['jury_members.id'], name=op.f('fk_jury_reminders_member_id_jury_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['jury_rounds.id'], name=op.f('fk_jury_reminders_round_id_jury_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'member_id', 'hours_before', name=op.f('pk_jury_reminders'))
    )
    with op.batch_alter_table('jury_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jury_reminders_member_id'), ['member_id'], unique=False)



def downgrade():
    with op.batch_alter_table('jury_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jury_reminders_member_id'))

    op.drop_table('jury_reminders')
    with op.batch_alter_table('jury_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jury_scores_review_id'))

    op.drop_table('jury_scores')
    with op.batch_alter_table('jury_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jury_comments_round_id'))
        batch_op.drop_index(batch_op.f('ix_jury_comments_member_id'))
        batch_op.drop_index(batch_op.f('ix_jury_comments_application_id'))

    op.drop_table('jury_comments')
    with op.batch_alter_table('jury_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jury_reviews_round_id'))
        batch_op.drop_index(batch_op.f('ix_jury_reviews_member_id'))
        batch_op.drop_index(batch_op.f('ix_jury_reviews_assignment_id'))
        batch_op.drop_index(batch_op.f('ix_jury_reviews_application_id'))

    op.drop_table('jury_reviews')
    with op.batch_alter_table('jury_round_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jury_round_applications_application_id'))

    op.drop_table('jury_round_applications')
    with op.batch_alter_table('jury_conflicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jury_conflicts_member_id'))
        batch_op.drop_index(batch_op.f('ix_jury_conflicts_call_id'))
        batch_op.drop_index(batch_op.f('ix_jury_conflicts_application_id'))

    op.drop_table('jury_conflicts')
    with op.batch_alter_table('jury_bids', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jury_bids_application_id'))

    op.drop_table('jury_bids')
    with op.batch_alter_table('jury_assignments', schema=None) as batch_op:
        batch_op.drop_index('uq_jury_assignments_live', postgresql_where=sa.text('removed_at IS NULL'), sqlite_where=sa.text('removed_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_jury_assignments_round_id'))
        batch_op.drop_index(batch_op.f('ix_jury_assignments_member_id'))
        batch_op.drop_index(batch_op.f('ix_jury_assignments_application_id'))

    op.drop_table('jury_assignments')
    op.drop_table('jury_settings')
    with op.batch_alter_table('jury_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jury_rounds_call_id'))

    op.drop_table('jury_rounds')
    with op.batch_alter_table('jury_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jury_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_jury_members_status'))
        batch_op.drop_index(batch_op.f('ix_jury_members_call_id'))

    op.drop_table('jury_members')
