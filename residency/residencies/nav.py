"""The site menu's "Residencies" entry, which says how many notices the viewer has not read."""

from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user


class ResidenciesLabel:
    """The entry's text, worked out when the menu is drawn: "Residencies", or "Residencies (2 new)"."""

    def __str__(self):
        from residency.residencies.notify import unread_count

        count = unread_count(current_user)
        if not count:
            return _("Residencies")
        return ngettext("Residencies (%(num)d new)", "Residencies (%(num)d new)", count)

    def __html__(self):
        from markupsafe import escape

        return str(escape(str(self)))

    def __eq__(self, other):
        return isinstance(other, ResidenciesLabel)

    def __hash__(self):
        return hash(ResidenciesLabel)
