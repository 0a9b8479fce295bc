"""The user's personal access tokens: list, create (the secret shown once), revoke."""

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from residency.api.auth import SCOPES, allowed_scopes
from residency.core.errors import ActionRefused
from residency.core.forms import show_refusal
from residency.core.permissions import can
from residency.extensions import db, limiter
from residency.integrations import tokens
from residency.integrations.blueprint import bp
from residency.integrations.forms import ConfirmForm, TokenForm
from residency.integrations.models import ApiToken

EXPIRY_LABELS = {7: _l("7 days"), 30: _l("30 days"), 90: _l("90 days"), 365: _l("1 year")}


def _form():
    form = TokenForm()
    user = current_user._get_current_object()
    form.scopes.choices = [(name, f"{name} — {scope.description}") for name, scope in SCOPES.items()
                           if name in allowed_scopes(user)]
    form.days.choices = [(days, EXPIRY_LABELS[days]) for days in tokens.EXPIRY_CHOICES]
    return form


def _page(form, created=None, raw=None, status=200):
    user = current_user._get_current_object()
    response = make_response(render_template(
        "integrations/tokens.html", form=form, tokens=tokens.tokens_of(user), created=created, raw=raw,
        confirm=ConfirmForm(), scopes=SCOPES, allowed=allowed_scopes(user)), status)
    response.headers["Cache-Control"] = "no-store"  # the secret, when shown, is not kept by the browser
    return response


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per hour", methods=["POST"], key_func=lambda: f"api-tokens:{current_user.id}")
def tokens_page():
    """The tokens, and the form creating one: its secret is shown on the answer, once."""
    form = _form()
    if not form.validate_on_submit():
        return _page(form, status=400 if form.errors else 200)
    try:
        token, raw = tokens.create_token(current_user._get_current_object(), form.name.data, form.scopes.data,
                                         form.days.data)
    except ActionRefused as refused:
        db.session.rollback()
        show_refusal(form, refused)
        return _page(form, status=400)
    db.session.commit()
    return _page(_form_blank(), created=token, raw=raw, status=201)


def _form_blank():
    form = _form()
    form.name.data, form.scopes.data = "", []
    return form


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    """Revoke one of the user's tokens. :raise 404: not theirs (as if it did not exist)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or not can(current_user, "integrations.token", token):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    tokens.revoke_token(current_user._get_current_object(), token)
    db.session.commit()
    flash(_("The token “%(name)s” is revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("integrations.tokens_page"))
