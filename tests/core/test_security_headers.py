"""Every response carries the security headers: a strict CSP with no inline script, no framing,
no MIME sniffing, a conservative referrer policy; HSTS over HTTPS."""

import pytest


@pytest.mark.parametrize("path", ["/", "/register", "/login", "/cities/lyon", "/api/v1/cities", "/no-such-page"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_no_hsts_over_plain_http_but_hsts_over_https(client):
    """HSTS is only sent on HTTPS (sending it over HTTP is ignored and misleading)."""
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert "max-age=31536000" in secure.headers["Strict-Transport-Security"]


def test_pages_have_no_inline_script(client):
    """No <script> without src: the CSP would block it, and pages must work without it anyway."""
    import re

    for path in ("/", "/register", "/login", "/cities/"):
        html = client.get(path).get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, f"inline script on {path}: {tag}"
        assert " onclick=" not in html and " onload=" not in html


def test_the_session_cookie_is_httponly_and_samesite(client, make_user):
    """The login cookie cannot be read by scripts nor sent by other sites' forms."""
    user = make_user()
    response = client.post_form("/login", {"email": user.email, "password": "a long and quiet river 42"})
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("residency_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_uploaded_bodies_are_capped(app, client):
    """A request body over MAX_CONTENT_LENGTH is refused with 413 before it is read."""
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/login", data=big, content_type="application/octet-stream")
    assert response.status_code == 413
