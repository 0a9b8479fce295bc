"""Distribution rights: the artist's terms, festivals' requests and the answers to them.

Every step is a :class:`RequestEvent` shown on both sides, an audit entry, and an e-mail to the
other side in the recipient's own language. Approval records the file versions approved and opens
the delivery: a package is prepared by a worker (``packages.prepare``).
"""

from datetime import date

from flask_babel import lazy_gettext as _l

from residency import signals
from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.festivals.events import add_event, request_link, tell_festival
from residency.festivals.models import Package, RequestState, RightsRequest, Terms
from residency.festivals.policies import coordinates_artist, programs
from residency.festivals.terms import terms_of, terms_problem
from residency.media.models import AssetState
from residency.notifications.operations import queue_email

USES = {"screening": _l("Screening"), "exhibition": _l("Exhibition")}
STATE_LABELS = {
    RequestState.REQUESTED: _l("Awaiting the artist's answer"),
    RequestState.APPROVED: _l("Approved"),
    RequestState.DECLINED: _l("Declined"),
    RequestState.WITHDRAWN: _l("Withdrawn by the festival"),
}
EVENT_LABELS = {
    "requested": _l("Requested"),
    "approved": _l("Approved"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
    "package_ready": _l("Package ready"),
    "package_failed": _l("Package could not be prepared"),
    "file_missing": _l("A file of the package is missing from storage"),
}
MAX_MESSAGE = 4000


def save_terms(actor, work, *, all_festivals, festival_ids, starts_on, ends_on, screening, exhibition,
               fee_amount, fee_currency, territories):
    """Store the artist's terms for ``work``. :raise ActionRefused: an empty period, no use allowed,
    a list of festivals left empty, a fee without a currency."""
    if ends_on < starts_on:
        raise ActionRefused(_l("The period cannot end before it starts."), field="ends_on")
    if not (screening or exhibition):
        raise ActionRefused(_l("Allow at least screening or exhibition."), field="screening")
    if not all_festivals and not festival_ids:
        raise ActionRefused(_l("Choose the festivals, or allow every partner festival."), field="festival_ids")
    if fee_amount is not None and len(fee_currency or "") != 3:
        raise ActionRefused(_l("Give the fee's currency (a three-letter code such as EUR)."), field="fee_currency")
    terms = terms_of(work)
    if terms is None:
        terms = Terms(work_id=work.id)
        db.session.add(terms)
    terms.all_festivals = bool(all_festivals)
    terms.festival_ids = [] if all_festivals else sorted(set(festival_ids))
    terms.starts_on, terms.ends_on = starts_on, ends_on
    terms.screening, terms.exhibition = bool(screening), bool(exhibition)
    terms.fee_amount = fee_amount
    terms.fee_currency = (fee_currency or "").upper() if fee_amount is not None else ""
    terms.territories = sorted({t.upper() for t in territories})
    db.session.flush()
    record("festival.terms_stated", actor, work, all_festivals=terms.all_festivals, festivals=terms.festival_ids,
           starts_on=str(starts_on), ends_on=str(ends_on), territories=terms.territories)
    return terms


def get_request(request_id):
    return db.session.get(RightsRequest, request_id) if request_id else None


def open_request(work, edition):
    """The request for ``work`` at ``edition`` still awaiting an answer or approved, if any."""
    return db.session.execute(db.select(RightsRequest).where(
        RightsRequest.work_id == work.id, RightsRequest.edition_id == edition.id,
        RightsRequest.state.in_((RequestState.REQUESTED, RequestState.APPROVED)))).scalars().first()


def create_request(actor, festival, edition, work, use, message=""):
    """A festival asks for ``work`` for ``edition``.

    :raise ActionRefused: not a programmer of the festival (403), an edition that is over, an
        unknown use, an open request already, or terms that do not cover it.
    """
    if not programs(actor, festival.id) or edition.festival_id != festival.id:
        raise ActionRefused(_l("Only the festival's programmers may request works for its editions."), status=403)
    if use not in USES:
        raise ActionRefused(_l("Choose screening or exhibition."), field="use")
    if edition.ends_on < date.today():
        raise ActionRefused(_l("This edition is over."), field="edition")
    if open_request(work, edition) is not None:
        raise ActionRefused(_l("This work is already requested for this edition."), field="edition")
    problem = terms_problem(terms_of(work), festival, edition, use)
    if problem is not None:
        raise ActionRefused(problem, field="edition")
    request = RightsRequest(work_id=work.id, festival_id=festival.id, edition_id=edition.id,
                            requested_by_id=actor.id, use=use, message=(message or "").strip()[:MAX_MESSAGE])
    db.session.add(request)
    db.session.flush()
    add_event(request, actor, "requested", request.message)
    record("festival.requested", actor, request, work_id=work.id, festival_id=festival.id, edition_id=edition.id)
    owner = work.owner
    queue_email(owner.email, "festival_request", _l("“%(festival)s” asks to show “%(work)s”",
                                                     festival=festival.name, work=work.title),
                user=owner, request=request, work=work, festival=festival, edition=edition, link=request_link(request))
    return request


def _approved_assets(work):
    """The ids of the files approved with a request: the current, processed versions.

    :raise ActionRefused: a current file failed or is still processing, or none is ready.
    """
    current = work.current_assets
    if any(a.state == AssetState.FAILED for a in current):
        raise ActionRefused(_l("A file of this work failed processing: fix or replace it before approving."))
    if any(a.state != AssetState.READY for a in current):
        raise ActionRefused(_l("A file of this work is still being processed: approve once it is ready."))
    if not current:
        raise ActionRefused(_l("This work has no file to deliver."))
    return [a.id for a in current]


def decide(actor, request, approve, message=""):
    """The artist (or a coordinator on their behalf, when the terms already allow it) approves or
    declines. Approving opens the delivery: a package is prepared.

    :raise ActionRefused: the request was already answered or withdrawn (409), the actor may not
        answer (403), the terms do not cover it, or a file is not ready.
    """
    if request.state != RequestState.REQUESTED:
        raise ActionRefused(_l("This request has already been answered."), status=409)
    is_artist = request.work.owner_id == actor.id
    if not is_artist:
        if not coordinates_artist(actor, request.work):
            raise ActionRefused(_l("Only the artist or a coordinator of their city may answer."), status=403)
        terms = terms_of(request.work)
        if approve and (terms is None or terms_problem(terms, request.festival, request.edition, request.use)):
            raise ActionRefused(_l("A coordinator may approve on the artist's behalf only when the artist's "
                                   "terms already allow it."), status=403)
    message = (message or "").strip()[:MAX_MESSAGE]
    if approve:
        request.asset_ids = _approved_assets(request.work)
    request.state = RequestState.APPROVED if approve else RequestState.DECLINED
    request.decided_by_id, request.decided_at, request.decision_message = actor.id, utcnow(), message
    db.session.flush()
    add_event(request, actor, request.state, message)
    record(f"festival.request_{request.state}", actor, request, on_behalf=not is_artist)
    tell_festival(request, "festival_decided",
                   _l("Your request for “%(work)s”: %(answer)s", work=request.work.title,
                      answer=STATE_LABELS[request.state]))
    if approve:
        start_package(request)
        signals.festival_request_approved.send(request, actor=actor)
    return request


def start_package(request):
    """Create the package of an approved request and queue its preparation (after the commit)."""
    from datetime import date

    from residency.core.jobs import enqueue_after_commit
    from residency.festivals.tasks import prepare_package

    package = Package(request=request, profile=dict(request.festival.delivery_profile or {}), bagged_on=date.today())
    db.session.add(package)
    db.session.flush()
    burning = (package.profile or {}).get("subtitles") == "burnt"  # a transcode: the CPU workers' queue
    enqueue_after_commit(prepare_package, package.id, queue="cpu" if burning else "io")
    return package


def withdraw(actor, request):
    """The festival withdraws its request (also an approved one: its package is no longer served)."""
    if not programs(actor, request.festival_id):
        raise ActionRefused(_l("Only the festival's programmers may withdraw its requests."), status=403)
    if request.state not in (RequestState.REQUESTED, RequestState.APPROVED):
        raise ActionRefused(_l("This request is no longer open."), status=409)
    request.state = RequestState.WITHDRAWN
    db.session.flush()
    add_event(request, actor, "withdrawn")
    record("festival.request_withdrawn", actor, request)
    owner = request.work.owner
    queue_email(owner.email, "festival_withdrawn", _l("“%(festival)s” withdrew its request for “%(work)s”",
                                                       festival=request.festival.name, work=request.work.title),
                user=owner, request=request, link=request_link(request))
    return request


def requests_for_festival(festival):
    return db.session.execute(db.select(RightsRequest).where(RightsRequest.festival_id == festival.id)
                              .order_by(RightsRequest.created_at.desc(), RightsRequest.id.desc())).scalars().all()


def requests_for_artist(user):
    from residency.media.models import Work

    return db.session.execute(db.select(RightsRequest).join(Work, Work.id == RightsRequest.work_id)
                              .where(Work.owner_id == user.id)
                              .order_by(RightsRequest.created_at.desc(), RightsRequest.id.desc())).scalars().all()


def replaced_since_approval(request):
    """The approved files that have been replaced by a newer version since (the package keeps the
    approved ones; the festival asks again to get the new versions)."""
    from residency.media.models import MediaAsset

    if not request.asset_ids:
        return []
    return db.session.execute(db.select(MediaAsset).where(MediaAsset.id.in_(request.asset_ids),
                                                          MediaAsset.superseded_by_id.is_not(None))).scalars().all()
