"""The artist's profile: what they say about themselves, copied into each version they submit."""

from flask_babel import lazy_gettext as _l

from residency.applications.models import ArtistProfile
from residency.applications.validation import MAX_LINKS, web_address_error
from residency.audit.operations import record
from residency.calls.models import CAREER_STAGES
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.media.models import Work


def profile_of(user):
    """The artist's profile (a blank, unsaved one if they never wrote it)."""
    return db.session.get(ArtistProfile, user.id) or ArtistProfile(
        user_id=user.id, bio="", website="", links=[], organisation="", portfolio_work_ids=[]
    )


def update_profile(user, bio="", website="", links=(), country=None, career_stage=None, organisation="", work_ids=()):
    """Save the artist's profile.

    :raise ActionRefused: a web address that is not http(s) (field ``website`` or ``links``), more
        than ten links, an unknown career stage, or a work that is not the artist's (``works``).
    """
    website = (website or "").strip()
    if website and web_address_error(website):
        raise ActionRefused(web_address_error(website), field="website")
    links = [link.strip() for link in links if link and link.strip()]
    if len(links) > MAX_LINKS:
        raise ActionRefused(_l("List at most %(max)d links.", max=MAX_LINKS), field="links")
    for link in links:
        if web_address_error(link):
            raise ActionRefused(_l("“%(link)s”: %(problem)s", link=link[:80], problem=web_address_error(link)), field="links")
    if career_stage and career_stage not in CAREER_STAGES:
        raise ActionRefused(_l("Choose a career stage from the list."), field="career_stage")
    work_ids = list(dict.fromkeys(int(work_id) for work_id in work_ids))
    if work_ids:
        owned = set(db.session.execute(
            db.select(Work.id).where(Work.id.in_(work_ids), Work.owner_id == user.id)
        ).scalars())
        if owned != set(work_ids):
            raise ActionRefused(_l("Choose among your own works."), field="works")
    profile = db.session.get(ArtistProfile, user.id)
    if profile is None:
        profile = ArtistProfile(user_id=user.id)
        db.session.add(profile)
    profile.bio = (bio or "").strip()
    profile.website = website
    profile.links = links
    profile.country_of_residence = country or None
    profile.career_stage = career_stage or None
    profile.organisation = (organisation or "").strip()
    profile.portfolio_work_ids = work_ids
    profile.updated_at = utcnow()
    db.session.flush()
    record("profile.updated", actor=user, obj=user)
    return profile
