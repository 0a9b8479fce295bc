"""Error pages: readable HTML without a traceback for people, JSON for the API."""

import pytest

from tests.accounts.support import page_text, quick_user


def _assert_html_page(response, status, title):
    assert response.status_code == status
    assert response.mimetype == "text/html"
    text = page_text(response)
    assert f"<h1>{title}</h1>" in text
    assert 'href="/"' in text  # a way back home
    assert "Traceback" not in text and "File \"" not in text


def test_404_page_is_html_without_traceback(client):
    """An unknown page gets a 404 page in the site's layout, without a traceback."""
    response = client.get("/no/such/page")

    _assert_html_page(response, 404, "Page not found")
    assert "We could not find this page." in page_text(response)


def test_403_page_is_html_without_traceback(client, login_as):
    """A forbidden page gets a 403 page in the site's layout, without a traceback."""
    login_as(quick_user("ada@example.org"))

    response = client.get("/admin/")

    _assert_html_page(response, 403, "Not allowed")
    assert "You do not have permission to see this page." in page_text(response)


def test_405_page_names_the_allowed_methods(client):
    """A wrong method gets a 405 page that keeps the Allow header."""
    response = client.get("/logout")

    _assert_html_page(response, 405, "Not allowed")
    assert "POST" in response.headers["Allow"]


def test_csrf_failure_page_explains_and_changes_nothing(client):
    """A form sent without its CSRF token gets a 400 page saying to reload."""
    response = client.post("/password/forgot", data={"email": "ada@example.org"})

    _assert_html_page(response, 400, "Bad request")
    assert "Your form expired or was sent from another site" in page_text(response)


@pytest.mark.parametrize("url", ["/api/v1/no-such-endpoint", "/api/v1/cities/atlantis"])
def test_api_errors_are_json(client, url):
    """Errors under /api/v1/ are JSON problem details (RFC 9457) with the status and a message, never HTML."""
    response = client.get(url)

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 404 and body["title"] == "Not Found" and body["code"] == "not_found" and body["detail"]


def test_api_wrong_method_is_json(client):
    """A wrong method on the API gets a JSON 405 with the Allow header."""
    response = client.delete("/api/v1/cities")

    assert response.status_code == 405
    assert response.get_json()["status"] == 405
    assert "GET" in response.headers["Allow"]


def test_client_asking_for_json_gets_json_errors(client):
    """A client that asks for JSON gets its errors as JSON on any page."""
    response = client.get("/no/such/page", headers={"Accept": "application/json"})

    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404
