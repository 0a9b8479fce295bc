"""One application's page for coordinators: what was submitted, frozen."""

from tests.accounts.support import page_text


def test_the_page_shows_the_last_submitted_version_not_the_draft(client, login_as, coordinator, call,
                                                                 make_application, make_asset, make_user):
    """Answers, files and fingerprint come from the last submitted version; later draft edits stay hidden."""
    ada = make_user(name="Ada")
    reel = make_asset(ada, "reel.mp4", content="reel bytes")
    application = make_application(call, owner=ada, versions=2, files=[reel],
                                   answers={"statement": "Listening to rivers", "disciplines": ["sound", "video"],
                                            "format": "online"},
                                   live_answers={"statement": "Half-written new idea"})
    login_as(coordinator)

    response = client.get(f"/manage/calls/{call.id}/applications/{application.id}")

    text = page_text(response)
    assert response.status_code == 200
    assert "Answers as submitted (version 2)" in text
    assert "Listening to rivers" in text and "Half-written new idea" not in text
    assert "Sound; Video" in text and "Online" in text
    assert reel.sha256 in text and "reel.mp4" in text
    assert application.fingerprint in text


def test_only_web_addresses_become_links(client, login_as, coordinator, call, make_application):
    """A URL answer is a link only when it is an http(s) address; anything else is shown as text."""
    safe = make_application(call, answers={"statement": "s", "website": "https://ada.example"})
    unsafe = make_application(call, answers={"statement": "s", "website": "javascript:alert(1)"})
    login_as(coordinator)

    safe_html = client.get(f"/manage/calls/{call.id}/applications/{safe.id}").get_data(as_text=True)
    unsafe_html = client.get(f"/manage/calls/{call.id}/applications/{unsafe.id}").get_data(as_text=True)

    assert 'href="https://ada.example"' in safe_html
    assert 'href="javascript:' not in unsafe_html and "javascript:alert(1)" in unsafe_html
