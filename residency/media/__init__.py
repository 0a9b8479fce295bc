"""Media: works, uploads, storage of files and their processing."""

from flask_babel import lazy_gettext as _l


def init_app(app):
    """Works' pages, the upload API and file routes, the processing tasks on their queues, the
    sweeper, the media commands, the demo work and the menu entry."""
    from residency.core import cli as core_cli
    from residency.core.hooks import provide
    from residency.core.templating import NavItem
    from residency.core.workers import register_tasks
    from residency.media import api, cli, demo, files, personal_data, policies, views  # noqa: F401  (routes on the blueprint, rules)
    from residency.media.blueprint import bp

    app.register_blueprint(bp)
    register_tasks(
        app, "residency.media.tasks",
        routes={"media.ingest": {"queue": "io"}, "media.sweep": {"queue": "io"}, "media.purge_replaced": {"queue": "io"},
                "media.*": {"queue": "cpu"}},
        beat={"media-sweep": {"task": "media.sweep", "schedule": 60.0},
              "media-purge-replaced": {"task": "media.purge_replaced", "schedule": 3600.0}},
    )
    for command in cli.COMMANDS:
        core_cli.add_command(app, command)
    provide(app, "demo", demo.load_demo_media)
    provide(app, "personal_data", personal_data.PART)
    provide(app, "nav", NavItem("media.works", _l("My works"), order=40, audience="member", current="media."))
