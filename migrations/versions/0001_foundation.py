"""Foundation: accounts, roles, the 22 cities, audit log, e-mail outbox, system probes.

Revision ID: 0001_foundation
Revises: 
Create Date: 2026-11-23 16:27:16.336629

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001_foundation'
down_revision = None
branch_labels = None
depends_on = None


# The 22 UNESCO Creative Cities of Media Arts as they were when this revision was written.
# Later corrections go through `flask residency load-cities` (residency/cities/data/cities.json).
CITIES = [
    {'slug': 'austin', 'name': 'Austin', 'country': 'US', 'timezone': 'America/Chicago', 'languages': ['en', 'es'], 'latitude': 30.27, 'longitude': -97.74},
    {'slug': 'braga', 'name': 'Braga', 'country': 'PT', 'timezone': 'Europe/Lisbon', 'languages': ['pt'], 'latitude': 41.55, 'longitude': -8.42},
    {'slug': 'cali', 'name': 'Cali', 'country': 'CO', 'timezone': 'America/Bogota', 'languages': ['es'], 'latitude': 3.45, 'longitude': -76.53},
    {'slug': 'campina-grande', 'name': 'Campina Grande', 'country': 'BR', 'timezone': 'America/Fortaleza', 'languages': ['pt'], 'latitude': -7.23, 'longitude': -35.88},
    {'slug': 'changsha', 'name': 'Changsha', 'country': 'CN', 'timezone': 'Asia/Shanghai', 'languages': ['zh'], 'latitude': 28.23, 'longitude': 112.94},
    {'slug': 'dakar', 'name': 'Dakar', 'country': 'SN', 'timezone': 'Africa/Dakar', 'languages': ['fr', 'wo'], 'latitude': 14.72, 'longitude': -17.47},
    {'slug': 'enghien-les-bains', 'name': 'Enghien-les-Bains', 'country': 'FR', 'timezone': 'Europe/Paris', 'languages': ['fr'], 'latitude': 48.97, 'longitude': 2.31},
    {'slug': 'guadalajara', 'name': 'Guadalajara', 'country': 'MX', 'timezone': 'America/Mexico_City', 'languages': ['es'], 'latitude': 20.66, 'longitude': -103.35},
    {'slug': 'gwangju', 'name': 'Gwangju', 'country': 'KR', 'timezone': 'Asia/Seoul', 'languages': ['ko'], 'latitude': 35.16, 'longitude': 126.85},
    {'slug': 'hamar', 'name': 'Hamar', 'country': 'NO', 'timezone': 'Europe/Oslo', 'languages': ['nb', 'nn'], 'latitude': 60.79, 'longitude': 11.07},
    {'slug': 'karlsruhe', 'name': 'Karlsruhe', 'country': 'DE', 'timezone': 'Europe/Berlin', 'languages': ['de'], 'latitude': 49.01, 'longitude': 8.4},
    {'slug': 'kosice', 'name': 'Košice', 'country': 'SK', 'timezone': 'Europe/Bratislava', 'languages': ['sk', 'hu'], 'latitude': 48.72, 'longitude': 21.26},
    {'slug': 'linz', 'name': 'Linz', 'country': 'AT', 'timezone': 'Europe/Vienna', 'languages': ['de'], 'latitude': 48.31, 'longitude': 14.29},
    {'slug': 'lyon', 'name': 'Lyon', 'country': 'FR', 'timezone': 'Europe/Paris', 'languages': ['fr'], 'latitude': 45.76, 'longitude': 4.84},
    {'slug': 'modena', 'name': 'Modena', 'country': 'IT', 'timezone': 'Europe/Rome', 'languages': ['it'], 'latitude': 44.65, 'longitude': 10.93},
    {'slug': 'namur', 'name': 'Namur', 'country': 'BE', 'timezone': 'Europe/Brussels', 'languages': ['fr'], 'latitude': 50.47, 'longitude': 4.87},
    {'slug': 'sapporo', 'name': 'Sapporo', 'country': 'JP', 'timezone': 'Asia/Tokyo', 'languages': ['ja'], 'latitude': 43.06, 'longitude': 141.35},
    {'slug': 'tbilisi', 'name': 'Tbilisi', 'country': 'GE', 'timezone': 'Asia/Tbilisi', 'languages': ['ka'], 'latitude': 41.72, 'longitude': 44.79},
    {'slug': 'tel-aviv-yafo', 'name': 'Tel Aviv-Yafo', 'country': 'IL', 'timezone': 'Asia/Jerusalem', 'languages': ['he', 'ar'], 'latitude': 32.09, 'longitude': 34.78},
    {'slug': 'toronto', 'name': 'Toronto', 'country': 'CA', 'timezone': 'America/Toronto', 'languages': ['en', 'fr'], 'latitude': 43.65, 'longitude': -79.38},
    {'slug': 'viborg', 'name': 'Viborg', 'country': 'DK', 'timezone': 'Europe/Copenhagen', 'languages': ['da'], 'latitude': 56.45, 'longitude': 9.4},
    {'slug': 'york', 'name': 'York', 'country': 'GB', 'timezone': 'Europe/London', 'languages': ['en'], 'latitude': 53.96, 'longitude': -1.08},
]

# The audit log is append-only: the database itself refuses to change or delete an entry.
PG_AUDIT_GUARD = """
CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$;
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
"""
SQLITE_AUDIT_GUARD = [
    "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
]


def upgrade():
    op.create_table('cities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cities')),
    sa.UniqueConstraint('slug', name=op.f('uq_cities_slug'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('pronouns', sa.String(length=40), nullable=True),
    sa.Column('city_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_users_city_id_cities'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_at'), ['at'], unique=False)

    op.create_table('auth_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('new_email', sa.String(length=254), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_auth_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_auth_tokens_token_hash'))
    )
    with op.batch_alter_table('auth_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('email_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_email_messages_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_messages'))
    )
    with op.batch_alter_table('email_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_messages_sent_at'), ['sent_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_email_messages_user_id'), ['user_id'], unique=False)

    op.create_table('login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_agent', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_login_sessions_token_hash'))
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('role_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('scope_type', sa.String(length=16), nullable=False),
    sa.Column('scope_id', sa.Integer(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_role_grants_granted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_role_grants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_grants')),
    sa.UniqueConstraint('user_id', 'role', 'scope_type', 'scope_id', name=op.f('uq_role_grants_user_id_role_scope_type_scope_id'))
    )
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.create_index('ix_role_grants_scope', ['scope_type', 'scope_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_role_grants_user_id'), ['user_id'], unique=False)

    op.create_table('system_probes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('worker', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_system_probes_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_system_probes'))
    )

    cities = sa.table(
        'cities',
        sa.column('slug', sa.String), sa.column('name', sa.String), sa.column('country', sa.String),
        sa.column('timezone', sa.String), sa.column('languages', sa.JSON),
        sa.column('latitude', sa.Float), sa.column('longitude', sa.Float),
    )
    op.bulk_insert(cities, CITIES)

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_AUDIT_GUARD)
    elif op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_AUDIT_GUARD:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS audit_entries_no_update ON audit_entries')
        op.execute('DROP FUNCTION IF EXISTS audit_entries_append_only()')
    op.drop_table('system_probes')
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_grants_user_id'))
        batch_op.drop_index('ix_role_grants_scope')

    op.drop_table('role_grants')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_id'))

    op.drop_table('login_sessions')
    with op.batch_alter_table('email_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_messages_user_id'))
        batch_op.drop_index(batch_op.f('ix_email_messages_sent_at'))

    op.drop_table('email_messages')
    with op.batch_alter_table('auth_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_tokens_user_id'))

    op.drop_table('auth_tokens')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_action'))

    op.drop_table('audit_entries')
    op.drop_table('users')
    op.drop_table('cities')
