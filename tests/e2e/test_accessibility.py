"""WCAG 2.2 A/AA checks with axe-core on the real pages, and keyboard use of the skip link."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import axe_violations, register, unique_address


def _register_with_errors(page):
    page.goto("/register")
    page.get_by_role("main").get_by_label("E-mail address").fill("not-an-address")
    page.get_by_role("main").get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("alert")).to_be_visible()


def _account(page):
    register(page, unique_address("axe"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")


def _not_found(page):
    response = page.goto("/no-such-page")
    assert response.status == 404


PAGES = {
    "home": "/",
    "cities": "/cities/",
    "city": "/cities/kosice",
    "calls": "/calls/",
    "register": "/register",
    "register-with-errors": _register_with_errors,
    "login": "/login",
    "forgot-password": "/password/forgot",
    "account": _account,
    "not-found": _not_found,
}


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_wcag_violations(page, name):
    """axe-core finds no WCAG 2.2 A/AA violation on the page."""
    target = PAGES[name]
    if callable(target):
        target(page)
    else:
        response = page.goto(target)
        assert response.ok, f"{target} answered {response.status}"
    violations = axe_violations(page)
    assert not violations, f"axe on {name} ({page.url}):\n" + "\n".join(violations)


@pytest.mark.parametrize("path", ["/", "/register", "/cities/"])
def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(page, path):
    """The first Tab focuses a visible "Skip to main content" link; activating it moves focus to main."""
    page.goto(path)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    viewport = page.viewport_size
    assert box and box["y"] >= 0 and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (
        f"the focused skip link is not on screen: {box}")

    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # The next Tab goes to the content, past the header's links.
    page.keyboard.press("Tab")
    in_main = page.evaluate("document.activeElement.closest('main') !== null")
    assert in_main, page.evaluate("document.activeElement.outerHTML")
