"""Each landed feature driven as people's browsers drive it, over HTTP, against the real platform:
two gunicorn web processes and a Celery worker (separate OS processes) on PostgreSQL and Redis,
e-mail delivered by the worker to a real SMTP server. Each browser is a ``requests`` session that
opens the form page, takes the CSRF token from it, submits the form, follows the redirects and
reads the whole page it lands on; the assertions are on what a person reads there. Where two
people could collide they act at the same time, each on a different web process.

One platform for the module; accounts and grants that are not what a test is about are written
straight into the database.
"""

import hashlib
import io
import re
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from sqlalchemy import create_engine, select

from tests import services
from tests.live.pages import Page, UserBrowser, squash
from tests.live.stack import Stack, wait_until

PASSWORD = "a long and quiet river 42"
CALL_ZONE = "Europe/Paris"  # Lyon's


# The platform ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def platform(tmp_path_factory, smtp_server):
    """Two web processes and a worker on a fresh PostgreSQL database and a flushed Redis database."""
    controller, mailbox = smtp_server
    database = services.create_postgres_database("residency_journeys")
    redis_url = services.redis_url()
    services.flush_redis(redis_url)
    env = {
        "DATABASE_URL": database, "REDIS_URL": redis_url,
        "SMTP_HOST": controller.hostname, "SMTP_PORT": str(controller.port),
        # Production limits registration and login per address; here several people share 127.0.0.1.
        "RATELIMIT_REGISTER": "200 per minute", "RATELIMIT_LOGIN": "200 per minute",
    }
    stack = Stack(tmp_path_factory.mktemp("journeys") / "data", env=env, webs=2)
    engine = create_engine(database)
    try:
        stack.start()
        yield Platform(stack, engine, mailbox)
    finally:
        stack.stop()
        engine.dispose()
        services.drop_postgres_database(database)
        services.flush_redis(redis_url)


class Platform:
    """The running stack, its database (for fixtures) and the SMTP server's mailbox."""

    def __init__(self, stack, engine, mailbox):
        self.stack, self.engine, self.mailbox = stack, engine, mailbox
        self.web1, self.web2 = stack.urls
        self._hash = None

    def browser(self, web=1, timezone=None):
        return UserBrowser(self.web1 if web == 1 else self.web2, timezone=timezone)

    def city(self, slug):
        from residency.cities.models import City

        with self.engine.connect() as connection:
            return connection.execute(select(City.__table__).where(City.slug == slug)).one()

    def add_user(self, name, *, timezone="UTC", city=None, roles=()):
        """A confirmed account written into the database (its e-mail address is returned)."""
        from residency.accounts.models import RoleGrant, User
        from residency.accounts.passwords import hash_password

        if self._hash is None:
            self._hash = hash_password(PASSWORD)
        email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.org"
        now = datetime.now(UTC)
        with self.engine.begin() as connection:
            user_id = connection.execute(User.__table__.insert().values(
                email=email, password_hash=self._hash, display_name=name, timezone=timezone, locale="en",
                city_id=self.city(city).id if city else None, email_verified_at=now, is_active=True, created_at=now,
            ).returning(User.__table__.c.id)).scalar_one()
            for role, scope_type, scope_id in roles:
                connection.execute(RoleGrant.__table__.insert().values(
                    user_id=user_id, role=role, scope_type=scope_type, scope_id=scope_id, granted_at=now))
        return email

    def mail_to(self, address, subject_start, timeout=60):
        """The e-mail the worker delivered to ``address`` whose subject starts so (waited for)."""
        def find():
            return [m for m in self.mailbox.to(address) if m["Subject"].startswith(subject_start)]
        try:
            messages = wait_until(find, timeout=timeout, message=f"“{subject_start}…” to {address}")
        except TimeoutError as exc:
            raise AssertionError(f"{exc}\n{self.stack.logs()}") from None
        assert len(messages) == 1, [m["Subject"] for m in messages]
        return messages[0]


def body_of(message):
    return message.get_body(("plain",)).get_content()


def path_in(body, prefix):
    match = re.search(r"https?://[^/\s]+(" + re.escape(prefix) + r"[^\s]*)", body)
    assert match, f"no {prefix} link in:\n{body}"
    return match.group(1)


