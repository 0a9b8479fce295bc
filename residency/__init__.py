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
    register_core(app)
    register_features(app)
    register_security(app)
    return app


def configure_logging(app):
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.basicConfig(
        level=app.config["LOG_LEVEL"],
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def register_extensions(app):
    from residency import extensions as ext
    from residency.core import database, i18n, sockets, workers

    database.init_app(app)
    import residency.models  # noqa: F401  (the whole schema, for Alembic: the composition root)

    ext.migrate.init_app(app, ext.db, directory=str(ROOT / "migrations"), compare_type=True, render_as_batch=True)
    ext.csrf.init_app(app)
    i18n.init_app(app)
    ext.limiter.init_app(app)
    workers.init_app(app)
    sockets.init_app(app)


def register_core(app):
    """Core's own pages and mechanisms: home, language, health, errors, templates, CLI."""
    from residency.core import cli, errors, ids, permissions, templating, views

    ids.init_app(app)
    app.register_blueprint(views.bp)
    errors.init_app(app)
    permissions.init_app(app)
    templating.init_app(app)
    cli.init_app(app)


def register_features(app):
    """Every feature in :data:`residency.features.FEATURES`, bottom to top."""
    from residency.features import init_features

    init_features(app)


def register_security(app):
    """Headers last: the Content-Security-Policy takes the origins the features declared."""
    from residency.core import security

    security.init_app(app)
