"""Granting and revoking roles on the admin pages."""

import pytest

from residency.accounts import operations
from residency.accounts.models import RoleGrant
from residency.audit.models import AuditEntry
from residency.core.errors import ActionRefused
from residency.core.permissions import can
from residency.extensions import db
from tests.accounts.support import count, log_in_fast, page_text, quick_user


@pytest.fixture
def admin(app):
    return quick_user("admin@example.org", [("network_admin", "network", 0)])


@pytest.fixture
def person(app):
    return quick_user("bob@example.org")


@pytest.fixture
def as_admin(client, admin):
    log_in_fast(client, admin)
    return client


def _grant(client, person, role, scope):
    return client.post_form(f"/admin/users/{person.id}", {"role": role, "scope": scope})


def _grants_of(person):
    return db.session.execute(
        db.select(RoleGrant.role, RoleGrant.scope_type, RoleGrant.scope_id).where(RoleGrant.user_id == person.id)
    ).all()


def _revoke_url(person, grant):
    return f"/admin/users/{person.id}/grants/{grant.id}/revoke"


def test_admin_grants_a_role_with_an_audit_entry(as_admin, admin, person, city):
    """Granting a role stores it, names who granted it and records an audit entry."""
    response = _grant(as_admin, person, "city_coordinator", f"city:{city.id}")

    assert response.status_code == 302
    assert _grants_of(person) == [("city_coordinator", "city", city.id)]
    grant = db.session.execute(db.select(RoleGrant).where(RoleGrant.user_id == person.id)).scalar_one()
    assert grant.granted_by_id == admin.id
    [entry] = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "role.granted")).scalars().all()
    assert (entry.actor_id, entry.object_id) == (admin.id, person.id)
    assert entry.data == {"role": "city_coordinator", "scope_type": "city", "scope_id": city.id}
    assert "Role granted." in page_text(as_admin.get(response.location))


def test_granted_role_works_at_once(as_admin, other_client, person):
    """A role granted takes effect on the grantee's very next request, without logging in again."""
    log_in_fast(other_client, person)
    assert other_client.get("/admin/").status_code == 403

    _grant(as_admin, person, "network_admin", "network:0")

    assert other_client.get("/admin/").status_code == 200


def test_duplicate_grant_is_refused(as_admin, person, city):
    """Granting a role the person already holds in that scope is refused; nothing is added."""
    _grant(as_admin, person, "city_coordinator", f"city:{city.id}")

    response = _grant(as_admin, person, "city_coordinator", f"city:{city.id}")

    assert response.status_code == 400
    assert "This person already holds this role." in page_text(response)
    assert len(_grants_of(person)) == 1


@pytest.mark.parametrize("role", ["juror", "jury_chair", "festival_programmer"])
def test_role_in_a_scope_it_cannot_have_is_refused(as_admin, person, role):
    """A juror, jury chair or festival programmer cannot be granted over the whole network."""
    response = _grant(as_admin, person, role, "network:0")

    assert response.status_code == 400
    assert "This role cannot be held in that scope." in page_text(response)
    assert _grants_of(person) == []


def test_admin_role_in_a_city_is_refused(as_admin, person, city):
    """The network admin role cannot be held in a single city."""
    response = _grant(as_admin, person, "network_admin", f"city:{city.id}")

    assert response.status_code == 400
    assert _grants_of(person) == []


@pytest.mark.parametrize(("role", "scope"), [("city_coordinator", "city:999999"), ("overlord", "network:0"), ("city_coordinator", "")])
def test_unknown_scope_or_role_is_refused_on_the_page(as_admin, person, role, scope):
    """A city that does not exist, an unknown role or a missing scope is refused with 400."""
    response = _grant(as_admin, person, role, scope)

    assert response.status_code == 400
    assert "There is a problem" in page_text(response)
    assert _grants_of(person) == []


