"""A worker killed in the middle of a transcode loses nothing: after a restart (and the sweeper)
the asset becomes ready with exactly one finished screening copy, and no ffmpeg is left behind."""

import signal
import sqlite3
import subprocess

import psutil

from tests.live.stack import Browser, Stack, wait_until
from tests.services import require_binary

PASSWORD = "a long and quiet river 42"


def query(db_path, sql, *args):
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10) as connection:
        return connection.execute(sql, args).fetchall()


def upload(browser, slot, path):
    token = browser.csrf_token("/works/")
    headers = {"X-CSRFToken": token}
    data = path.read_bytes()
    created = browser.post("/media/uploads", json={"slot": slot, "filename": path.name, "size": len(data), "type": "video/x-matroska"}, headers=headers)
    assert created.status_code == 201, created.text
    upload_id = created.json()["uploadId"]
    url = browser.get(f"/media/uploads/{upload_id}/parts/1").json()["url"]
    put = browser.put(url, data=data)
    assert put.status_code == 200
    done = browser.post(f"/media/uploads/{upload_id}/complete", json={"parts": [{"PartNumber": 1, "ETag": put.headers["ETag"]}]}, headers=headers)
    assert done.status_code == 200, done.text
    return done.json()["asset"]


def ffmpeg_children(pid):
    """The ffmpeg processes started (at any depth) by process ``pid``."""
    return [child for child in psutil.Process(pid).children(recursive=True) if child.name() == "ffmpeg"]


