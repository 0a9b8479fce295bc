"""The juror's application page: the frozen application with its media, the score sheet, the
other jurors' sheets when the round allows, and the application's files under neutral names.

Thin views: :mod:`.seats` finds the seat (404 for anything not assigned to the viewer, or
conflicted), :mod:`.scoring` saves, :mod:`.blind` says what the juror may see of the applicant.
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from residency.audit.operations import record
from residency.calls.operations import localized
from residency.core.errors import ActionRefused, render_error
from residency.core.permissions import can
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury import blind, scoring
from residency.jury.blueprint import bp
from residency.jury.models import CommentVisibility
from residency.jury.seats import juror_seat
from residency.storage import get_storage

#: The derived products a juror's page shows, and which of them a browser may show in the page.
PRODUCTS = ("preview", "poster", "thumbnail", "audio_preview", "waveform", "webvtt")
INLINE_TYPES = {"video/mp4", "audio/mp4", "image/jpeg", "image/png", "text/vtt"}
CHANGED_FILE = _l("This file has been replaced or removed since the application was submitted: it is no longer "
                 "the file that was submitted.")


def _locale():
    return str(get_locale())


def criteria(call):
    """The rubric as the form shows it: each criterion's name, description, weight and scale."""
    locale = _locale()
    shown = []
    for criterion in call.rubric or []:
        name, name_lang = localized(criterion.get("name"), locale, call.main_language)
        description, description_lang = localized(criterion.get("description"), locale, call.main_language)
        shown.append({"id": criterion.get("id"), "name": name or criterion.get("id"), "name_lang": name_lang,
                      "description": description, "description_lang": description_lang,
                      "weight": criterion.get("weight", 1), "low": criterion.get("scale_min", 0),
                      "high": criterion.get("scale_max", 10)})
    return shown


def _others(seat):
    """The other jurors' current sheets, as ``[{"label", "review", "scores", "comments"}]``, or None
    when the round does not let this juror read them yet."""
    if not can(current_user, "jury.see_others_scores", seat):
        return None
    others = [review for review in scoring.current_reviews(seat.round.id, application_id=seat.application_id)
              if review.member_id != seat.member.id]
    shown = []
    for number, review in enumerate(others, start=1):
        comments = scoring.sheet_comments(review)
        shown.append({"label": _("Juror %(number)d", number=number), "review": review,
                      "scores": {score.criterion_id: score.value for score in review.scores},
                      "comments": [(visibility, comments[visibility]) for visibility in
                                   (CommentVisibility.PANEL, CommentVisibility.APPLICANT) if visibility in comments]})
    return shown


def _sheet_values(review):
    """``{criterion id: text}`` of a saved sheet, as the form shows it."""
    if review is None:
        return {}
    return {score.criterion_id: f"{score.value:g}" for score in review.scores}


def _page(seat, application, version, status=200, values=None, comments=None, errors=None, changed=None,
          abstain_reason=None, loaded_review_id=None):
    round_, call = seat.round, seat.round.call
    numbers = blind.label_numbers(round_)
    number = numbers.get(application.id, 0)
    view = blind.applicant_view(round_, application, version, number, _locale())
    own = seat.own_review
    if values is None:
        values = _sheet_values(own)
        comments = scoring.sheet_comments(own)
        abstain_reason = own.abstain_reason if own is not None and own.abstained else ""
    progress = scoring.member_progress(seat.member, round_.id)
    captions = [item for item in view.files if item.kind == "subtitle" and item.product("webvtt")]
    return render_template(
        "jury/score.html", call=call, round=round_, seat=seat, application=application, version=version,
        view=view, criteria=criteria(call), values=values, comments=comments or {}, errors=errors or {},
        abstain_reason=abstain_reason or "", own=own, changed=changed,
        changed_values=_sheet_values(changed), changed_comments=scoring.sheet_comments(changed),
        loaded_review_id=loaded_review_id if loaded_review_id is not None else (own.id if own else ""),
        others=_others(seat), state=scoring.scoring_state(round_), progress=progress, captions=captions,
        visibilities=scoring.VISIBILITIES, now=utcnow(),
    ), status


@bp.route("/jury/rounds/<int:round_id>/applications/<int:application_id>")
@login_required
def score_page(round_id, application_id):
    """The application as submitted, its media, and the viewer's score sheet.

    :raise 404: not assigned to the viewer in this round, conflicted, or no such round or
        application (all answered alike).
    """
    seat, application, version = juror_seat(round_id, application_id)
    return _page(seat, application, version)


