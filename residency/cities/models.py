"""The member cities of the network."""

from babel import Locale

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from residency.extensions import db


class City(db.Model):
    __tablename__ = "cities"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    timezone: Mapped[str] = mapped_column(String(64))  # IANA name
    languages: Mapped[list] = mapped_column(JSON, default=list)  # BCP 47, main language first
    latitude: Mapped[float]
    longitude: Mapped[float]

    def country_name(self, locale="en"):
        """The country's name in ``locale`` (from CLDR)."""
        return Locale.parse(str(locale)).territories.get(self.country, self.country)

    def language_names(self, locale="en"):
        names = Locale.parse(str(locale)).languages
        return [names.get(code, code) for code in self.languages]

    def to_dict(self):
        return {
            "id": self.id,
            "slug": self.slug,
            "name": self.name,
            "country": self.country,
            "timezone": self.timezone,
            "languages": list(self.languages),
            "latitude": self.latitude,
            "longitude": self.longitude,
        }

    def __repr__(self):
        return f"<City {self.slug}>"
