"""The residencies' forms. Fields carry only the shape of the input; the rules (dates within the
residency, a session ending after it starts, who may be added) live in the operations."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, EmailField, RadioField, SelectChoice, SelectField, StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from residency.core.i18n import timezone_choices
from residency.residencies.models import ParticipantRole, SessionKind
from residency.residencies.labels import KIND_LABELS, ROLE_LABELS
from residency.residencies.operations import PROGRAMME_MAX_LENGTH, TITLE_MAX_LENGTH
from residency.residencies.scheduling import DESCRIPTION_MAX_LENGTH, LOCATION_MAX_LENGTH

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
DATE_INVALID = _l("Enter a date in the form 2027-03-01.")
TIME_INVALID = _l("Enter a day and time in the form 2027-03-01 18:00.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def role_choices():
    return [SelectChoice(role, ROLE_LABELS[role]) for role in ParticipantRole.ALL]


class ResidencyFields:
    title = StringField(_l("Title"), filters=[_strip], validators=[
        DataRequired(_l("Give the residency a title.")), Length(max=TITLE_MAX_LENGTH)])
    description = TextAreaField(_l("Programme"), validators=[Optional(), Length(max=PROGRAMME_MAX_LENGTH)])
    timezone = SelectField(_l("Timezone the sessions are scheduled in"), validate_choice=False,
                           validators=[DataRequired(_l("Choose a timezone."))])
    starts_on = DateField(_l("First day"), invalid_value_message=DATE_INVALID, validators=[InputRequired(DATE_INVALID)])
    ends_on = DateField(_l("Last day"), invalid_value_message=DATE_INVALID, validators=[InputRequired(DATE_INVALID)])

    def fill_timezones(self):
        self.timezone.choices = [SelectChoice(name, name.replace("_", " ")) for name in timezone_choices()]


class ResidencyForm(FlaskForm, ResidencyFields):
    """Editing a residency."""


class NewResidencyForm(FlaskForm, ResidencyFields):
    """A residency created by hand in one of the cities the coordinator runs."""

    city = SelectField(_l("City"), coerce=int, validate_choice=False,
                       validators=[InputRequired(_l("Choose the city."))])


class FromCallForm(FlaskForm, ResidencyFields):
    """A residency formed from a call's selected applications."""

    call = SelectField(_l("Call"), coerce=int, validate_choice=False, validators=[InputRequired(_l("Choose the call."))])


class AddParticipantForm(FlaskForm):
    email = EmailField(_l("E-mail address of their account"), filters=[_strip], validators=[
        DataRequired(_l("Enter an e-mail address.")), Length(max=254)])
    role = RadioField(_l("Role"), choices=role_choices, default=ParticipantRole.ARTIST,
                      validators=[DataRequired(_l("Choose artist, mentor or coordinator."))])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices, validators=[DataRequired(_l("Choose a role."))])


class SessionForm(FlaskForm):
    kind = RadioField(_l("Kind"), choices=lambda: [SelectChoice(k, KIND_LABELS[k]) for k in SessionKind.ALL],
                      default=SessionKind.TALK, validators=[DataRequired(_l("Choose a talk, a studio visit or a critique."))])
    title = StringField(_l("Title"), filters=[_strip], validators=[
        DataRequired(_l("Give the session a title.")), Length(max=200)])
    starts_at = DateTimeLocalField(_l("Starts"), format=[LOCAL_FORMAT, "%Y-%m-%d %H:%M"], invalid_value_message=TIME_INVALID,
                                   validators=[InputRequired(TIME_INVALID)])
    ends_at = DateTimeLocalField(_l("Ends"), format=[LOCAL_FORMAT, "%Y-%m-%d %H:%M"], invalid_value_message=TIME_INVALID,
                                 validators=[InputRequired(TIME_INVALID)])
    location = StringField(_l("Where (a place or a link)"), filters=[_strip],
                           validators=[Optional(), Length(max=LOCATION_MAX_LENGTH)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=DESCRIPTION_MAX_LENGTH)])


class ConfirmForm(FlaskForm):
    """A confirmation button and its CSRF token."""
