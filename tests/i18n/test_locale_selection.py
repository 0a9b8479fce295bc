"""Which language a page is shown in, the language switcher, and what a translated page declares."""

import re
from urllib.parse import urlsplit

import pytest
from flask import render_template_string
from flask_babel import force_locale

from residency.accounts.models import User
from residency.core.i18n import LANG_COOKIE, text_direction
from residency.extensions import db


def page_language(response):
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', response.get_data(as_text=True))
    assert match, "no <html lang dir> on the page"
    return match.group(1)


def saved_locale(user):
    db.session.expire_all()
    return db.session.get(User, user.id).locale


def lang_cookie(client):
    cookie = client.get_cookie(LANG_COOKIE)
    return cookie.value if cookie else None


def test_the_accounts_saved_language_wins_over_the_cookie_and_the_browser(client, make_user, login_as):
    """A logged-in user sees their saved language, whatever the cookie and the browser say."""
    login_as(make_user(locale="es"))
    client.set_cookie(LANG_COOKIE, "fr")

    response = client.get("/", headers={"Accept-Language": "pt-BR,pt;q=0.9"})

    assert page_language(response) == "es"


def test_the_switcher_cookie_wins_over_the_browser(client):
    """A visitor who chose a language with the switcher keeps it, whatever the browser asks for."""
    client.set_cookie(LANG_COOKIE, "fr")

    response = client.get("/", headers={"Accept-Language": "es"})

    assert page_language(response) == "fr"


@pytest.mark.parametrize(
    "accept, expected",
    [("fr-CA,fr;q=0.9,en;q=0.5", "fr"), ("pt-BR", "pt"), ("de-AT, es;q=0.7", "es"), ("en-GB", "en")],
)
def test_the_browser_language_is_used_when_nothing_was_chosen(client, accept, expected):
    """Without an account setting or a cookie, the page follows the browser's Accept-Language."""
    assert page_language(client.get("/", headers={"Accept-Language": accept})) == expected


@pytest.mark.parametrize("accept", ["de", "ja, ko;q=0.8", ""])
def test_an_unsupported_browser_language_falls_back_to_english(client, accept):
    """A browser asking only for languages the platform lacks gets English."""
    assert page_language(client.get("/", headers={"Accept-Language": accept})) == "en"


def test_an_unsupported_cookie_is_ignored(client):
    """A stale or forged language cookie does not break the page: the browser's language applies."""
    client.set_cookie(LANG_COOKIE, "xx")

    assert page_language(client.get("/", headers={"Accept-Language": "pt"})) == "pt"


def test_the_switcher_remembers_the_choice_of_a_visitor(client):
    """Choosing a language with the switcher sets a lasting cookie and the next pages use it."""
    response = client.post_form("/language", {"language": "pt"})

    assert response.status_code == 302
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{LANG_COOKIE}="))
    assert "Max-Age=31536000" in header and "SameSite=Lax" in header
    assert lang_cookie(client) == "pt"
    assert page_language(client.get("/", headers={"Accept-Language": "fr"})) == "pt"


def test_the_switcher_saves_the_choice_in_the_account(client, make_user, login_as):
    """A logged-in user who switches language has it saved in their account as well."""
    user = make_user(locale="en")
    login_as(user)

    client.post_form("/language", {"language": "fr"})

    assert saved_locale(user) == "fr"
    assert lang_cookie(client) == "fr"
    assert page_language(client.get("/")) == "fr"


@pytest.mark.parametrize("value", ["xx", "", "de", "fr-FR", "../en"])
def test_an_invalid_language_changes_nothing(client, make_user, login_as, value):
    """A language the platform does not offer changes neither the cookie nor the account."""
    user = make_user(locale="es")
    login_as(user)

    response = client.post_form("/language", {"language": value})

    assert response.status_code == 302
    assert not any(h.startswith(f"{LANG_COOKIE}=") for h in response.headers.getlist("Set-Cookie"))
    assert lang_cookie(client) is None
    assert saved_locale(user) == "es"
    assert page_language(client.get("/")) == "es"


def test_the_switcher_needs_the_csrf_token(client, make_user, login_as):
    """Another site cannot switch a user's language: without the CSRF token nothing changes."""
    user = make_user(locale="es")
    login_as(user)

    response = client.post("/language", data={"language": "fr"})

    assert response.status_code == 400
    assert lang_cookie(client) is None
    assert saved_locale(user) == "es"


