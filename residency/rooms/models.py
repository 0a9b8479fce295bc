"""Live rooms of a residency: the residency's own room, group rooms created inside it, and direct
conversations between two participants; their messages, read markers, mentions and mutes.

Every stored event of a room has a number of its own, ``seq``, taken from the room's counter
(:attr:`Room.last_seq`) in the transaction that stores it: a message is the event ``seq``; its
latest edit or removal is the event ``changed_seq``. Replaying a room after ``n`` is "the messages
whose ``seq`` or ``changed_seq`` is above ``n``", each in its current state, in that order.
"""

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from residency.core.types import UTCDateTime, utcnow
from residency.extensions import db


class RoomKind:
    RESIDENCY = "residency"  # one per residency: every active participant is in it
    GROUP = "group"          # a project group: the participants added to it
    DIRECT = "direct"        # two participants

    ALL = (RESIDENCY, GROUP, DIRECT)


class Room(db.Model):
    """A room of a residency. ``key`` makes the residency's room and each pair's direct room unique."""

    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    residency_id: Mapped[int] = mapped_column(ForeignKey("residencies.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: ``residency:<id>`` or ``direct:<residency>:<lower user id>:<higher user id>``; None for groups.
    key: Mapped[Optional[str]] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The number of the room's last stored event (0: none yet).
    last_seq: Mapped[int] = mapped_column(Integer, default=0)

    residency = relationship("Residency")

    def __repr__(self):
        return f"<Room {self.id} {self.kind}>"


class RoomMember(db.Model):
    """Someone added to a group room, or one of the two people of a direct room."""

    __tablename__ = "room_members"
    __table_args__ = (UniqueConstraint("room_id", "user_id", name="uq_room_members_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User", lazy="joined")


class ReadMarker(db.Model):
    """How far one person has read a room: the number of the last event they saw."""

    __tablename__ = "room_read_markers"

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Message(db.Model):
    """A chat message. Removed (by its author, or a coordinator) it keeps its row and number with
    no text, so that every client replaying the room learns it went."""

    __tablename__ = "room_messages"
    __table_args__ = (
        UniqueConstraint("room_id", "seq", name="uq_room_messages_seq"),
        # The same send retried with its client id is stored once.
        UniqueConstraint("room_id", "author_id", "client_id", name="uq_room_messages_client"),
        Index("ix_room_messages_room_changed", "room_id", "changed_seq"),
        Index("ix_room_messages_room_asset", "room_id", "asset_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    #: The number of the message's latest edit or removal (its own ``seq`` while unchanged).
    changed_seq: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text, default="")
    reply_to_id: Mapped[Optional[int]] = mapped_column(ForeignKey("room_messages.id", ondelete="SET NULL"))
    asset_id: Mapped[Optional[int]] = mapped_column(ForeignKey("media_assets.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    deleted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    #: A coordinator who removed it (None: its author deleted it, or it stands).
    removed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    author = relationship("User", foreign_keys=[author_id], lazy="joined")
    reply_to = relationship("Message", remote_side=[id])
    asset = relationship("MediaAsset")

    @property
    def deleted(self):
        return self.deleted_at is not None

    def __repr__(self):
        return f"<Message {self.room_id}#{self.seq}>"


class Mention(db.Model):
    """A message naming someone with ``@``: an in-app notice until read (``read_at``)."""

    __tablename__ = "room_mentions"
    __table_args__ = (
        UniqueConstraint("message_id", "user_id", name="uq_room_mentions_user"),
        Index("ix_room_mentions_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("room_messages.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    emailed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    message = relationship("Message")


class Mute(db.Model):
    """A participant a coordinator silenced in every room of a residency, until ``until`` (None:
    until lifted). Lifting deletes the row (the audit log keeps both)."""

    __tablename__ = "room_mutes"
    __table_args__ = (UniqueConstraint("residency_id", "user_id", name="uq_room_mutes_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Looked up through the unique constraint (its first column); migration 0013 drops the
    #: separate index 0012 made.
    residency_id: Mapped[int] = mapped_column(ForeignKey("residencies.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    muted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    muted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
