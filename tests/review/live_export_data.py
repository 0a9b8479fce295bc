"""Data for the exports' end-to-end test: a call of Lyon whose form has a question of every type
the form builder offers, 1,000 submitted applications and one draft, and the people who ask.

Run as ``python -m tests.review.live_export_data`` with a stack's environment (``DATABASE_URL``
…): it builds the application in its own process (``create_app`` binds the shared extensions,
which the test process must keep for its own app) and prints one JSON object with the ids.

The form is built with the form builder (``build_question``) and each version with the code
submitting runs (``build_snapshot``, ``fingerprint``, ``index_version``); only the checks and
the receipts are skipped, so that 1,000 applications take seconds. The answers are a function
of the application's number, so the test knows what each row must say without reading the
database.
"""

import hashlib
import json
from datetime import datetime, timedelta, timezone

PASSWORD = "a long and quiet river 42"
APPLICATIONS = 1000
MAIN_LANGUAGE = "fr"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)

#: One question of each type the builder offers, as the builder's form submits them.
SPECS = {
    "short_text": {"label": "Titre du projet", "required": True},
    "long_text": {"label": "Démarche artistique", "word_limit": 300},
    "single_choice": {"label": "Format souhaité", "choices": ["En ligne", "Hybride"]},
    "multiple_choice": {"label": "Disciplines", "choices": ["Son", "Vidéo", "Jeux"]},
    "url": {"label": "Site web"},
    "date": {"label": "Début souhaité"},
    "file": {"label": "Portfolio (œuvres)", "kinds": ["document", "video"], "max_count": 3},
}
#: Answers that a spreadsheet would run as formulas, by application number.
FORMULAS = {0: '=HYPERLINK("http://evil.example","cliquez")', 1: "+33 6 12 34 56 78", 2: "@SUM(A1:A9)", 3: "-1+2"}


def email_for(n):
    return f"artist{n}@example.org"


def name_for(n):
    """Some names are non-ASCII, one looks like a formula."""
    if n == 5:
        return "=cmd|' /C calc'!A0"
    return f"Zoë Łukasiewicz 李 {n}" if n % 2 == 0 else f"Artist {n}"


def submitted_at(n):
    return T0 + timedelta(minutes=n)


def files_for(n):
    """``[(filename, sha256)]`` of the portfolio: one or two files."""
    names = [f"dossier-{n}.pdf"] + ([f"extrait-{n}.mp4"] if n % 3 == 0 else [])
    return [(name, hashlib.sha256(name.encode()).hexdigest()) for name in names]


def answers_for(n):
    """``{type: value}`` as the draft stores it (choices by their value ``o1``…)."""
    return {
        "short_text": FORMULAS.get(n, f"Projet n°{n} — « Ça va »"),
        "long_text": f'Ligne un, avec "guillemets"\nDeuxième ligne : 李 {n}',
        "single_choice": None if n == 4 else ("o1" if n % 2 == 0 else "o2"),
        "multiple_choice": [] if n == 4 else (["o1", "o3"] if n % 2 == 0 else ["o2"]),
        "url": "" if n == 4 else f"https://artist{n}.example/works",
        "date": "" if n == 4 else f"2026-09-{n % 28 + 1:02d}",
    }


def populate():
    from residency import create_app
    from residency.accounts.models import RoleGrant, User
    from residency.accounts.passwords import hash_password
    from residency.applications.listing import index_version
    from residency.applications.models import Application, ApplicationVersion
    from residency.applications.operations import build_snapshot, fingerprint, slot_ref
    from residency.calls.models import Call
    from residency.calls.operations.builder import build_question
    from residency.cities.models import City
    from residency.extensions import db
    from residency.media.models import MediaAsset

    app = create_app()
    with app.app_context():
        cities = dict(db.session.execute(db.select(City.slug, City.id)).all())
        call = Call(slug="export-call", city_id=cities["lyon"], main_language=MAIN_LANGUAGE,
                    texts={MAIN_LANGUAGE: {"title": "Résidence sonore"}}, state="closed",
                    published_at=T0 - timedelta(days=40), opens_at=T0 - timedelta(days=39),
                    closes_at=T0 + timedelta(days=1))
        call.form = [build_question(call, spec, f"q{number}") for number, spec in
                     enumerate(({"type": kind, **spec} for kind, spec in SPECS.items()), start=1)]
        call.last_question_number = len(call.form)
        db.session.add(call)

        password_hash = hash_password(PASSWORD)
        people = {
            "coordinator": User(email="coordinator@example.org", display_name="Camille", password_hash=password_hash),
            "linz_coordinator": User(email="linz@example.org", display_name="Lin", password_hash=password_hash),
            "juror": User(email="juror@example.org", display_name="Jules", password_hash=password_hash),
        }
        artists = [User(email=email_for(n), display_name=name_for(n), password_hash=password_hash if n == 0 else "!")
                   for n in range(APPLICATIONS + 1)]  # the last one only has a draft
        for user in [*people.values(), *artists]:
            user.email_verified_at = T0 - timedelta(days=50)
        db.session.add_all([*people.values(), *artists])
        db.session.flush()
        db.session.add_all([
            RoleGrant(user_id=people["coordinator"].id, role="city_coordinator", scope_type="city", scope_id=cities["lyon"]),
            RoleGrant(user_id=people["linz_coordinator"].id, role="city_coordinator", scope_type="city",
                      scope_id=cities["linz"]),
            RoleGrant(user_id=people["juror"].id, role="juror", scope_type="call", scope_id=call.id),
        ])

        questions = {question["type"]: question for question in call.form}
        applications = [
            Application(call_id=call.id, owner_id=artist.id, state="draft", eligibility_answers={"country": "FR"},
                        answers={questions[kind]["id"]: value for kind, value in answers_for(n).items()},
                        eligible=(True, False, None)[n % 3], created_at=T0, updated_at=T0)
            for n, artist in enumerate(artists)
        ]
        db.session.add_all(applications)
        db.session.flush()
        file_question = questions["file"]["id"]
        assets = [
            MediaAsset(owner_id=application.owner_id, slot=slot_ref(application, file_question), original_filename=name,
                       sha256=digest, size=1000, kind="document", state="ready")
            for n, application in enumerate(applications[:APPLICATIONS]) for name, digest in files_for(n)
        ]
        db.session.add_all(assets)
        db.session.flush()

        with db.session.no_autoflush:
            for n, application in enumerate(applications[:APPLICATIONS]):  # as submit_application writes them
                now = submitted_at(n)
                snapshot = build_snapshot(application, 1, artists[n], now, MAIN_LANGUAGE)
                version = ApplicationVersion(application_id=application.id, number=1, submitted_at=now,
                                             submitted_by_id=artists[n].id, snapshot=snapshot,
                                             fingerprint=fingerprint(snapshot))
                db.session.add(version)
                frozen = next(item for item in snapshot["answers"] if item["id"] == file_question)
                application.answers = {**application.answers, file_question: [f["id"] for f in frozen["value"]]}
                application.state = "submitted"
                application.current_version = 1
                application.fingerprint = version.fingerprint
                application.submitted_at = now
                index_version(application, snapshot)
        db.session.commit()
        result = {
            "call_id": call.id,
            "application_ids": [application.id for application in applications[:APPLICATIONS]],
            "draft_id": applications[-1].id,
            "fingerprints": [application.fingerprint for application in applications[:APPLICATIONS]],
            "form": call.form,
            "people": {role: user.email for role, user in people.items()},
            "artist": artists[0].email,
        }
        db.engine.dispose()
    return result


if __name__ == "__main__":
    print(json.dumps(populate()))
