"""Integrations: personal access tokens for the JSON API, and webhooks telling other systems
what happened."""

from flask_babel import lazy_gettext as _l


def init_app(app):
    """The token and webhook pages, their rules, the API's token check, the webhook events and
    deliveries (Celery, with a sweeper), the account page's link and the demo token."""
    import os

    from residency.accounts.links import AccountLink
    from residency.core.hooks import provide
    from residency.core.templating import NavItem
    from residency.core.workers import register_tasks
    from residency.integrations import demo, events, policies, token_views, tokens, webhook_views  # noqa: F401
    from residency.integrations.blueprint import bp

    app.config.setdefault("WEBHOOKS_MAX_ATTEMPTS", int(os.environ.get("WEBHOOKS_MAX_ATTEMPTS", "6")))
    app.config.setdefault("WEBHOOKS_ALLOW_HTTP", os.environ.get("WEBHOOKS_ALLOW_HTTP", "") in ("1", "true", "yes"))
    app.config.setdefault("WEBHOOKS_ALLOW_PRIVATE", os.environ.get("WEBHOOKS_ALLOW_PRIVATE", "") in ("1", "true", "yes"))
    app.register_blueprint(bp)
    register_tasks(app, "residency.integrations.tasks", beat={
        "webhooks-requeue-stale": {"task": "integrations.requeue_stale", "schedule": 3600.0},
    })
    register_tasks(app, "residency.integrations.fanout")
    events.connect()
    provide(app, "api_token_loaders", tokens.load_token)
    provide(app, "account_links", AccountLink(_l("API"), "integrations.tokens_page", _l("Personal access tokens")))
    provide(app, "nav", NavItem("integrations.webhooks_page", _l("Webhooks"), order=70, audience="member",
                                current="integrations.webhook", permission="integrations.webhooks"))
    provide(app, "demo", demo.load_demo_integrations)
