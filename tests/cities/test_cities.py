"""The 22 Media Arts cities: loaded by the migration, with valid timezones, public pages and JSON."""

from zoneinfo import ZoneInfo

from residency.cities.models import City
from residency.cities.operations import load_cities, reference_cities


def test_the_migration_loads_the_22_cities(db):
    cities = db.session.execute(db.select(City)).scalars().all()
    assert len(cities) == 22
    assert {c.name for c in cities} >= {"Austin", "Braga", "Košice", "Tel Aviv-Yafo", "Enghien-les-Bains", "York"}


def test_every_city_has_a_real_iana_timezone_and_languages(db):
    """zoneinfo resolves every zone (the tzdata package ships them on every platform)."""
    for city in db.session.execute(db.select(City)).scalars():
        ZoneInfo(city.timezone)
        assert city.languages and all(len(code) in (2, 3) for code in city.languages)
        assert -90 <= city.latitude <= 90 and -180 <= city.longitude <= 180


def test_loading_the_reference_again_changes_nothing(db):
    """The migration and the reference file agree; `load-cities` is idempotent."""
    assert load_cities() == (0, 0)
    assert len(reference_cities()) == 22


def test_cities_api_returns_json(client):
    response = client.get("/api/v1/cities?limit=100")
    assert response.status_code == 200
    cities = response.json["items"]
    assert len(cities) == 22
    kosice = next(c for c in cities if c["slug"] == "kosice")
    assert kosice == {
        "id": kosice["id"], "slug": "kosice", "name": "Košice", "country": "SK",
        "timezone": "Europe/Bratislava", "languages": ["sk", "hu"], "latitude": 48.72, "longitude": 21.26,
    }
    assert client.get("/api/v1/cities/kosice").json["name"] == "Košice"


def test_unknown_city_is_404_in_html_and_json(client):
    assert client.get("/cities/atlantis").status_code == 404
    response = client.get("/api/v1/cities/atlantis")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 404 and response.json["code"] == "not_found"


def test_city_page_shows_country_languages_and_local_time(client):
    html = client.get("/cities/dakar").get_data(as_text=True)
    assert "Senegal" in html
    assert "Wolof" in html
    assert "Africa/Dakar" in html