def alive(process):
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_killed_worker_mid_transcode_leads_to_exactly_one_screening_copy(tmp_path):
    ffmpeg = require_binary("ffmpeg")
    source = tmp_path / "long.mkv"
    # Not screening-compliant (MPEG-4 part 2 in Matroska), so the screening copy is a real transcode.
    subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
                    "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000", "-t", "12", "-c:v", "mpeg4", "-q:v", "4",
                    "-c:a", "pcm_s16le", "-shortest", str(source)], check=True)
    data = tmp_path / "data"
    env = {"MEDIA_STALE_SECONDS": "3", "MEDIA_X264_PRESET": "veryslow"}
    with Stack(data, env=env) as stack:
        stack.flask("residency", "create-admin", "--email", "artist@example.org", "--name", "Aya", input=PASSWORD + "\n")
        browser = Browser(stack.url)
        assert browser.submit("/login", {"email": "artist@example.org", "password": PASSWORD}, allow_redirects=False).status_code == 302
        created = browser.submit("/works/new", {"title": "Long Night", "main_language": "en", "licence": "cc0-1.0"}, allow_redirects=False)
        work_id = int(created.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
        asset_id = upload(browser, f"work:{work_id}", source)
        db_path = data / "residency.sqlite3"

        def screening_running():
            rows = query(db_path, "SELECT state, progress FROM media_derivatives WHERE asset_id=? AND profile='screening'", asset_id)
            return rows and rows[0][0] == "running" and rows[0][1] > 0.05

        wait_until(screening_running, timeout=120, interval=0.3, message="screening transcode under way")
        transcoders = ffmpeg_children(stack.processes["worker"][0].pid)
        assert transcoders, "ffmpeg should be running under the worker"
        stack.stop_process("worker", sig=signal.SIGKILL)
        # The kernel delivers the parent-death signal at once; allow it a moment to be handled.
        wait_until(lambda: not [p for p in transcoders if alive(p)], timeout=5, interval=0.05,
                   message="ffmpeg to die with its worker")

        stack.start_worker("worker2")

        def ready():
            stack.flask("residency", "sweep-media")
            rows = query(db_path, "SELECT state FROM media_assets WHERE id=?", asset_id)
            return rows[0][0] in ("ready", "failed") and rows[0][0]

        assert wait_until(ready, timeout=240, interval=2, message="asset ready after restart") == "ready", stack.logs()
        state, attempts, key = query(
            db_path, "SELECT state, attempts, key FROM media_derivatives WHERE asset_id=? AND profile='screening'", asset_id
        )[0]
        assert state == "done" and attempts >= 2
        folder = data / "storage" / key.rsplit("/", 1)[0]
        assert [p.name for p in folder.iterdir() if not p.name.startswith(".")] == [key.rsplit("/", 1)[1]]
        assert query(db_path, "SELECT count(*) FROM media_derivatives WHERE asset_id=? AND profile='screening'", asset_id) == [(1,)]


def test_pipeline_on_real_services_reports_progress_live(tmp_path, postgres_database, redis_test_url, moto_s3):
    """On PostgreSQL, Redis and S3: the parts go straight to S3, a real worker processes the
    file from S3, and the browser's socket hears the asset become ready through Redis."""
    import threading

    import boto3
    import socketio

    ffmpeg = require_binary("ffmpeg")
    source = tmp_path / "clip.mkv"
    subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                    "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000", "-t", "2", "-c:v", "mpeg4",
                    "-c:a", "pcm_s16le", "-shortest", str(source)], check=True)
    env = {"DATABASE_URL": postgres_database, "REDIS_URL": redis_test_url, "MEDIA_X264_PRESET": "ultrafast", **moto_s3}
    with Stack(tmp_path / "data", env=env) as stack:
        stack.flask("residency", "create-admin", "--email", "artist@example.org", "--name", "Aya", input=PASSWORD + "\n")
        browser = Browser(stack.url)
        assert browser.submit("/login", {"email": "artist@example.org", "password": PASSWORD}, allow_redirects=False).status_code == 302
        created = browser.submit("/works/new", {"title": "Short", "main_language": "en", "licence": "cc0-1.0"}, allow_redirects=False)
        work_id = int(created.headers["Location"].rstrip("/").rsplit("/", 1)[-1])

        events, ready = [], threading.Event()
        client = socketio.Client(reconnection=False)

        @client.on("media.state")
        def on_state(data):
            events.append(data)
            if data["state"] in ("ready", "failed"):
                ready.set()

        cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
        client.connect(stack.url, headers={"Cookie": cookie, "User-Agent": browser.headers["User-Agent"]},
                       transports=["websocket"], wait_timeout=10)
        try:
            token = browser.csrf_token("/works/")
            signed = None
            data = source.read_bytes()
            upload_id = browser.post("/media/uploads", json={"slot": f"work:{work_id}", "filename": source.name, "size": len(data)},
                                     headers={"X-CSRFToken": token}).json()["uploadId"]
            signed = browser.get(f"/media/uploads/{upload_id}/parts/1").json()["url"]
            assert signed.startswith(moto_s3["S3_ENDPOINT_URL"])  # straight to S3, not through the app
            put = browser.put(signed, data=data)
            assert put.status_code == 200
            done = browser.post(f"/media/uploads/{upload_id}/complete", json={"parts": [{"PartNumber": 1, "ETag": put.headers["ETag"]}]},
                                headers={"X-CSRFToken": token})
            assert done.status_code == 200, done.text
            assert ready.wait(180), stack.logs()
        finally:
            client.disconnect()
        assert events[-1]["state"] == "ready", events[-1]
        assert {"preview", "screening", "qc"} <= set(events[-1]["derivatives"])
        s3 = boto3.client("s3", endpoint_url=moto_s3["S3_ENDPOINT_URL"], aws_access_key_id="testing",
                          aws_secret_access_key="testing", region_name="us-east-1")
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=moto_s3["S3_BUCKET"], Prefix=f"works/{work_id}/").get("Contents", [])]
        assert any("/original/" in key for key in keys)
        assert any("/derived/preview/" in key for key in keys)
        assert not [o for o in s3.list_objects_v2(Bucket=moto_s3["S3_BUCKET"], Prefix="quarantine/").get("Contents", [])
                    if upload_id in o["Key"]]