@pytest.mark.parametrize("referrer, expected", [
    ("http://localhost/cities/lyon", "/cities/lyon"),
    ("http://localhost/cities?page=2", "/cities?page=2"),
    ("/login", "/login"),
])
def test_the_switcher_returns_to_the_page_you_were_on(client, referrer, expected):
    """After switching language you are back on the page you were reading."""
    response = client.post_form("/language", {"language": "fr"}, headers={"Referer": referrer})

    assert response.status_code == 302
    assert response.headers["Location"] == expected


@pytest.mark.parametrize("referrer", [
    "https://evil.example/",
    "https://evil.example/cities/lyon",
    "//evil.example/",
    "http://localhost//evil.example/",
    "http://localhost.evil.example/",
    "javascript:alert(1)",
    "http://localhost/\\evil.example/",
    "/\\evil.example",
])
def test_the_switcher_never_sends_you_to_another_site(client, referrer):
    """Whatever the Referer says, the switcher redirects only to a page of this site."""
    response = client.post_form("/language", {"language": "fr"}, headers={"Referer": referrer})

    assert response.status_code == 302
    location = response.headers["Location"]
    # Browsers read a backslash in a URL as a slash ("/\\evil.example" is "//evil.example").
    normalized = location.replace("\\", "/")
    parts = urlsplit(normalized)
    assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost"), location
    assert normalized.startswith("/") and not normalized.startswith("//"), location
    assert lang_cookie(client) == "fr"


@pytest.mark.parametrize("lang, title, language_name", [
    ("fr", "Se connecter", "Français"),
    ("es", "Iniciar sesión", "Español"),
    ("pt", "Entrar", "Português"),
])
def test_a_translated_page_declares_its_language_and_is_translated(client, lang, title, language_name):
    """The login page in French, Spanish or Portuguese has <html lang dir> and its texts in that language."""
    html = client.get("/login", headers={"Accept-Language": lang}).get_data(as_text=True)

    assert f'<html lang="{lang}" dir="ltr">' in html
    assert f"<title>{title} · City to City Residency</title>" in html, (
        "no translated title: are the catalogues compiled (`make translations`)?"
    )
    assert f"<h1>{title}</h1>" in html
    assert "Log in</h1>" not in html
    # The switcher names every language in that language, whatever the page's language.
    for code, name in (("en", "English"), ("fr", "Français"), ("es", "Español"), ("pt", "Português")):
        assert re.search(rf'<option value="{code}" lang="{code}"[^>]*>{name}</option>', html), code
    assert re.search(rf'<option value="{lang}" lang="{lang}" selected>{language_name}</option>', html)


def test_an_english_page_declares_english(client):
    """Without any preference the page is English and says so."""
    html = client.get("/login").get_data(as_text=True)

    assert '<html lang="en" dir="ltr">' in html
    assert "<h1>Log in</h1>" in html


@pytest.mark.parametrize("code, direction", [("he", "rtl"), ("ar", "rtl"), ("fa", "rtl"), ("fr", "ltr"), ("ko", "ltr")])
def test_text_direction_follows_the_language(code, direction):
    """Hebrew and Arabic are written right to left; the layout is ready for them."""
    assert text_direction(code) == direction


def test_the_layout_sets_rtl_for_a_right_to_left_language(app):
    """A page rendered in Hebrew or Arabic declares dir="rtl" on <html>."""
    for code in ("he", "ar"):
        with app.test_request_context("/"), force_locale(code):
            html = render_template_string('{% extends "base.html" %}')
        assert f'<html lang="{code}" dir="rtl">' in html


def test_templates_follow_a_forced_language_and_come_back(app):
    """A template translated inside ``force_locale`` (an e-mail in its recipient's language) is in
    that language, and the page's own language is back right after."""
    template = "{{ _('Log in') }} · {{ ngettext('%(num)d call', '%(num)d calls', 2) }}"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(template) == "Log in · 2 calls"
        with force_locale("fr"):
            french = render_template_string(template)
        assert render_template_string(template) == "Log in · 2 calls"
    assert french == "Se connecter · 2 appels"
