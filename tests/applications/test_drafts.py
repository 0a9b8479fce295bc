"""The application form: questions by type in the viewer's language, drafts saved by a button
without JavaScript and by autosave (JSON) with it; malformed answers refused, the rest kept."""

from datetime import timedelta

from residency.applications.models import Application
from residency.core.types import utcnow
from tests.applications.conftest import GOOD, form_data


def saved(db, application):
    db.session.expire_all()
    return db.session.get(Application, application.id).answers


def test_form_shows_questions_in_the_viewers_language_with_fallback(db, client, login_as, artist, application):
    """Labels are in the viewer's language, else the call's; a fallback is marked with its lang."""
    login_as(artist)
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert '<span>Project title</span>' in page  # English exists
    assert '<span lang="fr">Note d&#39;intention</span>' in page  # only in French: marked
    assert "Up to 10 words" in page  # the limit, written without JavaScript
    assert '<legend><span>Format</span>' in page and 'type="radio"' in page  # choices in a fieldset
    assert 'name="answer-tools"' in page and 'type="checkbox"' in page
    assert 'type="url"' in page and 'type="date"' in page
    assert 'value="save"' in page and 'data-autosave' in page and "js/autosave.js" in page


def test_save_draft_without_javascript_keeps_incomplete_answers(db, client, login_as, artist, application):
    """“Save draft” accepts unfinished answers (empty required ones, too many words)."""
    login_as(artist)
    response = client.post_form(f"/applications/{application.id}",
                                {**form_data({"title": "", "statement": "one two three four five six seven eight nine ten eleven"}),
                                 "action": "save"})
    assert response.status_code == 303
    answers = saved(db, application)
    assert answers["title"] == "" and answers["statement"].endswith("eleven")
    assert "Draft saved at" in client.get(f"/applications/{application.id}").get_data(as_text=True)


def test_malformed_answer_is_refused_and_the_rest_is_saved_and_shown(db, client, login_as, artist, application):
    """An invalid web address is refused with the error summary; the rest is saved, all typed text stays."""
    login_as(artist)
    response = client.post_form(f"/applications/{application.id}",
                                {**form_data({"title": "Tidal", "site": "not a web address"}), "action": "save"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="error-summary"' in page and 'href="#q-site"' in page
    assert 'value="not a web address"' in page and 'value="Tidal"' in page
    answers = saved(db, application)
    assert answers["title"] == "Tidal" and "site" not in answers


def test_choice_not_offered_is_refused(db, client, login_as, artist, application):
    """A choice the call does not offer is refused; the error links to the first option."""
    login_as(artist)
    response = client.post_form(f"/applications/{application.id}", {**form_data({"format": "onsite"}), "action": "save"})
    assert response.status_code == 400 and 'href="#q-format-0"' in response.get_data(as_text=True)
    assert "format" not in saved(db, application)


def autosave(client, application, answers, token=True):
    headers = {"X-CSRFToken": client.csrf_token()} if token else {}
    return client.post(f"/applications/{application.id}/autosave", json={"answers": answers}, headers=headers)


def test_autosave_saves_changed_answers_as_json(db, client, login_as, artist, application):
    """Autosave stores the answers it is sent and says when; answers it was not sent stay."""
    login_as(artist)
    assert autosave(client, application, {"title": "First"}).status_code == 200
    response = autosave(client, application, {"statement": "Half written"})
    body = response.get_json()
    assert response.status_code == 200 and body["errors"] == {} and body["saved_at_text"]
    assert saved(db, application)["title"] == "First" and saved(db, application)["statement"] == "Half written"


def test_autosave_refuses_malformed_answers_and_keeps_the_others(db, client, login_as, artist, application):
    """A half-typed web address is not saved (422 with the reason); the text next to it is."""
    login_as(artist)
    response = autosave(client, application, {"site": "htt", "statement": "Still typing"})
    assert response.status_code == 422 and "site" in response.get_json()["errors"]
    answers = saved(db, application)
    assert answers["statement"] == "Still typing" and "site" not in answers


def test_autosave_needs_the_csrf_token(db, client, login_as, artist, application):
    """Autosave without the X-CSRFToken header is refused and saves nothing."""
    login_as(artist)
    response = autosave(client, application, {"title": "Forged"}, token=False)
    assert response.status_code == 400
    assert "title" not in saved(db, application)


def test_autosave_of_someone_elses_application_is_not_found(db, client, login_as, other_artist, application):
    """Another artist cannot autosave into an application: 404, nothing saved."""
    login_as(other_artist)
    assert autosave(client, application, {"title": "Hijack"}).status_code == 404
    assert "title" not in saved(db, application)


def test_autosave_after_the_deadline_is_refused(db, client, login_as, artist, application):
    """After the deadline autosave answers 409 with a clear message and changes nothing."""
    application.call.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    login_as(artist)
    response = autosave(client, application, {"title": "Late"})
    assert response.status_code == 409 and "deadline" in response.get_json()["error"]
    assert "title" not in saved(db, application)


def test_autosave_rejects_a_body_that_is_not_answers(db, client, login_as, artist, application):
    """A JSON body without an answers object is refused."""
    login_as(artist)
    response = client.post(f"/applications/{application.id}/autosave", json=["x"], headers={"X-CSRFToken": client.csrf_token()})
    assert response.status_code == 400


def test_save_after_the_deadline_is_refused_and_the_form_is_read_only(db, client, login_as, artist, application):
    """After the deadline the page says so, shows no save button, and a posted save is refused."""
    application.call.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    login_as(artist)
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "deadline of this call passed" in page and 'value="save"' not in page and "disabled" in page
    response = client.post_form(f"/applications/{application.id}", {**form_data(GOOD), "action": "save"})
    assert response.status_code == 409
    assert saved(db, application) == {}


def test_files_button_saves_the_draft_before_opening_the_files_page(db, client, login_as, artist, application):
    """Without JavaScript, going to a file question's page first saves what was typed."""
    login_as(artist)
    response = client.post_form(f"/applications/{application.id}", {**form_data({"title": "Typed"}), "action": "files:reel"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/applications/{application.id}/files/reel")
    assert saved(db, application)["title"] == "Typed"
