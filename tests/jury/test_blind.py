"""Blind review: in a blind round nothing a juror can reach names the applicant (pages, their
titles, refusals, the CSV of scores, file names, e-mails); every application goes by a stable
pseudonym; the coordinators choose the answers that identify an applicant."""

import re
from datetime import timedelta

import pytest

from residency.applications.models import ApplicationVersion
from residency.core.types import utcnow
from residency.jury import blind
from residency.jury.models import JurySettings
from residency.jury.reminders import send_reminders
from residency.storage import get_storage
from tests.accounts.support import page_text
from tests.conftest import deliver_outbox
from tests.jury.scoring_support import (
    GOOD,
    add_product,
    assign,
    make_round,
    score_url,
    signed_path,
    store_file,
)

ANSWERS = {"statement": "Listening to rivers at dawn.", "website": "https://zelda-quartermaine.example",
           "format": "online"}
#: What would tell a juror who applied: names, e-mail addresses, city and country, the
#: identifying answer, the uploaded files' own names.
SECRETS = ("zelda", "quartermaine", "ottoline", "bramblewood", "linz", "austria", "zelda-quartermaine.example")
PDF = b"%PDF-1.4 portfolio of a sound artist"
MP4 = b"\x00\x00\x00\x18ftypmp42 a short reel"


@pytest.fixture
def artist(make_user):
    return make_user(email="zelda.quartermaine@example.org", name="Zelda Quartermaine")


@pytest.fixture
def application(db, call, make_application, make_asset, make_user, artist, other_city):
    """Zelda's application (from Linz, with a co-applicant, a PDF and a video named after her);
    the call marks its "website" question as identifying."""
    co_applicant = make_user(email="ottoline@bramblewood.example", name="Ottoline Bramblewood")
    pdf = make_asset(artist, "Zelda-Quartermaine-portfolio.pdf", content="pdf")
    video = make_asset(artist, "Zelda_Quartermaine_reel.mp4", content="video")
    video.kind = "video"
    application = make_application(call, owner=artist, answers=ANSWERS, files=[pdf, video], city=other_city,
                                   country="AT", eligible=True, members=[(co_applicant, True)])
    store_file(pdf, PDF, application)
    store_file(video, MP4, application, ext="mp4")
    add_product(video, "preview", MP4, "video/mp4", "mp4")
    version = db.session.execute(db.select(ApplicationVersion).where(
        ApplicationVersion.application_id == application.id)).scalar_one()
    version.snapshot = {**version.snapshot, "members": [
        {"user_id": co_applicant.id, "name": co_applicant.display_name, "profile": {"name": co_applicant.display_name}}]}
    db.session.add(JurySettings(call_id=call.id, identifying_question_ids=["website"]))
    db.session.commit()
    application.files = (pdf, video)
    return application


@pytest.fixture
def juror(make_member, call, make_user):
    return make_member(call, make_user(name="Jules Juror", email="jules@jury.example"))


def setup_round(call, application, juror, submitted, blind_round):
    round_ = make_round(call, blind=blind_round, applications=[application, *submitted],
                        closes_in=timedelta(hours=30))
    assign(round_, juror, application)
    assign(round_, juror, submitted[0])
    return round_


def leaks(text):
    lowered = text.lower()
    return [secret for secret in SECRETS if secret in lowered]


def reachable(client, round_, application):
    """Every response a juror can get about the application: ``{what: text}``, headers included,
    file names as the storage serves them."""
    base = score_url(round_, application)
    seen = {}
    for what, url in (("dashboard", "/jury"), ("list", f"/jury/rounds/{round_.id}/applications"),
                      ("page", base), ("csv", f"/jury/rounds/{round_.id}/my-scores.csv")):
        response = client.get(url)
        assert response.status_code == 200, what
        seen[what] = page_text(response) + str(response.headers)
    bad = client.post_form(base, {**GOOD, "score-c1": "9", "loaded_review": "", "action": "save"})
    assert bad.status_code == 400
    seen["refused"] = page_text(bad)
    assert client.post_form(base, {**GOOD, "loaded_review": "", "action": "save"}).status_code == 303
    stale = client.post_form(base, {**GOOD, "score-c1": "1", "loaded_review": "", "action": "save"})
    assert stale.status_code == 409
    seen["conflict"] = page_text(stale)
    seen["csv after"] = page_text(client.get(f"/jury/rounds/{round_.id}/my-scores.csv"))
    for asset in application.files:
        for which in ("original", "preview"):
            response = client.get(f"{base}/files/{asset.id}/{which}")
            if response.status_code == 404:
                continue
            assert response.status_code == 302
            served = client.get(signed_path(response))
            assert served.status_code == 200
            seen[f"file {asset.id} {which}"] = response.headers["Location"] + str(served.headers)
    return seen


