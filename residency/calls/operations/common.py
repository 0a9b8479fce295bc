"""What every call operation shares: refusals listing several problems, text cleaning, languages."""

import re

from flask import current_app

from residency.core.errors import ActionRefused

TEXT_FIELDS = ("title", "summary", "body", "benefits")
TEXT_LIMITS = {"title": 200, "summary": 600, "body": 20000, "benefits": 5000}
QUESTION_TYPES = ("short_text", "long_text", "single_choice", "multiple_choice", "url", "date", "file")
CHOICE_TYPES = ("single_choice", "multiple_choice")
MAX_QUESTIONS = 60
MAX_CHOICES = 50
MAX_WORD_LIMIT = 20000
MAX_FILE_COUNT = 20
MAX_PLACES = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class InvalidCall(ActionRefused):
    """Several problems found at once, each for its form field; ``message`` is the first."""

    def __init__(self, problems, status=400):
        field, message = problems[0]
        super().__init__(message, field=field, status=status)
        self.problems = problems


class _Problems:
    def __init__(self):
        self.items = []

    def check(self, ok, field, message):
        if not ok:
            self.items.append((field, message))
        return ok

    def raise_any(self):
        if self.items:
            raise InvalidCall(self.items)


def clean_text(value):
    """Text without control characters (they break XML feeds and e-mail), stripped."""
    return _CONTROL.sub("", str(value or "")).replace("\r\n", "\n").strip()


def languages():
    return list(current_app.config["LANGUAGES"])


def localized(values, locale, main_language):
    """``(text, language)`` of a ``{lang: text}`` mapping in ``locale``, else the main language, else any."""
    values = values or {}
    for lang in (str(locale) if locale else None, main_language):
        if lang and values.get(lang):
            return values[lang], lang
    for lang, text in values.items():
        if text:
            return text, lang
    return "", main_language


def public_url(endpoint, **values):
    """An absolute address on BASE_URL, built without a request (feeds, e-mails, workers)."""
    return current_app.config["BASE_URL"] + current_app.url_map.bind("localhost").build(endpoint, values)
