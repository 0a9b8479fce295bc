"""Residencies: cohorts of artists, mentors and coordinators, their programme, sessions shown in
each participant's timezone, calendar feeds and notices of changes."""


def init_app(app):
    """The residencies' rules, pages, menu entry, demo data and share of personal data."""
    from residency.core.hooks import provide
    from residency.core.templating import NavItem
    from residency.residencies import policies  # noqa: F401  (declares the rules)
    from residency.residencies import demo, personal_data
    from residency.residencies import calendar_views, people_views, residency_views  # noqa: F401  (routes on bp)
    from residency.residencies import selection_views, session_views, templating  # noqa: F401  (routes on bp)
    from residency.residencies.blueprint import bp
    from residency.residencies.nav import ResidenciesLabel

    app.register_blueprint(bp)
    provide(app, "nav", NavItem("residencies.index", ResidenciesLabel(), order=38, audience="member",
                                current="residencies.", permission="residencies.list"))
    provide(app, "demo", demo.load_demo_residency)
    provide(app, "personal_data", personal_data.PART)
