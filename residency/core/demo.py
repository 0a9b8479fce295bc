"""The demo network: one account per role, so a newcomer sees the platform alive at once.

Each feature adds its part here (a call, applications, a jury, a residency, works).
Idempotent: running it twice changes nothing.
"""

from residency.accounts import operations
from residency.accounts.models import Role, ScopeType, User
from residency.accounts.passwords import hash_password
from residency.cities.models import City
from residency.core.types import utcnow
from residency.extensions import db

DEMO_PASSWORD = "demo-residency-2026"

DEMO_ACCOUNTS = [
    ("admin@demo.c2c.test", "Ada Admin", "linz", Role.NETWORK_ADMIN, ScopeType.NETWORK),
    ("coordinator@demo.c2c.test", "Camille Coordinator", "lyon", Role.CITY_COORDINATOR, ScopeType.CITY),
    ("juror@demo.c2c.test", "Jun Juror", "gwangju", None, None),
    ("chair@demo.c2c.test", "Chidi Chair", "dakar", None, None),
    ("programmer@demo.c2c.test", "Paula Programmer", "braga", None, None),
    ("artist@demo.c2c.test", "Ana Artist", "cali", None, None),
]


def load_demo():
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
        label = role.value.replace("_", " ") if role else "artist (juror, chair and programmer roles come with calls and festivals)"
        lines.append(f"  {email:<28} {label}{' of ' + city.name if role == Role.CITY_COORDINATOR and city else ''}")
    return lines
