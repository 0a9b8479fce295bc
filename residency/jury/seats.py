"""How the jurors' pages find the round and the application in front of the viewer.

A juror reaches a round of a call whose panel they are active on, and in it only the applications
assigned to them (live, confirmed) with which they have no conflict of interest. Everything else
is answered 404, exactly as a missing id: a URL typed by hand tells nobody whether an application,
a round or a conflict exists.
"""

from flask import abort
from flask_login import current_user

from residency.applications import listing
from residency.core.permissions import can
from residency.extensions import db
from residency.jury import scoring
from residency.jury.access import Seat
from residency.jury.models import Round
from residency.jury.policies import active_member


def juror_round(round_id):
    """``(round, member)``: a round of a call the viewer sits on, and their membership.

    :raise 404: no such round, or the viewer is not an active member of its call's panel (an
        applicant, a coordinator, another call's juror).
    """
    round_ = db.session.get(Round, round_id)
    if round_ is None or not can(current_user, "jury.sit", round_.call):
        abort(404)
    member = active_member(current_user, round_.call)
    if member is None:
        abort(404)
    return round_, member


def juror_seat(round_id, application_id):
    """``(seat, application, version)``: an application assigned to the viewer in the round, with
    its last submitted version.

    :raise 404: as :func:`juror_round`; not assigned to the viewer in this round (or the
        assignment is removed or not confirmed); the viewer is conflicted with it; it is no longer
        a submitted application of the call.
    """
    round_, member = juror_round(round_id)
    assignment = scoring.live_assignment(member, round_.id, application_id)
    if assignment is None or scoring.is_conflicted(member, application_id):
        abort(404)
    application, version = listing.get_listed_application(round_.call, application_id)
    if application is None or version is None:
        abort(404)
    seat = Seat(member=member, round=round_, application_id=application_id, assignment=assignment,
                own_review=scoring.current_review(assignment.id))
    return seat, application, version


def chaired_round(round_id):
    """A round the viewer runs (its call's chair, coordinators, network admins).

    :raise 404: no such round, or one of a call whose jury the viewer has nothing to do with.
    :raise 403: a juror of the call who is not its chair.
    """
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        abort(404)
    if not can(current_user, "jury.chair", round_.call):
        abort(403 if can(current_user, "jury.sit", round_.call) else 404)
    return round_
