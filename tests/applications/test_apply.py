"""Applying: eligibility is checked first, one application per artist unless the call allows more,
and only to a call that accepts applications now."""

from datetime import timedelta

from residency.applications.models import Application
from residency.core.types import utcnow


def count(db):
    return db.session.scalar(db.select(db.func.count(Application.id)))


def test_eligible_artist_starts_a_draft(db, client, login_as, artist, make_call, city):
    """An artist who meets the conditions gets a draft and lands on the application form."""
    call = make_call(eligibility={"countries": ["CO", "FR"], "career_stages": ["emerging"],
                                  "questions": [{"id": "adult", "label": {"en": "Are you over 18?"}, "required_answer": "yes"}]})
    login_as(artist)
    page = client.get(f"/calls/{call.slug}/apply").get_data(as_text=True)
    assert "Are you over 18?" in page and "<legend>Are you over 18?</legend>" in page
    response = client.post_form(f"/calls/{call.slug}/apply", {"country": "CO", "career_stage": "emerging", "q_0": "yes"})
    application = db.session.execute(db.select(Application)).scalar_one()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/applications/{application.id}")
    assert application.owner_id == artist.id and application.state == "draft" and application.eligible is True
    assert application.eligibility_answers == {"country": "CO", "career_stage": "emerging", "q:adult": "yes"}


def test_ineligible_artist_is_told_why_and_nothing_is_created(db, client, login_as, artist, make_call):
    """An artist outside the call's countries, stage or required answers is told why; no draft."""
    call = make_call(eligibility={"countries": ["FR", "AT"], "career_stages": ["emerging"],
                                  "questions": [{"id": "adult", "label": {"en": "Are you over 18?"}, "required_answer": "yes"}]})
    login_as(artist)
    response = client.post_form(f"/calls/{call.slug}/apply", {"country": "BR", "career_stage": "established", "q_0": "no"})
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "France" in page and "Austria" in page  # the countries, by name
    assert "Emerging" in page and "Are you over 18?" in page
    assert count(db) == 0


def test_eligibility_by_city_of_residence(db, client, login_as, artist, make_call, city, other_city):
    """A call for some cities takes artists living there, and refuses others with the cities named."""
    call = make_call(eligibility={"city_ids": [city.id]})
    login_as(artist)
    response = client.post_form(f"/calls/{call.slug}/apply", {"city": str(other_city.id)})
    assert response.status_code == 403 and city.name in response.get_data(as_text=True)
    assert count(db) == 0
    assert client.post_form(f"/calls/{call.slug}/apply", {"city": str(city.id)}).status_code == 302
    assert count(db) == 1


def test_unanswered_eligibility_question_is_flagged(db, client, login_as, artist, make_call):
    """Leaving an eligibility question unanswered is refused with the error summary linking to it."""
    call = make_call(eligibility={"countries": ["CO"]})
    login_as(artist)
    response = client.post_form(f"/calls/{call.slug}/apply", {"country": ""})
    assert response.status_code == 400 and 'href="#country"' in response.get_data(as_text=True)
    assert count(db) == 0


def test_second_application_is_refused_when_the_call_takes_one(db, client, login_as, artist, call, application):
    """One application per artist per call: a second one is refused and the first one is offered."""
    login_as(artist)
    page = client.get(f"/calls/{call.slug}/apply").get_data(as_text=True)
    assert f"/applications/{application.id}" in page
    response = client.post_form(f"/calls/{call.slug}/apply", {})
    assert response.status_code == 409 and "one application per artist" in response.get_data(as_text=True)
    assert count(db) == 1


def test_several_applications_when_the_call_allows_them(db, client, login_as, artist, make_call):
    """A call with allow_multiple_applications takes several applications from the same artist."""
    call = make_call(allow_multiple_applications=True)
    login_as(artist)
    assert client.post_form(f"/calls/{call.slug}/apply", {}).status_code == 302
    assert client.post_form(f"/calls/{call.slug}/apply", {}).status_code == 302
    assert count(db) == 2


def test_closed_or_future_call_takes_no_application(db, client, login_as, artist, make_call):
    """After the deadline, on a closed call or before opening, applying is refused with the reason."""
    now = utcnow()
    past = make_call(opens_at=now - timedelta(days=9), closes_at=now - timedelta(seconds=1))
    closed = make_call(state="closed")
    future = make_call(state="draft", opens_at=now + timedelta(days=1))
    login_as(artist)
    assert "deadline" in client.get(f"/calls/{past.slug}/apply").get_data(as_text=True)
    response = client.post_form(f"/calls/{past.slug}/apply", {})
    assert response.status_code == 409 and "deadline" in response.get_data(as_text=True)
    response = client.post_form(f"/calls/{closed.slug}/apply", {})
    assert response.status_code == 409 and "closed" in response.get_data(as_text=True)
    response = client.post_form(f"/calls/{future.slug}/apply", {})
    assert response.status_code == 409 and "opens on" in response.get_data(as_text=True)
    assert count(db) == 0


def test_unpublished_call_is_not_found(db, client, login_as, artist, make_call):
    """A draft call nobody published is invisible to artists: applying answers 404."""
    call = make_call(state="draft", published_at=None)
    login_as(artist)
    assert client.get(f"/calls/{call.slug}/apply").status_code == 404
    assert client.post_form(f"/calls/{call.slug}/apply", {}).status_code == 404
    assert count(db) == 0


def test_unconfirmed_email_cannot_apply(db, client, login_as, make_user, call):
    """An artist must confirm their e-mail address before applying."""
    login_as(make_user(verified=False))
    assert "Confirm your e-mail address" in client.get(f"/calls/{call.slug}/apply").get_data(as_text=True)
    assert client.post_form(f"/calls/{call.slug}/apply", {}).status_code == 403
    assert count(db) == 0


def test_visitors_are_sent_to_log_in(client, call):
    """Applying needs an account: a visitor is sent to the login page."""
    response = client.get(f"/calls/{call.slug}/apply")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
