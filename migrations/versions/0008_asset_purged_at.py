"""Media assets record when the stored files of a replaced (or rejected) version were deleted.

Revision ID: 0008_asset_purged_at
Revises: 0007_login_throttle
Create Date: 2026-12-09 10:00:00

``purged_at`` is set by ``residency/media/retention.py`` when it deletes a version's files and
clears its keys; the row stays for the version history. Existing rows keep their files (NULL).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_asset_purged_at'
down_revision = '0007_login_throttle'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('media_assets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('media_assets', schema=None) as batch_op:
        batch_op.drop_column('purged_at')
