"""Data rights (GDPR articles 15, 17, 20): a user downloads everything they gave the platform in
one ZIP, and deletes their account: their personal data is gone from every table and from
storage, what others rely on stays as an anonymous trace, the audit chain still verifies, and
they can no longer log in. Bad input changes nothing."""

import io
import json
import zipfile

import pytest

from residency.accounts.models import AuthToken, LoginSession, LoginThrottle, RoleGrant, User, hash_token
from residency.applications.models import Application, ApplicationMember, ApplicationVersion, ArtistProfile
from residency.audit.models import AuditEntry
from residency.audit.operations import verify_log
from residency.extensions import db
from residency.media.models import MediaAsset, Work
from residency.notifications.models import EmailMessage
from residency.storage import get_storage
from tests.accounts.data_rights_support import (
    ANSWER, BIO, EMAIL, NAME, application_exists, rich_user, traces,
)
from tests.accounts.support import DEFAULT_PASSWORD, is_logged_in, log_in_fast, new_client, page_text


@pytest.fixture
def built(app, city):
    return rich_user(city)


def delete(client, password=DEFAULT_PASSWORD, confirmation=EMAIL, **extra):
    return client.post_form("/account/delete", {"password": password, "confirmation": confirmation, **extra})


def export(client, password=DEFAULT_PASSWORD):
    return client.post_form("/account/data/export", {"password": password})