def at_once(*actions):
    """Run each action in its own thread, started together; re-raise the first failure."""
    barrier = threading.Barrier(len(actions))
    results, errors = [None] * len(actions), []

    def run(index, action):
        try:
            barrier.wait(timeout=30)
            results[index] = action()
        except BaseException as exc:  # noqa: BLE001  (reported in the main thread)
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i, a), daemon=True) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    if errors:
        raise errors[0]
    assert not any(thread.is_alive() for thread in threads), "a browser did not finish"
    return results


def long_format(instant, zone, format="long"):
    """An instant as the pages write it in English, in ``zone`` (spaces as read)."""
    return squash(format_datetime(instant, format, tzinfo=ZoneInfo(zone), locale="en"))


# A coordinator's call --------------------------------------------------------------------------

def write_call(coordinator, title, city_name="Lyon"):
    """The coordinator writes a draft call; returns its overview page."""
    page = coordinator.open("/manage/calls/new")
    form = page.form(button="Save the draft")
    form.fill("Whose call is it?", city_name).fill("Main language of the call", "en").fill("Title", title)
    form.fill("Summary", f"A residency on listening across cities ({title}).")
    form.fill("Full text of the call", "Artists spend eight weeks online with peers of two cities.")
    form.fill("What selected artists get", "A fee and a showing at a partner festival.")
    form.fill("disciplines", ["sound", "media_arts"]).fill("Number of places", "2")
    overview = form.submit(expect=200)
    assert "The call is saved as a draft. Now add its form, rubric and timeline." in overview.flashes, overview.text[:2000]
    assert re.search(r"/manage/calls/\d+/$", overview.url), overview.url
    return overview


def call_id_of(page):
    return int(re.search(r"/manage/calls/(\d+)/", page.url).group(1))


def add_question(coordinator, call_id, **fields):
    page = coordinator.open(f"/manage/calls/{call_id}/form")
    form = page.form(button="Add the question")
    for name, value in fields.items():
        form.fill(name, value)
    landed = form.submit(expect=200)
    assert f"The question “{fields['label']}” is added." in landed.flashes, landed.text[:2000]
    return landed


def set_timeline(coordinator, call_id, opens_local, closes_local, zone=CALL_ZONE):
    page = coordinator.open(f"/manage/calls/{call_id}/timeline")
    form = page.form(button="Save the timeline")
    form.fill("Timezone of these times", zone)
    form.fill("Opens on", opens_local.strftime("%Y-%m-%dT%H:%M"))
    form.fill("Closes on (the deadline)", closes_local.strftime("%Y-%m-%dT%H:%M"))
    landed = form.submit(expect=200)
    assert "The timeline is saved." in landed.flashes, landed.text[:2000]
    return landed


def publish(coordinator, call_id):
    confirm = coordinator.open(f"/manage/calls/{call_id}/publish")
    landed = confirm.form(button="Yes, publish the call").submit(expect=200)
    assert "The call is published and open." in landed.flashes, landed.text[:2000]
    return landed


def utc_offset(instant, zone):
    """"UTC+01:00": the offset of ``zone`` at ``instant``, as the pages write it."""
    offset = instant.astimezone(ZoneInfo(zone)).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


def deadline_in_20_days():
    """17:00 in the call's zone, twenty days from now: (naive local time, UTC instant)."""
    local = (datetime.now(ZoneInfo(CALL_ZONE)) + timedelta(days=20)).replace(hour=17, minute=0, second=0, microsecond=0)
    return local.replace(tzinfo=None), local.astimezone(UTC)


@pytest.fixture(scope="module")
def coordinator_email(platform):
    lyon = platform.city("lyon")
    return platform.add_user("Camille Coordinator", timezone=CALL_ZONE, city="lyon",
                             roles=[("city_coordinator", "city", lyon.id)])


QUESTIONS = {
    "title": "Working title of the project",
    "statement": "Artistic statement",
    "portfolio": "Portfolio (PDF)",
}
CONDITION = "Are you at least 18 years old?"


