"""The conflict pages: a panel member declares their conflicts; the chair sees every conflict and why.

A call whose jury the viewer may not see (``jury.view``: not its coordinator, chair or active
member) is answered 404, exactly as a missing call; one they see but may not act on, 403. Opening
either page works out the automatic conflicts again (:func:`conflicts.refresh_automatic_conflicts`),
so what it shows holds now.

A member is shown the applications they may be asked to review, except those they are
automatically in conflict with (they never see those; the page says how many there are). In a
blind round (any round of the call not closed that is blind) each application goes by the
pseudonym the scoring pages of the round under way give it (:mod:`residency.jury.blind`) and its
title, and the page says so; otherwise the applicant's and co-applicants' names and city, so that
a conflict can be recognised.
"""

from dataclasses import dataclass, field

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from residency.applications import listing
from residency.applications.models import (
    Application,
    ApplicationMember,
    ApplicationVersion,
)
from residency.calls.models import Call
from residency.cities.models import City
from residency.core.errors import ActionRefused
from residency.core.ids import parse_id
from residency.core.permissions import can, require
from residency.extensions import db
from residency.jury import blind as blind_labels
from residency.jury import conflicts
from residency.jury.blind import identifying_question_ids
from residency.jury.blueprint import bp
from residency.jury.models import (
    Conflict,
    ConflictSource,
    MemberStatus,
    PanelMember,
    RoundPhase,
)
from residency.jury.policies import active_member
from residency.jury.rounds import rounds_of

TITLE_LENGTH = 120


# --- Loading and permissions ---------------------------------------------------------------------

def jury_call(call_id):
    """The call, if the viewer may see its jury. :raise 404: no such call, or a jury the viewer
    may not see (answered exactly as if it did not exist)."""
    call = db.session.get(Call, call_id)
    if call is None or not can(current_user, "jury.view", call):
        abort(404)
    return call


def member_call(call_id):
    """``(call, member)``: the call and the viewer's active membership of its panel.

    :raise 404: as :func:`jury_call`.
    :raise 403: the viewer sees the jury (a coordinator) but does not sit on its panel.
    """
    call = jury_call(call_id)
    member = active_member(current_user, call)
    if member is None:
        abort(403)
    return call, member


def is_blind(call):
    """Whether a round of the call still to come or under way is blind."""
    return any(round_.blind for round_ in rounds_of(call) if round_.phase != RoundPhase.CLOSED)


# --- What a page shows of an application ---------------------------------------------------------

@dataclass
class ApplicationRow:
    """An application as the conflict and bid pages show it: its title, and unless the page is
    blind, who made it and the city they live in. ``label`` names it in forms and messages: on a
    blind page, the pseudonym the round's scoring pages give it ("Application 7")."""

    id: int
    label: str
    title: str
    applicant: str = ""
    co_applicants: list = field(default_factory=list)
    city: str = ""


def _title(snapshot, hidden_ids):
    """The answer to the call's first short-text question that does not identify the applicant."""
    for item in (snapshot or {}).get("answers") or []:
        if (isinstance(item, dict) and item.get("type") == "short_text" and item.get("id") not in hidden_ids
                and isinstance(item.get("value"), str) and item["value"].strip()):
            text = " ".join(item["value"].split())
            return text if len(text) <= TITLE_LENGTH else text[:TITLE_LENGTH - 1] + "…"
    return ""


def application_rows(call, applications, blind):
    """:class:`ApplicationRow` of each application, in the order given (their frozen versions are
    read in one query)."""
    ids = [application.id for application in applications]
    if not ids:
        return []
    versions = dict(db.session.execute(
        select(Application.id, ApplicationVersion.snapshot)
        .join(ApplicationVersion, listing.current_version_join()).where(Application.id.in_(ids))
    ).tuples().all())
    loaded = {application.id: application for application in db.session.execute(
        select(Application).where(Application.id.in_(ids)).options(
            joinedload(Application.owner), selectinload(Application.members).joinedload(ApplicationMember.user))
    ).unique().scalars()}
    hidden = identifying_question_ids(call)
    cities = dict(db.session.execute(select(City.id, City.name)).tuples().all()) if not blind else {}
    labelling = blind_labels.labelling_round(call) if blind else None
    numbers = blind_labels.call_label_numbers(labelling, ids) if labelling is not None else {}
    rows = []
    for application_id in ids:
        application = loaded[application_id]
        snapshot = versions.get(application_id) if isinstance(versions.get(application_id), dict) else {}
        title = _title(snapshot, hidden)
        if blind:
            # The pseudonym the scoring pages give it in the round under way: one name everywhere.
            label = str(blind_labels.label_of(numbers.get(application_id, 0)))
            rows.append(ApplicationRow(id=application_id, label=label, title=title))
            continue
        profile = (snapshot.get("owner") or {}).get("profile") or {}
        applicant = profile.get("name") or application.owner.display_name
        # As submitted, and whoever joined since: both matter to recognise a conflict.
        co_applicants = list(dict.fromkeys(
            [member.get("name") for member in snapshot.get("members") or []
             if isinstance(member, dict) and member.get("name")]
            + [member.user.display_name for member in application.members
               if member.accepted_at is not None and member.user is not None]))
        city_id = listing.snapshot_city(snapshot) or application.residence_city_id
        label = (_("%(title)s, by %(name)s", title=title, name=applicant) if title
                 else _("Application of %(name)s", name=applicant))
        rows.append(ApplicationRow(id=application_id, label=label, title=title, applicant=applicant,
                                   co_applicants=co_applicants, city=cities.get(city_id, "")))
    return rows


# --- The member's declarations -------------------------------------------------------------------

