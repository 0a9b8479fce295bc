"""The demo network's accounts: one per role, so a newcomer sees the platform alive at once.

The roles scoped to objects of higher features (the juror and chair of a call…) are granted by
those features' demo loaders. Idempotent: running it twice changes nothing.
"""

from residency.accounts import operations
from residency.accounts.models import Role, ScopeType, User
from residency.accounts.passwords import hash_password
from residency.cities.models import City
from residency.core.types import utcnow
from residency.extensions import db

DEMO_PASSWORD = "demo-residency-2026"

DEMO_ACCOUNTS = [
    ("admin@demo.example.org", "Ada Admin", "linz", Role.NETWORK_ADMIN, ScopeType.NETWORK),
    ("coordinator@demo.example.org", "Camille Coordinator", "lyon", Role.CITY_COORDINATOR, ScopeType.CITY),
    ("juror@demo.example.org", "Jun Juror", "gwangju", None, None),  # juror of the Lyon call (calls' demo)
    ("chair@demo.example.org", "Chidi Chair", "dakar", None, None),  # jury chair of the Lyon call (calls' demo)
    ("programmer@demo.example.org", "Paula Programmer", "braga", None, None),  # festivals come later
    ("artist@demo.example.org", "Ana Artist", "cali", None, None),
]


def demo_email(role):
    """The e-mail address of the demo account holding ``role`` network- or city-wide."""
    return next(email for email, _name, _city, held, _scope in DEMO_ACCOUNTS if held == role)


def load_demo_accounts():
    """Create the demo accounts; return lines to print (credentials included, demo only)."""
    cities = {city.slug: city for city in db.session.execute(db.select(City)).scalars()}
    lines = ["Demo accounts (password for all: %s)" % DEMO_PASSWORD]
    for email, name, city_slug, role, scope in DEMO_ACCOUNTS:
        city = cities.get(city_slug)
        user = operations.find_user_by_email(email)
        if user is None:
            user = User(
                email=email, display_name=name, password_hash=hash_password(DEMO_PASSWORD),
                city_id=city.id if city else None, timezone=city.timezone if city else "UTC",
                email_verified_at=utcnow(),
            )
            db.session.add(user)
            db.session.flush()
        if role is not None:
            scope_id = city.id if scope == ScopeType.CITY and city else 0
            if not any(g.role == role and g.scope_id == scope_id for g in user.grants):
                operations.grant_role(None, user, role, scope, scope_id)
        label = role.value.replace("_", " ") if role else "artist"
        lines.append(f"  {email:<28} {label}{' of ' + city.name if role == Role.CITY_COORDINATOR and city else ''}")
    return lines