@pytest.fixture(scope="module")
def open_call(platform, coordinator_email):
    """A published, open call of Lyon with a short text, a long text and a file question, and a
    yes/no eligibility question; written by its coordinator through the editor."""
    coordinator = platform.browser(1)
    coordinator.log_in(coordinator_email, PASSWORD)
    title = f"Listening Cities {uuid.uuid4().hex[:6]}"
    call_id = call_id_of(write_call(coordinator, title))
    add_question(coordinator, call_id, type="short_text", label=QUESTIONS["title"], required="y")
    add_question(coordinator, call_id, type="long_text", label=QUESTIONS["statement"], required="y", word_limit="300")
    add_question(coordinator, call_id, type="file", label=QUESTIONS["portfolio"], required="y", kinds=["document"],
                 max_count="1")
    builder = coordinator.open(f"/manage/calls/{call_id}/form")
    added = builder.form(button="Add the eligibility question").fill("Eligibility question (yes or no)", CONDITION) \
        .fill("condition-required_answer", "yes").submit(expect=200)
    assert "The eligibility question is added." in added.flashes
    closes_local, closes = deadline_in_20_days()
    set_timeline(coordinator, call_id, datetime.now(ZoneInfo(CALL_ZONE)).replace(tzinfo=None) - timedelta(hours=1),
                 closes_local)
    publish(coordinator, call_id)
    listing = platform.browser(2).open("/calls/")
    slug = re.search(r"/calls/([^/?#]+)$", listing.link(title)).group(1)
    return {"id": call_id, "title": title, "slug": slug, "closes": closes, "coordinator": coordinator}


# 1. Accounts -----------------------------------------------------------------------------------

def test_two_artists_register_and_confirm_at_once_each_ending_on_their_own_pages(platform):
    """Two visitors register at the same moment on different web processes; each gets their own
    confirmation e-mail, confirms with it, and reads their own name, address and settings (never the
    other's) on their account page and on the home page."""
    tag = uuid.uuid4().hex[:6]
    people = [
        {"name": "Aya Okafor", "email": f"aya-{tag}@example.org", "zone": "Africa/Lagos", "city": "Dakar", "web": 1,
         "new_zone": "America/Bogota", "pronouns": "she/her"},
        {"name": "Bruno Sato", "email": f"bruno-{tag}@example.org", "zone": "Asia/Tokyo", "city": "Gwangju", "web": 2,
         "new_zone": "Australia/Perth", "pronouns": "he/him"},
    ]

    def journey(person):
        browser = platform.browser(person["web"])
        form = browser.open("/register").form(button="Create my account")
        form.fill("E-mail address", person["email"]).fill("Name to show", person["name"])
        form.fill("Pronouns (optional)", "they/them").fill("Your Creative City", person["city"])
        form.fill("Language", "en").fill("Timezone", person["zone"]).fill("Password", PASSWORD)
        account = form.submit(expect=200)
        assert account.url.endswith("/account"), account.url
        assert f"Welcome! We sent a link to {person['email']}: open it to confirm your address." in account.flashes
        assert f"Your e-mail address {person['email']} is not confirmed yet." in account

        message = platform.mail_to(person["email"], "Confirm your e-mail address")
        body = body_of(message)
        assert f"Hello {person['name']}," in body
        confirm = browser.open(path_in(body, "/verify/"))
        assert confirm.h1 == "Confirm your e-mail address"
        account = confirm.form(button="Confirm my address").submit(expect=200)
        assert account.url.endswith("/account"), account.url
        assert "Thank you: your e-mail address is confirmed." in account.flashes
        assert "is not confirmed yet" not in account.text
        person["account"] = account
        person["home"] = browser.open("/")

        # Settings: a new timezone, at once on both web processes.
        form = browser.open("/account").form(button="Save")
        settled = form.fill("Timezone", person["new_zone"]).fill("Pronouns (optional)", person["pronouns"]).submit(expect=200)
        assert "Your profile is saved." in settled.flashes
        person["settled"] = settled
        person["browser"] = browser
        return person

    first, second = at_once(*(lambda p=p: journey(p) for p in people))
    for me, other in ((first, second), (second, first)):
        account, home = me["account"], me["home"]
        form = account.form(button="Save")
        assert form.value("Name to show") == me["name"]
        assert form.value("Timezone") == me["zone"]
        assert form.value("Pronouns (optional)") == "they/them"
        assert me["email"] in account and other["email"] not in account.html
        assert f"Times are shown in {me['zone']}." in account
        assert form.value("Your Creative City") == str(platform.city(me["city"].lower()).id)
        assert f"Welcome back, {me['name']}." in home
        assert other["name"] not in home.html
        settled = me["settled"].form(button="Save")
        assert settled.value("Timezone") == me["new_zone"] and settled.value("Pronouns (optional)") == me["pronouns"]
        assert settled.value("Name to show") == me["name"]
        assert f"Times are shown in {me['new_zone']}." in me["settled"]
        # Logging out, then in again on the other web process, finds the same account.
        out = me["browser"].open("/").form(button="Log out").submit(expect=200)
        assert "You are logged out." in out.flashes and "Welcome back" not in out
        again = platform.browser(3 - me["web"])
        again.log_in(me["email"], PASSWORD, expect_name=me["name"])


