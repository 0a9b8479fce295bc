"""Juries: a call's panel, rounds, conflicts of interest, bids, balanced assignment and scoring."""


def init_app(app):
    """The jury's pages and rules."""
    from residency.jury import policies  # noqa: F401  (declares the rules)
    from residency.jury.blueprint import bp

    # Scoring, blind review, the juror's dashboard, the chair's progress, reminders (area D).
    from flask_babel import lazy_gettext as _l

    from residency.core.hooks import provide
    from residency.core.templating import NavItem
    from residency.core.workers import register_tasks
    from residency.jury import blind_views, dashboard_views, scoring_views  # noqa: F401  (routes on bp)
    # Conflicts of interest and bids (area B).
    from residency.jury import bid_views, conflict_views  # noqa: F401  (routes on bp)
    # Panels, invitations, rounds and the jury's settings (area A).
    from residency.jury import demo, panel_views, round_views  # noqa: F401  (routes on bp)
    from residency.jury import personal_data  # a juror's part of their personal data
    # Assignment (area C): a late conflict or a juror leaving re-solves their pairs.
    from residency.jury import assignment_changes, assignment_views  # noqa: F401  (routes on bp)
    from residency.jury import conflicts, tabs  # noqa: F401  (tabs: the jury_tabs template global, on bp)

    # Juries II: ranking, deliberation, decisions, the hash-chained record, exports.
    from residency.core.cli import add_command
    from residency.jury import deliberation_views, discussion_views, ledger  # noqa: F401  (routes on bp)
    from residency.jury.cli import verify_jury_command

    ledger.guard()  # decisions and ledger records are append-only
    add_command(app, verify_jury_command)
    assignment_changes.connect_signals()
    conflicts.connect_signals()  # a round entering scoring refreshes the automatic conflicts
    app.register_blueprint(bp)
    from residency.jury import api; api.register(app)  # noqa: E702  (the jury's part of the JSON API)
    register_tasks(app, "residency.jury.tasks",
                   beat={"jury-reminders": {"task": "jury.send_reminders", "schedule": 3600.0}})
    provide(app, "nav", NavItem("jury.dashboard", _l("Jury"), order=35, audience="member", current="jury.dashboard",
                                permission="jury.dashboard"))
    register_tasks(app, "residency.jury.round_tasks",
                   beat={"jury-rounds-tick": {"task": "jury.rounds_tick", "schedule": 60.0}})
    provide(app, "demo", demo.load_demo_jury)
    provide(app, "personal_data", personal_data.PART)
    from residency.jury.demo_decisions import load_demo_decisions

    provide(app, "demo", load_demo_decisions)  # last year's call: closed round, ranking, published decisions
    provide(app, "call_manage_links", NavItem("jury.panel", _l("Jury"), order=10, permission="jury.manage"))
