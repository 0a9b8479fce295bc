"""Home page, language switch and health.

The home page shows the sections the features provide through the ``home_sections`` hook: each
a template name and a callable returning its context, in feature order.
"""

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from residency.core.forms import safe_referrer
from residency.core.hooks import providers
from residency.core.health import health
from residency.core.i18n import LANG_COOKIE
from residency.extensions import csrf, db, limiter

bp = Blueprint("core", __name__)


@bp.route("/")
def home():
    sections = [(template, context()) for template, context in providers("home_sections")]
    return render_template("core/home.html", sections=sections)


@bp.route("/language", methods=["POST"])
def set_language():
    """Switch the interface language (a cookie; and the account setting when logged in)."""
    code = request.form.get("language", "")
    target = safe_referrer() or url_for("core.home")
    response = redirect(target)
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=current_app.config["HTTPS"], httponly=True)
        if current_user.is_authenticated and current_user.locale != code:
            current_user.locale = code
            db.session.commit()
    return response


@bp.route("/healthz")
@csrf.exempt
@limiter.exempt
def healthz():
    """200 with every part "ok", or 503 naming the part that failed."""
    report, ok = health()
    response = jsonify(report)
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response
