"""WCAG 2.2 A/AA checks with axe-core on the pages of the later flows, on the demo network: the
artist's application, the coordinator's review and jury pages, the juror's and the chair's pages."""

import pytest

from residency.accounts.demo import DEMO_PASSWORD
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.helpers import axe_violations

#: (who logs in, the pages they read); ``{app}`` is the demo artist's application.
PAGES = [
    ("artist@demo.example.org", ["/applications", "{app}", "/works/", "/works/1"]),
    ("coordinator@demo.example.org", ["/manage/calls/1/applications", "/manage/calls/1/jury/",
                                      "/manage/calls/1/jury/rounds", "/manage/calls/1/jury/rounds/1/assignment"]),
    ("juror@demo.example.org", ["/jury", "/jury/rounds/1/applications", "/jury/calls/1/conflicts",
                                "/jury/calls/1/bids"]),
    ("chair@demo.example.org", ["/jury/calls/1/conflicts/panel", "/manage/calls/1/jury/rounds/1/assignment"]),
]


def logged_in(browser, stack, email):
    context = browser.new_context(base_url=stack.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/login")
    main = page.get_by_role("main")
    main.get_by_label("E-mail address").fill(email)
    main.get_by_label("Password").fill(DEMO_PASSWORD)
    main.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return context, page


@pytest.mark.parametrize("email, paths", PAGES, ids=[email.split("@")[0] for email, _paths in PAGES])
def test_the_pages_of_each_role_have_no_wcag_violations(browser, demo_stack, email, paths):
    stack, application = demo_stack
    context, page = logged_in(browser, stack, email)
    try:
        found = []
        for path in paths:
            path = path.format(app=application)
            response = page.goto(path)
            assert response.ok, f"{path} answered {response.status}"
            found += [f"{path}: {line}" for line in axe_violations(page)]
        if email.startswith("juror"):  # the first application the juror scores
            page.goto("/jury/rounds/1/applications")
            page.get_by_role("main").locator("a[href^='/jury/rounds/1/applications/']").first.click()
            found += [f"{page.url}: {line}" for line in axe_violations(page)]
        assert not found, "\n".join(found)
    finally:
        context.close()
