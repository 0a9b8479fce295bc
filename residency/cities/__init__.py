"""Cities: the 22 UNESCO Creative Cities of Media Arts."""

from flask_babel import lazy_gettext as _l


def init_app(app):
    """City pages, their API, the home page's list, the ``city`` scope of roles, ``load-cities``."""
    from residency import api
    from residency.cities import api as cities_api
    from residency.cities import cli, policies, views  # noqa: F401  (policies declare their rules)
    from residency.cities.models import City
    from residency.core import cli as core_cli
    from residency.core.hooks import provide
    from residency.core.templating import NavItem
    from residency.extensions import db

    app.register_blueprint(views.bp)
    api.register(app, cities_api.bp)
    core_cli.add_command(app, cli.load_cities_command)
    provide(app, "nav", NavItem("cities.index", _l("Cities"), order=20, current="cities."))
    provide(app, "home_sections", ("cities/_home_section.html", views.home_section))
    provide(app, "role_scopes", {"city": lambda city_id: db.session.get(City, city_id)})
