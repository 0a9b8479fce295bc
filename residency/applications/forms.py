"""Forms of the artists' pages: profile, eligibility, co-applicants, and the call's own questions.

The call's questions change from call to call, so they are not a WTForms class: ``read_answers``
takes them from the posted form and ``question_views`` prepares them for the template (label in
the viewer's language, with the language it fell back to, value, errors, files).
"""

import json
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField, URLField
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from residency.accounts.forms import email_field
from residency.applications.validation import MAX_LINKS, count_words, country_names, question_kinds
from residency.calls.forms import ANSWER_LABELS, CAREER_STAGE_LABELS, KIND_LABELS
from residency.calls.models import CAREER_STAGES
from residency.calls.operations import localized
from residency.core.ids import parse_id
from residency.media.operations import human_size

_NOT_SAID = _l("Choose…")


def country_choices(locale):
    names = sorted(country_names(locale).items(), key=lambda item: item[1].casefold())
    return [SelectChoice("", _NOT_SAID)] + [SelectChoice(code, name) for code, name in names]


def career_choices():
    return [SelectChoice("", _NOT_SAID)] + [SelectChoice(stage, CAREER_STAGE_LABELS[stage]) for stage in CAREER_STAGES]


class ProfileForm(FlaskForm):
    bio = TextAreaField(_l("Biography"), validators=[Optional(), Length(max=5000)],
                        description=_l("A few paragraphs about you and your practice, reused in every application."))
    website = URLField(_l("Website"), validators=[Optional(), Length(max=300)],
                       render_kw={"autocomplete": "url", "spellcheck": "false", "autocapitalize": "none"})
    links = TextAreaField(_l("Other links"), validators=[Optional(), Length(max=MAX_LINKS * 400)],
                          render_kw={"rows": 4, "spellcheck": "false", "autocapitalize": "none"})
    country = SelectField(_l("Country of residence"), validate_choice=False)
    career_stage = SelectField(_l("Career stage"), validate_choice=False)
    organisation = StringField(_l("Organisation or collective (optional)"), validators=[Optional(), Length(max=200)])
    works = SelectMultipleField(_l("Selected works"), coerce=int, validate_choice=False,
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())

    def fill_choices(self, locale, works):
        self.country.choices = country_choices(locale)
        self.career_stage.choices = career_choices()
        self.works.choices = [SelectChoice(work.id, work.title) for work in works]

    def validate_country(self, field):
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose a country from the list."))

    def validate_career_stage(self, field):
        if field.data and field.data not in CAREER_STAGES:
            raise ValidationError(_l("Choose a career stage from the list."))

    def link_list(self):
        return [line.strip() for line in (self.links.data or "").splitlines() if line.strip()]


class EligibilityForm(FlaskForm):
    """Built per call by :func:`eligibility_form`: only the conditions the call sets."""


def eligibility_form(call, locale, cities, fields, questions, profile=None, user=None):
    """The eligibility form of ``call``: country, city, career stage if it restricts them, and its
    yes/no questions (fields ``q_0``, ``q_1``… in the call's order)."""
    attributes = {}
    if "country" in fields:
        attributes["country"] = SelectField(_l("Country where you live"), choices=country_choices(locale), validate_choice=False)
    if "city" in fields:
        attributes["city"] = SelectField(
            _l("City where you live"), validate_choice=False,
            choices=[SelectChoice("", _NOT_SAID)] + [SelectChoice(str(c.id), c.name) for c in cities]
            + [SelectChoice("0", _l("Another city"))],
        )
    if "career_stage" in fields:
        attributes["career_stage"] = SelectField(_l("Your career stage"), choices=career_choices(), validate_choice=False)
    for index, question in enumerate(questions):
        label, _lang = localized(question.get("label"), locale, call.main_language)
        attributes[f"q_{index}"] = RadioField(label, choices=[SelectChoice(answer, ANSWER_LABELS[answer]) for answer in ("yes", "no")], validate_choice=False)
    form_class = type("CallEligibilityForm", (EligibilityForm,), attributes)
    data = {}
    if profile is not None:
        data = {"country": profile.country_of_residence or "", "career_stage": profile.career_stage or "",
                "city": str(user.city_id) if user and user.city_id else ""}
    return form_class(data=data)


def eligibility_answers(form, questions):
    """The form's answers as the operations read them."""
    answers = {}
    if "country" in form:
        answers["country"] = form.country.data or ""
    if "city" in form:
        raw = form.city.data or ""
        answers["city"] = parse_id(raw)
    if "career_stage" in form:
        answers["career_stage"] = form.career_stage.data or ""
    for index, question in enumerate(questions):
        answers["q:" + str(question.get("id"))] = form[f"q_{index}"].data or ""
    return answers


