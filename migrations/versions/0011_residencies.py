"""Residencies: participants, sessions, calendar feeds (issue #13).

Revision ID: 0011_residencies
Revises: 0010_jury_decisions
Create Date: 2026-12-04 18:30:00

Reserved in the chain so the features built side by side migrate in one line; the feature's
tables are added here by the work on its issue.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0011_residencies'
down_revision = '0010_jury_decisions'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
