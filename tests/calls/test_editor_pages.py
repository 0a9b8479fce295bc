"""The coordinators' pages work without JavaScript: plain forms, error summaries, confirmation steps."""

import re
from datetime import timedelta

import pytest

from residency.calls import operations
from residency.calls.models import Call, CallChange
from tests.calls.conftest import NOW, details


@pytest.fixture
def draft(db, coordinator, city):
    call = operations.create_call(coordinator, city, details(title="Light and Code"))
    db.session.commit()
    return call


@pytest.fixture
def editor(client, login_as, coordinator):
    login_as(coordinator)
    return client


def text_of(response):
    return response.get_data(as_text=True)


def summary_links(html):
    """The fields the error summary links to, in order."""
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'href="#([^"]+)"', summary)


def test_the_new_call_form_reports_every_problem_with_links_and_keeps_the_input(db, editor, city):
    """Unknown discipline, 0 places and no title: 400, one summary linking to each field, nothing saved."""
    response = editor.post_form("/manage/calls/new", {
        "owner": str(city.id), "main_language": "en", "title": "", "summary": "Kept summary",
        "disciplines": ["knitting"], "format": "online", "places": "0"})
    html = text_of(response)
    assert response.status_code == 400
    assert summary_links(html) == ["title", "disciplines", "places"]
    assert "Kept summary" in html
    assert db.session.execute(db.select(Call)).first() is None


def test_editing_the_details_saves_them(db, editor, draft, city, other_city):
    response = editor.post_form(f"/manage/calls/{draft.id}/details", {
        "main_language": "fr", "title": "Lumière et code", "summary": "Résumé", "body": "Texte", "benefits": "Bourse",
        "disciplines": ["sound", "film"], "format": "hybrid", "places": "5", "countries": "fr, at",
        "eligible_city_ids": [str(other_city.id)], "career_stages": ["emerging"], "residency_starts_on": "2027-09-01",
        "residency_ends_on": "2027-10-31", "allow_multiple_applications": "y"})
    assert response.status_code == 302
    db.session.refresh(draft)
    assert (draft.main_language, draft.text("title"), draft.disciplines, draft.format, draft.places) == (
        "fr", "Lumière et code", ["sound", "film"], "hybrid", 5)
    assert draft.eligibility == {"countries": ["FR", "AT"], "city_ids": [other_city.id], "career_stages": ["emerging"],
                                 "questions": []}
    assert draft.allow_multiple_applications is True and str(draft.residency_ends_on) == "2027-10-31"


def test_the_timeline_page_refuses_a_time_skipped_by_daylight_saving(db, editor, draft):
    """02:30 on 29 March 2026 in Paris: 400 with the message on the opening field; nothing saved."""
    response = editor.post_form(f"/manage/calls/{draft.id}/timeline", {
        "timezone": "Europe/Paris", "opens_at": "2026-03-29T02:30", "closes_at": "2030-04-30T18:00"})
    html = text_of(response)
    assert response.status_code == 400
    assert summary_links(html) == ["opens_at"]
    assert "does not exist in Europe/Paris" in html
    db.session.refresh(draft)
    assert draft.opens_at is None


def test_the_timeline_page_refuses_closing_before_opening(editor, draft):
    response = editor.post_form(f"/manage/calls/{draft.id}/timeline", {
        "timezone": "Europe/Paris", "opens_at": "2030-05-01T09:00", "closes_at": "2030-04-01T09:00"})
    assert response.status_code == 400
    assert "The call must close after it opens." in text_of(response)


def test_the_timeline_page_shows_the_call_zone_utc_and_the_viewer_zone(db, client, login_as, make_user, draft, city):
    """Entered in Paris, shown with the offsets of Paris, in UTC and in the viewer's zone (Seoul)."""
    login_as(make_user(roles=[("city_coordinator", "city", city.id)], timezone="Asia/Seoul"))
    response = client.post_form(f"/manage/calls/{draft.id}/timeline", {
        "timezone": "Europe/Paris", "opens_at": "2030-03-01T09:00", "closes_at": "2030-07-01T18:00"},
        follow_redirects=True)
    html = text_of(response)
    assert response.status_code == 200
    assert 'datetime="2030-07-01T16:00:00+00:00"' in html
    assert "UTC+01:00" in html and "UTC+02:00" in html and "UTC+09:00" in html and "Asia/Seoul" in html
    assert 'value="2030-07-01T18:00"' in html


