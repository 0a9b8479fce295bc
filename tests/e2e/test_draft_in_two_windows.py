"""One draft open in two browser windows, with JavaScript: autosave never drops what another
window saved in silence. The demo network's artist types the same answer in both windows; the
window that saves last shows the text it replaced."""

from playwright.sync_api import expect

from residency.accounts.demo import DEMO_PASSWORD
from tests.e2e.conftest import TIMEOUT_MS

ARTIST = "artist@demo.example.org"
QUESTION = "Décrivez votre projet"


def open_draft(browser, stack, path):
    context = browser.new_context(base_url=stack.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/login")
    main = page.get_by_role("main")
    main.get_by_label("E-mail address").fill(ARTIST)
    main.get_by_label("Password").fill(DEMO_PASSWORD)
    main.get_by_role("button", name="Log in").click()
    page.goto(path)
    return context, page


def test_autosave_shows_the_text_another_window_saved(browser, demo_stack):
    stack, path = demo_stack
    first_context, first = open_draft(browser, stack, path)
    second_context, second = open_draft(browser, stack, path)
    try:
        first.get_by_label(QUESTION, exact=False).fill("Written in the first window, saved first.")
        expect(first.locator("#autosave-status")).to_contain_text("Saved at", timeout=20_000)

        second.get_by_label(QUESTION, exact=False).fill("Written in the second window, saved later.")
        expect(second.locator("#autosave-status")).to_contain_text("Saved at", timeout=20_000)
        notice = second.locator("#replaced-answers-live")
        expect(notice).to_contain_text("Answers changed in another window")
        expect(notice).to_contain_text("Written in the first window, saved first.")

        # The first window's text was kept where the artist can see it; the draft holds the last one.
        second.reload()
        expect(second.get_by_label(QUESTION, exact=False)).to_have_value("Written in the second window, saved later.")
    finally:
        first_context.close()
        second_context.close()
