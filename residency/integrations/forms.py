"""The forms of the token and webhook pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from residency.calls.forms import MultiCheckboxField


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the token a name.")), Length(max=100)])
    scopes = MultiCheckboxField(_l("Scopes"), validate_choice=False)
    days = SelectField(_l("Expires after"), coerce=int, default=90)


class EndpointForm(FlaskForm):
    scope = SelectField(_l("For"))
    url = StringField(_l("Address (https://…)"), validators=[DataRequired(_l("Enter the address.")), Length(max=500)])
    description = StringField(_l("Description"), validators=[Length(max=200)])
    events = MultiCheckboxField(_l("Events"), validate_choice=False)


class ConfirmForm(FlaskForm):
    """A button that changes something (revoke, delete, replay): CSRF only."""