def test_a_time_that_happens_twice_is_explained_after_saving(editor, draft):
    response = editor.post_form(f"/manage/calls/{draft.id}/timeline", {
        "timezone": "Europe/Paris", "opens_at": "2030-10-01T09:00", "closes_at": "2030-10-27T02:30"},
        follow_redirects=True)
    assert "we used the first occurrence, UTC+02:00" in text_of(response)


def test_the_form_builder_works_with_plain_forms(db, editor, draft):
    """Add, edit, move and remove questions with buttons; no JavaScript needed."""
    base = f"/manage/calls/{draft.id}/form"
    assert editor.post_form(f"{base}/questions", {"type": "long_text", "label": "Project", "word_limit": "300",
                                                  "required": "y"}).status_code == 302
    assert editor.post_form(f"{base}/questions", {"type": "file", "label": "Video", "kinds": ["video", "image"],
                                                  "max_size": "250.5", "max_count": "2"}).status_code == 302
    assert editor.post_form(f"{base}/questions", {"type": "multiple_choice", "label": "Tools",
                                                  "choices": "Code\r\nLight\r\n"}).status_code == 302
    db.session.refresh(draft)
    assert draft.question("q2")["max_size"] == 250_500_000 and draft.question("q2")["kinds"] == ["image", "video"]
    assert editor.post_form(f"{base}/questions/q3/move", {"direction": "up"}).status_code == 302
    assert editor.post_form(f"{base}/questions/q1/remove").status_code == 302
    assert editor.post_form(f"{base}/questions/q2", {"type": "file", "label": "Showreel", "kinds": ["video"],
                                                     "max_size": "100", "max_count": "1"}).status_code == 302
    db.session.refresh(draft)
    assert [(q["id"], q["label"]["en"]) for q in draft.form] == [("q3", "Tools"), ("q2", "Showreel")]
    html = text_of(editor.get(base))
    assert "Showreel" in html and 'name="direction" value="down"' in html
    assert 'value="q' not in html  # no id is typed by hand


@pytest.mark.parametrize("data, field, message", [
    ({"type": "single_choice", "label": "Pick one", "choices": ""}, "choices", "Give at least two choices"),
    ({"type": "file", "label": "Tool", "kinds": ["executable"]}, "kinds", "Choose kinds of file from the list."),
    ({"type": "long_text", "label": "Bio", "word_limit": "-5"}, "word_limit", "Set a word limit between 1"),
])
def test_bad_questions_get_an_error_summary_and_change_nothing(db, editor, draft, data, field, message):
    response = editor.post_form(f"/manage/calls/{draft.id}/form/questions", data)
    html = text_of(response)
    assert response.status_code == 400
    assert summary_links(html) == [field] and message in html
    db.session.refresh(draft)
    assert draft.form == []


def test_eligibility_questions_are_added_and_removed_on_the_form_page(db, editor, draft):
    base = f"/manage/calls/{draft.id}/form/conditions"
    assert editor.post_form(base, {"condition-label": "Do you live in Lyon?", "condition-required_answer": "yes"}).status_code == 302
    db.session.refresh(draft)
    assert draft.eligibility["questions"][0]["label"] == {"en": "Do you live in Lyon?"}
    assert editor.post_form(f"{base}/e1/remove").status_code == 302
    db.session.refresh(draft)
    assert draft.eligibility["questions"] == []


def test_the_rubric_page_adds_edits_and_refuses_a_zero_weight(db, editor, draft):
    base = f"/manage/calls/{draft.id}/rubric"
    assert editor.post_form(base, {"name": "Quality", "weight": "2", "scale_min": "0", "scale_max": "10"}).status_code == 302
    assert editor.post_form(base, {"name": "Fit", "weight": "1", "scale_min": "0", "scale_max": "10"}).status_code == 302
    response = editor.post_form(base, {"name": "Nothing", "weight": "0", "scale_min": "0", "scale_max": "10"})
    assert response.status_code == 400 and summary_links(text_of(response)) == ["weight"]
    assert editor.post_form(f"{base}/c2", {"name": "Relevance", "weight": "1.5", "scale_min": "1", "scale_max": "5"}).status_code == 302
    db.session.refresh(draft)
    assert [(c["name"]["en"], c["weight"], c["scale_max"]) for c in draft.rubric] == [("Quality", 2.0, 10), ("Relevance", 1.5, 5)]
    assert "57 %" in text_of(editor.get(base))


