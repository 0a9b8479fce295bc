"""Account pages: thin views that parse a form, call an operation, commit, render or redirect."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from residency.accounts import forms, login_links, operations, throttle
from residency.accounts.sessions import current_login_session_id, end_current_session, start_session
from residency.core.errors import ActionRefused
from residency.core.forms import show_refusal
from residency.core.permissions import require
from residency.extensions import db, limiter

bp = Blueprint("accounts", __name__)


def _limit(name):
    return lambda: current_app.config[name]


def _email_key():
    return "email:" + (request.form.get("email") or "").strip().lower()


def _safe_next(target):
    """Only same-site relative paths are followed after login (no open redirect)."""
    if not target:
        return None
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return None  # browsers read a backslash as a slash and drop tabs: "//host" again
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_REGISTER"), methods=["POST"])
def register():
    """Create an account; the verification e-mail is sent after commit."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = forms.RegisterForm()
    form.fill_choices()
    if request.method == "GET":
        form.locale.data = form.locale.data or request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "en"
        form.timezone.data = form.timezone.data or request.cookies.get("tz") or "UTC"
    if form.validate_on_submit():
        try:
            user = operations.register_user(
                email=form.email.data,
                password=form.password.data,
                display_name=form.display_name.data,
                city_id=form.city.data or None,
                locale=form.locale.data,
                timezone=form.timezone.data,
                pronouns=form.pronouns.data,
            )
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
        else:
            start_session(user)
            db.session.commit()
            flash(_("Welcome! We sent a link to %(email)s: open it to confirm your address.", email=user.email), "success")
            return redirect(_safe_next(request.args.get("next")) or url_for("accounts.account"))
    return render_template("accounts/register.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_LOGIN"), methods=["POST"])