def eligibility_field_name(key, questions):
    """The form field of an eligibility answer key (``q:<id>`` → ``q_<index>``)."""
    if key.startswith("q:"):
        ids = [str(q.get("id")) for q in questions]
        return f"q_{ids.index(key[2:])}" if key[2:] in ids else None
    return key


class InviteForm(FlaskForm):
    email = email_field(_l("E-mail address of your co-applicant"))


# The call's questions ------------------------------------------------------------------------

def field_name(question_id):
    return f"answer-{question_id}"


def field_id(question_id):
    return f"q-{question_id}"


def base_name(question_id):
    """The hidden field holding the saved answer a page was loaded with (JSON)."""
    return f"base-{question_id}"


def _comparable(value):
    """An answer as posted or saved, in a form where equal answers compare equal (a browser sends
    line breaks as CRLF; an answer never saved, an empty text and no choice are all empty)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    if isinstance(value, list):
        return sorted(_comparable(item) for item in value) or ""
    return value


def _unchanged(value, base):
    """True when ``value`` is still the saved answer the page was loaded with (``base``, its JSON)."""
    if base is None:
        return False
    try:
        loaded = json.loads(base)
    except ValueError:
        return False  # a damaged field: the value counts as typed
    return _comparable(value) == _comparable(loaded)


def read_answers(call, formdata):
    """The answers to the non-file questions of ``call`` in a posted form (an unticked box or an
    unchosen option is an empty answer), without those the page did not change.

    The page sends with each answer the saved value it was loaded with (``base-<id>``); an answer
    still equal to it is left out, so that a page loaded before a save made elsewhere (the same
    draft open in another browser) does not write its stale answers back over the new ones.
    """
    values = {}
    for question in call.form or []:
        qtype, name = question.get("type"), field_name(question.get("id"))
        if qtype == "file":
            continue
        if qtype == "multiple_choice":
            value = formdata.getlist(name)
        else:
            value = formdata.get(name, "")
        if not _unchanged(value, formdata.get(base_name(question["id"]))):
            values[question["id"]] = value
    return values


def replaced_answers(call, formdata, values, stored):
    """The saved answers that ``values`` (from :func:`read_answers`) would replace although the
    page never showed them: saved elsewhere (another browser or a co-applicant) after this page
    was loaded. ``{question id: the saved answer}``; the caller shows them to the artist."""
    replaced = {}
    for question in call.form or []:
        qid = question.get("id")
        if qid not in values:
            continue
        saved = (stored or {}).get(qid)
        base = formdata.get(base_name(qid))
        if base is None or _unchanged(saved, base) or _comparable(saved) == _comparable(values[qid]):
            continue  # the page showed what is saved, or both sides say the same
        if _comparable(saved) != "":
            replaced[qid] = saved
    return replaced


@dataclass
class QuestionView:
    id: str
    type: str
    label: str
    label_lang: str
    help: str
    help_lang: str
    required: bool
    value: object
    errors: list = field(default_factory=list)
    choices: list = field(default_factory=list)
    word_limit: int | None = None
    words: int = 0
    files: list = field(default_factory=list)
    rules: dict = field(default_factory=dict)

    @property
    def name(self):
        return field_name(self.id)

    @property
    def dom_id(self):
        return field_id(self.id)


def _rules(question):
    return {
        "kinds": [str(KIND_LABELS.get(kind, kind)) for kind in sorted(question_kinds(question))],
        "max_size": human_size(question["max_size"]) if question.get("max_size") else None,
        "max_count": question.get("max_count"),
    }


def question_views(call, locale, values, errors=None, files=None):
    """The call's questions ready to render, with ``values`` (what the user typed or saved)."""
    views = []
    for question in call.form or []:
        qid = question.get("id")
        label, label_lang = localized(question.get("label"), locale, call.main_language)
        help_text, help_lang = localized(question.get("help"), locale, call.main_language)
        value = values.get(qid)
        view = QuestionView(
            id=qid, type=question.get("type"), label=label, label_lang=label_lang, help=help_text, help_lang=help_lang,
            required=bool(question.get("required")), value=value, errors=(errors or {}).get(qid, []),
            word_limit=question.get("word_limit"),
        )
        if view.type in ("single_choice", "multiple_choice"):
            for choice in question.get("choices") or []:
                text, lang = localized(choice.get("label"), locale, call.main_language)
                view.choices.append({"value": choice.get("value"), "label": text or choice.get("value"), "lang": lang})
        if view.type == "long_text":
            view.words = count_words(value if isinstance(value, str) else "")
        if view.type == "file":
            view.files = (files or {}).get(qid, [])
            view.rules = _rules(question)
        views.append(view)
    return views
