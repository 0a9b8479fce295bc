"""Admin forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Optional

from residency.accounts.models import ROLE_SCOPES, Role


ROLE_LABELS = {
    Role.NETWORK_ADMIN: _l("Network admin"),
    Role.CITY_COORDINATOR: _l("City coordinator"),
    Role.JUROR: _l("Juror"),
    Role.JURY_CHAIR: _l("Jury chair"),
    Role.FESTIVAL_PROGRAMMER: _l("Festival programmer"),
}


class GrantRoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(str(role), label) for role, label in ROLE_LABELS.items()],
                       validators=[DataRequired()])
    scope = SelectField(_l("Scope"), validators=[DataRequired(_l("Choose where the role applies."))])

    def fill_choices(self, cities):
        self.scope.choices = [SelectChoice("network:0", _l("The whole network"))] + [
            SelectChoice(f"city:{city.id}", city.name) for city in cities
        ]


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search by name or e-mail"), validators=[Optional()])


def role_scopes_help():
    return {str(role): sorted(str(s) for s in scopes) for role, scopes in ROLE_SCOPES.items()}
