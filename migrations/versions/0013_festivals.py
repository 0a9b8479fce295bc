"""Festivals: catalogue, rights, delivery packages, downloads, screenings (issue #15).

Revision ID: 0013_festivals
Revises: 0012_rooms
Create Date: 2026-12-04 18:30:00

New tables only, and the flagship festivals of the cities as rows the network admins can edit.
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_festivals'
down_revision = '0012_rooms'
branch_labels = None
depends_on = None

#: The cities' flagship festivals (slug, name, city slug, website): data to edit, not code.
FLAGSHIPS = [
    ("ars-electronica", "Ars Electronica Festival", "linz", "https://ars.electronica.art/"),
    ("fete-des-lumieres", "Fête des Lumières", "lyon", ""),
    ("bains-numeriques", "Bains Numériques", "enghien-les-bains", ""),
    ("kikk", "KIKK Festival", "namur", "https://www.kikk.be/"),
    ("sxsw", "SXSW", "austin", "https://www.sxsw.com/"),
    ("art-and-tech-days", "Art & Tech Days", "kosice", ""),
    ("siaf", "Sapporo International Art Festival", "sapporo", ""),
    ("viborg-animation-festival", "Viborg Animation Festival", "viborg", ""),
    ("mediale", "Mediale", "york", ""),
    ("semibreve", "Semibreve", "braga", ""),
    ("gwangju-media-art-festival", "Gwangju Media Art Festival", "gwangju", ""),
    ("ficg", "Festival Internacional de Cine en Guadalajara", "guadalajara", ""),
]
DEFAULT_PROFILE = {"video": "screening", "subtitles": "separate", "stills": True, "press_kit": True}


def _seed_festivals():
    cities = dict((slug, city_id) for city_id, slug in op.get_bind().execute(sa.text("SELECT id, slug FROM cities")))
    festivals = sa.table(
        'festivals', sa.column('slug', sa.String), sa.column('name', sa.String), sa.column('city_id', sa.Integer),
        sa.column('website', sa.String), sa.column('description', sa.Text), sa.column('delivery_profile', sa.JSON),
        sa.column('created_at', sa.DateTime(timezone=True)),
    )
    now = datetime.now(timezone.utc)
    rows = [{"slug": slug, "name": name, "city_id": cities[city], "website": website, "description": "",
             "delivery_profile": DEFAULT_PROFILE, "created_at": now}
            for slug, name, city, website in FLAGSHIPS if city in cities]
    if rows:
        op.bulk_insert(festivals, rows)


def upgrade():
    op.create_table('festivals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('delivery_profile', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_festivals_city_id_cities'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_festivals')),
    sa.UniqueConstraint('slug', name=op.f('uq_festivals_slug'))
    )
    with op.batch_alter_table('festivals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_festivals_city_id'), ['city_id'], unique=False)
    op.create_table('festival_editions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('festival_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('venues', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['festival_id'], ['festivals.id'], name=op.f('fk_festival_editions_festival_id_festivals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_festival_editions'))
    )
    with op.batch_alter_table('festival_editions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_festival_editions_festival_id'), ['festival_id'], unique=False)
    op.create_table('festival_catalogue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_festival_catalogue_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_festival_catalogue_call_id_calls'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['work_id'], ['works.id'], name=op.f('fk_festival_catalogue_work_id_works'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_festival_catalogue')),
    sa.UniqueConstraint('work_id', name=op.f('uq_festival_catalogue_work_id'))
    )
    with op.batch_alter_table('festival_catalogue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_festival_catalogue_call_id'), ['call_id'], unique=False)
    op.create_table('festival_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_id', sa.Integer(), nullable=False),
    sa.Column('festival_id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('use', sa.String(length=16), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_message', sa.Text(), nullable=False),
    sa.Column('asset_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_festival_requests_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['edition_id'], ['festival_editions.id'], name=op.f('fk_festival_requests_edition_id_festival_editions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['festival_id'], ['festivals.id'], name=op.f('fk_festival_requests_festival_id_festivals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_festival_requests_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['work_id'], ['works.id'], name=op.f('fk_festival_requests_work_id_works'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_festival_requests'))
    )
    with op.batch_alter_table('festival_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_festival_requests_edition_id'), ['edition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_festival_requests_festival_id'), ['festival_id'], unique=False)
        batch_op.create_index('ix_festival_requests_work_state', ['work_id', 'state'], unique=False)
    op.create_table('festival_screenings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('festival_id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=True),
    sa.Column('work_id', sa.Integer(), nullable=False),
    sa.Column('screened_on', sa.Date(), nullable=False),
    sa.Column('venue', sa.String(length=200), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_festival_screenings_city_id_cities'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['edition_id'], ['festival_editions.id'], name=op.f('fk_festival_screenings_edition_id_festival_editions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['festival_id'], ['festivals.id'], name=op.f('fk_festival_screenings_festival_id_festivals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_festival_screenings_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['work_id'], ['works.id'], name=op.f('fk_festival_screenings_work_id_works'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_festival_screenings'))
    )
    with op.batch_alter_table('festival_screenings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_festival_screenings_festival_id'), ['festival_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_festival_screenings_work_id'), ['work_id'], unique=False)
    op.create_table('festival_shortlist',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('work_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['festival_editions.id'], name=op.f('fk_festival_shortlist_edition_id_festival_editions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_festival_shortlist_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['work_id'], ['works.id'], name=op.f('fk_festival_shortlist_work_id_works'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_festival_shortlist')),
    sa.UniqueConstraint('edition_id', 'user_id', 'work_id', name=op.f('uq_festival_shortlist_edition_id_user_id_work_id'))
    )
    with op.batch_alter_table('festival_shortlist', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_festival_shortlist_edition_id'), ['edition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_festival_shortlist_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_festival_shortlist_work_id'), ['work_id'], unique=False)
    op.create_table('festival_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_id', sa.Integer(), nullable=False),
    sa.Column('all_festivals', sa.Boolean(), nullable=False),
    sa.Column('festival_ids', sa.JSON(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('screening', sa.Boolean(), nullable=False),
    sa.Column('exhibition', sa.Boolean(), nullable=False),
    sa.Column('fee_amount', sa.Integer(), nullable=True),
    sa.Column('fee_currency', sa.String(length=3), nullable=False),
    sa.Column('territories', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['work_id'], ['works.id'], name=op.f('fk_festival_terms_work_id_works'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_festival_terms')),
    sa.UniqueConstraint('work_id', name=op.f('uq_festival_terms_work_id'))
    )
    op.create_table('festival_packages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('profile', sa.JSON(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=False),
    sa.Column('assembled_key', sa.String(length=512), nullable=True),
    sa.Column('bagged_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ready_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['festival_requests.id'], name=op.f('fk_festival_packages_request_id_festival_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_festival_packages')),
    sa.UniqueConstraint('request_id', name=op.f('uq_festival_packages_request_id'))
    )
    op.create_table('festival_request_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_festival_request_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['festival_requests.id'], name=op.f('fk_festival_request_events_request_id_festival_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_festival_request_events'))
    )
    with op.batch_alter_table('festival_request_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_festival_request_events_request_id'), ['request_id'], unique=False)
    op.create_table('festival_downloads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('package_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('range_start', sa.BigInteger(), nullable=False),
    sa.Column('range_end', sa.BigInteger(), nullable=False),
    sa.Column('bytes_sent', sa.BigInteger(), nullable=False),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('via', sa.String(length=16), nullable=False),
    sa.Column('error', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['package_id'], ['festival_packages.id'], name=op.f('fk_festival_downloads_package_id_festival_packages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_festival_downloads_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_festival_downloads'))
    )
    with op.batch_alter_table('festival_downloads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_festival_downloads_package_id'), ['package_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_festival_downloads_user_id'), ['user_id'], unique=False)
    op.create_table('festival_package_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('package_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('key', sa.String(length=512), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('crc32', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['package_id'], ['festival_packages.id'], name=op.f('fk_festival_package_files_package_id_festival_packages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_festival_package_files')),
    sa.UniqueConstraint('package_id', 'path', name=op.f('uq_festival_package_files_package_id_path'))
    )
    with op.batch_alter_table('festival_package_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_festival_package_files_package_id'), ['package_id'], unique=False)

    with op.batch_alter_table('room_mutes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_mutes_residency_id'))
    _seed_festivals()


def downgrade():
    op.drop_table('festival_package_files')
    op.drop_table('festival_downloads')
    op.drop_table('festival_request_events')
    op.drop_table('festival_packages')
    op.drop_table('festival_terms')
    op.drop_table('festival_shortlist')
    op.drop_table('festival_screenings')
    op.drop_table('festival_requests')
    op.drop_table('festival_catalogue')
    op.drop_table('festival_editions')
    op.drop_table('festivals')
