"""Festivals: the partner festivals of the cities, the catalogue offered to their programmers,
distribution rights, verified delivery packages (BagIt bags served as resumable ZIPs), the
download log, screenings and the network's report."""

import os


def init_app(app):
    """The festivals' pages, rules, tasks, the ``festival`` scope of roles, and their hooks."""
    from flask_babel import lazy_gettext as _l

    from residency.accounts.links import AccountLink
    from residency.core.hooks import provide
    from residency.core.templating import NavItem
    from residency.core.workers import register_tasks
    from residency.extensions import db
    from residency.festivals import policies  # noqa: F401  (declares the rules)
    from residency.festivals import catalogue_views, festival_views, report_views, rights_views  # noqa: F401
    from residency.festivals import demo, packages
    from residency.festivals.blueprint import bp
    from residency.festivals.models import Festival

    app.config.setdefault("FESTIVAL_LINK_SECONDS", int(os.environ.get("FESTIVAL_LINK_SECONDS", 48 * 3600)))
    app.config.setdefault("FESTIVAL_ASSEMBLE_ON_S3",
                          os.environ.get("FESTIVAL_ASSEMBLE_ON_S3", "1").lower() not in ("0", "false", "no"))
    app.register_blueprint(bp)
    from residency.festivals import api; api.register(app)  # noqa: E702  (the festivals' part of the JSON API)
    register_tasks(app, "residency.festivals.tasks",
                   routes={"festivals.*": {"queue": "io"}},
                   beat={"festivals-prepare-pending": {"task": "festivals.prepare_pending", "schedule": 600.0}})
    provide(app, "role_scopes", {"festival": lambda festival_id: db.session.get(Festival, festival_id)})
    provide(app, "media_asset_references", packages.referenced_assets)
    provide(app, "nav", NavItem("festivals.catalogue_index", _l("Catalogue"), order=45, audience="member",
                                current="festivals.catalogue", permission="catalogue.browse"))
    provide(app, "nav", NavItem("festivals.index", _l("Festivals"), order=46, audience="member",
                                current="festivals.", permission="catalogue.browse"))
    provide(app, "account_links", AccountLink(_l("Festivals"), "festivals.mine",
                                              _l("Your works at festivals: requests, downloads, screenings")))
    provide(app, "demo", demo.load_demo_festivals)
