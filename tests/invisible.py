"""The rule the ``test_invisible`` modules of each feature hold: an object a user may not see is
answered exactly as if it did not exist, on every route of that object and for every method.

Each feature lists its routes that take an id (:class:`Route`) and the ones it exempts, with the
reason; :func:`assert_routes_listed` fails when a route taking an id is in neither list (a new
route must be added to the table), or when a listed method is missing. :func:`differences` then
asks every route of the table, for a user who may not see the object, once with the ids of an
existing object and once with each id replaced by one that names nothing, and reports every
answer that differs (status, type, redirect or page, the CSRF tokens aside).
"""

import io
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from flask import url_for

#: An integer id that names nothing (still within a 32-bit column).
MISSING_ID = 2_000_000_001
#: A string id that names nothing.
MISSING_KEY = "no-such-thing-0"

#: The blueprints whose routes taking an id a ``test_invisible`` module answers for, and where.
#: A blueprint with such routes that is not here fails ``tests/admin/test_invisible.py``.
FEATURE_TABLES = {
    "media": "tests/media/test_invisible.py",
    "applications": "tests/applications/test_invisible.py",
    "calls": "tests/calls/test_invisible.py",
    "review": "tests/review/test_invisible.py",
    "admin": "tests/admin/test_invisible.py",
    "jury": "tests/jury/test_invisible.py",
    "rooms": "tests/rooms/test_invisible.py",
    "festivals": "tests/festivals/test_invisible.py",
    "residencies": "tests/residencies/test_invisible.py",
    "accounts": "tests/admin/test_invisible.py",
    "cities": "tests/admin/test_invisible.py",
    "api": "tests/admin/test_invisible.py",
    "cities_api": "tests/admin/test_invisible.py",
    "calls_api": "tests/api/test_invisible.py",
    "applications_api": "tests/api/test_invisible.py",
    "festivals_api": "tests/api/test_invisible.py",
    "integrations": "tests/integrations/test_invisible.py",
    "core": "tests/admin/test_invisible.py",
    None: "tests/admin/test_invisible.py",  # Flask's own static route
}

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
_TOKENS = re.compile(r'(name="csrf_token" value="|name="csrf-token" content=")[^"]*"')


@dataclass(frozen=True)
class Route:
    """A route of the table: ``ids`` name the URL's arguments that name objects (each is replaced by
    a missing one in turn); ``fixed`` gives the other arguments. ``form`` (a dict, or a function
    returning one, for files) or ``json`` is the body sent with a write."""

    endpoint: str
    methods: tuple
    ids: tuple
    fixed: dict = field(default_factory=dict)
    form: object = None
    json: object = None

    def url(self, values):
        return url_for(self.endpoint, **self.fixed, **values)


def blueprint_of(endpoint):
    return endpoint.rsplit(".", 1)[0] if "." in endpoint else None


def id_routes(app, blueprint):
    """``{endpoint: methods}`` of the blueprint's routes whose URL takes an argument."""
    return {
        rule.endpoint: set(rule.methods) - {"HEAD", "OPTIONS"}
        for rule in app.url_map.iter_rules()
        if rule.arguments and blueprint_of(rule.endpoint) == blueprint
    }


def assert_routes_listed(app, blueprint, routes, exempt):
    """Every route of ``blueprint`` taking an id is in ``routes`` (with each of its methods) or in
    ``exempt`` (``{endpoint: reason}``), and neither lists a route that does not exist."""
    existing = id_routes(app, blueprint)
    listed = {}
    for route in routes:
        listed.setdefault(route.endpoint, set()).update(route.methods)
    unlisted = sorted(set(existing) - set(listed) - set(exempt))
    assert not unlisted, f"routes taking an id in neither the table nor the exemptions: {unlisted}"
    assert not set(listed) & set(exempt), "a route is both tested and exempt"
    assert not (set(listed) | set(exempt)) - set(existing), "the table names routes that no longer exist"
    for endpoint, methods in listed.items():
        assert methods == existing[endpoint], f"{endpoint}: table has {sorted(methods)}, route has {sorted(existing[endpoint])}"
    for endpoint, reason in exempt.items():
        assert isinstance(reason, str) and reason, f"{endpoint}: say why it is exempt"


def request(client, route, method, url):
    """One request as a browser (or the uploader's JSON) sends it, with a valid CSRF token.

    Messages flashed by an earlier request ("Please log in…") are dropped first: each answer is
    compared on its own."""
    with client.session_transaction() as session:
        session.pop("_flashes", None)
    kwargs = {}
    if route.json is not None:
        kwargs["headers"] = {"Accept": "application/json"}
    if method in WRITES:
        token = client.csrf_token()
        if route.json is not None:
            kwargs.update(json=route.json, headers={"X-CSRFToken": token, "Accept": "application/json"})
        else:
            form = route.form() if callable(route.form) else dict(route.form or {})
            kwargs["data"] = {**form, "csrf_token": token}
    return client.open(url, method=method, **kwargs)


def answer(response, url):
    """What a response tells: status, type, redirect and body, with CSRF tokens and the request's
    own URL (a login redirect's ``next``) blanked."""
    body = _TOKENS.sub(r'\1"', response.get_data(as_text=True))
    location = response.headers.get("Location", "")
    for text in (url, quote(url, safe="")):
        body, location = body.replace(text, "<url>"), location.replace(text, "<url>")
    return response.status_code, response.mimetype, location, body


def differences(app, client, routes, existing, expected=404):
    """Ask every route of ``routes`` with the ids of ``existing`` (``{argument: value}``), then
    with each id (and all of them at once) replaced by one naming nothing, and list how the answers
    differ from each other or from ``expected`` (a status, or a function of the answer saying
    whether it is right). An empty list means the objects are invisible."""
    problems = []
    for route in routes:
        values = {name: existing[name] for name in route.ids}
        variants = [{**values, name: _missing(values[name])} for name in route.ids]
        variants.append({name: _missing(value) for name, value in values.items()})
        for method in route.methods:
            with app.test_request_context():
                url = route.url(values)
                missing_urls = list(dict.fromkeys(route.url(variant) for variant in variants))
            seen = answer(request(client, route, method, url), url)
            ok = expected(seen) if callable(expected) else seen[0] == expected
            if not ok:
                problems.append(f"{method} {url}: {seen[0]} {seen[2]}")
            for missing_url in missing_urls:
                other = answer(request(client, route, method, missing_url), missing_url)
                if other != seen:
                    what = "status" if other[0] != seen[0] else "redirect" if other[2] != seen[2] else "page"
                    problems.append(f"{method} {url} ({seen[0]}) and {missing_url} ({other[0]}): different {what}")
    return problems


def _missing(value):
    return MISSING_ID if isinstance(value, int) else MISSING_KEY


def to_login(seen):
    """The answer to a visitor who is not logged in: the login page, for any id."""
    status, _type, location, _body = seen
    return status == 302 and location.startswith("/login")


def a_file(name="clip.mp4", data=b"\x00\x00\x00\x18ftypmp42"):
    """A form's file field (a function, so each request gets a fresh stream)."""
    return lambda: {"file": (io.BytesIO(data), name)}
