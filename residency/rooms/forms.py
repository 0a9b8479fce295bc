"""Forms of the plain (no-JavaScript) room pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class MessageForm(FlaskForm):
    text = TextAreaField(_l("Message"), validators=[DataRequired(message=_l("Write a message first."))])
    client_id = HiddenField()
    reply_to = HiddenField()


class AttachmentForm(FlaskForm):
    file = FileField(_l("File"))
    text = TextAreaField(_l("Message (optional)"))
    client_id = HiddenField()

    def validate(self, extra_validators=None):
        return super().validate(extra_validators) and self.file.data is not None and bool(self.file.data.filename)


class EditForm(FlaskForm):
    text = TextAreaField(_l("Message"), validators=[DataRequired(message=_l("Write a message first."))])


class GroupForm(FlaskForm):
    name = StringField(_l("Name of the group"), validators=[
        DataRequired(message=_l("Give the group a name.")), Length(max=120)])
    members = SelectMultipleField(_l("People in it (you are in it)"), coerce=int)


class DirectForm(FlaskForm):
    user = SelectField(_l("Write to"), coerce=int)


class MuteForm(FlaskForm):
    user = SelectField(_l("Participant"), coerce=int)
    hours = SelectField(_l("For"), coerce=int, choices=[
        SelectChoice(1, _l("one hour")), SelectChoice(24, _l("one day")), SelectChoice(168, _l("one week")),
        SelectChoice(0, _l("until I lift it"))])
