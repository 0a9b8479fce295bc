"""Demo applications: the demo artist's profile, a submitted application and a draft.

Idempotent: run twice, it finds what it made the first time. The caller commits.
"""

from residency.accounts.operations import find_user_by_email
from residency.applications import operations
from residency.applications.models import Application, ArtistProfile
from residency.applications.validation import InvalidAnswers
from residency.calls.models import Call
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db

ARTIST = "artist@demo.example.org"
LYON_CALL_PREFIX = "lumieres-numeriques"

SAMPLE_TEXT = (
    "Tidal Signals listens to the coastlines of Cali and Lyon through their public data: tide gauges, "
    "river levels and the hum of the cities' networks become a shared score performed online by both cities."
)


def _sample_answer(question):
    kind = question.get("type")
    if kind == "short_text":
        return "Tidal Signals"
    if kind == "long_text":
        limit = question.get("word_limit") or 200
        return " ".join(SAMPLE_TEXT.split()[:limit])
    if kind == "single_choice":
        choices = question.get("choices") or []
        return choices[0]["value"] if choices else ""
    if kind == "multiple_choice":
        return [c["value"] for c in (question.get("choices") or [])[:1]]
    if kind == "url":
        return "https://example.org/ana-artist"
    if kind == "date":
        return "2026-10-01"
    return None


def _eligible_answers(call, artist):
    rules = call.eligibility or {}
    answers = {}
    if rules.get("countries"):
        answers["country"] = rules["countries"][0]
    if rules.get("city_ids"):
        answers["city"] = rules["city_ids"][0] if artist.city_id not in rules["city_ids"] else artist.city_id
    if rules.get("career_stages"):
        answers["career_stage"] = rules["career_stages"][0]
    for question in rules.get("questions") or []:
        answers["q:" + str(question.get("id"))] = question.get("required_answer") or "yes"
    return answers


_CLIPS = {  # kind -> (file name, ffmpeg arguments making a short sample)
    "video": ("demo-clip.mp4", ["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-t", "3", "-c:v", "libx264",
                                "-preset", "veryfast", "-pix_fmt", "yuv420p"]),
    "audio": ("demo-sound.wav", ["-f", "lavfi", "-i", "sine=frequency=220:sample_rate=48000", "-t", "3"]),
    "image": ("demo-still.png", ["-f", "lavfi", "-i", "testsrc2=size=640x360", "-frames:v", "1"]),
}


def _attach_sample_files(artist, application, call):
    """A generated sample in each required file question that has none, checked at once (the
    worker makes its derivatives later). False when a sample cannot be made (no ffmpeg…)."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from werkzeug.datastructures import FileStorage

    from residency.media.operations import accept_form_upload
    from residency.media.pipeline import verify

    files = operations.attached_files(application)
    ffmpeg = shutil.which("ffmpeg")
    for question in operations.file_questions(call):
        if not question.get("required") or files.get(question["id"]):
            continue
        kind = next((k for k in question.get("kinds") or ["video"] if k in _CLIPS), None)
        if kind is None or ffmpeg is None:
            return False
        name, arguments = _CLIPS[kind]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", *arguments, str(path)], check=True)
            with path.open("rb") as stream:
                asset = accept_form_upload(artist, operations.slot_ref(application, question["id"]),
                                           FileStorage(stream=stream, filename=name), None)
        verify(asset.id)
    return True


def _start(artist, call, now):
    application = operations.start_application(artist, call, _eligible_answers(call, artist), now)
    values = {q["id"]: _sample_answer(q) for q in call.form or [] if q.get("type") != "file"}
    operations.save_draft(artist, application, values, now)
    return application


def load_demo_applications():
    """Return lines to print. Needs the demo accounts and the calls demo (its Lyon call)."""
    artist = find_user_by_email(ARTIST)
    if artist is None:
        return ["Demo applications: no demo artist (load the demo accounts first)."]
    call = db.session.execute(
        db.select(Call).where(Call.slug.like(LYON_CALL_PREFIX + "%")).order_by(Call.id)
    ).scalars().first()
    if call is None:
        return ["Demo applications: no demo Lyon call yet (load the calls demo first)."]
    if db.session.get(ArtistProfile, artist.id) is None:
        operations.update_profile(
            artist, bio="Ana works with sound, light and public data between Cali and Lyon.",
            website="https://example.org/ana-artist", links=["https://example.org/ana-artist/videos"],
            country="CO", career_stage="emerging", organisation="Colectivo Marea",
        )
    return _load(artist, call)


def _load(artist, call):
    now = utcnow()
    lines = []
    existing = db.session.execute(
        db.select(Application).where(Application.owner_id == artist.id, Application.call_id == call.id).order_by(Application.id)
    ).scalars().all()
    submitted = next((a for a in existing if a.current_version), None)
    draft = next((a for a in existing if not a.current_version), None)
    try:
        if submitted is None:
            submitted = draft or _start(artist, call, now)
            draft = None
            _attach_sample_files(artist, submitted, call)
            operations.submit_application(artist, submitted, {}, now)
        lines.append(f"Demo submitted application: /applications/{submitted.id} (artist {ARTIST})")
    except InvalidAnswers as refusal:
        lines.append(f"Demo application /applications/{submitted.id} left as a draft: "
                     f"{len(refusal.errors)} answer(s) still need something (install ffmpeg for sample files)")
        return lines
    except ActionRefused as refusal:
        return [f"Demo applications: {refusal.message}"]
    if draft is None and not call.allow_multiple_applications:
        # One application per artist: the draft is a change made after submitting, which counts
        # only once submitted again (the page says so).
        text = next((q for q in call.form or [] if q.get("type") in ("short_text", "long_text")), None)
        if text is not None and call.accepting(now):
            operations.save_draft(artist, submitted, {text["id"]: "Tidal Signals (working title, revised)"}, now)
        lines.append(f"Demo draft: changes not yet submitted again, on /applications/{submitted.id}")
        return lines
    if draft is None and call.accepting(now):
        draft = _start(artist, call, now)
    if draft is None:
        return lines
    lines.append(f"Demo draft application: /applications/{draft.id}")
    return lines