def test_a_blind_round_shows_no_name_anywhere_a_juror_can_reach(client, login_as, call, application, juror,
                                                                submitted, mailbox):
    """Pages (and their titles), a refused save, the "changed elsewhere" page, the CSV of scores,
    the files' names and the reminder e-mail: none holds the applicant's name, e-mail, city or
    country, a co-applicant, the identifying answer or an uploaded file's name."""
    round_ = setup_round(call, application, juror, submitted, blind_round=True)
    login_as(juror.user)
    seen = reachable(client, round_, application)
    assert {f"file {asset.id} original" for asset in application.files} <= set(seen)
    assert f"file {application.files[1].id} preview" in seen
    send_reminders(utcnow())
    deliver_outbox()
    [mail] = mailbox.to(juror.user.email)
    seen["e-mail"] = mail["Subject"] + mail.get_body(preferencelist=("plain",)).get_content()
    assert {what: leaks(text) for what, text in seen.items() if leaks(text)} == {}
    page = client.get(score_url(round_, application)).get_data(as_text=True)
    number = blind.label_numbers(round_)[application.id]
    assert re.search(rf"<title>Application {number} · ", page)
    assert "Listening to rivers at dawn." in page  # the answers that do not identify are there
    assert "Hidden: this answer identifies the applicant and this round is blind." in page
    assert f"application-{number}-portfolio-1.pdf" in seen[f"file {application.files[0].id} original"]


def test_the_same_application_in_an_open_round_shows_who_applied_but_files_keep_neutral_names(
        client, login_as, call, application, juror, submitted):
    """The check above can fail: without blind review the name, city, co-applicant and website
    are on the page; file names stay neutral in every round."""
    round_ = setup_round(call, application, juror, submitted, blind_round=False)
    login_as(juror.user)
    seen = reachable(client, round_, application)
    assert {"zelda", "quartermaine", "ottoline", "linz", "zelda-quartermaine.example"} <= set(leaks(seen["page"]))
    assert "Zelda Quartermaine" in seen["list"] and "Zelda Quartermaine" in seen["csv"]
    for what, text in seen.items():
        if what.startswith("file "):
            assert leaks(text) == [], what


def test_each_application_has_a_stable_pseudonym_in_the_round(client, login_as, call, application, juror, submitted):
    """Applications are numbered 1…n in a random order of the round (not their ids), the same on
    the list, the application's page and from one request to the next."""
    round_ = setup_round(call, application, juror, submitted, blind_round=True)
    for other in submitted[1:]:
        assign(round_, juror, other)
    numbers = blind.label_numbers(round_)
    assert sorted(numbers.values()) == list(range(1, len(submitted) + 2))
    login_as(juror.user)
    listing = page_text(client.get(f"/jury/rounds/{round_.id}/applications"))
    for app_id, number in numbers.items():
        assert f"/jury/rounds/{round_.id}/applications/{app_id}\">Application {number}<" in listing
        page = page_text(client.get(f"/jury/rounds/{round_.id}/applications/{app_id}"))
        assert f"<h1>Application {number}</h1>" in page
    assert blind.label_numbers(round_) == numbers


def test_a_file_changed_since_submission_is_not_served(db, client, login_as, call, application, juror, submitted):
    """A stored file whose bytes are no longer those submitted is refused, never served under the
    application's label."""
    round_ = setup_round(call, application, juror, submitted, blind_round=True)
    pdf = application.files[0]
    pdf.sha256 = "0" * 64
    db.session.commit()
    login_as(juror.user)
    response = client.get(f"{score_url(round_, application)}/files/{pdf.id}/original")
    assert response.status_code == 404
    assert "no longer the file that was submitted" in page_text(response)
    assert client.get(f"{score_url(round_, application)}/files/{pdf.id}/screening").status_code == 404
    assert client.get(f"{score_url(round_, application)}/files/{2147483000}/original").status_code == 404


def test_coordinators_mark_the_questions_that_identify_an_applicant(db, client, login_as, call, coordinator,
                                                                    make_user, other_city, make_member):
    """The call's coordinator ticks questions; an unknown question is refused; a juror of the call
    and another city's coordinator change nothing."""
    url = f"/manage/calls/{call.id}/jury/settings/identifying"
    login_as(coordinator)
    page = client.get(url)
    assert page.status_code == 200 and "Website" in page_text(page)
    assert client.post_form(url, {"questions": ["website", "statement"]}).status_code == 303
    assert blind.identifying_question_ids(call) == {"website", "statement"}
    refused = client.post_form(url, {"questions": ["website", "q404"]})
    assert refused.status_code == 400 and "Not a question of this call: q404." in page_text(refused)
    assert blind.identifying_question_ids(call) == {"website", "statement"}
    for user in (make_member(call).user, make_user(roles=[("city_coordinator", "city", other_city.id)])):
        login_as(user)
        assert client.post_form(url, {"questions": []}).status_code in (403, 404)
    assert blind.identifying_question_ids(call) == {"website", "statement"}
    assert db.session.get(JurySettings, call.id).identifying_question_ids == ["statement", "website"]


def test_the_download_name_is_neutral_and_the_key_holds_no_name(client, login_as, call, application, juror,
                                                                submitted):
    """The signed link and the stored key of a file name the application's label, never the
    artist: ``application-<label>-<question>-<n>.<ext>``."""
    round_ = setup_round(call, application, juror, submitted, blind_round=True)
    number = blind.label_numbers(round_)[application.id]
    login_as(juror.user)
    video = application.files[1]
    response = client.get(f"{score_url(round_, application)}/files/{video.id}/preview")
    served = client.get(signed_path(response))
    assert served.data == MP4
    assert served.headers["Content-Disposition"].startswith(
        f'inline; filename="application-{number}-portfolio-2-preview.mp4"')
    assert leaks(video.original_key) == [] and get_storage().exists(video.original_key)
