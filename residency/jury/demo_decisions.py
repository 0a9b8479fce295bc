"""The demo's decided call: last year's Lyon residency, its round closed with a full ranking, a
juror the calibrated model flags as lenient (Lucas Ferreira), an application the jurors disagree
on (with their discussion), and published decisions.

Built directly with the models and the jury's operations (scores through
:func:`~residency.jury.scoring.submit_review`, so every sheet is in the call's hash chain; the
decisions through :func:`~residency.jury.decisions.decide` and
:func:`~residency.jury.decisions.publish`, without e-mail). Idempotent: run again, it finds the
call and stops. The caller commits.
"""

import hashlib
from datetime import timedelta

from residency.accounts.operations import find_user_by_email, grant_role
from residency.applications.models import Application, ApplicationVersion
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury import decisions, discussion, ranking, scoring
from residency.jury.demo import COORDINATOR, PANEL, _account, _cities, _lyon_call
from residency.jury.models import (
    Assignment,
    MemberRole,
    MemberStatus,
    PanelMember,
    Round,
    RoundApplication,
    RoundPhase,
)
from residency.jury.panels import GRANTED_ROLES, role_grant

SLUG = "lyon-residency-2025-decided"
#: (e-mail, name, city slug, language): last year's applicants, best first by their true merit.
APPLICANTS = [
    ("noor.2025@demo.example.org", "Noor Haddad", "tel-aviv-yafo", "en"),
    ("camille.2025@demo.example.org", "Camille Roux", "enghien-les-bains", "fr"),
    ("ana.2025@demo.example.org", "Ana Costa", "braga", "pt"),
    ("kenji.2025@demo.example.org", "Kenji Mori", "sapporo", "en"),
    ("lea.2025@demo.example.org", "Léa Martin", "lyon", "fr"),
    ("diego.2025@demo.example.org", "Diego Flores", "guadalajara", "es"),
    ("amara.2025@demo.example.org", "Amara Ndiaye", "dakar", "fr"),
    ("ola.2025@demo.example.org", "Ola Berg", "viborg", "en"),
    ("mei.2025@demo.example.org", "Mei Chen", "toronto", "en"),
    ("tomas.2025@demo.example.org", "Tomás Silva", "campina-grande", "pt"),
]
#: Each juror's leniency, as a share of a criterion's scale.
LENIENCY = {"lucas.juror@demo.example.org": 0.3}
#: The application (index) two jurors disagree on: one gives the top of the scale, one the bottom.
DISAGREEMENT = (3, "elena.juror@demo.example.org", "ida.juror@demo.example.org")


def load_demo_decisions(now=None):
    """The decided call; returns lines to print."""
    from residency.calls.models import Call

    now = now or utcnow()
    lyon, coordinator = _lyon_call(), find_user_by_email(COORDINATOR)
    if lyon is None or coordinator is None:
        return []
    call = db.session.execute(db.select(Call).where(Call.slug == SLUG)).scalar_one_or_none()
    if call is not None:
        return [_line(call)]
    call = Call(slug=SLUG, city_id=lyon.city_id, main_language=lyon.main_language, timezone=lyon.timezone,
                texts={"en": {"title": "Lyon media arts residency 2025"},
                       "fr": {"title": "Résidence arts numériques Lyon 2025"}},
                state="decided", published_at=now - timedelta(days=300), opens_at=now - timedelta(days=290),
                closes_at=now - timedelta(days=250), form=lyon.form, rubric=lyon.rubric)
    db.session.add(call)
    db.session.flush()
    applications = _applications(call, now)
    members = _panel(call, coordinator, now)
    round_ = _scored_round(call, applications, members, now)
    _decide(call, round_, members, now)
    return [_line(call)]


def _line(call):
    round_ = db.session.execute(db.select(Round).where(Round.call_id == call.id)).scalars().first()
    return (f"Demo decided call “{call.text('title')}”: a closed round with its ranking, a lenient juror, a "
            f"disagreement and published decisions at /jury/rounds/{round_.id}/deliberation (chair@demo.example.org)")


