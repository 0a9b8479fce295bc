"""Account forms. Labels and messages are translatable; every field has a label."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from residency.cities.models import City
from residency.core.i18n import is_valid_timezone, language_name, timezone_choices
from residency.extensions import db

EMAIL_REQUIRED = _l("Enter your e-mail address.")
EMAIL_INVALID = _l("Enter an e-mail address in the form name@example.org.")


def _strip(value):
    """Pasted addresses often carry a space at either end."""
    return value.strip() if isinstance(value, str) else value


def email_field(label=None):
    return EmailField(
        label or _l("E-mail address"),
        filters=[_strip],
        validators=[DataRequired(EMAIL_REQUIRED), Length(max=254), Email(EMAIL_INVALID, check_deliverability=False)],
        render_kw={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"},
    )


def password_field(label, autocomplete="current-password", required_message=None):
    return PasswordField(
        label,
        validators=[DataRequired(required_message or _l("Enter your password."))],
        render_kw={"autocomplete": autocomplete},
    )


def city_choices():
    cities = db.session.execute(db.select(City).order_by(City.name)).scalars()
    return [SelectChoice(0, _l("None of these / elsewhere"))] + [SelectChoice(city.id, city.name) for city in cities]


def _validate_timezone(form, field):
    if not is_valid_timezone(field.data):
        raise ValidationError(_l("Choose a timezone from the list."))


class ProfileFields:
    """Fields shared by registration and the profile page."""

    display_name = StringField(
        _l("Name to show"),
        validators=[DataRequired(_l("Enter the name to show on the platform.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    pronouns = StringField(_l("Pronouns (optional)"), validators=[Optional(), Length(max=40)])
    city = SelectField(_l("Your Creative City"), coerce=int)
    locale = SelectField(_l("Language"))
    timezone = SelectField(_l("Timezone"), validators=[_validate_timezone], validate_choice=False)

    def fill_choices(self):
        self.city.choices = city_choices()
        self.locale.choices = [SelectChoice(code, language_name(code)) for code in current_app.config["LANGUAGES"]]
        self.timezone.choices = [SelectChoice(name, name.replace("_", " ")) for name in timezone_choices()]


class RegisterForm(FlaskForm, ProfileFields):
    email = email_field()
    password = password_field(_l("Password"), "new-password", _l("Choose a password."))


class ProfileForm(FlaskForm, ProfileFields):
    """The account page: the profile fields, without e-mail and password (they have their own pages)."""


class LoginForm(FlaskForm):
    email = email_field()
    password = password_field(_l("Password"))


class ForgotPasswordForm(FlaskForm):
    email = email_field()


class LoginLinkForm(FlaskForm):
    """Ask for a link by e-mail that logs in without the password."""

    email = email_field()


class ResetPasswordForm(FlaskForm):
    password = password_field(_l("New password"), "new-password", _l("Choose a new password."))


class ChangePasswordForm(FlaskForm):
    current_password = password_field(_l("Current password"))
    new_password = password_field(_l("New password"), "new-password", _l("Choose a new password."))


class ChangeEmailForm(FlaskForm):
    new_email = email_field(_l("New e-mail address"))
    password = password_field(_l("Your password"))


class ConfirmForm(FlaskForm):
    """A button and its CSRF token: confirming a link, logging out, revoking."""


class DataExportForm(FlaskForm):
    """Download one's data: the password again."""

    password = password_field(_l("Your password"))


class DeleteAccountForm(FlaskForm):
    """Delete one's account: the password and the e-mail address typed again."""

    password = password_field(_l("Your password"))
    confirmation = StringField(
        _l("Type your e-mail address to confirm"),
        filters=[_strip],
        validators=[DataRequired(_l("Type your e-mail address to confirm.")), Length(max=254)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"},
    )
