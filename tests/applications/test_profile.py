"""The profile and portfolio: reused across applications, own works only, links checked."""

from residency.applications.models import ArtistProfile
from residency.media.models import Work


def test_artist_saves_profile_with_links_and_own_works(db, client, login_as, artist):
    """An artist saves bio, website, links, residence, career stage, organisation and their works."""
    work = Work(owner_id=artist.id, title="Night Signals")
    db.session.add(work)
    db.session.commit()
    login_as(artist)
    response = client.post_form("/profile", {
        "bio": "Sound and light.", "website": "https://aya.example.org", "links": "https://a.example.org\n\nhttps://b.example.org",
        "country": "CO", "career_stage": "emerging", "organisation": "Marea", "works": [str(work.id)],
    })
    assert response.status_code == 302
    profile = db.session.get(ArtistProfile, artist.id)
    assert profile.links == ["https://a.example.org", "https://b.example.org"]
    assert (profile.country_of_residence, profile.career_stage, profile.portfolio_work_ids) == ("CO", "emerging", [work.id])
    page = client.get("/profile").get_data(as_text=True)
    assert "https://b.example.org" in page and '<option selected value="CO">' in page


def test_country_names_are_in_the_viewers_language(db, client, login_as, make_user):
    """The country list is written in the viewer's language."""
    login_as(make_user(locale="fr"))
    page = client.get("/profile").get_data(as_text=True)
    assert "Allemagne" in page and "Germany" not in page


def test_more_than_ten_links_are_refused(db, client, login_as, artist):
    """At most ten links; more is refused with a message on the field and nothing saved."""
    login_as(artist)
    links = "\n".join(f"https://example.org/{n}" for n in range(11))
    response = client.post_form("/profile", {"links": links, "bio": "kept"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'href="#links"' in page and "at most 10 links" in page
    assert "kept" in page  # what was typed stays in the form
    assert db.session.get(ArtistProfile, artist.id) is None


def test_links_must_be_http_or_https(db, client, login_as, artist):
    """A link that is not an http(s) address (javascript:…) is refused."""
    login_as(artist)
    response = client.post_form("/profile", {"links": "javascript:alert(1)"})
    assert response.status_code == 400 and 'href="#links"' in response.get_data(as_text=True)
    response = client.post_form("/profile", {"website": "ftp://example.org"})
    assert response.status_code == 400 and 'href="#website"' in response.get_data(as_text=True)


def test_someone_elses_work_cannot_be_selected(db, client, login_as, artist, other_artist):
    """Selected works are the artist's own: another artist's work is refused."""
    theirs = Work(owner_id=other_artist.id, title="Not yours")
    db.session.add(theirs)
    db.session.commit()
    login_as(artist)
    response = client.post_form("/profile", {"works": [str(theirs.id)]})
    assert response.status_code == 400
    assert db.session.get(ArtistProfile, artist.id) is None


def test_unknown_country_is_refused(db, client, login_as, artist):
    """A country code that is not in the list is refused."""
    login_as(artist)
    response = client.post_form("/profile", {"country": "EU"})
    assert response.status_code == 400 and 'href="#country"' in response.get_data(as_text=True)