# 2. Calls --------------------------------------------------------------------------------------

def test_a_call_published_while_an_artist_reads_the_list_appears_with_the_deadline_in_their_time(
        platform, coordinator_email):
    """A coordinator writes and publishes a call on one web process while an artist keeps reading
    the public list on the other: the draft never shows; once published the call appears in the
    list, on its page, in the Atom feed and in the ICS file, its deadline written in the artist's
    own timezone (and in the call's)."""
    reader_zone = "Asia/Seoul"
    reader_email = platform.add_user("Rin Reader", timezone=reader_zone)
    reader = platform.browser(2)
    reader.log_in(reader_email, PASSWORD, expect_name="Rin Reader")
    coordinator = platform.browser(1)
    coordinator.log_in(coordinator_email, PASSWORD, expect_name="Camille Coordinator")

    title = f"Night Signals {uuid.uuid4().hex[:6]}"
    call_id = call_id_of(write_call(coordinator, title))
    closes_local, closes = deadline_in_20_days()
    timeline = set_timeline(coordinator, call_id, datetime.now(ZoneInfo(CALL_ZONE)).replace(tzinfo=None)
                            - timedelta(hours=1), closes_local)
    # The coordinator reads the deadline back as typed, in the call's zone.
    assert f"Closes {long_format(closes, CALL_ZONE, 'full')} ({utc_offset(closes, CALL_ZONE)})" in timeline, timeline
    before = reader.open("/calls/")
    assert title not in before.html  # a draft is not public

    seen = []

    def keep_reading():
        """The artist reloads the list until the call shows (for a minute at most)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            page = reader.open("/calls/")
            seen.append(page)
            if title in page.html:
                return page
        return None

    listing, _overview = at_once(keep_reading, lambda: publish(coordinator, call_id))
    assert listing is not None, f"the call never appeared in {len(seen)} readings of the list"
    assert all(page.h1 == "Calls for artists" for page in seen)

    # The list: in "Open now", with the deadline in Seoul time and the call's own.
    assert "Open now" in listing
    entry = listing.text[listing.text.index(title):]
    assert entry.startswith(f"{title} Open · Lyon · ")
    assert f"Deadline: {long_format(closes, reader_zone)} (your time, {reader_zone}, UTC+09:00)" in entry, entry[:600]
    assert f"{long_format(closes, CALL_ZONE)} (the call's time, {CALL_ZONE}, {utc_offset(closes, CALL_ZONE)})" in entry
    assert "Times are shown in Asia/Seoul." in listing

    # The call's page.
    page = reader.open(listing.link(title))
    assert page.h1 == title
    assert "A residency on listening across cities" in page
    assert f"Deadline {long_format(closes, reader_zone, 'full')} (your time, {reader_zone}, UTC+09:00)" in page
    slug = page.url.rsplit("/", 1)[1]
    assert page.link("Apply").endswith(f"/calls/{slug}/apply")

    # A visitor without an account, whose browser reports São Paulo, reads it in São Paulo time.
    visitor = platform.browser(1, timezone="America/Sao_Paulo").open(f"/calls/{slug}")
    assert f"Deadline {long_format(closes, 'America/Sao_Paulo', 'full')} (your time, America/Sao_Paulo, UTC-03:00)" \
        in visitor

    # The feeds a reader subscribes to.
    atom = reader.get("/calls/feed.atom")
    assert atom.status_code == 200 and atom.headers["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = {e.findtext("a:title", namespaces=ns): e for e in ET.fromstring(atom.content).findall("a:entry", ns)}
    assert title in entries, list(entries)
    assert entries[title].find("a:link", ns).get("href").endswith(f"/calls/{slug}")
    ics = reader.get(f"/calls/{slug}/deadlines.ics")
    assert ics.status_code == 200 and ics.headers["Content-Type"].startswith("text/calendar")
    unfolded = ics.text.replace("\r\n ", "")
    assert f"SUMMARY:Deadline: {title}" in unfolded
    assert f"DTSTART:{closes.strftime('%Y%m%dT%H%M%SZ')}" in unfolded


# 2b. Cities ------------------------------------------------------------------------------------

def test_a_visitor_reads_the_cities_and_a_citys_page(platform):
    """The list of the network's cities leads to each city's page: its country, languages,
    timezone and local time."""
    visitor = platform.browser(2)
    cities = visitor.open("/cities/")
    assert cities.h1 == "The Creative Cities of Media Arts"
    assert "Lyon France Europe/Paris" in cities
    assert "Gwangju South Korea Asia/Seoul" in cities
    lyon = visitor.open(cities.link("Lyon"))
    assert lyon.h1 == "Lyon"
    assert "Country France" in lyon and "Languages French" in lyon and "Timezone Europe/Paris" in lyon
    assert re.search(r"Local time \d\d:\d\d \(CES?T\)", lyon.text), lyon
    assert visitor.open(lyon.link("All cities")).h1 == cities.h1


# 3. Applications and review --------------------------------------------------------------------

def pdf(label):
    """A one-page PDF whose bytes differ by ``label``."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": label})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def label(question):
    return f"{QUESTIONS[question]} (required)"