def archive_of(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert int(response.headers["Content-Length"]) == len(body)  # known before streaming
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None
    return archive


# Export -------------------------------------------------------------------------------------

def test_the_account_page_links_to_your_data_which_works_without_javascript(client, built):
    log_in_fast(client, built.user)
    assert "/account/data" in page_text(client.get("/account"))
    page = client.get("/account/data")
    text = page_text(page)
    assert page.status_code == 200
    assert 'action="/account/data/export"' in text and 'name="password"' in text and 'name="csrf_token"' in text
    assert "<script" not in text.split("<main", 1)[-1].split("</main>", 1)[0]


def test_the_archive_holds_the_users_data_and_files_and_nothing_of_anyone_else(client, built):
    log_in_fast(client, built.user)
    archive = archive_of(export(client))
    document = json.loads(archive.read("data.json"))
    assert document["format"] == 1 and document["user_id"] == built.user.id
    assert set(document["parts"]) >= {"account", "email", "media", "applications"}
    data = document["data"]
    assert data["account"]["profile"]["email"] == EMAIL and data["account"]["profile"]["display_name"] == NAME
    assert data["applications"]["profile"]["bio"] == BIO
    owned = {item["id"]: item for item in data["applications"]["applications"]}
    assert set(owned) == {built.draft_id, built.unreviewed_id, built.decided_id}
    assert owned[built.decided_id]["versions"][0]["snapshot"]["answers"]
    assert any(item["application_id"] == built.others_application_id for item in data["applications"]["memberships"])
    assert [work["id"] for work in data["media"]["works"]] == [built.work_id]
    assert len(data["media"]["files"]) == 4 and data["email"]["messages"][0]["to"] == EMAIL
    # Every original the user uploaded (both versions of the reel), byte for byte; no derivative.
    storage = get_storage()
    names = set(archive.namelist()) - {"data.json"}
    assert len(names) == 4 and all(name.startswith("files/media/") for name in names)
    originals = {storage.open(key).read() for key in built.stored_keys if "/original/" in key}
    assert {archive.read(name) for name in names} == originals
    assert {entry["path"] for entry in document["files"]} == names
    # Nothing of the other person: their e-mail, their name, their file.
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"the other person's reel" not in everything
    assert b"other.artist@example.org" not in everything and b"Orla Other" not in everything
    # The export is audited, without personal data.
    assert db.session.scalar(db.select(AuditEntry.data).where(AuditEntry.action == "account.data_exported")) == {"files": 4}


def test_the_export_asks_for_the_password_and_a_csrf_token(client, built):
    log_in_fast(client, built.user)
    wrong = export(client, password="not my password at all")
    assert wrong.status_code == 400 and wrong.mimetype == "text/html"
    assert "Your password is not correct." in page_text(wrong)
    forged = client.post("/account/data/export", data={"password": DEFAULT_PASSWORD})
    assert forged.status_code == 400 and forged.mimetype != "application/zip"
    assert client.get("/account/data/export").status_code == 405
    anonymous = new_client(client.application).post("/account/data/export", data={"password": DEFAULT_PASSWORD})
    assert anonymous.status_code in (302, 400) and anonymous.mimetype != "application/zip"


def test_a_file_missing_from_storage_is_listed_not_fatal(client, built):
    get_storage().delete(built.stored_keys[0])
    log_in_fast(client, built.user)
    archive = archive_of(export(client))
    assert len(archive.read("missing.txt").splitlines()) == 1 and len(archive.namelist()) == 5


def test_exports_are_rate_limited_per_user(app, client, built):
    log_in_fast(client, built.user)
    limit = int(app.config["RATELIMIT_DATA_RIGHTS"].split()[0])
    for _ in range(limit):
        assert export(client).status_code == 200
    assert export(client).status_code == 429


# Deletion -----------------------------------------------------------------------------------

def test_deleting_leaves_no_trace_of_the_person_and_keeps_what_others_rely_on(app, client, built, monkeypatch):
    """The one HTTP flow: every table scanned for the address, name, bio and answers; storage."""
    from residency.accounts import sockets

    user_id = built.user.id
    other_browser = new_client(app)
    log_in_fast(client, built.user)
    log_in_fast(other_browser, built.user)
    logins = set(db.session.execute(db.select(LoginSession.id).where(LoginSession.user_id == user_id)).scalars())
    cut = []
    monkeypatch.setattr(sockets, "end_login_sockets", cut.append)  # the logout mechanism, after commit
    db.session.add(LoginThrottle(key_hash=hash_token(f"email:{EMAIL}"), failures=2))
    db.session.commit()
    assert traces(EMAIL, NAME, BIO, ANSWER)  # the scan finds them before
    broken, before = verify_log()
    assert broken is None

    response = delete(client)
    assert response.status_code == 302, page_text(response)[:400]
    assert len(logins) == 2 and set(cut) == logins  # every socket of both browsers is cut
    assert "Your account is deleted" in page_text(client.get("/"))

    db.session.expire_all()
    assert traces(EMAIL, NAME, BIO, ANSWER, "Quillfeather", "Zephyrine", "zq-reel") == []
    storage = get_storage()
    assert not any(storage.exists(key) for key in built.stored_keys)
    assert all(storage.exists(key) for key in built.other_keys)
    # The anonymised row: still there for the records pointing at its id.
    user = db.session.get(User, user_id)
    assert user.display_name == "Deleted user" and user.email.endswith("@deleted.invalid")
    assert not user.is_active and user.pronouns is None and user.city_id is None
    for model, column in ((LoginSession, LoginSession.user_id), (AuthToken, AuthToken.user_id),
                          (RoleGrant, RoleGrant.user_id), (EmailMessage, EmailMessage.user_id),
                          (Work, Work.owner_id)):
        assert db.session.scalar(db.select(db.func.count()).select_from(model).where(column == user_id)) == 0
    assert db.session.get(ArtistProfile, user_id) is None
    assert db.session.scalar(db.select(db.func.count(LoginThrottle.id))) == 0
    # Drafts and applications nobody reviewed are gone; the decided one stays, stripped.
    assert not application_exists(built.draft_id) and not application_exists(built.unreviewed_id)
    decided = db.session.get(Application, built.decided_id)
    assert decided.state == "selected" and decided.owner_id == user_id and decided.current_version == 1
    assert set(decided.answers) == {"_erased_at"} and decided.fingerprint
    version = db.session.execute(db.select(ApplicationVersion).where(
        ApplicationVersion.application_id == decided.id)).scalar_one()
    assert version.snapshot["erased"] is True and all(item["value"] is None for item in version.snapshot["answers"])
    # The other person's application stays, without the member.
    theirs = db.session.get(Application, built.others_application_id)
    assert theirs is not None and theirs.state == "submitted"
    assert db.session.scalar(db.select(db.func.count(ApplicationMember.id)).where(
        ApplicationMember.application_id == theirs.id)) == 0
    assert all(asset.purged_at is not None for asset in db.session.execute(
        db.select(MediaAsset).where(MediaAsset.owner_id == user_id)).scalars())
    # The audit chain is whole, one entry longer at least, ending with the deletion.
    broken, after = verify_log()
    assert broken is None and after > before
    assert db.session.execute(db.select(AuditEntry.actor_id, AuditEntry.object_id).where(
        AuditEntry.action == "account.deleted")).one() == (user_id, user_id)
    # Both browsers are logged out; the password no longer opens anything.
    assert not is_logged_in(client) and not is_logged_in(other_browser)
    login = client.post_form("/login", {"email": EMAIL, "password": DEFAULT_PASSWORD})
    assert login.status_code == 400 and not is_logged_in(client)


@pytest.mark.parametrize("password, confirmation, message", [
    ("not my password at all", EMAIL, "Your password is not correct."),
    (DEFAULT_PASSWORD, "", "Type your e-mail address to confirm."),
    (DEFAULT_PASSWORD, "someone.else@example.org", "Type your e-mail address exactly as shown to confirm."),
])
def test_a_wrong_password_or_confirmation_deletes_nothing(client, built, password, confirmation, message):
    log_in_fast(client, built.user)
    response = delete(client, password=password, confirmation=confirmation)
    assert response.status_code == 400 and message in page_text(response)
    db.session.expire_all()
    assert db.session.get(User, built.user.id).email == EMAIL and is_logged_in(client)
    assert application_exists(built.draft_id)
    assert all(get_storage().exists(key) for key in built.stored_keys)


def test_without_the_csrf_token_nothing_is_deleted(client, built):
    log_in_fast(client, built.user)
    response = client.post("/account/delete", data={"password": DEFAULT_PASSWORD, "confirmation": EMAIL})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, built.user.id).is_active and is_logged_in(client)


