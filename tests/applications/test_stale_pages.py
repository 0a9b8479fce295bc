"""“Save draft” from a page loaded before a save made elsewhere (the same draft open in another
browser): the answers that page did not change are not written back over the newer ones. Each
answer is posted with the saved value the page was loaded with (``base-<id>``, JSON)."""

import json
import re

from residency.applications.models import Application
from tests.applications.conftest import form_data


def saved(db, application):
    db.session.expire_all()
    return db.session.get(Application, application.id).answers


def base_fields(answers):
    """The hidden fields a page holds when the saved answers are ``answers``."""
    return {f"base-{qid}": json.dumps(value) for qid, value in answers.items()}


def save(client, application, values, base):
    return client.post_form(f"/applications/{application.id}", {**form_data(values), **base, "action": "save"})


def test_the_edit_page_holds_the_saved_answers_it_was_loaded_with(db, client, login_as, artist, application):
    """Each non-file question carries its saved answer as JSON, quoted safely in the page."""
    application.answers = {"title": "It's <“Tidal”>", "tools": ["code"]}
    db.session.commit()
    login_as(artist)
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    held = re.search(r"name=\"base-title\" value='([^']*)'", page).group(1)
    assert "<" not in held and json.loads(held) == "It's <“Tidal”>"
    assert """name="base-tools" value='["code"]'""" in page
    assert """name="base-statement" value='null'""" in page
    assert 'name="base-reel"' not in page  # files are not typed answers


def test_answers_a_stale_page_did_not_change_are_not_written_back(db, client, login_as, artist, application):
    """The page was loaded empty; another browser saved the title meanwhile. This page changes
    only the statement (its title, choices and dates are still as loaded): the title stays."""
    application.answers = {"title": "Saved from the other browser", "tools": ["code", "sound"]}
    db.session.commit()
    login_as(artist)
    loaded = {"title": None, "statement": None, "format": None, "tools": [], "site": None, "start": None}
    response = save(client, application, {"title": "", "statement": "Typed here", "tools": []}, base_fields(loaded))
    assert response.status_code == 303
    answers = saved(db, application)
    assert answers["title"] == "Saved from the other browser"
    assert answers["tools"] == ["code", "sound"]
    assert answers["statement"] == "Typed here"


def test_an_answer_changed_back_to_empty_is_saved(db, client, login_as, artist, application):
    """Emptying an answer is a change like any other: it is saved."""
    application.answers = {"title": "Old title", "tools": ["code"]}
    db.session.commit()
    login_as(artist)
    response = save(client, application, {"title": "", "tools": []}, base_fields({"title": "Old title", "tools": ["code"]}))
    assert response.status_code == 303
    assert saved(db, application)["title"] == "" and saved(db, application)["tools"] == []


def test_line_breaks_sent_by_the_browser_do_not_count_as_a_change(db, client, login_as, artist, application):
    """Browsers send a textarea's line breaks as CRLF; an unchanged text is still left alone."""
    application.answers = {"statement": "Saved\nelsewhere"}
    db.session.commit()
    login_as(artist)
    save(client, application, {"statement": "Loaded\r\nhere"}, base_fields({"statement": "Loaded\nhere"}))
    assert saved(db, application)["statement"] == "Saved\nelsewhere"


def test_without_or_with_a_damaged_base_every_answer_counts_as_typed(db, client, login_as, artist, application):
    """A form without the hidden fields (an older page) or with a damaged one saves what it sends."""
    application.answers = {"title": "Saved elsewhere", "statement": "Saved too"}
    db.session.commit()
    login_as(artist)
    save(client, application, {"title": "From an old page"}, {})
    save(client, application, {"title": "From an old page", "statement": "From a damaged page"},
         {"base-statement": "{not json"})
    answers = saved(db, application)
    assert answers["title"] == "From an old page" and answers["statement"] == "From a damaged page"


def test_a_malformed_answer_left_unchanged_is_still_reported_on_submit(db, client, login_as, artist, application):
    """Submitting checks every saved answer, including those the page left out."""
    application.answers = {"title": "", "statement": "Short."}
    db.session.commit()
    login_as(artist)
    response = client.post_form(f"/applications/{application.id}", {
        **form_data({"title": "", "statement": "Short."}),
        **base_fields({"title": "", "statement": "Short."}), "action": "submit"})
    assert response.status_code == 400
    assert 'href="#q-title"' in response.get_data(as_text=True)


def test_an_answer_saved_elsewhere_and_changed_here_is_shown_after_the_save(db, client, login_as, artist, application):
    """The same answer was saved in another window after this page was loaded, and is changed
    here too: the save keeps this page's text and shows the artist the text it replaced."""
    application.answers = {"statement": "Written in the other window."}
    db.session.commit()
    login_as(artist)
    response = save(client, application, {"statement": "Written in this window."}, base_fields({"statement": None}))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Answers changed in another window" in page
    assert "Written in the other window." in page and "Written in this window." in page
    assert saved(db, application)["statement"] == "Written in this window."


def test_submitting_over_an_answer_saved_elsewhere_submits_nothing(db, client, login_as, artist, application):
    """Submitting would send the jury a text nobody reread: nothing is submitted (409), the other
    window's text is shown, and the draft keeps it."""
    application.answers = {"statement": "Written in the other window."}
    db.session.commit()
    login_as(artist)
    response = client.post_form(f"/applications/{application.id}", {
        **form_data({"statement": "Written in this window."}), **base_fields({"statement": "Old."}), "action": "submit"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Nothing was submitted" in page and "Written in the other window." in page
    db.session.expire_all()
    stored = db.session.get(Application, application.id)
    assert stored.current_version == 0 and stored.answers["statement"] == "Written in the other window."


def test_no_warning_when_the_page_showed_what_was_saved(db, client, login_as, artist, application):
    """An ordinary save of a changed answer that nobody else touched redirects as usual."""
    application.answers = {"statement": "Mine."}
    db.session.commit()
    login_as(artist)
    response = save(client, application, {"statement": "Mine, revised."}, base_fields({"statement": "Mine."}))
    assert response.status_code == 303
    assert saved(db, application)["statement"] == "Mine, revised."


def test_autosave_reports_the_answer_it_replaced(db, client, login_as, artist, application):
    """The JavaScript autosave sends the saved value each changed answer was loaded with; an answer
    saved elsewhere meanwhile comes back in ``replaced`` (label and text), for the page to show."""
    application.answers = {"statement": "Written in the other window."}
    db.session.commit()
    login_as(artist)
    response = client.post(f"/applications/{application.id}/autosave", json={
        "answers": {"statement": "Written in this window."}, "bases": {"statement": json.dumps(None)}},
        headers={"X-CSRFToken": client.csrf_token()})
    assert response.status_code == 200, response.get_data(as_text=True)
    replaced = response.get_json()["replaced"]
    assert [item["text"] for item in replaced] == ["Written in the other window."] and replaced[0]["label"]
    assert saved(db, application)["statement"] == "Written in this window."
    again = client.post(f"/applications/{application.id}/autosave", json={
        "answers": {"statement": "Revised here."}, "bases": {"statement": json.dumps("Written in this window.")}},
        headers={"X-CSRFToken": client.csrf_token()})
    assert again.get_json()["replaced"] == []
