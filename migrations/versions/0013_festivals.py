"""Festivals: catalogue, rights, delivery packages, downloads, screenings (issue #15).

Revision ID: 0013_festivals
Revises: 0012_rooms
Create Date: 2026-12-04 18:30:00

Reserved in the chain so the features built side by side migrate in one line; the feature's
tables are added here by the work on its issue.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0013_festivals'
down_revision = '0012_rooms'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
