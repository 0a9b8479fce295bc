"""Index media assets by slot (an application's files are looked up by their slot).

Revision ID: 0004_asset_slot_index
Revises: 0003_calls
Create Date: 2026-11-23 17:37:50.391210

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_asset_slot_index'
down_revision = '0003_calls'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('media_assets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_assets_slot'), ['slot'], unique=False)



def downgrade():
    with op.batch_alter_table('media_assets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_assets_slot'))

