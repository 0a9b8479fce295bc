"""Messages as the protocol and the pages show them: plain text, and HTML made safe here.

A message's text is stored as typed. On output it is escaped, and web addresses (``http``,
``https`` and ``www.`` ones only) become links that open outside the site with
``rel="nofollow noopener noreferrer ugc"``; nothing else of the text is ever markup.
"""

from linkify_it import LinkifyIt
from markupsafe import Markup, escape

_linkify = LinkifyIt()
_SAFE_SCHEMES = ("http://", "https://")


def safe_html(text):
    """``text`` escaped, its web addresses turned into links. Returns Markup."""
    if not text:
        return Markup("")
    parts, position = [], 0
    for match in _linkify.match(text) or ():
        url = match.url
        if not url.lower().startswith(_SAFE_SCHEMES):
            continue  # mailto:, javascript: and the like stay text
        parts.append(escape(text[position:match.index]))
        parts.append(Markup('<a href="{}" rel="nofollow noopener noreferrer ugc" target="_blank">{}</a>').format(
            url, text[match.index:match.last_index]))
        position = match.last_index
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def iso(moment):
    return moment.isoformat() if moment is not None else None


def person(user):
    if user is None:
        return None
    return {"id": user.id, "name": user.display_name}


def excerpt(message, length=120):
    if message is None:
        return None
    text = "" if message.deleted else message.body
    return {
        "id": message.id, "seq": message.seq, "author": person(message.author),
        "text": text[:length], "deleted": message.deleted,
    }


def attachment(message):
    """The attached media file: name, type, state, and the page that serves it."""
    asset = message.asset
    if asset is None or message.deleted:
        return None
    from flask import url_for

    return {
        "asset": asset.id,
        "name": asset.original_filename,
        "state": asset.state,
        "url": url_for("rooms.attachment", room_id=message.room_id, message_id=message.id),
    }


def message_payload(message):
    """The ``message`` object of the protocol (docs/rooms-protocol.md)."""
    deleted = message.deleted
    return {
        "id": message.id,
        "seq": message.seq,
        "room": message.room_id,
        "client_id": message.client_id,
        "author": person(message.author),
        "text": "" if deleted else message.body,
        "html": "" if deleted else str(safe_html(message.body)),
        "reply_to": excerpt(message.reply_to),
        "created_at": iso(message.created_at),
        "edited": message.edited_at is not None and not deleted,
        "edited_at": iso(message.edited_at),
        "deleted": deleted,
        "removed": message.removed_by_id is not None,
        "attachment": attachment(message),
    }


def event_payload(message, kind, seq):
    """A stored event of a room: ``kind`` is ``message`` (new) or ``change`` (edited, removed)."""
    return {"room": message.room_id, "seq": seq, "type": kind, "message": message_payload(message)}
