"""Ids from outside: a number too large for the database, or digits that are not ASCII, are a
plain "not found" (or a clear refusal), never a server error."""

import pytest

from residency.core.ids import MAX_ID, parse_id, parse_page


@pytest.mark.parametrize("text, expected", [
    ("12", 12), (" 7 ", 7), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("0", None), ("-3", None),
    ("²", None), ("١٢", None), ("12a", None), ("", None), (None, None), ("9" * 40, None),
])
def test_parse_id(text, expected):
    assert parse_id(text) == expected


@pytest.mark.parametrize("text, expected", [("3", 3), ("x", 1), (None, 1), ("99999999999999999999", 1), ("0", 1)])
def test_parse_page(text, expected):
    assert parse_page(text) == expected


@pytest.mark.parametrize("path", [
    "/works/99999999999", "/works/99999999999/edit", "/applications/99999999999",
    "/works/2147483648/assets/1",
])
def test_an_id_too_large_for_the_database_is_not_found(client, login_as, make_user, path):
    """Every ``<int:…>`` route answers 404 to an id past the database's integer range."""
    login_as(make_user())
    assert client.get(path).status_code == 404


def test_upload_references_with_odd_numbers_are_refused_clearly(client, login_as, make_user):
    """The upload API: a work id too large is unknown (404); non-ASCII digits are malformed (400)."""
    login_as(make_user())
    token = client.csrf_token()
    for ref, status in (("work:99999999999", 404), ("work:²", 400), ("application:99999999999.q1", 404),
                        ("application:²³.q1", 400)):
        response = client.post("/media/uploads", json={"slot": ref, "filename": "a.mp4", "size": 100},
                               headers={"X-CSRFToken": token})
        assert response.status_code == status, (ref, response.get_data(as_text=True))


def test_a_huge_page_number_shows_the_first_page(client, login_as, make_user):
    """A page number past any real page (or malformed) shows page 1, never an error."""
    admin = make_user(roles=[("network_admin", "network", 0)])
    login_as(admin)
    assert client.get("/admin/users?page=99999999999999999999999").status_code == 200
    assert client.get("/admin/users?page=abc").status_code == 200
