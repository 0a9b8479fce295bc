"""The residency's people: its city's coordinators add people by their account's e-mail address
(told in-app and by e-mail in their language), change their role and remove them; a participant
leaves on their own; whoever leaves loses the residency at once and the rooms are told after the
commit; participants see each other's profiles and portfolio works."""

import pytest

from residency import signals
from residency.applications.models import ArtistProfile
from residency.extensions import db
from residency.media.models import Work
from residency.residencies.access import participant_user_ids, participation
from residency.residencies.models import Notice, Participant
from tests.conftest import deliver_outbox
from tests.residencies.conftest import reload


def participant_of(user):
    db.session.expire_all()
    return db.session.execute(db.select(Participant).where(Participant.user_id == user.id)).scalar_one()


def test_a_coordinator_adds_someone_by_email(client, login_as, lyon_coordinator, residency, make_user, mailbox):
    """Any case of the address finds the account; the person is told in French, their language."""
    lea = make_user(email="lea@example.org", name="Léa Artiste", locale="fr")
    login_as(lyon_coordinator)
    response = client.post_form(f"/residencies/{residency.id}/participants", {"email": " LEA@Example.org ",
                                                                                "role": "mentor"})
    assert response.status_code == 302
    participant = participant_of(lea)
    assert (participant.role, participant.added_by_id, participant.left_at) == ("mentor", lyon_coordinator.id, None)
    assert participant_user_ids(residency.id) == {lea.id}
    assert db.session.execute(db.select(Notice).where(Notice.user_id == lea.id)).scalar_one().kind == "joined"
    deliver_outbox()
    (mail,) = mailbox.to("lea@example.org")
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("Bonjour Léa Artiste,") and f"/residencies/{residency.id}" in body
    login_as(lea)
    page = client.get("/residencies/").get_data(as_text=True)
    assert "Lumières numériques" in page and "Résidences (1 nouvelle)" in page


@pytest.mark.parametrize("email, role, message, status", [
    ("nobody@example.org", "artist", "No active account uses this e-mail address.", 400),
    ("", "artist", "Enter an e-mail address.", 400),
    ("ana@example.org", "artist", "Ana Artist already takes part in this residency.", 409),
    ("kwame@example.org", "juror", "Not a valid choice", 400),
    ("x" * 250 + "@example.org", "artist", "Field cannot be longer than 254 characters.", 400),
])
def test_adding_is_refused_with_a_message(client, login_as, lyon_coordinator, cohort, make_user, email, role,
                                          message, status):
    make_user(email="inactive@example.org", is_active=False)
    login_as(lyon_coordinator)
    before = participant_user_ids(cohort["residency"].id)
    response = client.post_form(f"/residencies/{cohort['residency'].id}/participants", {"email": email, "role": role})
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert participant_user_ids(cohort["residency"].id) == before


def test_an_inactive_account_cannot_be_added(client, login_as, lyon_coordinator, residency, make_user):
    make_user(email="gone@example.org", is_active=False)
    login_as(lyon_coordinator)
    response = client.post_form(f"/residencies/{residency.id}/participants", {"email": "gone@example.org",
                                                                                "role": "artist"})
    assert response.status_code == 400 and participant_user_ids(residency.id) == set()


def test_only_the_citys_coordinators_manage_people(client, login_as, cohort, make_user):
    """An artist of the residency sees it but gets 403 on its people pages; nothing changes."""
    residency = cohort["residency"]
    ana = participant_of(cohort["artists"][0])
    login_as(cohort["artists"][1])
    assert client.get(f"/residencies/{residency.id}/participants").status_code == 403
    assert client.post_form(f"/residencies/{residency.id}/participants",
                            {"email": "friend@example.org", "role": "artist"}).status_code == 403
    assert client.post_form(f"/residencies/{residency.id}/participants/{ana.id}/role",
                            {"role": "coordinator"}).status_code == 403
    assert client.post_form(f"/residencies/{residency.id}/participants/{ana.id}/remove").status_code == 403
    assert reload(Participant, ana.id).role == "artist" and reload(Participant, ana.id).left_at is None


def test_changing_a_role(client, login_as, lyon_coordinator, cohort):
    residency = cohort["residency"]
    ana = participant_of(cohort["artists"][0])
    login_as(lyon_coordinator)
    assert client.post_form(f"/residencies/{residency.id}/participants/{ana.id}/role",
                            {"role": "coordinator"}).status_code == 302
    assert reload(Participant, ana.id).role == "coordinator"
    response = client.post_form(f"/residencies/{residency.id}/participants/{ana.id}/role", {"role": "queen"})
    assert response.status_code == 400 and reload(Participant, ana.id).role == "coordinator"


