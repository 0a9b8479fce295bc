"""Loading the reference list of cities."""

import json
import re
import unicodedata
from pathlib import Path

from residency.cities.models import City
from residency.extensions import db

DATA_FILE = Path(__file__).with_name("data") / "cities.json"


def slugify(name):
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def reference_cities():
    """The reference list: dicts with slug, name, country, timezone, languages, latitude, longitude."""
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))["cities"]
    return [
        {
            "slug": slugify(city["name"]),
            "name": city["name"],
            "country": city["country"],
            "timezone": city["timezone"],
            "languages": city["languages"],
            "latitude": city["lat"],
            "longitude": city["lon"],
        }
        for city in raw
    ]


def load_cities():
    """Insert or update the reference cities (by slug). Returns (created, updated). Never commits."""
    existing = {city.slug: city for city in db.session.execute(db.select(City)).scalars()}
    created = updated = 0
    for data in reference_cities():
        city = existing.get(data["slug"])
        if city is None:
            db.session.add(City(**data))
            created += 1
            continue
        changed = False
        for key, value in data.items():
            if getattr(city, key) != value:
                setattr(city, key, value)
                changed = True
        updated += changed
    db.session.flush()
    return created, updated