def test_another_users_id_in_the_form_changes_nothing_but_ones_own_account(client, built):
    """The pages act on the logged-in user only; an id slipped into the form is ignored."""
    log_in_fast(client, built.other)
    response = delete(client, confirmation="other.artist@example.org", user_id=str(built.user.id))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, built.user.id).email == EMAIL
    assert not db.session.get(User, built.other.id).is_active


def test_the_last_network_admin_cannot_delete_their_account(client, make_user):
    admin = make_user(email="root@example.org", roles=[("network_admin", "network", 0)])
    log_in_fast(client, admin)
    response = delete(client, confirmation="root@example.org")
    assert response.status_code == 400 and "last network admin" in page_text(response)
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_active
    # With a second admin, the first may go.
    make_user(email="second@example.org", roles=[("network_admin", "network", 0)])
    assert delete(client, confirmation="root@example.org").status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, admin.id).is_active


def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in ("/account/data", "/account/delete"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# Outside the database -----------------------------------------------------------------------

def test_the_outbox_folder_copy_of_their_mail_is_deleted(app, built):
    from residency.notifications.delivery import deliver
    from residency.notifications.personal_data import erase

    message = db.session.execute(db.select(EmailMessage).where(EmailMessage.to_address == EMAIL,
                                                               EmailMessage.subject == "Confirm")).scalar_one()
    path = deliver(message)
    assert path is not None and path.exists() and NAME in path.read_text()
    to_other = EmailMessage(to_address="other.artist@example.org", subject=f"{NAME} invited you",
                            body_text=f"{NAME} ({EMAIL}) invited you. {NAME}s and {NAME}-like words are other words.")
    db.session.add(to_other)
    db.session.commit()
    erase(built.user)
    db.session.commit()
    assert not path.exists()
    assert to_other.subject == "Deleted user invited you"
    assert to_other.body_text == f"Deleted user (Deleted user) invited you. {NAME}s and Deleted user-like words are other words."
    assert db.session.scalar(db.select(db.func.count(EmailMessage.id)).where(EmailMessage.to_address == EMAIL)) == 0


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_rate_limit_counters_keyed_by_the_address_are_dropped(kind):
    """The limiter's counters of ``email:<address>`` (sign-in links asked for) go, others stay;
    in Redis (production) as in memory."""
    from limits import parse
    from limits.storage import MemoryStorage, RedisStorage
    from limits.strategies import FixedWindowRateLimiter

    from residency.accounts.personal_data import forget_rate_limits
    from tests import services

    storage = RedisStorage(services.redis_url()) if kind == "redis" else MemoryStorage()
    limiter = FixedWindowRateLimiter(storage)
    item = parse("5/hour")
    for key in (f"email:{EMAIL}", "email:someone@example.org", "203.0.113.9"):
        limiter.hit(item, "accounts.request_login_link", key)
    assert forget_rate_limits(f"email:{EMAIL}", storage) >= 1
    assert limiter.get_window_stats(item, "accounts.request_login_link", f"email:{EMAIL}").remaining == 5
    assert limiter.get_window_stats(item, "accounts.request_login_link", "email:someone@example.org").remaining == 4
    assert limiter.get_window_stats(item, "accounts.request_login_link", "203.0.113.9").remaining == 4
    storage.reset()
