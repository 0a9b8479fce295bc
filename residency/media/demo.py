"""The media part of the demo network: a work of the demo artist with a short generated clip,
processed by the worker like any upload. Idempotent."""

import shutil
import subprocess
import tempfile
from pathlib import Path

from residency.accounts.operations import find_user_by_email
from residency.extensions import db
from residency.media.models import Work
from residency.media.operations import accept_form_upload, create_work


def load_demo_media():
    """Return lines to print. Needs the demo accounts."""
    artist = find_user_by_email("artist@demo.example.org")
    if artist is None:
        return []
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
