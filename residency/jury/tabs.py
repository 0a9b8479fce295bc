"""The tabs of a call's jury pages for those who run it: the coordinators' Panel, Rounds and
Settings, and for them and the chair the panel's Conflicts and, per round, its Assignment,
Progress and Deliberation. Each tab is listed only for a viewer its page lets in, so that a person finds every jury
page they may open from any of them (``templates/jury/panel_nav.html`` shows them)."""

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from residency.core.permissions import can
from residency.jury.blueprint import bp
from residency.jury.rounds import rounds_of

#: The call's pages, each with the rule that lets a viewer in.
SECTIONS = (
    ("jury.panel", _l("Panel"), "jury.manage"),
    ("jury.rounds", _l("Rounds"), "jury.manage"),
    ("jury.settings", _l("Settings"), "jury.manage"),
    ("jury.panel_conflicts", _l("Conflicts"), "jury.chair"),
)


@dataclass(frozen=True)
class Tab:
    endpoint: str
    label: object
    url: str
    round_id: int | None = None


@bp.app_template_global("jury_tabs")
def jury_tabs(call):
    """``(sections, rounds)``: the viewer's tabs of ``call`` (:class:`Tab`), and per round of the
    call ``(round, [its Assignment, Progress and Deliberation tabs])``, empty for whoever does not chair it."""
    sections = [Tab(endpoint, label, url_for(endpoint, call_id=call.id))
                for endpoint, label, rule in SECTIONS if can(current_user, rule, call)]
    if not can(current_user, "jury.chair", call):
        return sections, []
    per_round = [(round_, [
        Tab("jury.assignment", _l("Assignment"), url_for("jury.assignment", call_id=call.id, round_id=round_.id),
            round_.id),
        Tab("jury.progress", _l("Progress"), url_for("jury.progress", round_id=round_.id), round_.id),
        Tab("jury.deliberation_page", _l("Deliberation"), url_for("jury.deliberation_page", round_id=round_.id),
            round_.id),
    ]) for round_ in rounds_of(call)]
    return sections, per_round
