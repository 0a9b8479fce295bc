"""Possible duplicates in a call: the same artist twice, or the same submitted file in two applications."""

import re

from tests.accounts.support import page_text
from tests.review.test_list import names_in
from tests.review.conftest import list_url


def flags(response):
    """``{applicant name: duplicates cell text}`` of the list's rows."""
    html = response.get_data(as_text=True)
    rows = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>(.*?)</tr>', html, re.S)
    return {name: " ".join(re.sub(r"<[^>]+>", " ", cells.rsplit("<td>", 1)[1]).split()) for name, cells in rows}


def test_the_same_artist_twice_is_flagged_with_a_link_to_the_other(client, login_as, coordinator, call,
                                                                   make_application, make_user):
    """Two applications by one artist point to each other; a third artist's is not flagged."""
    ada = make_user(name="Ada")
    first = make_application(call, owner=ada)
    second = make_application(call, owner=ada)
    make_application(call, owner=make_user(name="Bo"))
    login_as(coordinator)

    response = client.get(list_url(call))

    html = response.get_data(as_text=True)
    assert f'href="/manage/calls/{call.id}/applications/{second.id}">Ada (#{second.id})</a>' in html
    assert f'href="/manage/calls/{call.id}/applications/{first.id}">Ada (#{first.id})</a>' in html
    assert flags(response)["Bo"] == "—"
    assert "same artist" in flags(response)["Ada"]


def test_the_same_file_in_two_applications_is_flagged(client, login_as, coordinator, call, make_application,
                                                      make_asset, make_user):
    """The same file (same SHA-256, whatever its name) submitted by two artists flags both applications."""
    ada, bo, cy = make_user(name="Ada"), make_user(name="Bo"), make_user(name="Cy")
    make_application(call, owner=ada, files=[make_asset(ada, "reel.mp4", content="the same bytes")])
    make_application(call, owner=bo, files=[make_asset(bo, "my-copy.mp4", content="the same bytes")])
    make_application(call, owner=cy, files=[make_asset(cy, "other.mp4", content="other bytes")])
    login_as(coordinator)

    cells = flags(client.get(list_url(call)))

    assert "Bo" in cells["Ada"] and "same file: my-copy.mp4" in cells["Ada"]
    assert "Ada" in cells["Bo"] and "same file: reel.mp4" in cells["Bo"]
    assert cells["Cy"] == "—"


def test_only_submitted_files_count(client, login_as, coordinator, call, make_application, make_asset, make_user):
    """A file uploaded for an application but not in its submitted version, or in a draft, flags nothing."""
    ada, bo, cy = make_user(name="Ada"), make_user(name="Bo"), make_user(name="Cy")
    make_application(call, owner=ada, files=[make_asset(ada, "reel.mp4", content="bytes")])
    later = make_application(call, owner=bo)
    late_upload = make_asset(bo, "added-after-submitting.mp4", content="bytes")
    late_upload.slot = f"application:{later.id}.portfolio"  # in the draft, not in the frozen version
    make_application(call, owner=cy, state="draft", files=[make_asset(cy, "draft.mp4", content="bytes")])
    login_as(coordinator)

    cells = flags(client.get(list_url(call)))

    assert cells == {"Ada": "—", "Bo": "—"}


def test_duplicates_only_filter_and_detail_page(client, login_as, coordinator, call, make_application, make_asset,
                                                make_user):
    """"Possible duplicates only" keeps the flagged applications; each one's page lists the others."""
    ada, bo, cy, di = (make_user(name=n) for n in ("Ada", "Bo", "Cy", "Di"))
    first = make_application(call, owner=ada, files=[make_asset(ada, "a.pdf", content="shared")])
    make_application(call, owner=bo, files=[make_asset(bo, "b.pdf", content="shared")])
    make_application(call, owner=cy)
    make_application(call, owner=di)
    make_application(call, owner=di)
    login_as(coordinator)

    assert sorted(names_in(client.get(list_url(call, duplicates=1)))) == ["Ada", "Bo", "Di", "Di"]
    text = page_text(client.get(f"/manage/calls/{call.id}/applications/{first.id}"))
    assert "Possible duplicates" in text and "Bo (#" in text and "same file: b.pdf" in text
