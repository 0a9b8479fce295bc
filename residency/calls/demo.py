"""The calls of the demo network: an open call of Lyon and an upcoming network-wide call.

Idempotent: a call whose slug exists is left as it is. Built through the same operations as the
editor, so the demo shows what a coordinator would have made.
"""

from datetime import timedelta

from residency.accounts.models import Role, ScopeType
from residency.accounts.operations import find_user_by_email, grant_role
from residency.calls import operations
from residency.calls.models import Call
from residency.cities.models import City
from residency.core.types import utcnow
from residency.extensions import db

LYON_SLUG = "lumieres-numeriques-online-residency-2027"
NETWORK_SLUG = "city-to-city-network-residency-2027"
MB = 1_000_000


def _existing(slug):
    return db.session.execute(db.select(Call).where(Call.slug == slug)).scalar_one_or_none()


def _local(instant, zone):
    from zoneinfo import ZoneInfo

    return instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None, second=0, microsecond=0)


def load_demo_calls(now=None):
    """Create the demo calls if they are missing; return lines to print."""
    now = now or utcnow()
    lyon = db.session.execute(db.select(City).where(City.slug == "lyon")).scalar_one()
    coordinator = find_user_by_email("coordinator@demo.example.org")
    lines = []
    call = _existing(LYON_SLUG) or _lyon_call(coordinator, lyon, now)
    lines.append(f"Demo call (open): /calls/{call.slug}")
    call = _existing(NETWORK_SLUG) or _network_call(find_user_by_email("admin@demo.example.org"), now)
    lines.append(f"Demo call (upcoming, network-wide): /calls/{call.slug}")
    return lines


def load_demo_calls_and_jury(now=None):
    """The demo calls, and the demo juror and jury chair on the Lyon call; lines to print."""
    lines = load_demo_calls(now)
    call = _existing(LYON_SLUG)
    for email, role in (("juror@demo.example.org", Role.JUROR), ("chair@demo.example.org", Role.JURY_CHAIR)):
        user = find_user_by_email(email)
        if user and not any(g.role == role and g.scope_type == ScopeType.CALL and g.scope_id == call.id for g in user.grants):
            grant_role(None, user, role, ScopeType.CALL, call.id)
    lines.append("  juror@demo.example.org and chair@demo.example.org sit on the jury of the Lyon call")
    return lines


def _lyon_call(actor, lyon, now):
    call = operations.create_call(actor, lyon, {
        "main_language": "fr",
        "title": "Lumières numériques — online residency 2027",
        "summary": "Une résidence en ligne de huit semaines pour des artistes qui travaillent la lumière, "
                   "le code et l'image en mouvement, avec une présentation à la Fête des Lumières.",
        "body": "Lyon, Ville créative UNESCO des arts numériques, invite des artistes des 22 villes du réseau "
                "à une résidence en ligne.\n\nLes artistes sélectionnés travaillent ensemble chaque semaine, "
                "avec des mentors, et présentent leurs œuvres en décembre 2027.",
        "benefits": "Une bourse de 3 000 €, un mentorat hebdomadaire, une projection à la Fête des Lumières.",
        "disciplines": ["media_arts", "video", "installation"], "format": "online", "places": 4,
        "residency_starts_on": (now + timedelta(days=90)).date(), "residency_ends_on": (now + timedelta(days=146)).date(),
        "countries": [], "eligible_city_ids": [], "career_stages": ["emerging", "mid_career"],
        "allow_multiple_applications": False,
    })
    operations.update_translation(actor, call, "en", {
        "title": "Digital lights — online residency 2027",
        "summary": "An eight-week online residency for artists working with light, code and moving images, "
                   "with a showing at the Festival of Lights.",
        "body": "Lyon, UNESCO Creative City of Media Arts, invites artists of the network's 22 cities to an "
                "online residency.\n\nThe selected artists work together every week, with mentors, and show "
                "their works in December 2027.",
        "benefits": "A €3,000 grant, weekly mentoring, a screening at the Festival of Lights.",
    })
    questions = [
        {"type": "short_text", "label": "Titre du projet", "required": True},
        {"type": "long_text", "label": "Décrivez votre projet", "word_limit": 500, "required": True},
        {"type": "single_choice", "label": "Langue de travail", "choices": ["Français", "English", "Español"], "required": True},
        {"type": "multiple_choice", "label": "Outils utilisés", "choices": ["Projection", "Code", "Capteurs", "Son"]},
        {"type": "url", "label": "Site web ou portfolio en ligne"},
        {"type": "date", "label": "Disponible à partir du"},
        {"type": "file", "label": "Extrait vidéo (3 minutes au plus)", "kinds": ["video"], "max_size": 2000 * MB,
         "max_count": 1, "required": True, "help": "MP4 ou MOV."},
    ]
    for spec in questions:
        operations.add_question(actor, call, spec)
    operations.add_condition(actor, call, {"label": "Vivez-vous dans l'une des 22 villes du réseau ?", "required_answer": "yes"})
    for name, weight in (("Qualité artistique", 3), ("Pertinence pour la résidence", 2), ("Faisabilité en ligne", 1)):
        operations.add_criterion(actor, call, {"name": name, "weight": weight, "scale_min": 0, "scale_max": 10})
    opens, closes = now - timedelta(days=1), now + timedelta(days=30)
    operations.set_timeline(actor, call, _local(opens, "Europe/Paris"), _local(closes, "Europe/Paris"), "Europe/Paris", now=now)
    operations.publish(actor, call, now=now)
    return call


def _network_call(actor, now):
    call = operations.create_call(actor, None, {
        "main_language": "en",
        "title": "City to City network residency 2027",
        "summary": "A residency across the 22 Creative Cities of Media Arts: one artist from each city, "
                   "working together online for three months.",
        "body": "The network's joint call. Artists are paired across cities and continents.",
        "benefits": "A grant, mentoring by the cities' festivals, and a showing in every partner festival.",
        "disciplines": ["media_arts", "interactive", "ai_art"], "format": "hybrid", "places": 22,
        "countries": [], "eligible_city_ids": [], "career_stages": [], "participating_city_ids": [],
    })
    for name, weight in (("Artistic quality", 2), ("Collaboration across cities", 1)):
        operations.add_criterion(actor, call, {"name": name, "weight": weight, "scale_min": 1, "scale_max": 5})
    opens, closes = now + timedelta(days=20), now + timedelta(days=80)
    operations.set_timeline(actor, call, _local(opens, "UTC"), _local(closes, "UTC"), "UTC", now=now)
    operations.publish(actor, call, now=now)
    return call
