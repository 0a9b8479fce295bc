"""The coordinators' list runs a small, fixed number of SQL queries, whatever the page holds (no N+1)."""

from contextlib import contextmanager

from sqlalchemy import event

from tests.review.conftest import list_url

MAX_QUERIES = 12


@contextmanager
def counting(engine):
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def fill(call, number, make_application, make_asset, make_user, city):
    """``number`` applications that show everything a row can: files shared with another
    application, a second application by the same artist, co-applicants, eligibility notes."""
    artists = [make_user(name=f"Artist {call.id}-{i:03d}", password=None) for i in range(number)]
    for i, artist in enumerate(artists):
        shared = make_asset(artist, f"reel-{i}.mp4", content=f"reel {call.id} {i // 2}")  # pairs share a file
        member = make_user(password=None)
        make_application(call, owner=artist if i % 5 else artists[0], files=[shared], city=city, eligible=True,
                         notes=[f"note {i}"], members=[(member, True)], commit=False)


def test_same_number_of_queries_for_a_page_of_5_and_of_50(app, db, client, login_as, coordinator, make_call,
                                                          make_application, make_asset, make_user, city):
    """The first page costs the same few queries with 5 rows as with 50: rows, counts and duplicate
    flags are loaded in bulk."""
    small, large = make_call(), make_call()
    fill(small, 5, make_application, make_asset, make_user, city)
    fill(large, 60, make_application, make_asset, make_user, city)
    db.session.commit()
    login_as(coordinator)
    client.get(list_url(small))  # warm-up: the first request of a session may do more

    urls = {(name, tuple(args)): list_url(call, **args)
            for name, call in (("small", small), ("large", large))
            for args in ({}, {"state": "submitted", "eligible": "yes"})}
    counts = {}
    for key, url in urls.items():
        db.session.expunge_all()  # a real request starts with an empty session
        with counting(db.engine) as statements:
            response = client.get(url)
        assert response.status_code == 200
        counts[key] = len(statements)
    html = response.get_data(as_text=True)

    assert html.count('<th scope="row">') == 50
    assert "same artist" in html and "same file" in html  # the flags were really loaded
    assert counts["small", ()] == counts["large", ()]
    assert counts["small", ("state", "eligible")] == counts["large", ("state", "eligible")]
    assert 0 < max(counts.values()) <= MAX_QUERIES, counts
