"""Live rooms of residencies: the residency's room, group rooms and direct conversations, with
stored, numbered events replayed on reconnect, presence in Redis, typing indicators, mentions,
read markers and coordinators' moderation. The protocol is docs/rooms-protocol.md."""


def init_app(app):
    """The rooms' pages, socket events, rules, signals and demo."""
    from flask_babel import lazy_gettext as _l

    from residency.core.hooks import provide
    from residency.core.templating import NavItem
    from residency.rooms import demo, policies, signals, sockets  # noqa: F401  (rules, socket events)
    from residency.rooms import attachment_views, attachments, moderation_views, views  # noqa: F401  (routes on bp)
    from residency.rooms.blueprint import bp

    app.register_blueprint(bp)
    signals.connect()
    provide(app, "demo", demo.load_demo_rooms)
    provide(app, "media_asset_references", attachments.referenced_assets)
    provide(app, "residency_page_links", NavItem("rooms.rooms", _l("Rooms and conversations"), order=10,
                                                 permission="rooms.list"))
    app.jinja_env.filters.setdefault("room_html", _room_html)
    app.jinja_env.globals.setdefault("room_asset_states", attachments.ASSET_STATES)


def _room_html(text):
    from residency.rooms.render import safe_html

    return safe_html(text)
