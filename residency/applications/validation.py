"""Checking answers and eligibility: one function per question type, each returning field errors.

Every checker takes the question, the value as received (a string, a list, or for file questions
the assets attached) and ``complete``: a draft (``complete=False``) accepts what is unfinished
(an empty required answer, text over its word limit, too few files) but never what is malformed
(an address that is not a web address, a date that is not a date, a choice the call does not
offer). A submission (``complete=True``) must be whole. Each checker returns ``(clean, errors)``.
"""

import re
from datetime import date
from urllib.parse import urlsplit

from babel import Locale
from flask_babel import lazy_gettext as _l

from residency.calls.forms import ANSWER_LABELS, CAREER_STAGE_LABELS
from residency.calls.models import CAREER_STAGES
from residency.calls.operations import localized
from residency.core.errors import ActionRefused
from residency.media.models import AssetState
from residency.media.slots import ALL_KINDS

SHORT_TEXT_MAX = 500
LONG_TEXT_MAX = 50_000
URL_MAX = 2000
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)
MAX_LINKS = 10

# Ideographs and kana are written without spaces; each counts as a word, as word processors do.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD_CHAR = re.compile(r"\w")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: Codes CLDR lists that are not countries one lives in (EU, UN, "unknown region"…).
_NOT_COUNTRIES = {"AC", "CP", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}

class InvalidAnswers(ActionRefused):
    """Answers that cannot be accepted; ``errors`` maps each question id to its messages."""

    def __init__(self, errors, message=None, status=400):
        super().__init__(message or _l("Some answers need your attention."), status=status)
        self.errors = errors


def count_words(text):
    """Words the way people count them: runs of text between spaces (“well-known” is one word,
    a lone dash is none), and each ideograph or kana of Chinese or Japanese text."""
    words = 0
    for token in (text or "").split():
        ideographs = len(_CJK.findall(token))
        rest = _CJK.sub(" ", token)
        words += ideographs + sum(1 for piece in rest.split() if _WORD_CHAR.search(piece))
    return words


def _text(value):
    if value is None:
        return ""
    if not isinstance(value, str):
        return None
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _unreadable():
    return [_l("This answer could not be read. Please enter it again.")]


# One checker per question type ---------------------------------------------------------------

def check_short_text(question, value, complete):
    text = _text(value)
    if text is None:
        return "", _unreadable()
    text = text.strip()
    if len(text) > SHORT_TEXT_MAX:
        return text, [_l("Keep this answer under %(max)d characters.", max=SHORT_TEXT_MAX)]
    if complete and question.get("required") and not text:
        return text, [_l("Answer this question.")]
    return text, []


def check_long_text(question, value, complete):
    text = _text(value)
    if text is None:
        return "", _unreadable()
    if len(text) > LONG_TEXT_MAX:
        return text, [_l("This text is too long to store (more than %(max)d characters).", max=LONG_TEXT_MAX)]
    if not complete:
        return text, []
    if question.get("required") and not text.strip():
        return text, [_l("Answer this question.")]
    limit = question.get("word_limit")
    if limit:
        words = count_words(text)
        if words > limit:
            return text, [_l("Use at most %(limit)d words; this answer has %(words)d.", limit=limit, words=words)]
    return text, []


def _choice_values(question):
    return [choice.get("value") for choice in question.get("choices") or []]


def check_single_choice(question, value, complete):
    if value in (None, ""):
        if complete and question.get("required"):
            return "", [_l("Choose one answer.")]
        return "", []
    if not isinstance(value, str) or value not in _choice_values(question):
        return "", [_l("Choose one of the answers offered.")]
    return value, []


def check_multiple_choice(question, value, complete):
    if value in (None, ""):
        value = []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return [], _unreadable()
    offered = _choice_values(question)
    if any(item not in offered for item in value):
        return [], [_l("Choose among the answers offered.")]
    chosen = [item for item in offered if item in value]  # the call's order, no duplicates
    if complete and question.get("required") and not chosen:
        return chosen, [_l("Choose at least one answer.")]
    return chosen, []


def web_address_error(text):
    """Why ``text`` is not an http(s) address a visitor can open, or None."""
    if len(text) > URL_MAX:
        return _l("This address is too long.")
    if any(char.isspace() for char in text):
        return _l("A web address has no spaces.")
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return _l("Enter a web address such as https://example.org/my-work.")
    if parts.scheme.lower() not in ("http", "https"):
        return _l("Enter a web address starting with https:// or http://.")
    if "." not in host.strip(".") or host.startswith(".") or ".." in host:
        return _l("Enter a web address such as https://example.org/my-work.")
    return None


def check_url(question, value, complete):
    text = _text(value)
    if text is None:
        return "", _unreadable()
    text = text.strip()
    if not text:
        if complete and question.get("required"):
            return "", [_l("Enter a web address.")]
        return "", []
    error = web_address_error(text)
    return text, [error] if error else []


def check_date(question, value, complete):
    text = _text(value)
    if text is None:
        return "", _unreadable()
    text = text.strip()
    if not text:
        if complete and question.get("required"):
            return "", [_l("Enter a date.")]
        return "", []
    try:
        day = date.fromisoformat(text) if _ISO_DATE.match(text) else None
    except ValueError:
        day = None
    if day is None:
        return text, [_l("Enter a real date as year-month-day, for example 2026-09-30.")]
    if not DATE_MIN <= day <= DATE_MAX:
        return text, [_l("Enter a date between %(min)s and %(max)s.", min=DATE_MIN.isoformat(), max=DATE_MAX.isoformat())]
    return day.isoformat(), []