def _loaded_id(raw):
    """The sheet id the form was loaded with: None for "no sheet", -1 for anything unreadable
    (which then matches no sheet and is refused as a change made elsewhere)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else -1


@bp.route("/jury/rounds/<int:round_id>/applications/<int:application_id>", methods=["POST"])
@login_required
def save_scores(round_id, application_id):
    """Save the sheet (``action`` "save", or "next" to go on to the next unscored application),
    or abstain with a reason (``action`` "abstain")."""
    seat, application, version = juror_seat(round_id, application_id)
    form = request.form
    action = form.get("action") or "save"
    abstaining = action == "abstain"
    values = {} if abstaining else {key[len("score-"):]: value for key, value in form.items()
                                    if key.startswith("score-")}
    comments = {visibility: form.get(f"comment-{visibility}", "") for visibility in scoring.VISIBILITIES}
    reason = form.get("abstain_reason", "") if abstaining else None
    loaded = _loaded_id(form.get("loaded_review"))
    try:
        review = scoring.submit_review(seat.member, seat.assignment, values, abstain_reason=reason,
                                       comments=list(comments.items()), loaded_review_id=loaded, locale=_locale())
    except scoring.SheetChanged as refusal:
        db.session.rollback()
        current = refusal.current
        flash(str(refusal.message), "error")
        return _page(seat, application, version, 409, values=values, comments=comments, changed=current,
                     abstain_reason=reason, loaded_review_id=current.id if current is not None else "")
    except scoring.ScoresRefused as refusal:
        db.session.rollback()
        return _page(seat, application, version, refusal.status, values=values, comments=comments,
                     errors={key: str(message) for key, message in refusal.errors.items()}, abstain_reason=reason,
                     loaded_review_id=loaded if loaded is not None else "")
    except ActionRefused as refusal:
        db.session.rollback()
        if refusal.status == 404:
            abort(404)
        flash(str(refusal.message), "error")
        return _page(seat, application, version, refusal.status, values=values, comments=comments,
                     abstain_reason=reason, loaded_review_id=loaded if loaded is not None else "")
    db.session.commit()
    flash(_("You abstained on this application.") if review.abstained else _("Your scores are saved."), "success")
    if action != "next":
        return redirect(url_for("jury.score_page", round_id=round_id, application_id=application_id), 303)
    order = blind.ordered_ids(blind.label_numbers(seat.round))
    following = scoring.next_unscored(seat.member, round_id, order, application_id)
    if following is None:
        flash(_("Every application assigned to you in this round has a score sheet."), "success")
        return redirect(url_for("jury.round_applications", round_id=round_id), 303)
    return redirect(url_for("jury.score_page", round_id=round_id, application_id=following), 303)


@bp.route("/jury/rounds/<int:round_id>/applications/<int:application_id>/files/<int:asset_id>/<which>")
@login_required
def application_file(round_id, application_id, asset_id, which):
    """Redirect to a signed, expiring URL of a submitted file (``which`` "original", as an
    attachment, audited) or of one of its web products (preview, poster, thumbnail, audio
    preview, waveform, captions), under a neutral name: never the name it was uploaded with.

    :raise 404: as the application page; not a file of the submitted version; a product not made
        (yet); the file changed since it was submitted.
    """
    seat, application, version = juror_seat(round_id, application_id)
    if which != "original" and which not in PRODUCTS:
        abort(404)
    number = blind.label_numbers(seat.round).get(application.id, 0)
    item = next((f for f in blind.submitted_files(seat.round, application, version, number, _locale())
                 if f.asset_id == asset_id), None)
    if item is None:
        abort(404)
    if not item.intact:
        return render_error(404, CHANGED_FILE)
    expires = current_app.config["MEDIA_URL_SECONDS"]
    if which == "original":
        record("jury.file_downloaded", actor=current_user._get_current_object(), obj=application,
               round_id=seat.round.id, asset_id=asset_id, version=version.number, sha256=item.asset.sha256)
        db.session.commit()
        url = get_storage().download_url(item.asset.original_key, item.name, expires, inline=False,
                                         content_type="application/octet-stream")
    else:
        product = item.product(which)
        if product is None:
            abort(404)
        content_type = product.content_type or "application/octet-stream"
        inline = content_type in INLINE_TYPES
        name = blind.neutral_filename(number, item.question_id, item.index, product.key.rpartition(".")[2], which)
        url = get_storage().download_url(product.key, name, expires, inline=inline,
                                         content_type=content_type if inline else "application/octet-stream")
    response = redirect(url)
    response.headers["Cache-Control"] = "no-store"  # the signed URL must not outlive the check in a cache
    return response
