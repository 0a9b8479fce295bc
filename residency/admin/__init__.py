"""Admin pages of the network: users and their roles, the audit log, the system's health."""

from flask_babel import lazy_gettext as _l


def init_app(app):
    """The admin pages and their menu entry (for those allowed ``admin.access``)."""
    from residency.admin import audit_views, views  # noqa: F401  (audit_views: routes on views.bp)
    from residency.core.hooks import provide
    from residency.core.templating import NavItem

    from residency.admin.backup_commands import backup_command, restore_command
    from residency.core.cli import add_command

    app.register_blueprint(views.bp)
    add_command(app, backup_command)
    add_command(app, restore_command)
    provide(app, "nav", NavItem("admin.index", _l("Admin"), order=70, audience="member",
                                current="admin.", permission="admin.access"))
