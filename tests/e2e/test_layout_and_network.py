"""Small screens, third-party requests, and screenshots for a person to look at."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import register, unique_address

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _register_with_errors(page):
    page.goto("/register")
    page.get_by_role("main").get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("alert")).to_be_visible()


@pytest.mark.parametrize("width", [360, 320])
def test_small_screens_need_no_horizontal_scrolling(new_context, width):
    """At phone widths (360 px, and WCAG's 320 px reflow width) the pages fit without horizontal scrolling."""
    page = new_context(viewport={"width": width, "height": 740}).new_page()
    for label, open_page in [
        ("home", lambda: page.goto("/")),
        ("register", lambda: page.goto("/register")),
        ("register with errors", lambda: _register_with_errors(page)),
    ]:
        open_page()
        fits = page.evaluate(NO_HORIZONTAL_SCROLL)
        sizes = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
            .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''))""")
        assert fits, f"{label} at {width}px scrolls sideways: scrollWidth/innerWidth = {sizes}; too wide: {wide}"


def test_pages_request_nothing_from_other_origins(new_context, stack):
    """Pages load every resource from the site itself (no CDN, font or analytics host) and break no CSP rule."""
    page = new_context().new_page()
    requests, problems = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    for path in ["/", "/register"]:
        page.goto(path, wait_until="networkidle")
    register(page, unique_address("net"))
    page.wait_for_load_state("networkidle")

    origin = urlsplit(stack.url)
    foreign = [url for url in requests if urlsplit(url)[:2] != origin[:2]]
    assert requests, "no request was recorded"
    assert not foreign, f"requests to other origins: {foreign}"
    assert not problems, f"errors in the browser console: {problems}"


def test_screenshots_for_review(new_context, tmp_path):
    """The home page and the registration page with errors render (screenshots kept for a person to look at)."""
    folder = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shots = []
    for width, height in [(1280, 900), (360, 740)]:
        page = new_context(viewport={"width": width, "height": height}).new_page()
        page.goto("/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        shots.append(folder / f"home-{width}.png")
        page.screenshot(path=shots[-1], full_page=True)
        _register_with_errors(page)
        # The focused error summary is on screen, not scrolled away.
        expect(page.get_by_role("alert")).to_be_in_viewport()
        shots.append(folder / f"register-errors-{width}.png")
        page.screenshot(path=shots[-1], full_page=True)
    for shot in shots:
        assert shot.stat().st_size > 5_000, f"{shot} looks empty"
    print("screenshots:", *shots, sep="\n  ")
