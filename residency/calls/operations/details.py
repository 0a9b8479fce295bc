"""A call's details and texts: creating it, editing it, translating it."""

import copy
import re
import unicodedata

from babel import Locale
from flask_babel import lazy_gettext as _l

from residency.audit.operations import record
from residency.calls.models import CAREER_STAGES, DISCIPLINES, FORMATS, Call, CallState
from residency.calls.operations.changes import apply_change
from residency.calls.operations.common import MAX_PLACES, TEXT_FIELDS, TEXT_LIMITS, _Problems, clean_text, languages
from residency.calls.operations.times import default_timezone
from residency.cities.models import City
from residency.core.errors import ActionRefused
from residency.extensions import db


def _slugify(text):
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:80].strip("-") or "call"


def unique_slug(title):
    """A slug from ``title`` that no other call uses ("lumieres-numeriques", then "-2"…)."""
    base = _slugify(title)
    taken = set(db.session.execute(db.select(Call.slug).where(Call.slug.like(f"{base}%"))).scalars())
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


#: Two-letter codes CLDR knows that are not places where someone lives.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}


def _known_countries():
    """ISO 3166-1 alpha-2 codes (and Kosovo's XK), from CLDR."""
    return {code for code in Locale.parse("en").territories
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES}


def _clean_details(details, problems):
    """Check the details a coordinator enters; return the model values (texts of the main language)."""
    main = details.get("main_language") or "en"
    problems.check(main in languages(), "main_language", _l("Choose the main language from the list."))
    texts = {}
    for name in TEXT_FIELDS:
        value = clean_text(details.get(name))
        problems.check(len(value) <= TEXT_LIMITS[name], name, _l("Keep this under %(count)d characters.", count=TEXT_LIMITS[name]))
        texts[name] = value
    problems.check(bool(texts["title"]), "title", _l("Give the call a title."))
    disciplines = list(dict.fromkeys(details.get("disciplines") or ()))
    problems.check(bool(disciplines), "disciplines", _l("Choose at least one discipline."))
    problems.check(set(disciplines) <= set(DISCIPLINES), "disciplines", _l("Choose disciplines from the list."))
    problems.check(details.get("format", "online") in FORMATS, "format", _l("Choose a format from the list."))
    starts, ends = details.get("residency_starts_on"), details.get("residency_ends_on")
    problems.check(not (starts and ends and ends < starts), "residency_ends_on",
                   _l("The residency cannot end before it starts."))
    places = details.get("places")
    problems.check(isinstance(places, int) and 1 <= places <= MAX_PLACES, "places",
                   _l("Offer between 1 and %(max)d places.", max=MAX_PLACES))
    countries = [code.strip().upper() for code in details.get("countries") or () if code.strip()]
    unknown = [code for code in countries if code not in _known_countries()]
    problems.check(not unknown, "countries", _l("Unknown country codes: %(codes)s. Use two-letter ISO codes such as FR, AT, SN.",
                                                codes=", ".join(unknown)))
    city_ids = sorted(set(details.get("eligible_city_ids") or ()) | set(details.get("participating_city_ids") or ()))
    known = set(db.session.execute(db.select(City.id).where(City.id.in_(city_ids))).scalars()) if city_ids else set()
    problems.check(set(city_ids) <= known, "eligible_city_ids", _l("Choose cities from the list."))
    stages = list(dict.fromkeys(details.get("career_stages") or ()))
    problems.check(set(stages) <= set(CAREER_STAGES), "career_stages", _l("Choose career stages from the list."))
    return main, texts, {
        "disciplines": [d for d in DISCIPLINES if d in disciplines],
        "format": details.get("format", "online"),
        "residency_starts_on": starts,
        "residency_ends_on": ends,
        "places": places,
        "allow_multiple_applications": bool(details.get("allow_multiple_applications")),
        "eligibility_lists": {
            "countries": list(dict.fromkeys(countries)),
            "city_ids": sorted(set(details.get("eligible_city_ids") or ())),
            "career_stages": [s for s in CAREER_STAGES if s in stages],
        },
        "city_ids": sorted(set(details.get("participating_city_ids") or ())),
    }


def create_call(actor, city, details):
    """A draft call of ``city`` (None: network-wide) from ``details`` (see :func:`update_details`).

    Its timezone is the city's (UTC for a network-wide call) until the timeline says otherwise.
    :raise InvalidCall: bad details.
    """
    problems = _Problems()
    main, texts, values = _clean_details(details, problems)
    problems.raise_any()
    eligibility = {**values.pop("eligibility_lists"), "questions": []}
    city_ids = values.pop("city_ids")
    if city is not None:
        city_ids = []  # a city's call belongs to that city alone
    call = Call(
        slug=unique_slug(texts["title"]), city_id=city.id if city is not None else None,
        created_by_id=getattr(actor, "id", None), main_language=main, texts={main: texts},
        timezone=default_timezone(city), eligibility=eligibility, form=[], rubric=[], state=CallState.DRAFT, **values,
    )
    db.session.add(call)
    if city_ids:
        call.cities = db.session.execute(db.select(City).where(City.id.in_(city_ids))).scalars().all()
    db.session.flush()
    record("call.created", actor=actor, obj=call, city_id=call.city_id, slug=call.slug)
    return call


