"""A visitor becomes an artist in a real browser: registration, the e-mail the worker writes,
confirmation, logging out and in, with and without JavaScript; and how form errors are shown."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import PASSWORD, link_path, log_in, outbox_message, register, unique_address


def test_new_artist_registers_confirms_the_address_logs_out_and_in(page, stack):
    """From the home page a visitor creates an account, confirms it from the e-mail, and logs in again."""
    address = unique_address("aya")
    page.goto("/")
    page.get_by_role("main").get_by_role("link", name="Create an account").click()
    expect(page).to_have_url(re.compile(r"/register$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")

    register(page, address, name="Aya Artist")
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_role("status").filter(has_text="Welcome!")).to_contain_text(
        f"We sent a link to {address}")
    expect(page.get_by_text("is not confirmed yet")).to_be_visible()

    message = outbox_message(stack, address)
    assert "City to City Residency" in message["From"]
    page.goto(link_path(message, "/verify/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your e-mail address")
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_text("Thank you: your e-mail address is confirmed.")).to_be_visible()
    page.goto("/account")
    expect(page.get_by_text("is not confirmed yet")).to_have_count(0)

    page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My account")).to_have_count(0)

    nav.get_by_role("link", name="Log in").click()
    main = page.get_by_role("main")
    main.get_by_label("E-mail address").fill(address)
    main.get_by_label("Password").fill(PASSWORD)
    main.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Welcome back, Aya Artist.")).to_be_visible()
    expect(nav.get_by_role("link", name="My account")).to_be_visible()


def test_registration_login_and_language_switch_work_without_javascript(new_context, stack):
    """With JavaScript off, a visitor registers, logs in, and switches to French with the switcher's button."""
    page = new_context(java_script_enabled=False).new_page()
    address = unique_address("nojs")
    register(page, address, name="Kofi")
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_text(f"We sent a link to {address}")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    log_in(page, address)
    expect(page.get_by_text("Welcome back, Kofi.")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    switcher = page.get_by_role("banner").locator("form", has=page.get_by_label("Language"))
    switcher.get_by_label("Language").select_option(label="Français")
    switcher.get_by_role("button").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    # The choice is kept for the account, not only for this page.
    page.goto("/account")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("main").locator("select#locale")).to_have_value("fr")


def test_empty_registration_shows_a_focused_error_summary_linked_to_the_fields(page):
    """An empty registration form shows an error summary that takes focus and links to each invalid field."""
    page.goto("/register")
    page.get_by_role("main").get_by_role("button", name="Create my account").click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", level=2)).to_have_text("There is a problem")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Create an account"))

    hrefs = summary.get_by_role("link").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert {"#email", "#display_name", "#password"} <= set(hrefs), hrefs
    for field_id in ("email", "display_name", "password"):
        field = page.locator(f"#{field_id}")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{field_id}-error-1\b"))
        expect(page.locator(f"#{field_id}-error-1")).to_be_visible()
    expect(page.locator("#pronouns")).not_to_have_attribute("aria-invalid", "true")

    # Following a link of the summary puts the cursor in that field.
    summary.get_by_role("link", name=re.compile("^E-mail address")).click()
    expect(page.locator("#email")).to_be_focused()


def test_summary_lists_the_problems_in_the_order_of_the_fields(page):
    """The error summary lists the problems in the order the fields appear on the page."""
    page.goto("/register")
    page.get_by_role("main").get_by_role("button", name="Create my account").click()
    summary_order = page.get_by_role("alert").get_by_role("link").evaluate_all(
        "links => links.map(a => a.getAttribute('href').slice(1))")
    page_order = page.locator("form.stack [aria-invalid='true']").evaluate_all("fields => fields.map(f => f.id)")
    assert summary_order == page_order, f"summary {summary_order} vs page {page_order}"


def test_a_failed_login_message_takes_the_focus(page):
    """After a wrong password the error message at the top of the page receives the focus, so it is read out."""
    page.goto("/login")
    main = page.get_by_role("main")
    main.get_by_label("E-mail address").fill(unique_address("nobody"))
    main.get_by_label("Password").fill("not the password")
    main.get_by_role("button", name="Log in").click()
    message = page.get_by_role("status").filter(has_text="The e-mail address or password is not correct.")
    expect(message).to_be_visible()
    expect(message).to_be_focused()


def test_choosing_a_language_in_the_switcher_loads_no_page_until_the_button_is_pressed(page):
    """Changing the language select box does not submit it by itself (WCAG 3.2.2); its button does."""
    page.goto("/")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    switcher = page.get_by_role("banner")
    select = switcher.get_by_label("Language")
    select.focus()
    page.keyboard.press("ArrowDown")  # a keyboard user moving through the options
    expect(select).to_have_value("fr")
    page.wait_for_timeout(400)
    assert posts == [], f"changing the select box sent {posts}"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(select).to_be_focused()
    switcher.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def test_the_browser_timezone_is_used_for_times_and_preselected_at_registration(new_context):
    """A visitor's browser timezone is used for the times shown and preselected in the registration form."""
    page = new_context(timezone_id="Asia/Seoul").new_page()
    page.goto("/")
    page.goto("/register")
    expect(page.get_by_role("main").get_by_label("Timezone")).to_have_value("Asia/Seoul")
    expect(page.get_by_role("contentinfo")).to_contain_text("Times are shown in Asia/Seoul.")


def test_a_visitor_in_utc_is_not_given_another_timezone(new_context):
    """A browser set to UTC sees UTC preselected in the registration form, not the first zone of the list."""
    page = new_context(timezone_id="UTC").new_page()
    page.goto("/")
    page.goto("/register")
    timezone = page.get_by_role("main").get_by_label("Timezone")
    assert timezone.input_value() in {"UTC", "Etc/UTC"}, f"preselected: {timezone.input_value()}"
