"""Two tabs of one juror saving a score sheet at the same moment, on PostgreSQL with real
concurrent transactions: no update is lost and there is never more than one current sheet.

These tests run an application of their own on a PostgreSQL database of their own (not the ``app``
fixture, whose single connection and rolled-back transaction would serialise everything) and
commit for real; the database is dropped afterwards.
"""

import threading
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

import config as settings
from residency import create_app
from residency.extensions import db as _db
from tests import services
from tests.conftest import create_user, log_in_without_form
from tests.jury.conftest import RUBRIC
from tests.jury.scoring_support import GOOD
from tests.review.conftest import FORM


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """An application on a PostgreSQL database of its own, migrated, dropped afterwards."""
    if not services.TEST_DATABASE_URL:
        if services.CI:
            pytest.fail("CI=true needs TEST_DATABASE_URL (PostgreSQL)", pytrace=False)
        pytest.skip("concurrent transactions: PostgreSQL")
    from flask_migrate import upgrade

    url = services.create_postgres_database("residency_jury_tabs")
    config = settings.TestingConfig(tmp_path_factory.mktemp("data"))
    config.SQLALCHEMY_DATABASE_URI = url
    config.WTF_CSRF_ENABLED = False
    app = create_app(config)
    try:
        with app.app_context():
            upgrade()
        yield app
    finally:
        with app.app_context():
            _db.engine.dispose()
        services.drop_postgres_database(url)


@pytest.fixture
def live(live_app):
    """``(app, make_seat)``; ``make_seat()`` commits a call, an application and a juror's confirmed
    assignment in a round in scoring, and returns ``(juror, assignment)``."""
    from residency.applications.models import Application, ApplicationVersion
    from residency.calls.models import Call
    from residency.core.types import utcnow
    from residency.jury.models import Assignment, PanelMember, Round

    def make_seat():
        now, tag = utcnow(), uuid.uuid4().hex[:10]
        artist = create_user(email=f"artist-{tag}@example.org", password=None)
        juror = create_user(email=f"juror-{tag}@example.org", password=None)
        call = Call(slug=f"concurrent-{tag}", main_language="en", texts={"en": {"title": "Concurrent"}}, state="closed",
                    timezone="Europe/Paris", form=FORM, rubric=RUBRIC, closes_at=now - timedelta(days=1))
        _db.session.add(call)
        _db.session.flush()
        application = Application(call_id=call.id, owner_id=artist.id, state="submitted", current_version=1,
                                  submitted_at=now, eligible=True)
        _db.session.add(application)
        _db.session.flush()
        _db.session.add(ApplicationVersion(application_id=application.id, number=1, snapshot={"format": 1, "answers": []},
                                           fingerprint="0" * 64))
        member = PanelMember(call_id=call.id, user_id=juror.id, email=juror.email, status="active")
        round_ = Round(call_id=call.id, number=1, name="Shortlist", phase="scoring",
                       scoring_closes_at=now + timedelta(days=3))
        _db.session.add_all([member, round_])
        _db.session.flush()
        assignment = Assignment(round_id=round_.id, member_id=member.id, application_id=application.id,
                                confirmed_at=now)
        _db.session.add(assignment)
        _db.session.commit()
        return juror, assignment

    with live_app.app_context():
        yield live_app, make_seat
        _db.session.rollback()


def tab(app, juror):
    """A browser tab of the juror: a client logged in."""
    client = app.test_client()
    log_in_without_form(client, juror)
    return client


def sheets(assignment_id):
    """``[(id, supersedes id, c1)]`` of the assignment's sheets, read from a fresh transaction."""
    from residency.jury.models import Review, Score

    _db.session.rollback()
    return [tuple(row) for row in _db.session.execute(
        _db.select(Review.id, Review.supersedes_id, Score.value).join(Score, Score.review_id == Review.id)
        .where(Review.assignment_id == assignment_id, Score.criterion_id == "c1").order_by(Review.id))]


def post(client, url, c1, loaded=""):
    return client.post(url, data={**GOOD, "score-c1": str(c1), "loaded_review": str(loaded), "action": "save"})


def score_url(assignment):
    """The page of the assignment, read once in the test's thread (ORM objects stay there)."""
    return f"/jury/rounds/{assignment.round_id}/applications/{assignment.application_id}"


