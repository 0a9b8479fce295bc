"""Festivals and their editions: queries and changes. Operations flush and audit; never commit."""

from datetime import date

from flask_babel import lazy_gettext as _l

from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.extensions import db
from residency.festivals import profiles
from residency.festivals.models import Edition, Festival
from residency.festivals.policies import is_coordinator, programs


def get_festival(festival_id):
    return db.session.get(Festival, festival_id) if festival_id else None


def all_festivals():
    return db.session.execute(db.select(Festival).order_by(Festival.name)).scalars().all()


def festivals_of(user):
    """The festivals ``user`` programs (from their role grants), by name."""
    ids = [g.scope_id for g in user.grants if g.role == "festival_programmer" and g.scope_type == "festival"]
    if not ids:
        return []
    return db.session.execute(db.select(Festival).where(Festival.id.in_(ids)).order_by(Festival.name)).scalars().all()


def visible_festivals(user):
    """Coordinators and admins see every festival; a programmer sees their own."""
    from residency.core.permissions import is_network_admin

    if is_network_admin(user) or is_coordinator(user):
        return all_festivals()
    return festivals_of(user)


def programmers(festival):
    """The users holding the programmer role of ``festival``."""
    from residency.accounts.models import RoleGrant, User

    return db.session.execute(
        db.select(User).join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == "festival_programmer", RoleGrant.scope_type == "festival",
               RoleGrant.scope_id == festival.id).order_by(User.display_name)
    ).scalars().all()


def save_festival(actor, festival, *, name, city_id, slug, website="", description=""):
    """Create (``festival`` None) or change a festival. :raise ActionRefused: slug taken."""
    clash = db.session.execute(db.select(Festival.id).where(Festival.slug == slug)).scalar()
    if clash is not None and (festival is None or clash != festival.id):
        raise ActionRefused(_l("Another festival already has this short name."), field="slug")
    created = festival is None
    if created:
        festival = Festival(delivery_profile=dict(profiles.DEFAULT))
        db.session.add(festival)
    festival.name, festival.city_id, festival.slug = name.strip(), city_id, slug
    festival.website, festival.description = website.strip(), description.strip()
    db.session.flush()
    record("festival.created" if created else "festival.changed", actor, festival, name=festival.name)
    return festival


def save_profile(actor, festival, profile):
    """Store the festival's delivery profile (normalised)."""
    festival.delivery_profile = profiles.normalise(profile)
    db.session.flush()
    record("festival.profile_changed", actor, festival, profile=festival.delivery_profile)
    return festival


def get_edition(festival, edition_id):
    """The edition ``edition_id`` of ``festival``, or None (another festival's edition is missing)."""
    edition = db.session.get(Edition, edition_id) if edition_id else None
    return edition if edition is not None and edition.festival_id == festival.id else None


def save_edition(actor, festival, edition, *, name, starts_on: date, ends_on: date, venues):
    """Create or change an edition. :raise ActionRefused: it ends before it starts, or has no venue."""
    if ends_on < starts_on:
        raise ActionRefused(_l("An edition cannot end before it starts."), field="ends_on")
    venues = [v.strip() for v in venues if v.strip()]
    if not venues:
        raise ActionRefused(_l("Name at least one venue."), field="venues")
    created = edition is None
    if created:
        edition = Edition(festival_id=festival.id)
        db.session.add(edition)
    edition.name, edition.starts_on, edition.ends_on, edition.venues = name.strip(), starts_on, ends_on, venues[:30]
    db.session.flush()
    record("festival.edition_created" if created else "festival.edition_changed", actor, edition, name=edition.name)
    return edition


def upcoming_editions(festival, today=None):
    """The festival's editions that have not ended, soonest first."""
    today = today or date.today()
    return sorted((e for e in festival.editions if e.ends_on >= today), key=lambda e: e.starts_on)


def add_programmer(actor, festival, email):
    """Give the account of ``email`` the programmer role of ``festival``.

    :raise ActionRefused: no account with that address, or already a programmer.
    """
    from residency.accounts.operations import find_user_by_email, grant_role

    person = find_user_by_email(email or "")
    if person is None:
        raise ActionRefused(_l("No account uses this address: ask the programmer to sign up first."), field="email")
    if programs(person, festival.id):
        raise ActionRefused(_l("This person is already a programmer of the festival."), field="email")
    grant_role(actor, person, "festival_programmer", "festival", festival.id)
    return person


def remove_programmer(actor, festival, user_id):
    """Take the programmer role of ``festival`` from the user ``user_id``. :raise ActionRefused: not one."""
    from residency.accounts.models import RoleGrant
    from residency.accounts.operations import revoke_role

    grant = db.session.execute(db.select(RoleGrant).where(
        RoleGrant.user_id == user_id, RoleGrant.role == "festival_programmer", RoleGrant.scope_type == "festival",
        RoleGrant.scope_id == festival.id)).scalar_one_or_none()
    if grant is None:
        raise ActionRefused(_l("This person is not a programmer of the festival."), status=404)
    revoke_role(actor, grant)
