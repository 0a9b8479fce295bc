"""Forms of the call editor and the public filters. They parse input; the rules live in operations.

Choice fields accept any value (``validate_choice=False``): the operation refuses unknown ones
with a message that says what to do, the same for the web form and any other caller.
"""

from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, DateTimeLocalField, DecimalField, Form, IntegerField, RadioField, SelectChoice,
    SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from residency.calls.models import CAREER_STAGES, DISCIPLINES, FORMATS
from residency.calls.operations import QUESTION_TYPES, TEXT_FIELDS
from residency.core.i18n import language_name, timezone_choices
from residency.media.slots import ALL_KINDS

DISCIPLINE_LABELS = {
    "media_arts": _l("Media arts"), "digital_art": _l("Digital art"), "sound": _l("Sound art"), "film": _l("Film"),
    "video": _l("Video art"), "interactive": _l("Interactive art"), "games": _l("Games"), "ai_art": _l("AI art"),
    "net_art": _l("Net art"), "vr_xr": _l("VR / XR"), "performance": _l("Performance"),
    "installation": _l("Installation"), "bio_art": _l("Bio art"), "data_art": _l("Data art"),
}
FORMAT_LABELS = {"online": _l("Online"), "hybrid": _l("Hybrid (online and on site)")}
CAREER_STAGE_LABELS = {"emerging": _l("Emerging"), "mid_career": _l("Mid-career"), "established": _l("Established")}
QUESTION_TYPE_LABELS = {
    "short_text": _l("Short text"), "long_text": _l("Long text"), "single_choice": _l("One choice"),
    "multiple_choice": _l("Several choices"), "url": _l("Web address"), "date": _l("Date"), "file": _l("Files"),
}
KIND_LABELS = {
    "video": _l("Video"), "audio": _l("Audio"), "image": _l("Image"), "document": _l("PDF document"),
    "archive": _l("ZIP archive"), "subtitle": _l("Subtitles"),
}
ANSWER_LABELS = {"yes": _l("Yes"), "no": _l("No")}
STATUS_FILTERS = {"": _l("All calls"), "open": _l("Open now"), "closing_soon": _l("Closing within 14 days")}
TEXT_LABELS = {
    "title": _l("Title"), "summary": _l("Summary"), "body": _l("Full text of the call"),
    "benefits": _l("What selected artists get"),
}
MB = 1_000_000


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes; templates render them in a fieldset (``calls/_macros.html``)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(labels, keys):
    return [SelectChoice(key, labels[key]) for key in keys]


def _comma_list(text):
    return [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]


class CallForm(FlaskForm):
    """A call's details, in its main language (translations have their own page)."""

    owner = SelectField(_l("Whose call is it?"), validate_choice=False)
    main_language = SelectField(_l("Main language of the call"), validate_choice=False,
                                description=_l("The texts below are in this language; the call falls back to it."))
    title = StringField(TEXT_LABELS["title"])
    summary = TextAreaField(TEXT_LABELS["summary"], description=_l("Two or three sentences shown in the list of calls."))
    body = TextAreaField(TEXT_LABELS["body"])
    benefits = TextAreaField(TEXT_LABELS["benefits"],
                             description=_l("For example: fee, mentoring, a showing at a partner festival."))
    disciplines = MultiCheckboxField(_l("Disciplines"), validate_choice=False)
    format = RadioField(_l("Format"), validate_choice=False, default="online")
    residency_starts_on = DateField(_l("Residency starts on"), validators=[Optional()])
    residency_ends_on = DateField(_l("Residency ends on"), validators=[Optional()])
    places = IntegerField(_l("Number of places"), validators=[Optional()])
    participating_city_ids = MultiCheckboxField(_l("Participating cities"), coerce=int, validate_choice=False,
                                                description=_l("Leave all unticked for the whole network."))
    countries = StringField(_l("Countries of residence (optional)"),
                            description=_l("Two-letter codes separated by commas, e.g. FR, AT, SN. Empty: any country."))
    eligible_city_ids = MultiCheckboxField(_l("Artists living in these cities (optional)"), coerce=int,
                                           validate_choice=False, description=_l("None ticked: any city."))
    career_stages = MultiCheckboxField(_l("Career stages (optional)"), validate_choice=False,
                                       description=_l("None ticked: any stage."))
    allow_multiple_applications = BooleanField(_l("An artist may send several applications"))

    def fill_choices(self, cities, owners=()):
        self.owner.choices = [SelectChoice(value, label) for value, label in owners]
        self.main_language.choices = [SelectChoice(code, language_name(code)) for code in current_app.config["LANGUAGES"]]
        self.disciplines.choices = _choices(DISCIPLINE_LABELS, DISCIPLINES)
        self.format.choices = _choices(FORMAT_LABELS, FORMATS)
        self.career_stages.choices = _choices(CAREER_STAGE_LABELS, CAREER_STAGES)
        city_choices = [SelectChoice(city.id, city.name) for city in cities]
        self.participating_city_ids.choices = city_choices
        self.eligible_city_ids.choices = city_choices

    def load(self, call):
        """Fill the fields from ``call`` (GET)."""
        texts = (call.texts or {}).get(call.main_language) or {}
        for name in TEXT_FIELDS:
            self[name].data = texts.get(name, "")
        eligibility = call.eligibility or {}
        self.main_language.data = call.main_language
        self.disciplines.data = list(call.disciplines or [])
        self.format.data = call.format
        self.residency_starts_on.data = call.residency_starts_on
        self.residency_ends_on.data = call.residency_ends_on
        self.places.data = call.places
        self.participating_city_ids.data = [city.id for city in call.cities]
        self.countries.data = ", ".join(eligibility.get("countries") or [])
        self.eligible_city_ids.data = list(eligibility.get("city_ids") or [])
        self.career_stages.data = list(eligibility.get("career_stages") or [])
        self.allow_multiple_applications.data = call.allow_multiple_applications

    def details(self):
        """The plain values ``operations.create_call`` / ``update_details`` take."""
        values = {name: self[name].data for name in TEXT_FIELDS}
        values.update(
            main_language=self.main_language.data, disciplines=self.disciplines.data or [], format=self.format.data,
            residency_starts_on=self.residency_starts_on.data, residency_ends_on=self.residency_ends_on.data,
            places=self.places.data, participating_city_ids=self.participating_city_ids.data or [],
            countries=_comma_list(self.countries.data), eligible_city_ids=self.eligible_city_ids.data or [],
            career_stages=self.career_stages.data or [],
            allow_multiple_applications=self.allow_multiple_applications.data,
        )
        return values