def test_a_save_waits_for_the_other_tabs_save_then_sees_it(live):
    """While tab A holds the assignment (its save in progress), tab B's save waits on the row lock;
    once A's sheet is committed, B is refused (409) instead of adding a second current sheet."""
    app, make_seat = live
    juror, assignment = make_seat()
    client_b = tab(app, juror)
    results = {}
    with _db.engine.connect() as tab_a:
        transaction = tab_a.begin()
        tab_a.execute(text("SELECT id FROM jury_assignments WHERE id = :id FOR UPDATE"), {"id": assignment.id})

        url = score_url(assignment)

        def save_b():
            with app.app_context():
                try:
                    results["b"] = post(client_b, url, 5).status_code
                except Exception as exc:  # noqa: BLE001  (reported by the assertion below)
                    results["b"] = repr(exc)

        thread = threading.Thread(target=save_b, daemon=True)
        thread.start()
        waiting = False
        deadline = time.monotonic() + 30
        with _db.engine.connect() as watcher:
            while time.monotonic() < deadline and not waiting:
                waiting = watcher.execute(text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE NOT l.granted AND a.datname = current_database()")).scalar() > 0
                time.sleep(0.05)
        assert waiting, "tab B's save did not wait for tab A's lock on the assignment"
        review_id = tab_a.execute(text(
            "INSERT INTO jury_reviews (assignment_id, round_id, member_id, application_id, abstained, abstain_reason, "
            "submitted_at) VALUES (:a, :r, :m, :p, false, '', now()) RETURNING id"),
            {"a": assignment.id, "r": assignment.round_id, "m": assignment.member_id, "p": assignment.application_id},
        ).scalar()
        tab_a.execute(text("INSERT INTO jury_scores (review_id, criterion_id, value) VALUES "
                           "(:id, 'c1', 2), (:id, 'c2', 3), (:id, 'c3', 7)"), {"id": review_id})
        transaction.commit()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert results == {"b": 409}
    assert sheets(assignment.id) == [(review_id, None, 2.0)]


def test_two_tabs_saving_at_once_give_one_sheet_and_one_refusal(live):
    """Two saves of a sheet loaded from the same state, started together from two threads: one is
    saved, the other refused; repeated on fresh sheets and on a changed sheet."""
    app, make_seat = live
    for _attempt in range(3):
        juror, assignment = make_seat()
        url, assignment_id = score_url(assignment), assignment.id
        tabs = [tab(app, juror), tab(app, juror)]
        for loaded in ("", None):
            if loaded is None:  # both tabs now hold the current sheet and change it at once
                [(loaded, _s, _v)] = sheets(assignment_id)[-1:]
            before = sheets(assignment_id)
            barrier, statuses = threading.Barrier(2), []

            def save(client, c1, loaded=loaded, barrier=barrier, statuses=statuses, url=url):
                with app.app_context():
                    barrier.wait(timeout=30)
                    try:
                        statuses.append(post(client, url, c1, loaded).status_code)
                    except Exception as exc:  # noqa: BLE001  (reported by the assertion below)
                        statuses.append(repr(exc))

            # Each tab changes the sheet (a tab saving it unchanged adds nothing and loses nothing).
            threads = [threading.Thread(target=save, args=(client, c1), daemon=True)
                       for client, c1 in zip(tabs, (2, 5) if loaded == "" else (3, 4))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            assert sorted(statuses, key=str) == [303, 409]
            after = sheets(assignment_id)
            assert len(after) == len(before) + 1
            current = [row for row in after if row[0] not in {other[1] for other in after}]
            assert len(current) == 1 and current[0][1] == (before[-1][0] if before else None)


def second_seat(assignment):
    """Another juror of the same call, assigned the same application in the same round."""
    import uuid as _uuid

    from residency.core.types import utcnow
    from residency.jury.models import Assignment, PanelMember, Round

    round_ = _db.session.get(Round, assignment.round_id)
    juror = create_user(email=f"juror-{_uuid.uuid4().hex[:10]}@example.org", password=None)
    member = PanelMember(call_id=round_.call_id, user_id=juror.id, email=juror.email, status="active")
    _db.session.add(member)
    _db.session.flush()
    other = Assignment(round_id=round_.id, member_id=member.id, application_id=assignment.application_id,
                       confirmed_at=utcnow())
    _db.session.add(other)
    _db.session.commit()
    return juror, other


def test_two_jurors_of_one_call_saving_at_once_chain_their_sheets_in_line(live):
    """The call's hash chain never forks: while one save holds the chain's head, the other juror's
    save waits; both are recorded, one after the other, and the chain verifies."""
    from residency.jury import ledger
    from residency.jury.record_models import LedgerRecord

    app, make_seat = live
    juror_a, seat_a = make_seat()
    juror_b, seat_b = second_seat(seat_a)
    call_id = _db.session.execute(text("SELECT call_id FROM jury_rounds WHERE id = :id"),
                                  {"id": seat_a.round_id}).scalar()
    urls = [score_url(seat_a), score_url(seat_b)]
    clients = [tab(app, juror_a), tab(app, juror_b)]
    results = []
    with _db.engine.connect() as holder:
        transaction = holder.begin()
        holder.execute(text("INSERT INTO jury_ledger_heads (call_id, seq, digest) VALUES (:c, 0, :g)"),
                       {"c": call_id, "g": ledger.GENESIS})

        def save(client, url):
            with app.app_context():
                try:
                    results.append(post(client, url, 4).status_code)
                except Exception as exc:  # noqa: BLE001  (reported by the assertion below)
                    results.append(repr(exc))

        threads = [threading.Thread(target=save, args=pair, daemon=True) for pair in zip(clients, urls)]
        for thread in threads:
            thread.start()
        waiting, deadline = 0, time.monotonic() + 30
        with _db.engine.connect() as watcher:
            while time.monotonic() < deadline and waiting < 2:
                waiting = watcher.execute(text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE NOT l.granted AND a.datname = current_database()")).scalar()
                time.sleep(0.05)
        assert waiting >= 2, "the saves did not wait for the chain's head"
        transaction.commit()  # the head exists now: the two saves go on, one after the other
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results, key=str) == [303, 303]
    _db.session.rollback()
    chain = _db.session.execute(_db.select(LedgerRecord).where(LedgerRecord.call_id == call_id)
                                .order_by(LedgerRecord.seq)).scalars().all()
    assert [record.seq for record in chain] == [1, 2]
    assert chain[1].previous == chain[0].digest
    assert ledger.verify(call_id).ok
