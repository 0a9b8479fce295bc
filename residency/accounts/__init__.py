"""Accounts: registration, login, e-mail verification, passwords and roles held in a scope."""

from flask_babel import lazy_gettext as _l


def init_app(app):
    """Login sessions, the account pages (with "Your data": download, delete), roles' rules, the token purge, ``create-admin``, the
    demo accounts, the menu's account entries, and the sockets' tie to login sessions."""
    from residency.accounts import cli, data_views, demo, personal_data, policies, sessions, sockets, views  # noqa: F401  (policies declare rules, data_views routes)
    from residency.accounts.links import AccountLink
    from residency.core import cli as core_cli
    from residency.core.hooks import provide
    from residency.core.templating import NavItem
    from residency.core.workers import register_tasks

    sessions.init_app(app)
    app.register_blueprint(views.bp)
    register_tasks(app, "residency.accounts.tasks", beat={
        "purge-expired-tokens": {"task": "accounts.purge_expired_tokens", "schedule": 3600.0},
    })
    core_cli.add_command(app, cli.create_admin_command)
    provide(app, "demo", demo.load_demo_accounts)
    provide(app, "socket_connect", sockets.join_login_room)
    provide(app, "socket_session_valid", sockets.login_still_valid)
    provide(app, "personal_data", personal_data.PART)
    provide(app, "account_links", AccountLink(
        _l("Your data"), "accounts.data", _l("Download your data, or delete your account"),
    ))
    for item in (
        NavItem("accounts.account", _l("My account"), order=80, audience="member"),
        NavItem("accounts.logout", _l("Log out"), order=90, audience="member", post=True),
        NavItem("accounts.login", _l("Log in"), order=80, audience="guest"),
        NavItem("accounts.register", _l("Create an account"), order=90, audience="guest"),
    ):
        provide(app, "nav", item)
