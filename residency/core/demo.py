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
    ("admin@demo.example.org", "Ada Admin", "linz", Role.NETWORK_ADMIN, ScopeType.NETWORK),
    ("coordinator@demo.example.org", "Camille Coordinator", "lyon", Role.CITY_COORDINATOR, ScopeType.CITY),
    ("juror@demo.example.org", "Jun Juror", "gwangju", None, None),  # juror of the Lyon call, below
    ("chair@demo.example.org", "Chidi Chair", "dakar", None, None),  # jury chair of the Lyon call, below
    ("programmer@demo.example.org", "Paula Programmer", "braga", None, None),  # festivals come later
    ("artist@demo.example.org", "Ana Artist", "cali", None, None),
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
        label = role.value.replace("_", " ") if role else "artist"
        lines.append(f"  {email:<28} {label}{' of ' + city.name if role == Role.CITY_COORDINATOR and city else ''}")
    lines.extend(load_demo_media())
    lines.extend(load_demo_calls_and_jury())
    return lines


def load_demo_calls_and_jury():
    """The demo calls, the demo juror and jury chair on Lyon's call, and the artist's applications."""
    from residency.applications.demo import load_demo_applications
    from residency.calls.demo import LYON_SLUG, load_demo_calls
    from residency.calls.models import Call

    lines = load_demo_calls()
    call = db.session.execute(db.select(Call).where(Call.slug == LYON_SLUG)).scalar_one_or_none()
    if call is not None:
        for email, role in (("juror@demo.example.org", Role.JUROR), ("chair@demo.example.org", Role.JURY_CHAIR)):
            user = operations.find_user_by_email(email)
            if user and not any(g.role == role and g.scope_type == ScopeType.CALL and g.scope_id == call.id for g in user.grants):
                operations.grant_role(None, user, role, ScopeType.CALL, call.id)
        lines.append("  juror@demo.example.org and chair@demo.example.org sit on the jury of the Lyon call")
    lines.extend(load_demo_applications())
    return lines


def load_demo_media():
    """A work of the demo artist with a short generated clip, processed by the worker like any upload."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from residency.media.models import Work
    from residency.media.operations import accept_form_upload, create_work

    artist = operations.find_user_by_email("artist@demo.example.org")
    existing = db.session.execute(db.select(Work).where(Work.owner_id == artist.id)).scalars().first()
    if existing is not None:
        return [f"Demo work: /works/{existing.id}"]
    work = create_work(
        artist, "Tidal Signals", year=2026, duration_seconds=10, medium="single-channel video",
        synopsis={"en": "Test patterns drift between Cali and Lyon.", "fr": "Des mires dérivent entre Cali et Lyon."},
        credits="Ana Artist", rights_holder="Ana Artist", licence="cc-by-nc-nd-4.0",
    )
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return [f"Demo work: /works/{work.id} (install ffmpeg to get a demo clip)"]
    with tempfile.TemporaryDirectory() as folder:
        clip = Path(folder) / "tidal-signals.mp4"
        subprocess.run(
            [ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25",
             "-f", "lavfi", "-i", "sine=frequency=220:sample_rate=48000", "-t", "10", "-c:v", "libx264",
             "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(clip)],
            check=True,
        )
        with clip.open("rb") as stream:
            accept_form_upload(artist, f"work:{work.id}", _File(stream, clip.name, "video/mp4"), None)
    return [f"Demo work with a clip being processed: /works/{work.id}"]


class _File:
    """The few attributes of an uploaded file that ``accept_form_upload`` reads."""

    def __init__(self, stream, filename, mimetype):
        self.stream, self.filename, self.mimetype = stream, filename, mimetype
