"""Helpers for the browser tests: act through visible labels, read the worker's outbox, run axe."""

import email
import itertools
import re
from email import policy

from tests.live.stack import wait_until

PASSWORD = "a long and quiet river 42"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_addresses = itertools.count(1)


def unique_address(prefix="artist"):
    return f"{prefix}{next(_addresses)}@example.org"


def register(page, address, name="Aya Artist", city="Košice", password=PASSWORD):
    """Fill in and send the registration form by its visible labels, like a visitor would."""
    if not page.url.endswith("/register"):
        page.goto("/register")
    form = page.get_by_role("main")
    form.get_by_label("E-mail address").fill(address)
    form.get_by_label("Name to show").fill(name)
    form.get_by_label("Pronouns (optional)").fill("she/her")
    form.get_by_label("Your Creative City").select_option(label=city)
    form.get_by_label("Language").select_option("en")
    form.get_by_label("Timezone").select_option("Europe/Lisbon")
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Create my account").click()


def log_in(page, address, password=PASSWORD):
    page.goto("/login")
    main = page.get_by_role("main")
    main.get_by_label("E-mail address").fill(address)
    main.get_by_label("Password").fill(password)
    main.get_by_role("button", name="Log in").click()


def outbox_message(stack, address, timeout=60):
    """The first e-mail to ``address`` the worker wrote into the outbox folder (polled)."""
    outbox = stack.data_dir / "outbox"

    def find():
        for path in sorted(outbox.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if message["To"] == address:
                return message
        return None

    try:
        return wait_until(find, timeout=timeout, message=f"an e-mail to {address} in {outbox}")
    except TimeoutError as exc:
        raise AssertionError(f"{exc}\n{stack.logs()}") from None


def link_path(message, prefix):
    body = message.get_body(("plain",)).get_content()
    match = re.search(r"https?://[^/\s]+(" + re.escape(prefix) + r"[^\s]*)", body)
    assert match, f"no {prefix} link in the e-mail:\n{body}"
    return match.group(1)


def axe_violations(page):
    """WCAG 2.2 A/AA violations axe-core finds on the page, as readable lines (empty if none)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        "resultTypes": ["violations"],
    })
    lines = []
    for violation in results.response["violations"]:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " > ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}: {node.get('failureSummary', '').replace(chr(10), ' ')}")
    return lines
