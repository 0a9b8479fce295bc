"""Login throttles: consecutive failed passwords per e-mail address and per known browser.

Revision ID: 0007_login_throttle
Revises: 0006_call_item_counters
Create Date: 2026-12-08 10:00:00

Before this revision failed logins were refused by the rate limiter per e-mail address, which let
anyone lock an account's owner out. The counts now live in the database, shared by every web
process (see ``residency/accounts/throttle.py``); nothing is carried over from the limiter.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_login_throttle'
down_revision = '0006_call_item_counters'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('first_failure_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('alerted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttles')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_login_throttles_key_hash'))
    )


def downgrade():
    op.drop_table('login_throttles')
