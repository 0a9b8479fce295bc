"""End-to-end browser tests: one real platform (gunicorn + a Celery worker on the embedded
default, see tests/live/stack.py) and one headless system Chromium for the whole package."""

import re
import shutil

import pytest

from tests.live.stack import Stack
from tests.services import service_missing

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items):
    for item in items:
        if "/tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def chromium_path():
    path = shutil.which("chromium")
    if path is None:
        service_missing("chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The whole platform, started once for the package. Registration is rate-limited to a few
    per hour and per address in production; the tests register several artists from 127.0.0.1."""
    env = {"RATELIMIT_REGISTER": "200 per minute", "RATELIMIT_LOGIN": "200 per minute"}
    stack = Stack(tmp_path_factory.mktemp("e2e") / "data", env=env)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_context(browser, stack):
    """``new_context(**options)``: a fresh browser profile (own cookies) on the stack's origin."""
    contexts = []

    def make(**options):
        options.setdefault("base_url", stack.url)
        options.setdefault("locale", "en-GB")
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture(scope="session")
def demo_stack(tmp_path_factory):
    """A platform of its own with the demo network loaded (the e2e stack's data stays untouched)."""
    stack = Stack(tmp_path_factory.mktemp("demo") / "data", env={"RATELIMIT_LOGIN": "200 per minute"}, worker=False)
    try:
        stack.start()
        result = stack.flask("residency", "demo")
        path = re.search(r"(/applications/\d+)", result.stdout).group(1)
        yield stack, path
    finally:
        stack.stop()