def test_grant_in_a_city_that_does_not_exist_is_refused(app, admin, person):
    """The grant operation itself refuses a city that does not exist (its message is read in a request)."""
    with app.test_request_context(), pytest.raises(ActionRefused, match="That scope does not exist."):
        operations.grant_role(admin, person, "city_coordinator", "city", 999999)
    assert _grants_of(person) == []


def test_admin_revokes_a_role_with_an_audit_entry(as_admin, admin, city):
    """Revoking a role removes it at once and records an audit entry."""
    person = quick_user("bob@example.org", [("city_coordinator", "city", city.id)])
    grant = person.grants[0]
    assert can(person, "city.edit", city)

    response = as_admin.post_form(_revoke_url(person, grant))

    assert response.status_code == 302
    assert _grants_of(person) == []
    db.session.expire_all()
    assert not can(person, "city.edit", city)
    [entry] = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "role.revoked")).scalars().all()
    assert (entry.actor_id, entry.object_id, entry.data["role"]) == (admin.id, person.id, "city_coordinator")


def test_admin_cannot_revoke_their_own_admin_role(as_admin, admin):
    """An admin cannot remove their own network admin role (another admin must); a message says so."""
    grant = admin.grants[0]

    response = as_admin.post_form(_revoke_url(admin, grant))

    assert response.status_code == 400
    assert "You cannot remove your own admin role; ask another admin." in page_text(response)
    assert _grants_of(admin) == [("network_admin", "network", 0)]


def test_admin_may_revoke_another_admins_role(as_admin):
    """One admin may remove another admin's role."""
    other_admin = quick_user("admin2@example.org", [("network_admin", "network", 0)])

    response = as_admin.post_form(_revoke_url(other_admin, other_admin.grants[0]))

    assert response.status_code == 302
    assert _grants_of(other_admin) == []


def test_revoking_through_another_users_url_is_404(as_admin, person, city):
    """A grant revoked through the URL of a user who does not hold it gets 404 and stays."""
    holder = quick_user("carol@example.org", [("city_coordinator", "city", city.id)])

    response = as_admin.post_form(_revoke_url(person, holder.grants[0]))

    assert response.status_code == 404
    assert _grants_of(holder) == [("city_coordinator", "city", city.id)]


def test_revoking_a_missing_grant_is_404(as_admin, person):
    """Revoking a grant that does not exist gets 404."""
    response = as_admin.post_form(f"/admin/users/{person.id}/grants/999999/revoke")

    assert response.status_code == 404


def test_revoke_without_csrf_token_is_refused(as_admin, city):
    """A revoke POST without its CSRF token (another site's form) is refused and changes nothing."""
    person = quick_user("bob@example.org", [("city_coordinator", "city", city.id)])

    response = as_admin.post(_revoke_url(person, person.grants[0]))

    assert response.status_code == 400
    assert len(_grants_of(person)) == 1


@pytest.mark.parametrize("roles", [[], [("city_coordinator", "network", 0)]], ids=["artist", "coordinator"])
def test_non_admins_cannot_grant_roles(client, person, roles):
    """Someone without the admin role who POSTs a grant (even to themself) gets 403; nothing changes."""
    user = quick_user("ada@example.org", roles)
    log_in_fast(client, user)

    for target in (person, user):
        response = _grant(client, target, "network_admin", "network:0")
        assert response.status_code == 403

    assert _grants_of(person) == []
    assert [grant[0] for grant in _grants_of(user)] == [role for role, _, _ in roles]
    assert count(AuditEntry) == 0


def test_non_admins_cannot_revoke_roles(client, admin):
    """Someone without the admin role who POSTs a revoke gets 403; the grant stays."""
    log_in_fast(client, quick_user("ada@example.org", [("city_coordinator", "network", 0)]))

    response = client.post_form(_revoke_url(admin, admin.grants[0]))

    assert response.status_code == 403
    assert _grants_of(admin) == [("network_admin", "network", 0)]
