"""Webhook pages: the endpoints a coordinator (or programmer) manages, their deliveries, replays."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from residency.accounts.scopes import scope_object
from residency.cities.models import City
from residency.core.errors import ActionRefused
from residency.core.forms import show_refusal
from residency.core.permissions import can, is_network_admin, require
from residency.extensions import db, limiter
from residency.integrations import webhooks
from residency.integrations.blueprint import bp
from residency.integrations.forms import ConfirmForm, EndpointForm
from residency.integrations.models import WebhookDelivery, WebhookEndpoint
from residency.integrations.policies import manages_scope

DELIVERIES_SHOWN = 50


def scope_choices(user):
    """``[(value "type:id", label)]`` of the scopes ``user`` may register endpoints for."""
    choices = []
    everything = is_network_admin(user) or manages_scope(user, "network", 0)
    if everything:
        choices.append(("network:0", str(_l("The whole network"))))
    for city in db.session.execute(db.select(City).order_by(City.name)).scalars():
        if everything or manages_scope(user, "city", city.id):
            choices.append((f"city:{city.id}", city.name))
    for grant in user.grants:
        if grant.role == "festival_programmer" and grant.scope_type == "festival":
            festival = scope_object("festival", grant.scope_id)
            if festival is not None:
                choices.append((f"festival:{grant.scope_id}", getattr(festival, "name", f"#{grant.scope_id}")))
    return choices


def scope_label(endpoint, labels):
    return labels.get(f"{endpoint.scope_type}:{endpoint.scope_id}", f"{endpoint.scope_type} {endpoint.scope_id}")


def _managed_endpoints(user, choices):
    keys = {value for value, _label in choices}
    found = db.session.execute(db.select(WebhookEndpoint).order_by(WebhookEndpoint.id)).scalars()
    return [endpoint for endpoint in found if f"{endpoint.scope_type}:{endpoint.scope_id}" in keys]


def _endpoint(endpoint_id):
    """:raise 404: no such endpoint, or one the user does not manage (the same answer)."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or not can(current_user, "integrations.webhook", endpoint):
        abort(404)
    return endpoint


@bp.route("/integrations/webhooks", methods=["GET", "POST"])
@login_required
@limiter.limit("30 per hour", methods=["POST"], key_func=lambda: f"webhooks:{current_user.id}")
def webhooks_page():
    """The endpoints the user manages and the form registering one (its secret shown once)."""
    require("integrations.webhooks")
    user = current_user._get_current_object()
    choices = scope_choices(user)
    form = EndpointForm()
    form.scope.choices = choices
    form.events.choices = [(name, str(label)) for name, label in webhooks.EVENTS.items()]
    created, status = None, 200
    if form.validate_on_submit():
        kind, _sep, ident = form.scope.data.partition(":")
        try:
            created = webhooks.register_endpoint(user, kind, int(ident), form.url.data, form.events.data,
                                                 form.description.data)
            db.session.commit()
            status = 201
        except ActionRefused as refused:
            db.session.rollback()
            show_refusal(form, refused)
            status = 400
    elif form.errors:
        status = 400
    labels = dict(choices)
    response = render_template("integrations/webhooks.html", form=form, created=created, labels=labels,
                               endpoints=_managed_endpoints(user, choices), scope_label=scope_label,
                               events=webhooks.EVENTS)
    return response, status, {"Cache-Control": "no-store"}


@bp.route("/integrations/webhooks/<int:endpoint_id>")
@login_required
def webhook(endpoint_id):
    """One endpoint: its events and its latest deliveries with their responses."""
    endpoint = _endpoint(endpoint_id)
    deliveries = endpoint.deliveries.limit(DELIVERIES_SHOWN).all()
    return render_template("integrations/webhook.html", endpoint=endpoint, deliveries=deliveries, confirm=ConfirmForm(),
                           events=webhooks.EVENTS, labels=dict(scope_choices(current_user)), scope_label=scope_label)


@bp.route("/integrations/webhooks/<int:endpoint_id>/delete", methods=["POST"])
@login_required
def delete_webhook(endpoint_id):
    endpoint = _endpoint(endpoint_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    webhooks.delete_endpoint(current_user._get_current_object(), endpoint)
    db.session.commit()
    flash(_("The endpoint is deleted: it gets no more events."), "success")
    return redirect(url_for("integrations.webhooks_page"))


@bp.route("/integrations/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/replay", methods=["POST"])
@login_required
@limiter.limit("60 per hour", key_func=lambda: f"webhook-replays:{current_user.id}")
def replay_delivery(endpoint_id, delivery_id):
    """Send a delivery's event again, as a new delivery. :raise 404: not this endpoint's delivery."""
    endpoint = _endpoint(endpoint_id)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    webhooks.replay(current_user._get_current_object(), delivery)
    db.session.commit()
    flash(_("The event is queued to be sent again."), "success")
    return redirect(url_for("integrations.webhook", endpoint_id=endpoint.id))
