"""Forms for works and the plain (no-JavaScript) upload."""

from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from residency.core.i18n import language_name
from residency.media.operations import LICENCES

LICENCE_LABELS = {
    "all-rights-reserved": _l("All rights reserved"),
    "cc-by-4.0": "Creative Commons BY 4.0",
    "cc-by-sa-4.0": "Creative Commons BY-SA 4.0",
    "cc-by-nc-4.0": "Creative Commons BY-NC 4.0",
    "cc-by-nc-nd-4.0": "Creative Commons BY-NC-ND 4.0",
    "cc0-1.0": _l("Public domain (CC0)"),
}


class WorkForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the work a title.")), Length(max=200)])
    year = IntegerField(
        _l("Year"),
        validators=[Optional(), NumberRange(1900, date.today().year + 1, _l("Enter a year between %(min)s and %(max)s."))],
    )
    duration_minutes = IntegerField(
        _l("Duration in minutes (for time-based works)"),
        validators=[Optional(), NumberRange(0, 24 * 60, _l("Enter a duration between 0 and 1440 minutes."))],
    )
    medium = StringField(_l("Medium"), validators=[Optional(), Length(max=80)],
                         description=_l("For example: single-channel video, sound installation, interactive web piece."))
    main_language = SelectField(_l("Main language of the texts"))
    synopsis = TextAreaField(_l("Synopsis"), validators=[Optional(), Length(max=5000)])
    credits = TextAreaField(_l("Credits"), validators=[Optional(), Length(max=5000)])
    technical_rider = TextAreaField(_l("Technical rider"), validators=[Optional(), Length(max=10000)],
                                    description=_l("What a festival needs to show the work: screens, sound, space, software."))
    rights_holder = StringField(_l("Rights holder"), validators=[Optional(), Length(max=200)])
    licence = SelectField(_l("Licence"), choices=[SelectChoice(key, LICENCE_LABELS[key]) for key in LICENCES])

    def fill_choices(self):
        self.main_language.choices = [SelectChoice(code, language_name(code)) for code in current_app.config["LANGUAGES"]]


class FileUploadForm(FlaskForm):
    """The upload that works without JavaScript (limited to MEDIA_FORM_UPLOAD_MAX)."""

    file = FileField(_l("File"))
    replaces = IntegerField(validators=[Optional()])