def question_kinds(question):
    kinds = frozenset(question.get("kinds") or ()) & ALL_KINDS
    return kinds or ALL_KINDS


def check_file(question, assets, complete, slot=None):
    """``assets``: the media assets attached to this question. Only checked on submission."""
    ids = [asset.id for asset in assets]
    if not complete:
        return ids, []
    errors = []
    if question.get("required") and not assets:
        errors.append(_l("Add a file."))
    limit = question.get("max_count")
    if limit and len(assets) > limit:
        errors.append(_l("Keep at most %(max)d files here; remove %(extra)d.", max=limit, extra=len(assets) - limit))
    kinds = question_kinds(question)
    for asset in assets:
        name = asset.original_filename
        if slot is not None and asset.slot != slot:
            errors.append(_l("%(name)s does not belong to this application.", name=name))
        elif asset.state == AssetState.FAILED:
            errors.append(_l("%(name)s could not be processed (%(reason)s). Remove it and upload the file again.",
                             name=name, reason=asset.failure_reason or "?"))
        elif not asset.sha256:
            errors.append(_l("%(name)s is still being checked. Wait until it shows as ready, then submit.", name=name))
        elif asset.kind not in kinds:
            errors.append(_l("%(name)s is not a kind of file this question accepts.", name=name))
        elif question.get("max_size") and (asset.size or 0) > question["max_size"]:
            errors.append(_l("%(name)s is larger than this question accepts.", name=name))
    return ids, errors


CHECKERS = {
    "short_text": check_short_text,
    "long_text": check_long_text,
    "single_choice": check_single_choice,
    "multiple_choice": check_multiple_choice,
    "url": check_url,
    "date": check_date,
}


def check_answers(form, values, complete):
    """Check the answers to the call's non-file questions given in ``values``.

    Questions missing from ``values`` are checked only when ``complete`` (as empty answers).
    :return: ``(clean, errors)``: the accepted values and the messages, by question id.
    """
    clean, errors = {}, {}
    for question in form or []:
        qid, checker = question.get("id"), CHECKERS.get(question.get("type"))
        if checker is None or (qid not in values and not complete):
            continue
        value, messages = checker(question, values.get(qid), complete)
        if messages:
            errors[qid] = messages
        else:
            clean[qid] = value
    return clean, errors


# Eligibility ---------------------------------------------------------------------------------

def country_names(locale):
    """``{code: name}`` of the countries and territories one may live in, in ``locale``."""
    territories = Locale.parse(str(locale)).territories
    return {code: name for code, name in territories.items() if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES}


def eligibility_fields(call):
    """Which eligibility answers ``call`` needs: a subset of country, city, career_stage, and its questions."""
    rules = call.eligibility or {}
    fields = []
    if rules.get("countries"):
        fields.append("country")
    if rules.get("city_ids"):
        fields.append("city")
    if rules.get("career_stages"):
        fields.append("career_stage")
    return fields, list(rules.get("questions") or [])


def check_eligibility(call, answers, locale, cities=None):
    """Check ``answers`` (country, city id, career_stage, and ``q:<id>`` → yes/no) against the call.

    :param cities: ``{id: name}`` of the call's eligible cities, for the messages.
    :return: ``(errors, reasons)``: missing or malformed answers by field, and why the artist is
        not eligible (empty when they are).
    """
    rules = call.eligibility or {}
    fields, questions = eligibility_fields(call)
    errors, reasons = {}, []
    countries = country_names(locale)
    if "country" in fields and answers.get("country") not in countries:
        errors["country"] = [_l("Choose the country where you live.")]
    if "career_stage" in fields and answers.get("career_stage") not in CAREER_STAGES:
        errors["career_stage"] = [_l("Choose your career stage.")]
    if "city" in fields and not isinstance(answers.get("city"), int):
        errors["city"] = [_l("Choose the city where you live, or “another city”.")]
    for question in questions:
        if answers.get("q:" + str(question.get("id"))) not in ("yes", "no"):
            errors["q:" + str(question.get("id"))] = [_l("Answer yes or no.")]
    if errors:
        return errors, []

    in_country = "country" in fields and answers["country"] in rules["countries"]
    in_city = "city" in fields and answers["city"] in rules["city_ids"]
    if ("country" in fields or "city" in fields) and not (in_country or in_city):
        places = [countries.get(code, code) for code in rules.get("countries") or []]
        places += [(cities or {}).get(city_id, str(city_id)) for city_id in rules.get("city_ids") or []]
        reasons.append(_l("This call is for artists who live in: %(places)s.", places=", ".join(places)))
    if "career_stage" in fields and answers["career_stage"] not in rules["career_stages"]:
        stages = ", ".join(str(CAREER_STAGE_LABELS.get(stage, stage)) for stage in rules["career_stages"])
        reasons.append(_l("This call is for artists at these career stages: %(stages)s.", stages=stages))
    for question in questions:
        wanted = question.get("required_answer")
        if wanted in ("yes", "no") and answers["q:" + str(question.get("id"))] != wanted:
            reasons.append(_l("This call asks for the answer “%(answer)s” to: %(question)s",
                              answer=ANSWER_LABELS[wanted],
                              question=localized(question.get("label"), locale, call.main_language)[0]))
    return errors, reasons
