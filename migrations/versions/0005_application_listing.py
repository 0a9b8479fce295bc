"""The coordinators' list reads columns, not frozen JSON: residence and files of the last submitted
version, a covering index of the listed applications, and the removed files as a column.

Revision ID: 0005_application_listing
Revises: 0004_asset_slot_index
Create Date: 2026-12-03 06:10:00

The backfill copies, for every application submitted before this revision, what
``residency.applications.listing.index_version`` copies at each submission (the helpers are
repeated here: a migration must not change when the application's code does), and moves the
``answers["_detached"]`` list into ``detached_asset_ids``.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_application_listing'
down_revision = '0004_asset_slot_index'
branch_labels = None
depends_on = None

BATCH = 1000
LISTED = "current_version > 0 AND state <> 'draft'"

applications = sa.table(
    "applications", sa.column("id", sa.Integer), sa.column("call_id", sa.Integer), sa.column("answers", sa.JSON),
    sa.column("current_version", sa.Integer), sa.column("residence_country", sa.String),
    sa.column("residence_city_id", sa.Integer), sa.column("detached_asset_ids", sa.JSON),
)
versions = sa.table("application_versions", sa.column("application_id", sa.Integer), sa.column("number", sa.Integer),
                    sa.column("snapshot", sa.JSON))
cities = sa.table("cities", sa.column("id", sa.Integer))
files = sa.table(
    "application_files", sa.column("application_id", sa.Integer), sa.column("asset_id", sa.Integer),
    sa.column("call_id", sa.Integer), sa.column("question_id", sa.String), sa.column("filename", sa.String),
    sa.column("sha256", sa.String),
)


def upgrade():
    op.create_table('application_files',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_files_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_application_files_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('application_id', 'asset_id', name=op.f('pk_application_files'))
    )
    with op.batch_alter_table('application_files', schema=None) as batch_op:
        batch_op.create_index('ix_application_files_call_sha256', ['call_id', 'sha256'], unique=False)

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('residence_country', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('residence_city_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('detached_asset_ids', sa.JSON(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_applications_residence_city_id_cities'), 'cities', ['residence_city_id'], ['id'], ondelete='SET NULL')
    op.create_index('ix_applications_listed', 'applications', ['call_id', 'submitted_at', 'id'], unique=False,
                    postgresql_include=['state', 'eligible', 'owner_id'],
                    postgresql_where=sa.text(LISTED), sqlite_where=sa.text(LISTED))

    _backfill(op.get_bind())
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.alter_column('detached_asset_ids', existing_type=sa.JSON(), nullable=False)


def downgrade():
    connection = op.get_bind()
    _restore_detached(connection)
    op.drop_index('ix_applications_listed', table_name='applications',
                  postgresql_where=sa.text(LISTED), sqlite_where=sa.text(LISTED))
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_applications_residence_city_id_cities'), type_='foreignkey')
        batch_op.drop_column('detached_asset_ids')
        batch_op.drop_column('residence_city_id')
        batch_op.drop_column('residence_country')

    with op.batch_alter_table('application_files', schema=None) as batch_op:
        batch_op.drop_index('ix_application_files_call_sha256')

    op.drop_table('application_files')


# --- data ----------------------------------------------------------------------------------------

def _country(snapshot):
    profile = (snapshot.get("owner") or {}).get("profile") or {}
    country = profile.get("country_of_residence") or (snapshot.get("eligibility") or {}).get("country") or ""
    return country.upper() if isinstance(country, str) and len(country) == 2 else None


def _city(snapshot, known):
    city = (snapshot.get("eligibility") or {}).get("city")
    return city if isinstance(city, int) and not isinstance(city, bool) and city in known else None


def _files(snapshot):
    found, seen = [], set()
    for item in snapshot.get("answers") if isinstance(snapshot.get("answers"), list) else []:
        if not (isinstance(item, dict) and item.get("type") == "file" and isinstance(item.get("value"), list)):
            continue
        for record in item["value"]:
            if isinstance(record, dict) and str(record.get("id", "")).isdigit() and str(record["id"]) not in seen:
                seen.add(str(record["id"]))
                found.append((str(item.get("id") or ""), record))
    return found


def _backfill(connection):
    known_cities = {row.id for row in connection.execute(sa.select(cities.c.id))}
    last_id = 0
    while True:
        batch = connection.execute(
            sa.select(applications.c.id, applications.c.call_id, applications.c.answers,
                      applications.c.current_version, versions.c.snapshot)
            .select_from(applications.outerjoin(versions, sa.and_(versions.c.application_id == applications.c.id,
                                                                  versions.c.number == applications.c.current_version)))
            .where(applications.c.id > last_id).order_by(applications.c.id).limit(BATCH)
        ).all()
        if not batch:
            return
        last_id = batch[-1].id
        file_rows = []
        for row in batch:
            answers = dict(row.answers or {})
            detached = answers.pop("_detached", None) or []
            values = {"detached_asset_ids": sorted({int(i) for i in detached if str(i).isdigit()})}
            if "_detached" in (row.answers or {}):
                values["answers"] = answers
            snapshot = row.snapshot if isinstance(row.snapshot, dict) else None
            if row.current_version > 0 and snapshot is not None:
                values.update(residence_country=_country(snapshot), residence_city_id=_city(snapshot, known_cities))
                file_rows += [{"application_id": row.id, "asset_id": int(record["id"]), "call_id": row.call_id,
                               "question_id": question[:64], "filename": (record.get("filename") or "")[:255],
                               "sha256": (record.get("sha256") or "")[:64]} for question, record in _files(snapshot)]
            connection.execute(applications.update().where(applications.c.id == row.id).values(**values))
        if file_rows:
            connection.execute(files.insert(), file_rows)


def _restore_detached(connection):
    rows = connection.execute(
        sa.select(applications.c.id, applications.c.answers, applications.c.detached_asset_ids)
        .where(applications.c.detached_asset_ids.isnot(None))
    ).all()
    for row in rows:
        if row.detached_asset_ids:
            connection.execute(applications.update().where(applications.c.id == row.id)
                               .values(answers={**(row.answers or {}), "_detached": list(row.detached_asset_ids)}))
