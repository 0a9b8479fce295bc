"""Applications: artists' profiles, drafts, submitted versions, co-applicants; coordinators' view."""

from flask_babel import lazy_gettext as _l


def init_app(app):
    """The artists' and the coordinators' pages, their rules, the demo applications, the menu
    entry, what calls ask of applications (who applied, which questions were answered), their part of
    a user's personal data and the daily retention task."""
    from residency.applications import (  # noqa: F401  (routes on the blueprints, rules, upload slot)
        asset_references, demo, file_views, hooks, member_views, personal_data, policies, profile_views, review, review_files,
        uploads, views,
    )
    from residency import api
    from residency.applications import api as applications_api
    from residency.applications.blueprint import bp, review_bp
    from residency.core.hooks import provide
    from residency.accounts.links import AccountLink
    from residency.core.templating import NavItem
    from residency.core.workers import register_tasks

    app.register_blueprint(bp)
    app.register_blueprint(review_bp)
    api.register(app, applications_api.bp)
    provide(app, "call_applicants", hooks.applicant_ids)
    provide(app, "call_answered_questions", hooks.answered_question_ids)
    provide(app, "media_asset_references", asset_references.referenced_asset_ids)
    provide(app, "demo", demo.load_demo_applications)
    provide(app, "personal_data", personal_data.PART)
    register_tasks(app, "residency.applications.tasks", routes={"applications.*": {"queue": "io"}}, beat={
        "applications-retention": {"task": "applications.purge_expired", "schedule": 86400.0},
    })
    provide(app, "nav", NavItem("applications.mine", _l("My applications"), order=30, audience="member"))
    provide(app, "account_links", AccountLink(
        _l("Artist profile"), "applications.profile", _l("Bio, links and portfolio used in your applications"),
    ))