class TimelineForm(FlaskForm):
    opens_at = DateTimeLocalField(_l("Opens on"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes on (the deadline)"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                   validators=[Optional()])
    timezone = SelectField(_l("Timezone of these times"), validate_choice=False)

    def fill_choices(self):
        self.timezone.choices = [SelectChoice(name, name.replace("_", " ")) for name in timezone_choices()]


class QuestionForm(FlaskForm):
    """One question; the fields that do not apply to its type are ignored."""

    type = SelectField(_l("Type of answer"), validate_choice=False)
    label = StringField(_l("Question"))
    help = TextAreaField(_l("Help text (optional)"))
    required = BooleanField(_l("An answer is required"))
    word_limit = IntegerField(_l("Word limit (long text)"), validators=[Optional()],
                              description=_l("Leave empty for no limit."))
    choices = TextAreaField(_l("Choices (one and several choices)"), description=_l("One choice per line."))
    kinds = MultiCheckboxField(_l("Kinds of file accepted (files)"), validate_choice=False)
    max_size = DecimalField(_l("Size limit per file, in MB (files)"), validators=[Optional()], places=None)
    max_count = IntegerField(_l("How many files (files)"), validators=[Optional()])

    def fill_choices(self):
        self.type.choices = _choices(QUESTION_TYPE_LABELS, QUESTION_TYPES)
        self.kinds.choices = _choices(KIND_LABELS, sorted(ALL_KINDS))

    def load(self, question, main_language):
        self.type.data = question["type"]
        self.label.data = (question.get("label") or {}).get(main_language, "")
        self.help.data = (question.get("help") or {}).get(main_language, "")
        self.required.data = question.get("required", False)
        self.word_limit.data = question.get("word_limit")
        self.choices.data = "\n".join((c["label"] or {}).get(main_language, "") for c in question.get("choices") or [])
        self.kinds.data = list(question.get("kinds") or [])
        self.max_size.data = Decimal(question["max_size"]) / MB if question.get("max_size") else None
        self.max_count.data = question.get("max_count")

    def spec(self):
        return {
            "type": self.type.data, "label": self.label.data, "help": self.help.data, "required": self.required.data,
            "word_limit": self.word_limit.data, "choices": (self.choices.data or "").splitlines(),
            "kinds": self.kinds.data or [], "max_count": self.max_count.data,
            "max_size": int(self.max_size.data * MB) if self.max_size.data is not None else None,
        }


class ConditionForm(FlaskForm):
    label = StringField(_l("Eligibility question (yes or no)"),
                        description=_l("For example: Do you live in one of the participating cities?"))
    required_answer = RadioField(_l("Answer an eligible artist gives"), validate_choice=False, default="yes",
                                 choices=[SelectChoice("yes", ANSWER_LABELS["yes"]), SelectChoice("no", ANSWER_LABELS["no"])])

    def spec(self):
        return {"label": self.label.data, "required_answer": self.required_answer.data}


class CriterionForm(FlaskForm):
    name = StringField(_l("Criterion"))
    description = TextAreaField(_l("What the jury looks for (optional)"))
    weight = DecimalField(_l("Weight"), validators=[Optional()], places=None, default=Decimal(1),
                          description=_l("How much this criterion counts compared with the others."))
    scale_min = IntegerField(_l("Lowest score"), validators=[Optional()], default=0)
    scale_max = IntegerField(_l("Highest score"), validators=[Optional()], default=10)

    def load(self, criterion, main_language):
        self.name.data = (criterion.get("name") or {}).get(main_language, "")
        self.description.data = (criterion.get("description") or {}).get(main_language, "")
        self.weight.data = Decimal(str(criterion["weight"]))
        self.scale_min.data, self.scale_max.data = criterion["scale_min"], criterion["scale_max"]

    def spec(self):
        weight = self.weight.data
        return {"name": self.name.data, "description": self.description.data,
                "weight": float(weight) if weight is not None else None,
                "scale_min": self.scale_min.data, "scale_max": self.scale_max.data}


class ConfirmForm(FlaskForm):
    """A confirmation button and its CSRF token (publish, move, remove)."""


class MoveForm(FlaskForm):
    """The up and down buttons of a list: ``direction`` is the pressed button's value."""

    direction = StringField()


def translation_form(call, lang):
    """A form for ``call``'s words in ``lang``: its texts, then each question, criterion and condition.

    Returns ``(form, sections)``; ``sections`` lists ``(heading, [(field, original text)])`` to show
    each field next to the main language's text.
    """
    main = call.main_language
    texts = (call.texts or {}).get(lang) or {}
    fields, sections = {}, []

    def add(name, label, current, original, area=False):
        key = name.replace(".", "__")
        fields[key] = (TextAreaField if area else StringField)(label, default=current)
        return key, original

    entries = [add(name, TEXT_LABELS[name], texts.get(name, ""), ((call.texts or {}).get(main) or {}).get(name, ""),
                   area=name != "title") for name in TEXT_FIELDS]
    sections.append((_l("The call"), entries))
    for question in call.form or []:
        entries = [add(f"{question['id']}.label", _l("Question"), question["label"].get(lang, ""), question["label"].get(main, "")),
                   add(f"{question['id']}.help", _l("Help text"), (question.get("help") or {}).get(lang, ""),
                       (question.get("help") or {}).get(main, ""), area=True)]
        for choice in question.get("choices") or []:
            entries.append(add(f"{question['id']}.choice.{choice['value']}", _l("Choice"), choice["label"].get(lang, ""),
                               choice["label"].get(main, "")))
        sections.append((question["label"].get(main) or question["id"], entries))
    for condition in (call.eligibility or {}).get("questions") or []:
        sections.append((_l("Eligibility question"), [
            add(f"{condition['id']}.label", _l("Question"), condition["label"].get(lang, ""), condition["label"].get(main, ""))]))
    for criterion in call.rubric or []:
        sections.append((criterion["name"].get(main) or criterion["id"], [
            add(f"{criterion['id']}.name", _l("Criterion"), criterion["name"].get(lang, ""), criterion["name"].get(main, "")),
            add(f"{criterion['id']}.description", _l("What the jury looks for"),
                (criterion.get("description") or {}).get(lang, ""), (criterion.get("description") or {}).get(main, ""),
                area=True)]))
    form = type("TranslationForm", (FlaskForm,), fields)()
    sections = [(heading, [(form[key], original) for key, original in entries]) for heading, entries in sections]
    return form, sections


def translation_values(form):
    """``(texts, labels)`` for ``operations.update_translation`` from a submitted translation form."""
    texts = {name: form[name].data for name in TEXT_FIELDS}
    labels = {key.replace("__", "."): field.data for key, field in form._fields.items()
              if key not in TEXT_FIELDS and key != "csrf_token"}
    return texts, labels


class FilterForm(Form):
    """The public list's filters, read from the query string (no CSRF: it changes nothing)."""

    city = SelectField(_l("City"), validate_choice=False)
    discipline = SelectField(_l("Discipline"), validate_choice=False)
    status = SelectField(_l("Show"), validate_choice=False,
                         choices=[SelectChoice(key, label) for key, label in STATUS_FILTERS.items()])

    def fill_choices(self, cities):
        self.city.choices = [SelectChoice("", _l("All cities"))] + [SelectChoice(city.slug, city.name) for city in cities]
        self.discipline.choices = [SelectChoice("", _l("All disciplines"))] + _choices(DISCIPLINE_LABELS, DISCIPLINES)
