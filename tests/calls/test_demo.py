"""The demo calls: an open call of Lyon with a complete form and rubric, and an upcoming network call."""

from datetime import timedelta

from residency.calls.demo import load_demo_calls
from residency.calls.models import Call
from residency.core.types import utcnow


def test_demo_calls_are_created_once_and_shown_publicly(db, client, make_user, city):
    """Running the demo twice changes nothing; the Lyon call is open, the network call upcoming."""
    coordinator = make_user(email="coordinator@demo.example.org", roles=[("city_coordinator", "city", city.id)])
    lines = load_demo_calls()
    db.session.commit()
    assert load_demo_calls() == lines
    calls = {call.city_id: call for call in db.session.execute(db.select(Call)).scalars()}
    assert len(calls) == 2

    lyon = calls[city.id]
    assert lyon.text("title", "fr") == "Lumières numériques — online residency 2027"
    assert lyon.text("title", "en") == "Digital lights — online residency 2027"
    assert (lyon.state, lyon.timezone, lyon.created_by_id) == ("open", "Europe/Paris", coordinator.id)
    assert lyon.accepting() and lyon.closes_at - utcnow() > timedelta(days=29)
    assert [q["type"] for q in lyon.form] == ["short_text", "long_text", "single_choice", "multiple_choice", "url", "date", "file"]
    assert lyon.form[-1]["kinds"] == ["video"]
    assert [c["weight"] for c in lyon.rubric] == [3.0, 2.0, 1.0]

    network = calls[None]
    assert network.state == "draft" and network.published_at is not None and network.opens_at > utcnow()
    html = client.get("/calls/").get_data(as_text=True)
    assert lyon.slug in html and network.slug in html
    assert lines == [f"Demo call (open): /calls/{lyon.slug}", f"Demo call (upcoming, network-wide): /calls/{network.slug}"]
