"""Open calls: written by coordinators, with their form, rubric and timeline; public pages and feeds."""

from flask_babel import lazy_gettext as _l


def init_app(app):
    """Calls' public pages, feeds and editor, their rules, the clock that opens and closes them,
    the ``call`` scope of jurors' roles, the demo calls and the menu entry."""
    from residency.calls import (  # noqa: F401  (routes on the blueprint, rules)
        demo, editor_details, editor_form, editor_rubric, editor_timeline, policies, public, views,
    )
    from residency import api
    from residency.calls import api as calls_api
    from residency.calls.blueprint import bp
    from residency.calls.models import Call
    from residency.core.hooks import provide
    from residency.core.templating import NavItem
    from residency.core.workers import register_tasks
    from residency.extensions import db

    app.register_blueprint(bp)
    api.register(app, calls_api.bp)
    register_tasks(app, "residency.calls.tasks", beat={"calls-tick": {"task": "calls.tick", "schedule": 30.0}})
    provide(app, "role_scopes", {"call": lambda call_id: db.session.get(Call, call_id)})
    provide(app, "demo", demo.load_demo_calls_and_jury)
    provide(app, "nav", NavItem("calls.index", _l("Calls"), order=10, current="calls."))
