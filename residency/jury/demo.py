"""The jury of the demo Lyon call: five jurors and a chair, a few more submitted applications
(marked eligible by the demo coordinator), and a first round.

The demo's juror (juror@demo.example.org) and chair (chair@demo.example.org) already hold their
roles on the Lyon call (the calls' demo grants them); here they become what those roles stand
for: active members of its panel, with four more demo jurors. Members are seated directly, as if
they had accepted their invitations, so that loading the demo sends no e-mail.

The round is then carried as far as the demo goes, in :func:`continue_demo_round`: the later parts
of the jury (a conflict, the confirmed assignment, scores) are steps added there, in order.

Idempotent: run twice, it finds what it made the first time. The caller commits.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from residency.accounts.demo import DEMO_PASSWORD
from residency.accounts.models import User
from residency.accounts.operations import find_user_by_email, grant_role
from residency.accounts.passwords import hash_password
from residency.applications.models import Application
from residency.cities.models import City
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury import round_moves, rounds
from residency.jury.models import MemberRole, MemberStatus, PanelMember, Round, RoundPhase
from residency.jury.panels import GRANTED_ROLES, role_grant

LYON_CALL_PREFIX = "lumieres-numeriques"
COORDINATOR = "coordinator@demo.example.org"

#: (e-mail, name, city slug, language, role, expertise)
PANEL = [
    ("chair@demo.example.org", "Chidi Chair", "dakar", "fr", MemberRole.CHAIR, ["installation", "media arts"]),
    ("juror@demo.example.org", "Jun Juror", "gwangju", "en", MemberRole.JUROR, ["video", "media arts"]),
    ("mina.juror@demo.example.org", "Mina Sato", "sapporo", "en", MemberRole.JUROR, ["interactive", "code"]),
    ("lucas.juror@demo.example.org", "Lucas Ferreira", "braga", "pt", MemberRole.JUROR, ["video", "light"]),
    ("elena.juror@demo.example.org", "Elena Ruiz", "guadalajara", "es", MemberRole.JUROR, ["installation"]),
    ("ida.juror@demo.example.org", "Ida Nielsen", "viborg", "en", MemberRole.JUROR, ["animation", "video"]),
]

#: More demo artists with a submitted application to the Lyon call: (e-mail, name, city slug).
ARTISTS = [
    ("kwame.artist@demo.example.org", "Kwame Mensah", "toronto"),
    ("sofia.artist@demo.example.org", "Sofia Lima", "campina-grande"),
    ("tamar.artist@demo.example.org", "Tamar Levi", "tel-aviv-yafo"),
    ("jonas.artist@demo.example.org", "Jonas Weber", "karlsruhe"),
    ("ines.artist@demo.example.org", "Ines Diallo", "enghien-les-bains"),
]

ROUND_NAME = "Shortlist"


def load_demo_jury(now=None):
    """The demo Lyon call's jury; returns lines to print. Needs the accounts, calls and
    applications demos (it says what is missing otherwise)."""
    now = now or utcnow()
    call = _lyon_call()
    coordinator = find_user_by_email(COORDINATOR)
    if call is None or coordinator is None:
        return ["Demo jury: no demo Lyon call or coordinator yet (load the accounts and calls demos first)."]
    lines = _applications(call, coordinator, now)
    members = _panel(call, coordinator, now)
    lines.append(f"Demo jury of the Lyon call: {sum(m.role == MemberRole.JUROR for m in members)} jurors and a chair, "
                 f"/manage/calls/{call.id}/jury/ (coordinator); its members log in as "
                 + ", ".join(email for email, *_rest in PANEL))
    round_ = _round(call, coordinator, now)
    lines.extend(continue_demo_round(call, round_, members, coordinator, now))
    return lines


def continue_demo_round(call, round_, members, coordinator, now):
    """Carry the demo's round as far as the demo goes; returns lines to print.

    The steps, in order, each idempotent (it finds what an earlier run made):

    1. a declared conflict of one juror (the conflicts part adds it here);
    2. the confirmed assignment of the round (the assignment part adds it here);
    3. scoring starts, once the round can (:func:`_start_scoring`);
    4. part of the scores (the scoring part adds it here).
    """
    lines = []
    lines.extend(_declared_conflict(call, members, now))
    lines.extend(_confirmed_assignment(round_, coordinator, now))
    lines.extend(_start_scoring(round_, coordinator, now))
    lines.extend(_some_scores(call, round_, members, now))
    return lines


def _demo_juror(members, email):
    return next((m for m in members if m.email == email and m.status == MemberStatus.ACTIVE), None)


def _declared_conflict(call, members, now):
    """Mina Sato declares a conflict with one application (she knows its artist)."""
    from residency.jury import conflicts

    member = _demo_juror(members, "mina.juror@demo.example.org")
    candidates = conflicts.candidate_applications(call) if member else []
    if member is None or not candidates:
        return []
    if not conflicts.declared_conflicts(member):
        conflicts.declare_conflicts(member, {candidates[0].id: (True, "We made a piece together in 2024.")},
                                    actor=member.user, now=now)
    return [f"  mina.juror@demo.example.org declared a conflict with application {candidates[0].id}"]


def _confirmed_assignment(round_, coordinator, now):
    """The chair's assignment of the round, proposed and confirmed (once)."""
    from residency.jury import assignment_ops

    if round_.assignment_confirmed_at is not None or round_.phase != RoundPhase.SETUP:
        return []
    solution = assignment_ops.propose(round_, coordinator, seed=2027, now=now)
    try:
        assignment_ops.confirm(round_, coordinator, now=now)
    except ActionRefused as refusal:
        return [f"Demo round “{round_.name}”: the assignment is not confirmed ({refusal.message})."]
    return [f"Demo round “{round_.name}”: assignment confirmed ({len(solution.pairs)} reviews)."]