def file_row(page, filename):
    """``(size, state)`` of ``filename`` in a page's list of files, as read; None when absent."""
    match = re.search(re.escape(filename) + r" (?:· )?(\S+ \S+|—) (?:· )?(Received|Processing|Ready|Failed)", page.text)
    return match and match.groups()


def apply_and_submit(platform, call, artist, web):
    """One artist's whole application, as their browser makes it; returns what they read."""
    browser = platform.browser(web)
    browser.log_in(artist["email"], PASSWORD, expect_name=artist["name"])

    profile = browser.open("/profile").form(button="Save my profile").fill("Biography", artist["bio"]).submit(expect=200)
    assert "Your profile is saved. Applications you submit from now on include it." in profile.flashes

    call_page = browser.open(f"/calls/{call['slug']}")
    apply = browser.open(call_page.link("Apply"))
    assert apply.h1 == f"Apply to {call['title']}"
    assert CONDITION in apply
    edit = apply.form(button="Check and start my application").fill("q_0", "yes").submit(expect=200)
    assert "Your application is started. It is saved as a draft as you go; submit it before the deadline." in edit.flashes
    assert edit.h1 == f"Your application to {call['title']}"
    application_url = edit.url

    form = edit.form(button="Save draft")
    form.fill(label("title"), artist["project"]).fill(label("statement"), artist["statement"])
    saved = form.submit("Save draft", expect=200)
    assert saved.url == application_url
    assert any(f.startswith("Draft saved at ") for f in saved.flashes), saved.flashes
    form = saved.form(button="Save draft")
    assert form.value(label("title")) == artist["project"]
    assert form.value(label("statement")) == artist["statement"]

    files = form.submit(f"Save the draft and add or remove files — {QUESTIONS['portfolio']}", expect=200)
    assert files.h1 == QUESTIONS["portfolio"]
    assert "No file yet." in files
    uploaded = files.form(button="Upload").attach("file", artist["filename"], artist["pdf"], "application/pdf") \
        .submit(expect=200)
    assert "File received. It is being checked; you can submit once it shows as ready." in uploaded.flashes
    assert file_row(uploaded, artist["filename"]) is not None, uploaded.text[:3000]

    def ready():
        page = browser.open(files.url)
        row = file_row(page, artist["filename"])
        assert row is not None and row[1] != "Failed", page.text[:3000]
        return row[1] == "Ready" and page
    try:
        files = wait_until(ready, timeout=90, interval=0.5, message=f"{artist['filename']} ready")
    except TimeoutError as exc:
        raise AssertionError(f"{exc}\n{platform.stack.logs()}") from None

    edit = browser.open(files.link("Back to the application"))
    assert file_row(edit, artist["filename"])[1] == "Ready"
    receipt = edit.form(button="Submit the application").submit("Submit the application", expect=200)
    assert "Your application is submitted (version 1). A receipt is on its way by e-mail." in receipt.flashes, \
        receipt.flashes or receipt.text[:3000]
    return {"browser": browser, "receipt": receipt, "application_url": application_url}


