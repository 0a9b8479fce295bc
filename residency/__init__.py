"""City to City Residency: the Flask application factory."""

import logging
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None):
    """Build the application. ``config`` is a config object; the default reads the environment.

    Reads top to bottom like a table of contents. It runs no migration, asks nothing and opens
    no network connection.
    """
    from config import Config

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config if config is not None else Config())
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)

    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    register_socket_handlers(app)
    return app


def configure_logging(app):
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.basicConfig(
        level=app.config["LOG_LEVEL"],
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def register_extensions(app):
    from residency import extensions as ext
    from residency.core import database, i18n, permissions, security, workers as celery_setup
    from residency.accounts import sessions

    database.init_app(app)
    import residency.models  # noqa: F401  (the whole schema, for Alembic)

    ext.migrate.init_app(app, ext.db, directory=str(ROOT / "migrations"), compare_type=True, render_as_batch=True)
    sessions.init_app(app)
    ext.csrf.init_app(app)
    permissions.init_app(app)
    i18n.init_app(app)
    ext.limiter.init_app(app)
    security.init_app(app)
    celery_setup.init_app(app)
    socket_options = {}
    manager = celery_setup.socketio_client_manager(app)
    if manager is not None:  # the filesystem transport; with Redis Flask-SocketIO builds its own
        socket_options["client_manager"] = manager
    ext.socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        cors_allowed_origins=app.config["SOCKETIO_CORS_ORIGINS"] or None,
        manage_session=False,
        **socket_options,
    )


def register_blueprints(app):
    from residency.accounts.views import bp as accounts_bp
    from residency.admin.views import bp as admin_bp
    from residency.api import bp as api_bp
    from residency.applications.review import bp as review_bp
    import residency.applications.review_files  # noqa: F401  (registers its routes)
    from residency.applications.views import bp as applications_bp
    from residency.calls.views import bp as calls_bp
    from residency.cities.views import bp as cities_bp
    from residency.core.views import bp as core_bp
    from residency.media import api as _media_api, files as _media_files  # noqa: F401  (routes on media.bp)
    from residency.media.views import bp as media_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(cities_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(media_bp)
    app.register_blueprint(calls_bp)
    app.register_blueprint(applications_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(api_bp)


def register_errorhandlers(app):
    from residency.core import errors

    errors.init_app(app)


def register_template_helpers(app):
    from residency.core import templating

    templating.init_app(app)


def register_commands(app):
    from residency.core.cli import residency_cli

    app.cli.add_command(residency_cli)


def register_socket_handlers(app):
    # Importing the module registers its handlers on the shared SocketIO object.
    from residency.core import sockets  # noqa: F401