def _some_scores(call, round_, members, now):
    """Jun Juror scores one of the applications assigned to him; the others are left for whoever
    tries the demo as him."""
    from residency.jury import assignment_ops, scoring

    member = _demo_juror(members, "juror@demo.example.org")
    if member is None or round_.phase != RoundPhase.SCORING:
        return []
    scored = 0
    for number, assignment in enumerate(assignment_ops.assignments_of(member, round_)[:1]):
        if scoring.current_review(assignment.id) is None:
            values = {c["id"]: c["scale_max"] - number - index % 2 for index, c in enumerate(call.rubric or [])}
            scoring.submit_review(member, assignment, values, comments=[("panel", "A clear, feasible plan.")], now=now)
        scored += 1
    return [f"  juror@demo.example.org has scored {scored} of the applications assigned to him; the rest is his to do"] \
        if scored else []


def _lyon_call():
    from residency.calls.models import Call

    return db.session.execute(
        db.select(Call).where(Call.slug.like(LYON_CALL_PREFIX + "%")).order_by(Call.id)).scalars().first()


def _cities():
    return {city.slug: city for city in db.session.execute(db.select(City)).scalars()}


def _account(email, name, city, locale="en"):
    """The demo account ``email``, created (confirmed, the demo password) when missing."""
    user = find_user_by_email(email)
    if user is None:
        user = User(email=email, display_name=name, password_hash=hash_password(DEMO_PASSWORD),
                    city_id=city.id if city else None, timezone=city.timezone if city else "UTC", locale=locale,
                    email_verified_at=utcnow())
        db.session.add(user)
        db.session.flush()
    return user


def _applications(call, coordinator, now):
    """More demo artists' submitted applications, and every submitted one marked eligible."""
    from residency.applications import demo as applications_demo
    from residency.applications import operations
    from residency.applications.review_eligibility import set_eligibility
    from residency.applications.validation import InvalidAnswers

    cities = _cities()
    lines = []
    for email, name, city_slug in ARTISTS:
        artist = _account(email, name, cities.get(city_slug))
        existing = db.session.execute(
            db.select(Application).where(Application.owner_id == artist.id, Application.call_id == call.id)
        ).scalars().first()
        if existing is not None and existing.current_version:
            continue
        if not call.accepting(now):
            lines.append(f"Demo jury: the Lyon call no longer accepts applications; {email} has none.")
            continue
        try:
            application = existing or applications_demo._start(artist, call, now)
            applications_demo._attach_sample_files(artist, application, call)
            operations.submit_application(artist, application, {}, now)
        except (InvalidAnswers, ActionRefused) as refusal:
            lines.append(f"Demo jury: {email}'s application stays a draft ({getattr(refusal, 'message', refusal)}); "
                         "install ffmpeg for the sample files.")
    submitted = db.session.execute(
        db.select(Application).where(Application.call_id == call.id, Application.current_version > 0,
                                     Application.state != "draft", Application.eligible.is_(None))
    ).scalars().all()
    for application in submitted:
        set_eligibility(application, coordinator, True, now=now)
    return lines


def _panel(call, coordinator, now):
    """The panel's members, seated as if they had accepted (no e-mail)."""
    cities = _cities()
    members = []
    for email, name, city_slug, locale, role, expertise in PANEL:
        user = _account(email, name, cities.get(city_slug), locale)
        member = db.session.execute(
            db.select(PanelMember).where(PanelMember.call_id == call.id, PanelMember.email == user.email)
        ).scalar_one_or_none()
        if member is None:
            member = PanelMember(call_id=call.id, user_id=user.id, email=user.email, role=role,
                                 status=MemberStatus.ACTIVE, language=user.locale or "en", expertise=expertise,
                                 invited_by_id=coordinator.id, invited_at=now, responded_at=now)
            db.session.add(member)
            db.session.flush()
        if member.status == MemberStatus.ACTIVE and role_grant(member, user) is None:
            grant_role(coordinator, user, GRANTED_ROLES[member.role], "call", call.id)
        members.append(member)
    return members


def _round(call, coordinator, now):
    """The call's first round, a shortlist two jurors score per application, closing three weeks
    after the call."""
    round_ = db.session.execute(
        db.select(Round).where(Round.call_id == call.id, Round.number == 1)).scalar_one_or_none()
    if round_ is not None:
        return round_
    closes = (call.closes_at or now) + timedelta(days=21)
    local = closes.astimezone(ZoneInfo(call.timezone or "UTC")).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    round_, _notes = rounds.create_round(coordinator, call, {
        "name": ROUND_NAME, "scoring_opens_at": None, "scoring_closes_at": local, "coverage": "eligible",
        "reviews_per_application": 2, "blind": False, "others_scores": "after_own", "max_pair_probability": None,
    }, now=now)
    return round_


def _start_scoring(round_, coordinator, now):
    """Start scoring when the round can; else say what it waits for."""
    if round_.phase != RoundPhase.SETUP:
        return [f"Demo round “{round_.name}”: {round_.phase}."]
    problems = round_moves.scoring_problems(round_, now)
    if problems:
        return [f"Demo round “{round_.name}” is being set up: " + " ".join(str(p) for p in problems)]
    round_moves.move_round(round_, RoundPhase.SCORING, actor=coordinator, reason="demo", now=now)
    return [f"Demo round “{round_.name}” is in scoring."]