def test_two_artists_apply_to_one_call_at_once_and_the_coordinator_reads_both(platform, open_call):
    """Two artists apply to the same call at the same time, on different web processes: each
    writes a profile, passes the eligibility question, saves a draft, uploads a PDF through the
    form that works without JavaScript, submits, and reads their own receipt page and receipt
    e-mail (never the other's data; the other's receipt is not theirs to open). The call's
    coordinator then finds both in the list of applications and reads each one."""
    tag = uuid.uuid4().hex[:6]
    artists = []
    for name, city in (("Ama Mensah", "Dakar"), ("Lea Moreau", "Lyon")):
        first = name.split()[0]
        artists.append({
            "name": name, "email": platform.add_user(name, timezone="Europe/Lisbon"),
            "bio": f"{first} records rivers and radio static in {city}.",
            "project": f"Tides of {first} {tag}", "statement": f"{first} will map the sound of {city} harbours {tag}.",
            "filename": "portfolio.pdf", "pdf": pdf(f"{first} {tag}"),
        })
    for artist in artists:
        artist["sha256"] = hashlib.sha256(artist["pdf"]).hexdigest()

    results = at_once(lambda: apply_and_submit(platform, open_call, artists[0], 1),
                      lambda: apply_and_submit(platform, open_call, artists[1], 2))

    for artist, other, result in ((artists[0], artists[1], results[0]), (artists[1], artists[0], results[1])):
        receipt = result["receipt"]
        assert receipt.h1 == f"Application to {open_call['title']} — version 1"
        assert f"Submitted by {artist['name']}" in receipt
        for words in (artist["project"], artist["statement"], artist["bio"], artist["sha256"], artist["filename"]):
            assert words in receipt, f"{words!r} missing from {artist['name']}'s receipt"
        for words in (other["name"], other["project"], other["statement"], other["bio"], other["sha256"], other["email"]):
            assert words not in receipt.html, f"{other['name']}'s {words!r} on {artist['name']}'s receipt"
        fingerprint = re.search(r'class="fingerprint">([0-9a-f]{64})<', receipt.html).group(1)

        message = platform.mail_to(artist["email"], "Receipt: your application to")
        body = body_of(message)
        assert message["Subject"] == f"Receipt: your application to {open_call['title']} (version 1)"
        assert f"Hello {artist['name']}," in body
        assert f"SHA-256 fingerprint: {fingerprint}" in body
        link = path_in(body, "/applications/")
        assert receipt.url.endswith(link)
        again = result["browser"].open(link)
        assert again.h1 == receipt.h1 and fingerprint in again
        for words in (other["name"], other["email"], other["project"]):
            assert words not in body

        # The other artist follows this receipt's address: nothing of it is shown to them.
        foreign = Page(results[1 if artist is artists[0] else 0]["browser"],
                       results[1 if artist is artists[0] else 0]["browser"].get(link))
        assert foreign.status in (403, 404), foreign.status
        assert artist["statement"] not in foreign.html and artist["name"] not in foreign.html

    # The coordinator's list and each application.
    coordinator = open_call["coordinator"]
    listing = coordinator.open(f"/manage/calls/{open_call['id']}/applications")
    assert listing.h1 == f"Applications to “{open_call['title']}”"
    assert "2 submitted applications" in listing
    for artist in artists:
        assert artist["email"] in listing
        page = coordinator.open(listing.link(artist["name"]))
        assert page.h1 == f"Application of {artist['name']}"
        for words in (artist["project"], artist["statement"], artist["filename"], artist["sha256"]):
            assert words in page, f"{words!r} missing from the coordinator's page of {artist['name']}"
        other = artists[1] if artist is artists[0] else artists[0]
        for words in (other["project"], other["statement"], other["sha256"]):
            assert words not in page.html
        # The list's filters: by name.
        filtered = listing.form(button="Filter").fill("Name or e-mail", artist["name"]).submit(expect=200)
        assert "1 application matches the filters." in filtered
        assert artist["email"] in filtered and other["email"] not in filtered