def _applications(call, now):
    cities = _cities()
    found = []
    for index, (email, name, city_slug, locale) in enumerate(APPLICANTS):
        owner = _account(email, name, cities.get(city_slug), locale)
        submitted = now - timedelta(days=260 - index)
        application = Application(call_id=call.id, owner_id=owner.id, state="submitted", answers={},
                                  eligibility_answers={}, eligible=True, current_version=1, submitted_at=submitted,
                                  created_at=submitted, updated_at=submitted)
        db.session.add(application)
        db.session.flush()
        snapshot = {"format": 1, "owner": {"user_id": owner.id, "profile": {"name": name}}, "members": [],
                    "eligibility": {}, "answers": []}
        db.session.add(ApplicationVersion(application_id=application.id, number=1, submitted_at=submitted,
                                          submitted_by_id=owner.id, snapshot=snapshot,
                                          fingerprint=hashlib.sha256(f"{SLUG}:{email}".encode()).hexdigest()))
        found.append(application)
    return found


def _panel(call, coordinator, now):
    cities = _cities()
    members = []
    for email, name, city_slug, locale, role, expertise in PANEL:
        user = _account(email, name, cities.get(city_slug), locale)
        member = PanelMember(call_id=call.id, user_id=user.id, email=user.email, role=role,
                             status=MemberStatus.ACTIVE, language=locale, expertise=expertise,
                             invited_by_id=coordinator.id, invited_at=now, responded_at=now)
        db.session.add(member)
        db.session.flush()
        if role_grant(member, user) is None:
            grant_role(coordinator, user, GRANTED_ROLES[role], "call", call.id)
        members.append(member)
    return members


def _value(criterion, merit, leniency):
    low, high = criterion.get("scale_min", 0), criterion.get("scale_max", 10)
    return max(low, min(high, round(low + (high - low) * (merit + leniency))))


def _scored_round(call, applications, members, now):
    """Round 1, scored by three jurors per application (loads as even as five allow), then closed."""
    round_ = Round(call_id=call.id, number=1, name="Selection", phase=RoundPhase.SCORING, coverage="eligible",
                   reviews_per_application=3, blind=False, others_scores="after_own",
                   scoring_closes_at=now + timedelta(hours=1), assignment_confirmed_at=now)
    db.session.add(round_)
    db.session.flush()
    jurors = [m for m in members if m.role == MemberRole.JUROR]
    for index, application in enumerate(applications):
        db.session.add(RoundApplication(round_id=round_.id, application_id=application.id))
        merit = 0.9 - 0.07 * index
        for member in (jurors[(index + k) % len(jurors)] for k in range(3)):
            assignment = Assignment(round_id=round_.id, member_id=member.id, application_id=application.id,
                                    source="solver", created_at=now, confirmed_at=now)
            db.session.add(assignment)
            db.session.flush()
            leniency = LENIENCY.get(member.email, 0.0)
            if index == DISAGREEMENT[0] and member.email in DISAGREEMENT[1:]:
                merit_seen, leniency = (1.0, 0.0) if member.email == DISAGREEMENT[1] else (0.0, 0.0)
            else:
                merit_seen = merit
            values = {c["id"]: _value(c, merit_seen, leniency) for c in call.rubric or []}
            comments = [("panel", "Strong concept, the plan for the online weeks is thin." if index % 2
                         else "Clear and feasible."), ("applicant", "Thank you: the jury enjoyed your portfolio.")]
            scoring.submit_review(member, assignment, values, comments=comments, now=now)
    round_.phase, round_.scoring_closes_at = RoundPhase.CLOSED, now
    db.session.flush()
    target = applications[DISAGREEMENT[0]]
    for email, text in ((DISAGREEMENT[1], "I think this is the boldest proposal we read."),
                        (DISAGREEMENT[2], "Bold, yes, but nothing in it can be done online.")):
        member = next(m for m in members if m.email == email)
        discussion.post_message(member, round_, target.id, text, now=now)
    return round_


def _decide(call, round_, members, now):
    """The chair's decisions in the calibrated order: three selected, two waitlisted, the rest
    declined; published (no e-mail from the demo)."""
    from residency.jury.deliberation import criteria_of, round_rows

    chair = next(m for m in members if m.role == MemberRole.CHAIR).user
    _ids, weights, scales = criteria_of(call)
    order = [entry.application_id for entry in
             ranking.rank(round_rows(round_), weights, scales, "calibrated").applications]
    for place, application_id in enumerate(order, start=1):
        outcome = "selected" if place <= 3 else "waitlisted" if place <= 5 else "declined"
        decisions.decide(chair, round_, application_id, outcome, stage="proposed", now=now)
        decisions.decide(chair, round_, application_id, outcome,
                         f"Place {place} of {len(order)} under the calibrated ranking; the panel agreed.", now=now)
    decisions.publish(chair, call, now=now, notify=False)
