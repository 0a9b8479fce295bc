"""Festivals: the cities' flagship festivals are seeded as data the admins edit; programmers hold
the ``festival_programmer`` role scoped to one festival; editions have dates and venues; each
festival keeps its delivery profile as data."""

from residency.accounts.scopes import scope_object
from residency.cities.models import City
from residency.extensions import db
from residency.festivals.models import Edition, Festival


def test_flagship_festivals_are_seeded_in_their_cities(app):
    rows = {f.slug: f.city.slug for f in db.session.execute(db.select(Festival)).scalars()}
    assert rows["ars-electronica"] == "linz" and rows["fete-des-lumieres"] == "lyon"
    assert rows["kikk"] == "namur" and rows["bains-numeriques"] == "enghien-les-bains"
    assert len(rows) >= 10


def test_festival_is_a_scope_of_roles(festival):
    assert scope_object("festival", festival.id) is festival
    assert scope_object("festival", 2_000_000_001) is None


def test_programmer_sees_own_festival_only(client, login_as, programmer, festival, other_festival):
    login_as(programmer)
    index = client.get("/festivals/").get_data(as_text=True)
    assert festival.name in index and other_festival.name not in index
    assert client.get(f"/festivals/{festival.id}").status_code == 200
    assert client.get(f"/festivals/{other_festival.id}").status_code == 404


def test_coordinators_see_every_festival_but_do_not_program(client, login_as, coordinator, festival):
    login_as(coordinator)
    assert client.get(f"/festivals/{festival.id}").status_code == 200
    assert client.get(f"/festivals/{festival.id}/editions/new").status_code == 403


def test_admin_edits_a_festival_and_names_its_programmers(client, login_as, make_user, festival, other_festival):
    admin = make_user(roles=[("network_admin", "network", 0)])
    person = make_user(email="new.prog@example.org", name="Nora New")
    login_as(admin)
    linz = db.session.execute(db.select(City).where(City.slug == "linz")).scalar_one()
    taken = client.post_form(f"/festivals/{festival.id}/edit", {"name": "Ars", "slug": other_festival.slug,
                                                                "city": linz.id})
    assert taken.status_code == 400 and "already has this short name" in taken.get_data(as_text=True)
    renamed = client.post_form(f"/festivals/{festival.id}/edit", {"name": "Ars Electronica", "slug": "ars-electronica",
                                                                  "city": linz.id, "website": "https://ars.electronica.art/"})
    assert renamed.status_code == 303 and festival.name == "Ars Electronica"
    assert client.post_form(f"/festivals/{festival.id}/programmers", {"email": "nobody@example.org"}).status_code == 400
    assert client.post_form(f"/festivals/{festival.id}/programmers", {"email": person.email}).status_code == 303
    assert [g.scope_id for g in person.grants if g.role == "festival_programmer"] == [festival.id]
    assert client.post_form(f"/festivals/{festival.id}/programmers/{person.id}/remove").status_code == 303
    db.session.refresh(person)
    assert not person.grants
    created = client.post_form("/festivals/new", {"name": "Nuit Blanche", "slug": "nuit-blanche", "city": linz.id})
    assert created.status_code == 303


def test_programmers_cannot_manage_festivals(client, login_as, programmer, festival):
    login_as(programmer)
    assert client.get(f"/festivals/{festival.id}/edit").status_code == 403
    assert client.post_form(f"/festivals/{festival.id}/programmers", {"email": "x@example.org"}).status_code == 403


def test_editions_with_dates_and_venues(client, login_as, programmer, festival):
    login_as(programmer)
    url = f"/festivals/{festival.id}/editions/new"
    backwards = client.post_form(url, {"name": "2031", "starts_on": "2031-09-10", "ends_on": "2031-09-01",
                                       "venues": "POSTCITY"})
    assert backwards.status_code == 400 and "cannot end before it starts" in backwards.get_data(as_text=True)
    assert client.post_form(url, {"name": "2031", "starts_on": "2031-09-01", "ends_on": "not a date",
                                  "venues": "POSTCITY"}).status_code == 400
    made = client.post_form(url, {"name": "2031", "starts_on": "2031-09-01", "ends_on": "2031-09-05",
                                  "venues": "POSTCITY\n\nAnton Bruckner Privatuniversität\n"})
    assert made.status_code == 303
    edition = db.session.execute(db.select(Edition)).scalar_one()
    assert edition.venues == ["POSTCITY", "Anton Bruckner Privatuniversität"]
    changed = client.post_form(f"/festivals/{festival.id}/editions/{edition.id}",
                               {"name": "2031 — Panic", "starts_on": "2031-09-02", "ends_on": "2031-09-06",
                                "venues": "POSTCITY"})
    assert changed.status_code == 303 and edition.name == "2031 — Panic"


def test_delivery_profile_is_stored_as_data(client, login_as, programmer, festival):
    login_as(programmer)
    response = client.post_form(f"/festivals/{festival.id}/profile", {"video": "original", "subtitles": "webvtt"})
    assert response.status_code == 303
    assert db.session.get(Festival, festival.id).delivery_profile == {
        "video": "original", "subtitles": "webvtt", "stills": False, "press_kit": False}
    assert client.post_form(f"/festivals/{festival.id}/profile", {"video": "burnt", "subtitles": "x"}).status_code == 400


def test_profile_decides_what_the_package_holds(client, login_as, programmer, artist, work, edition, festival, tmp_path):
    from tests.festivals.support import approved_request, link_for, unpack

    festival.delivery_profile = {"video": "original", "subtitles": "webvtt", "stills": False, "press_kit": False}
    db.session.commit()
    request = approved_request(programmer, artist, work, edition)
    login_as(programmer)
    bag = unpack(client.get(link_for(client, request)).get_data(), tmp_path)
    assert sorted(bag.payload_files()) == ["data/metadata.json", "data/subtitles/tidal signals.fr.vtt",
                                           "data/video/tidal signals.mov"]