def test_co_applicants_join_submit_at_once_and_the_owner_withdraws(platform, open_call):
    """An artist invites a co-applicant by e-mail; the co-applicant (logged in on the other web
    process) follows the link, joins and writes part of the draft. Both press “Submit” at the same
    moment: each lands on the receipt of their own version, and both receive both receipts. The
    owner then withdraws the application; the co-applicant reads that it is withdrawn."""
    owner_email = platform.add_user("Olu Owner", timezone="Africa/Lagos")
    partner_email = platform.add_user("Pia Partner", timezone="America/Bogota")
    owner, url = start_application(platform, open_call, owner_email, "Olu Owner", web=1)

    members = owner.open(owner.open(url).link("Co-applicants (0)"))
    assert members.h1 == "Co-applicants"
    invited = members.form(button="Send the invitation").fill("E-mail address of your co-applicant", partner_email) \
        .submit(expect=200)
    assert f"We sent an invitation to {partner_email}." in invited.flashes
    assert "Invited on" in invited and "not accepted yet" in invited

    message = platform.mail_to(partner_email, "Olu Owner invites you to apply together to")
    partner = platform.browser(2)
    partner.log_in(partner_email, PASSWORD, expect_name="Pia Partner")
    invitation = partner.open(path_in(body_of(message), "/applications/invitations/"))
    assert invitation.h1 == "Invitation to apply together"
    assert f"Olu Owner invites you to join their application to {open_call['title']} as a co-applicant." in invitation
    joined = invitation.form(button="Accept and join the application").submit(expect=200)
    assert "You joined the application. You can now edit and submit it together." in joined.flashes
    assert urlsplit(joined.url).path == url
    mine = partner.open("/applications")
    assert f"{open_call['title']} Draft" in mine and "Started by Olu Owner" in mine

    # The co-applicant writes the texts; the owner adds the file.
    written = joined.form(button="Save draft").fill(label("title"), "Two voices").fill(label("statement"), "We answer each other across the sea.")
    assert any(f.startswith("Draft saved at ") for f in written.submit("Save draft", expect=200).flashes)
    files = owner.open(url).form(button="Save draft").submit(f"Save the draft and add or remove files — {QUESTIONS['portfolio']}")
    files.form(button="Upload").attach("file", "duo.pdf", pdf("duo"), "application/pdf").submit(expect=200)
    try:
        wait_until(lambda: file_row(owner.open(files.url), "duo.pdf")[1] == "Ready", timeout=90, interval=0.5,
                   message="duo.pdf ready")
    except TimeoutError as exc:
        raise AssertionError(f"{exc}\n{platform.stack.logs()}") from None

    pages = [owner.open(url), partner.open(url)]
    for page in pages:
        assert page.form(button="Save draft").value(label("title")) == "Two voices"
    receipts = at_once(*(lambda p=p: p.form(button="Submit the application").submit("Submit the application", expect=200)
                         for p in pages))
    numbers = []
    for receipt, name in zip(receipts, ("Olu Owner", "Pia Partner")):
        flash = next(f for f in receipt.flashes if f.startswith("Your application is submitted"))
        number = int(re.search(r"version (\d+)", flash).group(1))
        numbers.append(number)
        assert receipt.h1 == f"Application to {open_call['title']} — version {number}"
        assert f"Submitted by {name}" in receipt
        assert "Two voices" in receipt and "duo.pdf" in receipt
    assert sorted(numbers) == [1, 2], numbers
    for email in (owner_email, partner_email):
        for number in (1, 2):
            platform.mail_to(email, f"Receipt: your application to {open_call['title']} (version {number})")

    edit = owner.open(url)
    confirm = owner.open(edit.link("Withdraw the application"))
    assert confirm.h1 == f"Withdraw your application to {open_call['title']}?"
    withdrawn = confirm.form(button="Withdraw the application").submit(expect=200)
    assert "Your application is withdrawn. You may submit it again until the deadline." in withdrawn.flashes
    assert "You withdrew this application. Until the deadline you may submit it again." in withdrawn
    assert f"{open_call['title']} Withdrawn · version 2" in partner.open("/applications")


# 4. One draft, two browsers ---------------------------------------------------------------------

def start_application(platform, call, email, name, web=1):
    browser = platform.browser(web)
    browser.log_in(email, PASSWORD, expect_name=name)
    apply = browser.open(f"/calls/{call['slug']}/apply")
    edit = apply.form(button="Check and start my application").fill("q_0", "yes").submit(expect=200)
    assert edit.h1 == f"Your application to {call['title']}"
    return browser, urlsplit(edit.url).path


