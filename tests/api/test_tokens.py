"""Personal access tokens: made and revoked in the user's settings, shown once, stored hashed,
scopes bounded by the user's roles, and every bad token refused with a problem."""

import hashlib
import re
from datetime import timedelta

from residency.accounts.models import RoleGrant
from residency.core.types import utcnow
from residency.integrations.models import ApiToken
from tests.api.conftest import bearer, is_problem

TOKEN = re.compile(r'id="new-token" type="text" readonly value="(c2c_[^"]+)"')


def test_a_user_creates_a_token_sees_it_once_and_it_is_stored_hashed(app, db, client, login_as, make_user):
    artist = make_user(email="artist@example.org")
    login_as(artist)
    page = client.get("/account").get_data(as_text=True)
    assert "/account/tokens" in page  # the account page links to the tokens
    response = client.post_form("/account/tokens", {"name": "my script", "scopes": ["applications:read"], "days": "30"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    raw = TOKEN.search(response.get_data(as_text=True)).group(1)
    stored = db.session.execute(db.select(ApiToken).where(ApiToken.user_id == artist.id)).scalar_one()
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(stored.__dict__)
    assert stored.scopes == ["applications:read"]
    assert timedelta(days=29) < stored.expires_at - utcnow() <= timedelta(days=30)
    again = client.get("/account/tokens").get_data(as_text=True)
    assert raw not in again and stored.prefix in again  # never shown again; recognisable by its start
    assert client.get("/api/v1/me/applications", headers=bearer(raw)).status_code == 200


def test_the_form_offers_and_accepts_only_the_scopes_the_roles_allow(app, db, client, login_as, make_user):
    artist = make_user(email="artist@example.org")
    login_as(artist)
    page = client.get("/account/tokens").get_data(as_text=True)
    assert 'value="applications:read"' in page and 'value="coordinator:read"' not in page
    response = client.post_form("/account/tokens", {"name": "sneaky", "scopes": ["coordinator:read"], "days": "30"})
    assert response.status_code == 400
    assert "do not allow the scope" in response.get_data(as_text=True)
    assert db.session.execute(db.select(ApiToken)).scalars().all() == []


def test_bad_token_form_input_is_refused(app, db, client, login_as, make_user):
    login_as(make_user())
    for data in ({"name": "", "scopes": ["public:read"], "days": "30"},
                 {"name": "x" * 101, "scopes": ["public:read"], "days": "30"},
                 {"name": "ok", "scopes": [], "days": "30"},
                 {"name": "ok", "scopes": ["public:read"], "days": "9999"}):
        assert client.post_form("/account/tokens", data).status_code == 400
    assert db.session.execute(db.select(ApiToken)).scalars().all() == []


def test_revoking_a_token_ends_it(app, db, client, login_as, make_user, make_token):
    user = make_user()
    raw = make_token(user, ["applications:read"])
    assert client.get("/api/v1/me/applications", headers=bearer(raw)).status_code == 200
    login_as(user)
    token = db.session.execute(db.select(ApiToken)).scalar_one()
    response = client.post_form(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 302
    assert is_problem(client.get("/api/v1/me/applications", headers=bearer(raw)), 401, "invalid_token")


def test_another_users_token_cannot_be_revoked(app, db, client, login_as, make_user, make_token):
    owner, other = make_user(), make_user()
    raw = make_token(owner, ["applications:read"])
    token = db.session.execute(db.select(ApiToken)).scalar_one()
    login_as(other)
    assert client.post_form(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert client.get("/api/v1/me/applications", headers=bearer(raw)).status_code == 200


def test_no_token_on_a_private_operation_is_401_with_a_challenge(client, app):
    response = client.get("/api/v1/me/applications")
    assert is_problem(response, 401, "missing_token")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_malformed_unknown_and_expired_tokens_are_401(app, db, client, make_user, make_token):
    user = make_user()
    raw = make_token(user, ["applications:read"])
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer " + "x" * 500, "Bearer c2c_not-a-real-token",
                   "Bearer " + raw + "x", "Bearer ünïcode"):
        response = client.get("/api/v1/me/applications", headers={"Authorization": header})
        assert is_problem(response, 401, "invalid_token"), header
    token = db.session.execute(db.select(ApiToken)).scalar_one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert is_problem(client.get("/api/v1/me/applications", headers=bearer(raw)), 401, "invalid_token")
    # A bad token is refused even where no token is needed: it is a mistake worth telling.
    assert is_problem(client.get("/api/v1/cities", headers=bearer(raw)), 401, "invalid_token")


def test_a_disabled_account_s_token_stops_working(app, db, client, make_user, make_token):
    user = make_user()
    raw = make_token(user, ["applications:read"])
    user.is_active = False
    db.session.commit()
    assert is_problem(client.get("/api/v1/me/applications", headers=bearer(raw)), 401)


def test_a_token_without_the_scope_is_403(app, client, make_user, make_token, coordinator, make_call):
    call = make_call()
    raw = make_token(coordinator, ["public:read"])
    response = client.get(f"/api/v1/calls/{call.id}/applications", headers=bearer(raw))
    assert is_problem(response, 403, "insufficient_scope")
    assert 'scope="coordinator:read"' in response.headers["WWW-Authenticate"]


def test_a_token_loses_what_a_removed_role_allowed(app, db, client, coordinator, make_call, make_token):
    call = make_call()
    raw = make_token(coordinator, ["coordinator:read"])
    assert client.get(f"/api/v1/calls/{call.id}/applications", headers=bearer(raw)).status_code == 200
    db.session.execute(db.delete(RoleGrant).where(RoleGrant.user_id == coordinator.id))
    db.session.commit()
    db.session.expire_all()
    assert is_problem(client.get(f"/api/v1/calls/{call.id}/applications", headers=bearer(raw)), 403,
                      "insufficient_scope")


def test_using_a_token_records_when_and_the_settings_page_shows_it(app, db, client, login_as, make_user, make_token):
    user = make_user()
    raw = make_token(user, ["applications:read"])
    token = db.session.execute(db.select(ApiToken)).scalar_one()
    assert token.last_used_at is None
    login_as(user)
    assert "never" in client.get("/account/tokens").get_data(as_text=True)
    client.get("/api/v1/me/applications", headers=bearer(raw))
    assert token.last_used_at is not None and utcnow() - token.last_used_at < timedelta(minutes=1)


def test_a_token_cannot_be_created_with_a_scope_beyond_the_roles(app, make_user):
    import pytest

    from residency.core.errors import ActionRefused
    from residency.integrations.tokens import create_token

    with pytest.raises(ActionRefused):
        create_token(make_user(), "x", ["coordinator:write"], 30)
    with pytest.raises(ActionRefused):
        create_token(make_user(), "x", ["everything"], 30)
