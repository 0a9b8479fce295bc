"""Media: works, their assets and derivatives, resumable uploads.

Revision ID: 0002_media
Revises: 0001_foundation
Create Date: 2026-11-23 16:42:56.484475

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_media'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('works',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('medium', sa.String(length=80), nullable=False),
    sa.Column('credits', sa.Text(), nullable=False),
    sa.Column('synopsis', sa.JSON(), nullable=False),
    sa.Column('main_language', sa.String(length=10), nullable=False),
    sa.Column('technical_rider', sa.Text(), nullable=False),
    sa.Column('rights_holder', sa.String(length=200), nullable=False),
    sa.Column('licence', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_works_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_works'))
    )
    with op.batch_alter_table('works', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_works_owner_id'), ['owner_id'], unique=False)

    op.create_table('media_assets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.String(length=64), nullable=False),
    sa.Column('original_filename', sa.String(length=255), nullable=False),
    sa.Column('declared_type', sa.String(length=127), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=True),
    sa.Column('mime', sa.String(length=127), nullable=True),
    sa.Column('ext', sa.String(length=16), nullable=True),
    sa.Column('quarantine_key', sa.String(length=512), nullable=True),
    sa.Column('original_key', sa.String(length=512), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('failed_step', sa.String(length=32), nullable=True),
    sa.Column('failure_code', sa.String(length=64), nullable=True),
    sa.Column('failure_reason', sa.String(length=500), nullable=True),
    sa.Column('failure_retryable', sa.Boolean(), nullable=False),
    sa.Column('probe', sa.JSON(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('log', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_media_assets_owner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['media_assets.id'], name=op.f('fk_media_assets_superseded_by_id_media_assets'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['media_assets.id'], name=op.f('fk_media_assets_supersedes_id_media_assets'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['work_id'], ['works.id'], name=op.f('fk_media_assets_work_id_works'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_assets'))
    )
    with op.batch_alter_table('media_assets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_assets_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_assets_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_assets_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_assets_work_id'), ['work_id'], unique=False)

    op.create_table('media_derivatives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('profile', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=512), nullable=True),
    sa.Column('use_source', sa.Boolean(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('content_type', sa.String(length=127), nullable=True),
    sa.Column('meta', sa.JSON(), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('retryable', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['asset_id'], ['media_assets.id'], name=op.f('fk_media_derivatives_asset_id_media_assets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_derivatives')),
    sa.UniqueConstraint('asset_id', 'profile', name=op.f('uq_media_derivatives_asset_id_profile'))
    )
    with op.batch_alter_table('media_derivatives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_derivatives_asset_id'), ['asset_id'], unique=False)

    op.create_table('media_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('declared_size', sa.BigInteger(), nullable=False),
    sa.Column('declared_type', sa.String(length=127), nullable=False),
    sa.Column('key', sa.String(length=512), nullable=False),
    sa.Column('storage_upload_id', sa.String(length=255), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=True),
    sa.Column('replaces_asset_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['asset_id'], ['media_assets.id'], name=op.f('fk_media_uploads_asset_id_media_assets'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_media_uploads_owner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['replaces_asset_id'], ['media_assets.id'], name=op.f('fk_media_uploads_replaces_asset_id_media_assets'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_uploads')),
    sa.UniqueConstraint('public_id', name=op.f('uq_media_uploads_public_id'))
    )
    with op.batch_alter_table('media_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_uploads_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_media_uploads_state_updated', ['state', 'updated_at'], unique=False)



def downgrade():
    with op.batch_alter_table('media_uploads', schema=None) as batch_op:
        batch_op.drop_index('ix_media_uploads_state_updated')
        batch_op.drop_index(batch_op.f('ix_media_uploads_owner_id'))

    op.drop_table('media_uploads')
    with op.batch_alter_table('media_derivatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_derivatives_asset_id'))

    op.drop_table('media_derivatives')
    with op.batch_alter_table('media_assets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_assets_work_id'))
        batch_op.drop_index(batch_op.f('ix_media_assets_state'))
        batch_op.drop_index(batch_op.f('ix_media_assets_sha256'))
        batch_op.drop_index(batch_op.f('ix_media_assets_owner_id'))

    op.drop_table('media_assets')
    with op.batch_alter_table('works', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_works_owner_id'))

    op.drop_table('works')