def test_the_translation_page_shows_the_original_and_saves_the_language(db, editor, draft):
    operations.add_question(None, draft, {"type": "short_text", "label": "Project title"})
    db.session.commit()
    page = text_of(editor.get(f"/manage/calls/{draft.id}/translations/fr"))
    assert "Project title" in page and 'lang="fr"' in page
    response = editor.post_form(f"/manage/calls/{draft.id}/translations/fr", {
        "title": "Lumière et code", "summary": "", "body": "", "benefits": "", "q1__label": "Titre du projet"})
    assert response.status_code == 302
    db.session.refresh(draft)
    assert draft.text("title", "fr") == "Lumière et code"
    assert draft.question("q1")["label"] == {"en": "Project title", "fr": "Titre du projet"}
    assert editor.get(f"/manage/calls/{draft.id}/translations/en").status_code == 404  # the main language


def test_the_preview_shows_the_form_read_only_in_the_chosen_language(db, editor, draft):
    """Each question as the artist sees it, disabled; text in another language than the page is marked."""
    operations.add_question(None, draft, {"type": "long_text", "label": "Describe your project", "word_limit": 250, "required": True})
    operations.add_question(None, draft, {"type": "single_choice", "label": "Language", "choices": ["French", "English"]})
    operations.update_translation(None, draft, "fr", {}, {"q2.label": "Langue"})
    db.session.commit()
    html = text_of(editor.get(f"/manage/calls/{draft.id}/preview?lang=fr"))
    assert "<label for=\"answer-q1\">Describe your project <span class=\"muted\">(required)</span>" in html
    assert '<legend lang="fr">Langue' in html and "At most 250 words." in html
    assert '<label for="answer-q2-o1">French</label>' in html
    assert re.search(r'<textarea id="answer-q1" name="answer-q1"[^>]* disabled', html)


def test_publishing_goes_through_a_confirmation_page(db, editor, make_call):
    call = make_call(opens=NOW - timedelta(hours=2), closes=NOW + timedelta(days=3))
    page = text_of(editor.get(f"/manage/calls/{call.id}/publish"))
    assert "the call opens as soon as you publish it" in page
    db.session.refresh(call)
    assert call.published_at is None
    response = editor.post_form(f"/manage/calls/{call.id}/publish", follow_redirects=True)
    assert "The call is published and open." in text_of(response)
    db.session.refresh(call)
    assert call.state == "open"


def test_publishing_without_timeline_explains_what_is_missing(editor, draft):
    response = editor.post_form(f"/manage/calls/{draft.id}/publish")
    assert response.status_code == 400
    assert "Set when the call opens and closes." in text_of(response)


def test_closing_early_is_confirmed_then_done(db, editor, open_call):
    page = text_of(editor.get(f"/manage/calls/{open_call.id}/move/closed"))
    assert "No application will be accepted any more" in page
    response = editor.post_form(f"/manage/calls/{open_call.id}/move/closed")
    assert response.status_code == 302
    db.session.refresh(open_call)
    assert open_call.state == "closed"
    assert editor.get(f"/manage/calls/{open_call.id}/move/open").status_code == 404


def test_a_harmful_change_through_the_page_is_refused_with_the_reason(db, editor, open_call, artist, submit):
    """Lowering the word limit of an open call: 409, the reason shown, the call unchanged."""
    submit(open_call, artist, {"q1": "My text"})
    response = editor.post_form(f"/manage/calls/{open_call.id}/form/questions/q1", {
        "type": "long_text", "label": "Project", "word_limit": "50", "required": "y"})
    assert response.status_code == 409
    assert "The word limit of “Project” cannot be lowered while the call is open." in text_of(response)
    db.session.refresh(open_call)
    assert open_call.question("q1")["word_limit"] == 300
    response = editor.post_form(f"/manage/calls/{open_call.id}/form/questions/q1/remove", follow_redirects=True)
    assert "cannot be removed: applicants who already submitted answered it" in text_of(response)
    assert db.session.execute(db.select(CallChange)).first() is None


def test_every_editor_page_has_unique_ids_and_no_empty_attribute(editor, open_call):
    """Each page is valid enough for assistive technology: no id twice, no attribute holding "None"."""
    for page in ("/", "/details", "/form", "/form/questions/q1", "/rubric", "/timeline", "/preview", "/publish",
                 "/move/closed", "/translations/fr"):
        html = text_of(editor.get(f"/manage/calls/{open_call.id}{page}"))
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), (page, sorted(i for i in ids if ids.count(i) > 1))
        assert '="None"' not in html, page


def test_titles_are_escaped_in_the_editor(db, editor, coordinator, city):
    call = operations.create_call(coordinator, city, details(title="<script>alert(1)</script>"))
    db.session.commit()
    for page in ("/manage/calls/", f"/manage/calls/{call.id}/"):
        html = text_of(editor.get(page))
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
