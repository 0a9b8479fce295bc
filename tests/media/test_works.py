"""Artists describe their works; only they see and change them."""

from residency.media.models import Work


def test_an_artist_adds_a_work(db, client, login_as, artist):
    login_as(artist)
    response = client.post_form("/works/new", {
        "title": "Night Signals", "year": "2026", "duration_minutes": "12", "medium": "single-channel video",
        "main_language": "en", "synopsis": "Radio towers talk at night.", "credits": "Aya, sound by Kofi",
        "technical_rider": "Stereo, 16:9", "rights_holder": "Aya", "licence": "cc-by-nc-nd-4.0",
    })
    assert response.status_code == 302
    work = db.session.execute(db.select(Work)).scalar_one()
    assert work.owner_id == artist.id and work.duration_seconds == 720
    assert work.synopsis == {"en": "Radio towers talk at night."}
    page = client.get(f"/works/{work.id}").get_data(as_text=True)
    assert "Night Signals" in page and "Radio towers talk at night." in page


def test_work_form_errors_are_listed_and_nothing_is_saved(db, client, login_as, artist):
    login_as(artist)
    response = client.post_form("/works/new", {"title": "", "year": "1492", "main_language": "en", "licence": "cc0-1.0"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'href="#title"' in html and 'href="#year"' in html
    assert db.session.scalar(db.select(db.func.count(Work.id))) == 0


def test_an_unconfirmed_account_cannot_add_works(client, login_as, make_user):
    """Works (and their files) wait until the e-mail address is confirmed."""
    login_as(make_user(verified=False))
    assert client.get("/works/new").status_code == 403


def test_only_the_artist_sees_and_edits_a_work(db, client, login_as, make_user, artist):
    """Another artist finds no such work: 404 on its page and its edit form alike (see test_invisible)."""
    work = Work(owner_id=artist.id, title="Mine")
    db.session.add(work)
    db.session.commit()
    login_as(make_user(email="other@example.org"))
    assert client.get(f"/works/{work.id}").status_code == 404
    assert client.get(f"/works/{work.id}/edit").status_code == 404
    response = client.post_form(f"/works/{work.id}/edit", {"title": "Stolen", "main_language": "en", "licence": "cc0-1.0"})
    assert response.status_code == 404
    db.session.refresh(work)
    assert work.title == "Mine"
    assert "Mine" not in client.get("/works/").get_data(as_text=True)


def test_a_network_admin_cannot_edit_an_artists_work(db, client, login_as, make_user, artist):
    """Admins manage the network, not the artists' works."""
    work = Work(owner_id=artist.id, title="Mine")
    db.session.add(work)
    db.session.commit()
    login_as(make_user(email="admin@example.org", roles=[("network_admin", "network", 0)]))
    assert client.get(f"/works/{work.id}/edit").status_code == 403


def test_editing_keeps_other_languages_of_the_synopsis(db, client, login_as, artist):
    work = Work(owner_id=artist.id, title="Mine", main_language="en", synopsis={"en": "Old", "fr": "Ancien"})
    db.session.add(work)
    db.session.commit()
    login_as(artist)
    response = client.post_form(f"/works/{work.id}/edit", {"title": "Mine", "main_language": "en", "synopsis": "New", "licence": "cc0-1.0"})
    assert response.status_code == 302
    db.session.refresh(work)
    assert work.synopsis == {"en": "New", "fr": "Ancien"}
