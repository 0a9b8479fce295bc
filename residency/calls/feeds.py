"""Feeds of published calls: Atom (RFC 4287) and iCalendar deadlines (RFC 5545).

Both are built by libraries that escape everything (xml.etree, icalendar); every address in them
is absolute on BASE_URL, so ids stay the same whichever host name a reader used.
"""

import re
from datetime import timezone
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event, vText

from residency.calls.operations import format_in_zone, localized, public_url

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value):
    return _NOT_XML.sub("", str(value or ""))


def _rfc3339(instant):
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _call_text(call, field, locale):
    return localized({lang: texts.get(field) for lang, texts in (call.texts or {}).items()}, locale, call.main_language)


def _owner_name(call):
    return call.city.name if call.city is not None else _("City to City network")


def _sub(parent, tag, text=None, **attributes):
    element = ET.SubElement(parent, tag, {key: _text(value) for key, value in attributes.items()})
    if text is not None:
        element.text = _text(text)
    return element


def atom_feed(calls, locale, now):
    """The Atom document (bytes) listing ``calls``, newest first, texts in ``locale`` with fallback."""
    feed = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: str(locale)})
    _sub(feed, "id", public_url("calls.index"))
    _sub(feed, "title", _("Open calls · City to City Residency"))
    _sub(feed, "subtitle", _("Online residencies of the UNESCO Creative Cities of Media Arts."))
    stamps = [call.updated_at for call in calls if call.updated_at]
    _sub(feed, "updated", _rfc3339(max(stamps) if stamps else now))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=public_url("calls.atom"))
    _sub(feed, "link", rel="alternate", type="text/html", href=public_url("calls.index"))
    author = _sub(feed, "author")
    _sub(author, "name", _("City to City Residency"))
    for call in calls:
        entry = _sub(feed, "entry")
        url = public_url("calls.show", slug=call.slug)
        title, title_lang = _call_text(call, "title", locale)
        summary, summary_lang = _call_text(call, "summary", locale)
        _sub(entry, "id", url)
        _sub(entry, "title", title, type="text", **{XML_LANG: title_lang})
        _sub(entry, "link", rel="alternate", type="text/html", href=url)
        _sub(entry, "updated", _rfc3339(call.updated_at or call.published_at))
        _sub(entry, "published", _rfc3339(call.published_at))
        _sub(_sub(entry, "author"), "name", _owner_name(call))
        for discipline in call.disciplines or []:
            _sub(entry, "category", term=discipline)
        lines = [summary]
        if call.closes_at is not None:
            lines.append(_("Deadline: %(when)s", when=format_in_zone(call.closes_at, call.timezone)))
        _sub(entry, "summary", "\n\n".join(line for line in lines if line), type="text", **{XML_LANG: summary_lang})
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def ics_calendar(calls, name, locale):
    """An iCalendar document (bytes, CRLF, folded) with the opening and the deadline of each call."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    calendar = Calendar()
    calendar.add("prodid", "-//City to City Residency//Calls//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # No METHOD: DTSTAMP then means "last revised" (RFC 5545 §3.8.7.2), which keeps the file stable.
    calendar.add("x-wr-calname", vText(_text(name)))  # an X- property is not escaped unless typed as text
    for call in calls:
        title = _call_text(call, "title", locale)[0]
        url = public_url("calls.show", slug=call.slug)
        events = (
            ("opens", call.opens_at, _("Call opens: %(title)s", title=title)),
            ("closes", call.closes_at, _("Deadline: %(title)s", title=title)),
        )
        for kind, instant, summary in events:
            if instant is None:
                continue
            event = Event()
            event.add("uid", f"call-{call.id}-{kind}@{host}")
            event.add("dtstamp", (call.updated_at or call.published_at).astimezone(timezone.utc))
            event.add("dtstart", instant.astimezone(timezone.utc))
            event.add("summary", _text(summary))
            event.add("description", _text(f"{summary}\n{format_in_zone(instant, call.timezone)}\n{url}"))
            event.add("url", url)
            event.add("transp", "TRANSPARENT")
            calendar.add_component(event)
    return calendar.to_ical()