def _declarable(call, member):
    """``(applications shown, how many are excluded automatically)``."""
    automatic = {conflict.application_id for conflict in db.session.execute(
        select(Conflict).where(Conflict.member_id == member.id, Conflict.source == ConflictSource.AUTOMATIC)
    ).scalars()}
    candidates = conflicts.candidate_applications(call)
    shown = [application for application in candidates if application.id not in automatic]
    return shown, len(candidates) - len(shown)


def _conflicts_page(call, member, errors=None, posted=None, status=200):
    shown, excluded = _declarable(call, member)
    blind = is_blind(call)
    declared = conflicts.declared_conflicts(member)
    rows = application_rows(call, shown, blind)
    values = {}
    for row in rows:
        if posted is not None and row.id in posted:
            values[row.id] = posted[row.id]
        else:
            values[row.id] = (row.id in declared, declared.get(row.id, ""))
    labels = {row.id: row.label for row in rows}
    problems = [(application_id, labels.get(application_id), message)
                for application_id, message in (errors or {}).items()]
    return render_template(
        "jury/conflicts.html", call=call, member=member, rows=rows, values=values, excluded=excluded, blind=blind,
        errors=errors or {}, problems=problems, declared_count=len(declared),
        reason_max=conflicts.REASON_MAX_LENGTH,
    ), status


def _posted_declarations(form):
    """``{application id: (declared, reason)}`` from the form: each application it listed
    (``application`` fields) or ticked or gave a reason for. :raise 400: a malformed id."""
    ids = set()
    for name in form:
        if name == "application":
            values = form.getlist(name)
        elif name.startswith(("conflict-", "reason-")):
            values = [name.partition("-")[2]]
        else:
            continue
        for value in values:
            application_id = parse_id(value)
            if application_id is None:
                abort(400)
            ids.add(application_id)
    return {application_id: (form.get(f"conflict-{application_id}") == "1",
                             form.get(f"reason-{application_id}", ""))
            for application_id in ids}


@bp.route("/jury/calls/<int:call_id>/conflicts", methods=["GET", "POST"])
@login_required
def conflicts_page(call_id):
    """The member's conflicts of interest: a box and a reason per application, and a declaration
    of having none at all."""
    call, member = member_call(call_id)
    conflicts.refresh_automatic_conflicts(call, members=[member], actor=current_user)
    db.session.commit()  # kept when a refused form is rolled back: the page then lists what it should
    if request.method == "GET":
        return _conflicts_page(call, member)
    posted = _posted_declarations(request.form)
    try:
        declared, withdrawn = conflicts.declare_conflicts(member, posted, current_user)
    except conflicts.InvalidDeclarations as refusal:
        db.session.rollback()
        return _conflicts_page(call, member, errors={key: str(message) for key, message in refusal.errors.items()},
                               posted=posted, status=refusal.status)
    db.session.commit()
    if declared or withdrawn:
        flash(_("Your declarations are saved."), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for("jury.conflicts_page", call_id=call.id))


@bp.route("/jury/calls/<int:call_id>/conflicts/none", methods=["POST"])
@login_required
def declare_no_conflicts(call_id):
    """The member declares having no conflict with any application shown."""
    call, member = member_call(call_id)
    try:
        conflicts.declare_no_conflicts(member, current_user)
    except ActionRefused as refusal:
        db.session.rollback()
        flash(str(refusal.message), "error")
        return _conflicts_page(call, member, status=refusal.status)
    db.session.commit()
    flash(_("You declared that you have no conflict of interest with these applications."), "success")
    return redirect(url_for("jury.conflicts_page", call_id=call.id))


# --- The chair's view ----------------------------------------------------------------------------

@dataclass
class ConflictLine:
    member: PanelMember
    application: ApplicationRow
    reasons: list


MEMBER_STATES = {
    MemberStatus.INVITED: _l("Invited"),
    MemberStatus.ACTIVE: _l("Active"),
    MemberStatus.DECLINED: _l("Declined"),
    MemberStatus.WITHDRAWN: _l("Withdrawn"),
}


@bp.route("/jury/calls/<int:call_id>/conflicts/panel")
@login_required
def panel_conflicts(call_id):
    """Every conflict of the call's panel, per member and application, with the reasons in words."""
    call = jury_call(call_id)
    require("jury.chair", call)
    conflicts.refresh_automatic_conflicts(call, actor=current_user)
    db.session.commit()
    found = conflicts.call_conflicts(call)
    application_ids = list(dict.fromkeys(conflict.application_id for conflict in found))
    applications = db.session.execute(select(Application).where(Application.id.in_(application_ids))).scalars().all() \
        if application_ids else []
    by_id = {application.id: application for application in applications}
    # The coordinators see who applied; the chair, a panel member, not while a round is blind.
    blind = is_blind(call) and not can(current_user, "jury.manage", call)
    rows = {row.id: row for row in application_rows(call, [by_id[i] for i in application_ids if i in by_id], blind)}
    lines, index = [], {}
    for conflict in found:
        if conflict.application_id not in rows:
            continue
        key = (conflict.member_id, conflict.application_id)
        if key not in index:
            index[key] = ConflictLine(conflict.member, rows[conflict.application_id], [])
            lines.append(index[key])
        index[key].reasons.append(conflicts.reason_text(conflict, blind=blind))
    members = db.session.execute(
        select(PanelMember).where(PanelMember.call_id == call.id).options(joinedload(PanelMember.user))
        .order_by(PanelMember.id)
    ).scalars().all()
    declared = {member.id: 0 for member in members}
    for conflict in found:
        if conflict.source == ConflictSource.DECLARED:
            declared[conflict.member_id] = declared.get(conflict.member_id, 0) + 1
    return render_template("jury/conflicts_panel.html", call=call, lines=lines, members=members, declared=declared,
                           blind=blind, member_states=MEMBER_STATES)