def update_details(actor, call, details, now=None):
    """Change the details: ``main_language``, ``title``, ``summary``, ``body``, ``benefits`` (in the
    main language), ``disciplines``, ``format``, ``residency_starts_on``/``_ends_on`` (dates),
    ``places``, ``countries``, ``eligible_city_ids``, ``career_stages``,
    ``allow_multiple_applications`` and, for a network-wide call, ``participating_city_ids``.

    :raise InvalidCall: bad details, or a change that harms applicants of an open call.
    """
    problems = _Problems()
    main, texts, values = _clean_details(details, problems)
    problems.raise_any()
    all_texts = copy.deepcopy(call.texts or {})
    all_texts[main] = texts
    eligibility = {**copy.deepcopy(call.eligibility or {}), **values.pop("eligibility_lists")}
    city_ids = values.pop("city_ids")
    values.update(main_language=main, texts=all_texts, eligibility=eligibility)
    if call.city_id is None:
        values["city_ids"] = city_ids
    return apply_change(actor, call, "call.updated", values, now=now)


def update_translation(actor, call, lang, texts, labels=None, now=None):
    """Set the call's texts in ``lang`` (not the main language); an empty text falls back to it.

    ``labels`` maps ``"<question id>.label"``, ``"<question id>.help"``, ``"<question id>.choice.<value>"``,
    ``"<criterion id>.name"``, ``"<criterion id>.description"`` and ``"<condition id>.label"`` to text.
    """
    if lang not in languages() or lang == call.main_language:
        raise ActionRefused(_l("Choose a language other than the call's main language."), field="lang")
    cleaned, labels = _clean_translation(texts, labels)
    all_texts = copy.deepcopy(call.texts or {})
    if cleaned:
        all_texts[lang] = cleaned
    else:
        all_texts.pop(lang, None)
    form, rubric, eligibility = _translated_items(call, lang, labels)
    # Only words change here: nothing an applicant relies on. Rubric words stay editable until review.
    values = {"texts": all_texts, "form": form, "eligibility": eligibility}
    if rubric != (call.rubric or []):
        values["rubric"] = rubric
    return apply_change(actor, call, "call.translated", values, now=now, language=lang)


def _clean_translation(texts, labels):
    """``(texts, labels)`` cleaned, the empty texts left out. :raise InvalidCall: a text too long."""
    problems = _Problems()
    cleaned = {}
    for name in TEXT_FIELDS:
        value = clean_text(texts.get(name))
        problems.check(len(value) <= TEXT_LIMITS[name], name, _l("Keep this under %(count)d characters.", count=TEXT_LIMITS[name]))
        if value:
            cleaned[name] = value
    labels = {key: clean_text(value) for key, value in (labels or {}).items()}
    for key, value in labels.items():
        problems.check(len(value) <= 2000, key, _l("Keep this under %(count)d characters.", count=2000))
    problems.raise_any()
    return cleaned, labels


def _translated_items(call, lang, labels):
    """Copies of the call's form, rubric and eligibility with ``labels`` written in ``lang``."""
    form = copy.deepcopy(call.form or [])
    for question in form:
        _put_label(question, "label", lang, labels.get(f"{question['id']}.label"))
        _put_label(question, "help", lang, labels.get(f"{question['id']}.help"))
        for choice in question.get("choices") or []:
            _put_label(choice, "label", lang, labels.get(f"{question['id']}.choice.{choice['value']}"))
    rubric = copy.deepcopy(call.rubric or [])
    for criterion in rubric:
        _put_label(criterion, "name", lang, labels.get(f"{criterion['id']}.name"))
        _put_label(criterion, "description", lang, labels.get(f"{criterion['id']}.description"))
    eligibility = copy.deepcopy(call.eligibility or {})
    for condition in eligibility.get("questions") or []:
        _put_label(condition, "label", lang, labels.get(f"{condition['id']}.label"))
    return form, rubric, eligibility


def _put_label(item, key, lang, value):
    """Set ``item[key][lang]`` to ``value``; an empty value removes it, None (not sent) leaves it."""
    if value is None:
        return
    item.setdefault(key, {})
    if value:
        item[key][lang] = value
    else:
        item[key].pop(lang, None)
