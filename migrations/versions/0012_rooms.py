"""Live rooms: messages, read markers, the room shelf (issue #13).

Revision ID: 0012_rooms
Revises: 0011_residencies
Create Date: 2026-12-04 18:30:00

New tables only (rooms, their members, messages, read markers, mentions and mutes); nothing
existing is touched.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_rooms'
down_revision = '0011_residencies'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rooms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('residency_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_rooms_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['residency_id'], ['residencies.id'], name=op.f('fk_rooms_residency_id_residencies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rooms')),
    sa.UniqueConstraint('key', name=op.f('uq_rooms_key'))
    )
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rooms_residency_id'), ['residency_id'], unique=False)

    op.create_table('room_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_room_members_room_id_rooms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_room_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_members')),
    sa.UniqueConstraint('room_id', 'user_id', name='uq_room_members_user')
    )
    with op.batch_alter_table('room_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_members_room_id'), ['room_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_room_members_user_id'), ['user_id'], unique=False)

    op.create_table('room_read_markers',
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_room_read_markers_room_id_rooms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_room_read_markers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('room_id', 'user_id', name=op.f('pk_room_read_markers'))
    )
    with op.batch_alter_table('room_read_markers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_read_markers_user_id'), ['user_id'], unique=False)

    op.create_table('room_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('changed_seq', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('reply_to_id', sa.Integer(), nullable=True),
    sa.Column('asset_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['asset_id'], ['media_assets.id'], name=op.f('fk_room_messages_asset_id_media_assets'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_room_messages_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['removed_by_id'], ['users.id'], name=op.f('fk_room_messages_removed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reply_to_id'], ['room_messages.id'], name=op.f('fk_room_messages_reply_to_id_room_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_room_messages_room_id_rooms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_messages')),
    sa.UniqueConstraint('room_id', 'author_id', 'client_id', name='uq_room_messages_client'),
    sa.UniqueConstraint('room_id', 'seq', name='uq_room_messages_seq')
    )
    with op.batch_alter_table('room_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_messages_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_room_messages_room_changed', ['room_id', 'changed_seq'], unique=False)
        batch_op.create_index('ix_room_messages_room_asset', ['room_id', 'asset_id'], unique=False)

    op.create_table('room_mentions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['room_messages.id'], name=op.f('fk_room_mentions_message_id_room_messages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_room_mentions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_mentions')),
    sa.UniqueConstraint('message_id', 'user_id', name='uq_room_mentions_user')
    )
    with op.batch_alter_table('room_mentions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_mentions_message_id'), ['message_id'], unique=False)
        batch_op.create_index('ix_room_mentions_user_unread', ['user_id', 'read_at'], unique=False)

    op.create_table('room_mutes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('residency_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('muted_by_id', sa.Integer(), nullable=True),
    sa.Column('muted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('until', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['muted_by_id'], ['users.id'], name=op.f('fk_room_mutes_muted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['residency_id'], ['residencies.id'], name=op.f('fk_room_mutes_residency_id_residencies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_room_mutes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_mutes')),
    sa.UniqueConstraint('residency_id', 'user_id', name='uq_room_mutes_user')
    )
    with op.batch_alter_table('room_mutes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_mutes_residency_id'), ['residency_id'], unique=False)


def downgrade():
    for table in ('room_mutes', 'room_mentions', 'room_messages', 'room_read_markers', 'room_members', 'rooms'):
        op.drop_table(table)
