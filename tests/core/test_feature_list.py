"""The list of features: an application built without a feature still starts and serves the rest,
with none of the missing feature's routes, menu entries, tasks or commands."""

import subprocess
import sys
from pathlib import Path

from residency.features import FEATURES

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import json, sys
from config import TestingConfig
from residency import create_app
from residency.extensions import celery, db

config = TestingConfig(sys.argv[1])
config.SQLALCHEMY_DATABASE_URI = "sqlite:///" + sys.argv[1] + "/probe.sqlite3"
app = create_app(config)
with app.app_context():
    from flask_migrate import upgrade
    upgrade()
    from residency.cities.operations import load_cities
    load_cities()
    db.session.commit()
client = app.test_client()
pages = {path: client.get(path) for path in json.loads(sys.argv[2])}
print(json.dumps({
    "features": list(app.extensions["residency.features"]),
    "blueprints": sorted(app.blueprints),
    "status": {path: response.status_code for path, response in pages.items()},
    "home": pages["/"].get_data(as_text=True),
    "commands": sorted(app.extensions["residency.cli"].commands),
    "beat": sorted(celery.conf.beat_schedule),
}))
"""


def build(tmp_path, features, paths):
    """Build the application in a fresh process (extensions are process-wide) with ``features``."""
    import json
    import os

    env = {**os.environ, "RESIDENCY_FEATURES": ",".join(features)}
    for name in ("DATABASE_URL", "REDIS_URL", "S3_BUCKET"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path), json.dumps(paths)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_the_top_feature_the_rest_still_serves(tmp_path):
    """Without applications: calls, cities, accounts and the home page work; no applications route,
    menu entry or demo part is left behind."""
    kept = [name for name in FEATURES if name != "applications"]
    probe = build(tmp_path, kept, ["/", "/calls/", "/cities/lyon", "/login", "/api/v1/cities", "/applications/mine"])
    assert probe["features"] == kept
    assert "applications" not in probe["blueprints"] and "review" not in probe["blueprints"]
    assert probe["status"] == {"/": 200, "/calls/": 200, "/cities/lyon": 200, "/login": 200, "/api/v1/cities": 200,
                               "/applications/mine": 404}
    assert "Lyon" in probe["home"] and ">Calls<" in probe["home"] and ">Log in<" in probe["home"]
    assert "calls-tick" in probe["beat"]


def test_without_a_middle_feature_the_rest_still_serves(tmp_path):
    """Without admin: no admin pages or menu entry; the features above it are unaffected."""
    kept = [name for name in FEATURES if name != "admin"]
    probe = build(tmp_path, kept, ["/", "/calls/", "/admin/"])
    assert "admin" not in probe["blueprints"] and "applications" in probe["blueprints"]
    assert probe["status"] == {"/": 200, "/calls/": 200, "/admin/": 404}
    assert "sweep-media" in probe["commands"] and "load-cities" in probe["commands"]


def test_without_media_its_tasks_commands_and_beat_entries_are_gone(tmp_path):
    """A feature's Celery tasks, beat entries and commands come only from its init_app."""
    kept = [name for name in FEATURES if name not in ("media", "calls", "applications")]
    probe = build(tmp_path, kept, ["/", "/works"])
    assert probe["status"] == {"/": 200, "/works": 404}
    assert "media-sweep" not in probe["beat"] and "calls-tick" not in probe["beat"]
    assert "resend-unsent-email" in probe["beat"]
    assert "sweep-media" not in probe["commands"] and "create-admin" in probe["commands"]


def test_an_unknown_feature_is_refused(tmp_path):
    """A typo in RESIDENCY_FEATURES fails at start, naming the unknown feature."""
    import json
    import os

    env = {**os.environ, "RESIDENCY_FEATURES": "cities,acounts"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path), json.dumps(["/"])],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0 and "acounts" in result.stderr