def login():
    """Log in with a password. Failures slow the e-mail address down (``accounts.throttle``):
    while a delay runs the password is not checked and the answer is 429 "please wait"."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = forms.LoginForm()
    if form.validate_on_submit():
        attempt = throttle.begin_attempt(form.email.data, request.cookies.get(throttle.DEVICE_COOKIE))
        if attempt.wait_seconds:
            db.session.commit()  # keep the audit entry
            flash(_wait_message(attempt.wait_seconds), "error")
            return render_template("accounts/login.html", form=form), 429, {"Retry-After": str(attempt.wait_seconds)}
        user = operations.authenticate(form.email.data, form.password.data)
        if user is None:
            attempt.failed()
            db.session.commit()  # keep the audit entry of the failed attempt
            flash(_("The e-mail address or password is not correct."), "error")
        else:
            attempt.succeeded()
            start_session(user)
            db.session.commit()
            response = redirect(_safe_next(request.args.get("next")) or url_for("core.home"))
            return throttle.remember_device(response, user)
    return render_template("accounts/login.html", form=form), 400 if request.method == "POST" else 200


def _wait_message(seconds):
    if seconds < 120:
        wait = ngettext("Please wait %(num)d second before trying again.", "Please wait %(num)d seconds before trying again.", seconds)
    else:
        minutes = -(-seconds // 60)
        wait = ngettext("Please wait %(num)d minute before trying again.", "Please wait %(num)d minutes before trying again.", minutes)
    return " ".join((_("There were too many failed attempts to log in with this e-mail address."), wait,
                     _("Or log in with a link sent by e-mail: it always works.")))


@bp.route("/login/link", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_LOGIN_LINK"), methods=["POST"])
@limiter.limit(_limit("RATELIMIT_LOGIN_LINK"), methods=["POST"], key_func=_email_key)
def request_login_link():
    """E-mail a one-time sign-in link. Always answers the same, so nobody learns which addresses
    have accounts."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = forms.LoginLinkForm()
    if form.validate_on_submit():
        login_links.request_login_link(form.email.data)
        db.session.commit()
        flash(_("If an account uses %(email)s, we sent it a link to log in. It works once, for %(minutes)d minutes.",
                email=form.email.data, minutes=current_app.config["LOGIN_LINK_MINUTES"]), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/login_link.html", form=form), 400 if form.errors else 200


@bp.route("/login/link/<token>", methods=["GET", "POST"])
def login_with_link(token):
    """Show a button (mail scanners follow links), then log in on POST with a new login session."""
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            user = login_links.log_in_with_link(token)
        except ActionRefused as refusal:
            db.session.rollback()
            flash(str(refusal.message), "error")
            return render_template("accounts/login_link_open.html", form=None), 400
        if current_user.is_authenticated:
            end_current_session()  # its sockets are cut once this commits
        start_session(user)
        db.session.commit()
        return throttle.remember_device(redirect(url_for("core.home")), user)
    return render_template("accounts/login_link_open.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """End this browser's login session on the server (POST only, with CSRF)."""
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        operations.record_logout(user)
        end_current_session()
        db.session.commit()
    flash(_("You are logged out."), "success")
    return redirect(url_for("core.home"))


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify_email(token):
    """Show a button (mail scanners follow links), then confirm the address on POST."""
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            operations.verify_email(token)
        except ActionRefused as refusal:
            db.session.rollback()
            flash(str(refusal.message), "error")
            return render_template("accounts/verify.html", form=None), 400
        db.session.commit()
        flash(_("Thank you: your e-mail address is confirmed."), "success")
        return redirect(url_for("accounts.account") if current_user.is_authenticated else url_for("accounts.login"))
    return render_template("accounts/verify.html", form=form)


@bp.route("/verify/resend", methods=["POST"])
@login_required
@limiter.limit(_limit("RATELIMIT_RESET"))
def resend_verification():
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not current_user.email_verified:
        operations.send_verification(current_user)
        db.session.commit()
    flash(_("We sent a new confirmation link to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_RESET"), methods=["POST"])
def forgot_password():
    """Always answers the same, so nobody learns which addresses have accounts."""
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        operations.request_password_reset(form.email.data)
        db.session.commit()
        flash(_("If an account uses %(email)s, we sent it a link to choose a new password. It works once, for %(minutes)d minutes.",
                email=form.email.data, minutes=current_app.config["RESET_TOKEN_MINUTES"]), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form), 400 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_RESET"), methods=["POST"])
def reset_password(token):
    try:
        operations.check_reset_token(token)
    except ActionRefused as refusal:
        flash(str(refusal.message), "error")
        return render_template("accounts/reset.html", form=None), 400
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        try:
            operations.reset_password(token, form.password.data)
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
        else:
            if current_user.is_authenticated:
                end_current_session()
            db.session.commit()
            flash(_("Your password is changed. Log in with it now."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form), 400 if form.errors else 200


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The user's own profile and settings."""
    user = current_user._get_current_object()
    require("user.edit", user)
    form = forms.ProfileForm(obj=None if request.method == "POST" else user)
    form.fill_choices()
    if request.method == "GET":
        form.city.data = user.city_id or 0
    if form.validate_on_submit():
        operations.update_profile(
            user, form.display_name.data, form.pronouns.data, form.city.data or None, form.locale.data, form.timezone.data
        )
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form, user=user, confirm=forms.ConfirmForm()), 400 if form.errors else 200


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    user = current_user._get_current_object()
    require("user.edit", user)
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        try:
            operations.change_password(user, form.current_password.data, form.new_password.data, current_login_session_id())
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
        else:
            db.session.commit()
            flash(_("Your password is changed. You were logged out everywhere else."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/change_password.html", form=form), 400 if form.errors else 200


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
@limiter.limit(_limit("RATELIMIT_RESET"), methods=["POST"])
def change_email():
    user = current_user._get_current_object()
    require("user.edit", user)
    form = forms.ChangeEmailForm()
    if form.validate_on_submit():
        try:
            operations.request_email_change(user, form.password.data, form.new_email.data)
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
        else:
            db.session.commit()
            flash(_("We sent a link to %(email)s. Your address changes when you open it.", email=form.new_email.data), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/change_email.html", form=form), 400 if form.errors else 200


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email_change(token):
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            operations.confirm_email_change(token)
        except ActionRefused as refusal:
            db.session.rollback()
            flash(str(refusal.message), "error")
            return render_template("accounts/confirm_email.html", form=None), 400
        db.session.commit()
        flash(_("Your e-mail address is changed."), "success")
        return redirect(url_for("accounts.account") if current_user.is_authenticated else url_for("accounts.login"))
    return render_template("accounts/confirm_email.html", form=form)
