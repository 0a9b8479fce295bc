"""/healthz tells operators whether database, broker and storage answer."""

from residency.storage import LocalStorage


def test_health_is_ok_when_every_part_answers(client):
    """200 and every part "ok"; never cached."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"database": "ok", "broker": "ok", "storage": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_health_names_broken_storage(app, client, tmp_path):
    """When the storage folder cannot be written, /healthz answers 503 naming the storage."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the storage folder should be")
    previous = app.extensions.get("storage")
    app.extensions["storage"] = LocalStorage(blocker / "storage")
    try:
        response = client.get("/healthz")
    finally:
        app.extensions["storage"] = previous
    assert response.status_code == 503
    assert response.json["storage"].startswith("error")
    assert response.json["database"] == "ok"