def test_a_draft_edited_in_two_browsers_keeps_what_each_typed_in_different_answers(platform, open_call):
    """The same artist has their draft open in two browsers (say a laptop and a phone). They type
    the project title in one and save, then the statement in the other and save: nothing typed
    is lost; the second browser's page shows both answers."""
    email = platform.add_user("Noor Two-Browsers", timezone="Asia/Dubai")
    laptop, url = start_application(platform, open_call, email, "Noor Two-Browsers", web=1)
    phone = platform.browser(2)
    phone.log_in(email, PASSWORD, expect_name="Noor Two-Browsers")
    on_laptop, on_phone = laptop.open(url), phone.open(url)  # both pages show the empty draft

    title = "Typed on the laptop"
    saved = on_laptop.form(button="Save draft").fill(label("title"), title).submit("Save draft", expect=200)
    assert saved.form(button="Save draft").value(label("title")) == title

    statement = "Typed on the phone, later."
    landed = on_phone.form(button="Save draft").fill(label("statement"), statement).submit("Save draft", expect=200)
    assert any(f.startswith("Draft saved at ") for f in landed.flashes), landed.flashes
    form = landed.form(button="Save draft")
    assert form.value(label("statement")) == statement
    assert form.value(label("title")) == title, (
        f"the title typed and saved on the laptop is gone; the phone's page reads: {landed.text[:1500]}")
    assert laptop.open(url).form(button="Save draft").value(label("title")) == title


class TextLost(AssertionError):
    """What a person typed is gone and nobody was told."""


def test_the_same_answer_changed_in_two_browsers_is_not_replaced_silently(platform, open_call):
    """The same answer changed in two browsers: the second save either keeps both texts or tells
    the artist what it replaced (the first text is on the page they read), never drops it in silence."""
    email = platform.add_user("Ivo Same-Answer", timezone="Europe/Lisbon")
    first, url = start_application(platform, open_call, email, "Ivo Same-Answer", web=1)
    second = platform.browser(2)
    second.log_in(email, PASSWORD, expect_name="Ivo Same-Answer")
    page_one, page_two = first.open(url), second.open(url)

    one = "The statement as written in the first browser."
    page_one.form(button="Save draft").fill(label("statement"), one).submit("Save draft", expect=200)
    two = "The statement as rewritten in the second browser."
    landed = page_two.form(button="Save draft").fill(label("statement"), two).submit("Save draft")
    assert landed.status in (200, 409), landed
    assert two in landed
    if one not in landed:
        raise TextLost(f"the first browser's text is neither kept nor shown: {landed.text[:1500]}")


# 5. Admin --------------------------------------------------------------------------------------

def test_an_admin_grants_a_role_and_the_grantee_sees_the_new_pages_after_a_reload(platform):
    """A network admin finds a person and makes them coordinator of Lyon; the person, already
    logged in on another web process, reloads and finds the coordinators' pages, for Lyon only."""
    admin_email = f"admin-{uuid.uuid4().hex[:6]}@example.org"
    platform.stack.flask("residency", "create-admin", "--email", admin_email, "--name", "Ada Admin", input=PASSWORD + "\n")
    grantee_email = platform.add_user("Gus Grantee", timezone="Europe/Paris")
    grantee = platform.browser(2)
    grantee.log_in(grantee_email, PASSWORD, expect_name="Gus Grantee")
    calls = grantee.open("/calls/")
    assert "Calls I manage" not in calls
    refused = Page(grantee, grantee.get("/manage/calls/new"))
    assert refused.status in (403, 404) and "Whose call is it?" not in refused

    admin = platform.browser(1)
    admin.log_in(admin_email, PASSWORD, expect_name="Ada Admin")
    users = admin.open("/admin/users").form(button="Search").fill("Search by name or e-mail", grantee_email) \
        .submit(expect=200)
    assert grantee_email in users
    person = admin.open(users.link("Gus Grantee"))
    assert person.h1 == "Gus Grantee"
    assert "No role: this person is an artist on their own account." in person
    granted = person.form(button="Grant").fill("Role", "City coordinator").fill("Scope", "Lyon").submit(expect=200)
    assert "Role granted." in granted.flashes
    assert "City coordinator — Lyon" in granted

    calls = grantee.open("/calls/")
    manage = grantee.open(calls.link("Calls I manage"))
    assert manage.h1 == "Calls I manage"
    new = grantee.open(manage.link("Write a new call"))
    assert new.h1 == "Write a new call"
    owners = new.control_labelled("Whose call is it?").options
    assert [name for _value, name, _selected in owners] == ["Lyon"]
    assert "Admin" not in [words for words, _href in new.links]
