"""Forms of the festivals feature."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, IntegerField, SelectChoice, SelectField, SelectMultipleField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from residency.festivals import profiles
from residency.festivals.rights import USES

_SLUG = r"^[a-z0-9][a-z0-9-]{1,78}$"


class FestivalForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the festival's name.")), Length(max=200)])
    slug = StringField(_l("Short name (for addresses and file names)"),
                       validators=[DataRequired(_l("Give a short name.")),
                                   Regexp(_SLUG, message=_l("Use lower-case letters, digits and hyphens."))])
    city = SelectField(_l("City"), coerce=int)
    website = StringField(_l("Website"), validators=[
        Optional(), Length(max=300), Regexp(r"^https?://", message=_l("Give an address starting with https://."))])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])


class ProfileForm(FlaskForm):
    video = SelectField(_l("Video"), choices=[SelectChoice(k, v) for k, v in profiles.VIDEO_CHOICES.items()])
    subtitles = SelectField(_l("Subtitles"), choices=[SelectChoice(k, v) for k, v in profiles.SUBTITLE_CHOICES.items()])
    stills = BooleanField(_l("Stills"))
    press_kit = BooleanField(_l("Press kit (PDF)"))


class EditionForm(FlaskForm):
    name = StringField(_l("Name of the edition"), validators=[DataRequired(_l("Name the edition.")), Length(max=200)])
    starts_on = DateField(_l("First day"), validators=[DataRequired(_l("Give the first day (YYYY-MM-DD)."))])
    ends_on = DateField(_l("Last day"), validators=[DataRequired(_l("Give the last day (YYYY-MM-DD)."))])
    venues = TextAreaField(_l("Venues, one a line"), validators=[DataRequired(_l("Name at least one venue.")),
                                                                Length(max=5000)])


class RequestForm(FlaskForm):
    edition = SelectField(_l("Edition"), coerce=int)
    use = SelectField(_l("Use"), choices=[SelectChoice(k, v) for k, v in USES.items()])
    message = TextAreaField(_l("Message to the artist"), validators=[Optional(), Length(max=4000)])


class ShortlistForm(FlaskForm):
    edition = SelectField(_l("Edition"), coerce=int)


class DecisionForm(FlaskForm):
    decision = SelectField(_l("Answer"), choices=[SelectChoice("approve", _l("Approve")),
                                                  SelectChoice("decline", _l("Decline"))])
    message = TextAreaField(_l("Message to the festival"), validators=[Optional(), Length(max=4000)])


def _country_codes(form, field):
    codes = [c for c in re.split(r"[\s,;]+", (field.data or "").upper()) if c]
    if any(not re.fullmatch(r"[A-Z]{2}", code) for code in codes):
        raise ValidationError(_l("Give two-letter country codes (ISO 3166), separated by commas."))


class TermsForm(FlaskForm):
    all_festivals = SelectField(_l("Festivals"), choices=[
        SelectChoice("all", _l("Every partner festival")), SelectChoice("list", _l("Only the festivals chosen below"))])
    festival_ids = SelectMultipleField(_l("Chosen festivals"), coerce=int, validate_choice=True)
    starts_on = DateField(_l("From"), validators=[DataRequired(_l("Give the first day (YYYY-MM-DD)."))])
    ends_on = DateField(_l("Until"), validators=[DataRequired(_l("Give the last day (YYYY-MM-DD)."))])
    screening = BooleanField(_l("Screenings"))
    exhibition = BooleanField(_l("Exhibitions"))
    fee_amount = IntegerField(_l("Fee (leave empty for none)"),
                              validators=[Optional(),
                                          NumberRange(0, 10_000_000, _l("Enter a fee between 0 and 10,000,000."))])
    fee_currency = StringField(_l("Currency"), validators=[
        Optional(), Regexp(r"^[A-Za-z]{3}$", message=_l("Use a three-letter code such as EUR."))])
    territories = StringField(_l("Territories (country codes; empty for worldwide)"),
                              validators=[Optional(), Length(max=800), _country_codes])

    def territory_list(self):
        return [c for c in re.split(r"[\s,;]+", (self.territories.data or "").upper()) if c]


class ScreeningForm(FlaskForm):
    work = SelectField(_l("Work"), coerce=int)
    edition = SelectField(_l("Edition"), coerce=int)
    screened_on = DateField(_l("Date"), validators=[DataRequired(_l("Give the date (YYYY-MM-DD)."))])
    venue = StringField(_l("Venue"), validators=[DataRequired(_l("Name the venue.")), Length(max=200)])
    city = SelectField(_l("City"), coerce=int)
    audience = IntegerField(_l("Audience (if known)"),
                            validators=[Optional(), NumberRange(0, 10_000_000, _l("Enter a number of people."))])


class CatalogueAddForm(FlaskForm):
    work_id = IntegerField(_l("Work number"), validators=[DataRequired(_l("Give the work's number.")),
                                                          NumberRange(1, 2**31 - 1, _l("Give the work's number."))])
    call = SelectField(_l("From the call (optional)"), coerce=int)


class ProgrammerForm(FlaskForm):
    email = StringField(_l("E-mail address of the programmer's account"),
                        validators=[DataRequired(_l("Give the e-mail address of an account.")), Length(max=254)])