def test_removing_someone_closes_everything_and_tells_the_rooms(client, login_as, lyon_coordinator, cohort):
    """The removed artist loses the page at once (404, as if it did not exist); the signal for the
    rooms carries their id and comes once the removal is committed."""
    residency = cohort["residency"]
    kwame = cohort["artists"][1]
    participant = participant_of(kwame)
    heard = []

    def listener(sender, user_id):
        heard.append((sender.id, user_id, participant_user_ids(sender.id)))

    signals.residency_participant_left.connect(listener)
    try:
        login_as(lyon_coordinator)
        assert "Kwame Mensah" in client.get(f"/residencies/{residency.id}/participants/{participant.id}/remove")\
            .get_data(as_text=True)
        assert client.post_form(f"/residencies/{residency.id}/participants/{participant.id}/remove").status_code == 302
    finally:
        signals.residency_participant_left.disconnect(listener)
    assert len(heard) == 1
    residency_id, user_id, still_in = heard[0]
    assert (residency_id, user_id) == (residency.id, kwame.id) and kwame.id not in still_in
    assert reload(Participant, participant.id).left_at is not None
    assert participation(kwame, residency.id) is None
    login_as(kwame)
    assert client.get(f"/residencies/{residency.id}").status_code == 404
    assert "Lumières numériques" not in client.get("/residencies/").get_data(as_text=True)
    login_as(lyon_coordinator)
    page = client.get(f"/residencies/{residency.id}/participants").get_data(as_text=True)
    assert "Left on" in page  # the coordinators keep the history
    assert client.post_form(f"/residencies/{residency.id}/participants", {"email": "kwame@example.org",
                                                                           "role": "artist"}).status_code == 302
    assert participation(kwame, residency.id) is not None  # added again


def test_a_participant_leaves_on_their_own(client, login_as, cohort):
    residency = cohort["residency"]
    tamar = cohort["artists"][3]
    login_as(tamar)
    heard = []
    listener = lambda sender, user_id: heard.append((sender.id, user_id))  # noqa: E731
    signals.residency_participant_left.connect(listener)
    try:
        assert client.get(f"/residencies/{residency.id}/leave").status_code == 200
        assert client.post_form(f"/residencies/{residency.id}/leave").status_code == 302
    finally:
        signals.residency_participant_left.disconnect(listener)
    assert heard == [(residency.id, tamar.id)]
    assert participation(tamar, residency.id) is None
    assert client.get(f"/residencies/{residency.id}").status_code == 404


def test_participants_see_each_others_profiles_and_portfolio_works(client, login_as, cohort):
    """Sofia's page shows her biography, links and the works she put in her portfolio (not her
    other works); a work links to its own page only for its owner; a javascript: link stays text."""
    residency = cohort["residency"]
    sofia = cohort["artists"][2]
    shown = Work(owner_id=sofia.id, title="Mangue beat", year=2025, medium="video", synopsis={"en": "A river."})
    hidden = Work(owner_id=sofia.id, title="Private sketch", year=2024)
    db.session.add_all([shown, hidden])
    db.session.flush()
    db.session.add(ArtistProfile(user_id=sofia.id, bio="Sound and light.\nRecife.", website="javascript:alert(1)",
                                 links=["https://sofia.example.org"], organisation="Coletivo",
                                 portfolio_work_ids=[shown.id]))
    db.session.commit()
    sofia_participant = participant_of(sofia)
    login_as(cohort["artists"][0])
    page = client.get(f"/residencies/{residency.id}").get_data(as_text=True)
    assert f'href="/residencies/{residency.id}/participants/{sofia_participant.id}"' in page
    page = client.get(f"/residencies/{residency.id}/participants/{sofia_participant.id}").get_data(as_text=True)
    assert "Sound and light.<br>Recife." in page and "Coletivo" in page
    assert "Mangue beat" in page and "A river." in page and "Private sketch" not in page
    assert 'href="https://sofia.example.org"' in page and 'href="javascript:' not in page
    assert f'href="/works/{shown.id}"' not in page
    login_as(sofia)
    page = client.get(f"/residencies/{residency.id}/participants/{sofia_participant.id}").get_data(as_text=True)
    assert f'href="/works/{shown.id}"' in page


def test_the_access_functions_count_only_active_participants(cohort, make_user):
    residency = cohort["residency"]
    ids = participant_user_ids(residency.id)
    assert ids == {a.id for a in cohort["artists"]} | {cohort["mentor"].id}
    assert participation(cohort["artists"][0], residency.id).role == "artist"
    assert participation(make_user(), residency.id) is None
    left = participant_of(cohort["artists"][0])
    left.left_at = left.joined_at
    db.session.commit()
    assert participation(cohort["artists"][0], residency.id) is None
    assert cohort["artists"][0].id not in participant_user_ids(residency.id)
