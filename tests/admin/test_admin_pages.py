"""The admin pages: only network admins reach them."""

import pytest

from tests.accounts.support import page_text, quick_user

PAGES = ("/admin/", "/admin/users", "/admin/users/{other}", "/admin/audit", "/admin/system")


@pytest.fixture
def other(app):
    return quick_user("bob@example.org", name="Bob Secret")


def _statuses(client, other):
    return {page: client.get(page.format(other=other.id)).status_code for page in PAGES}


def test_anonymous_visitor_is_sent_to_login_from_every_admin_page(client, other):
    """An anonymous visitor of any admin page is redirected to the login page, which brings them back."""
    for page in PAGES:
        url = page.format(other=other.id)
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.location.startswith("/login?next="), url


@pytest.mark.parametrize(
    "roles",
    [[], [("city_coordinator", "network", 0)], [("juror", "call", 1)], [("festival_programmer", "festival", 1)]],
    ids=["artist", "coordinator", "juror", "programmer"],
)
def test_non_admins_get_403_on_every_admin_page(client, login_as, other, roles):
    """Anyone logged in without the network admin role gets 403 on every admin page."""
    login_as(quick_user("ada@example.org", roles))

    assert set(_statuses(client, other).values()) == {403}


def test_network_admin_reaches_every_admin_page(client, login_as, other):
    """A network admin opens every admin page."""
    login_as(quick_user("admin@example.org", [("network_admin", "network", 0)]))

    assert set(_statuses(client, other).values()) == {200}


def test_user_cannot_see_another_users_data_through_admin_pages(client, login_as, other):
    """A user asking for another user's admin page gets 403 and none of their data."""
    login_as(quick_user("ada@example.org"))

    response = client.get(f"/admin/users/{other.id}")

    assert response.status_code == 403
    text = page_text(response)
    assert "bob@example.org" not in text
    assert "Bob Secret" not in text


def test_admin_page_of_a_missing_user_is_404(client, login_as):
    """An admin asking for a user who does not exist gets 404."""
    login_as(quick_user("admin@example.org", [("network_admin", "network", 0)]))

    assert client.get("/admin/users/999999").status_code == 404


def test_admin_link_shows_only_for_admins(client, other_client, login_as):
    """The Admin link appears in the navigation of network admins only."""
    from tests.accounts.support import log_in_fast

    login_as(quick_user("admin@example.org", [("network_admin", "network", 0)]))
    log_in_fast(other_client, quick_user("ada@example.org"))

    assert 'href="/admin/"' in page_text(client.get("/"))
    assert 'href="/admin/"' not in page_text(other_client.get("/"))


def test_admin_finds_users_by_email_or_name(client, login_as, other):
    """The user list filters by a part of the e-mail address or name."""
    login_as(quick_user("admin@example.org", [("network_admin", "network", 0)]))
    quick_user("carol@example.org", name="Carol")

    text = page_text(client.get("/admin/users?q=SECRET"))

    assert "bob@example.org" in text
    assert "carol@example.org" not in text


def test_audit_log_page_lists_and_filters_entries(client, login_as):
    """The audit page lists entries and filters them by the start of the action name."""
    from residency.audit.operations import record
    from residency.extensions import db

    login_as(quick_user("admin@example.org", [("network_admin", "network", 0)]))
    record("role.granted", role="juror")
    record("auth.login_failed", reason="unknown_email")
    db.session.commit()

    everything = page_text(client.get("/admin/audit"))
    roles_only = page_text(client.get("/admin/audit?action=role."))

    assert "role.granted" in everything and "auth.login_failed" in everything
    assert "role.granted" in roles_only and "auth.login_failed" not in roles_only
