"""The list of a call's submitted applications: counts, filters, sorting, pages."""

import re

from tests.accounts.support import page_text
from tests.review.conftest import list_url


def names_in(response):
    """The applicants' names of the table's rows, in order."""
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', response.get_data(as_text=True))


def test_counts_per_state_and_eligibility_are_shown_above_the_list(client, login_as, coordinator, call, make_application):
    """Above the list: how many applications per state and per eligibility, drafts not counted."""
    make_application(call, eligible=True)
    make_application(call, eligible=True)
    make_application(call, eligible=False, state="withdrawn")
    make_application(call, state="shortlisted")
    make_application(call, state="draft")
    login_as(coordinator)

    text = page_text(client.get(list_url(call)))

    assert "4 submitted applications" in text
    assert "Submitted: 2" in text and "Withdrawn: 1" in text and "Shortlisted: 1" in text
    assert "Eligible: 2" in text and "Not eligible: 1" in text and "Not checked yet: 1" in text


def test_filters_by_state_and_eligibility(client, login_as, coordinator, call, make_application, make_user):
    """State and eligibility filters keep only the matching applications."""
    make_application(call, owner=make_user(name="Ana Eligible"), eligible=True)
    make_application(call, owner=make_user(name="Ben Ineligible"), eligible=False)
    make_application(call, owner=make_user(name="Cy Unknown"))
    make_application(call, owner=make_user(name="Dee Withdrawn"), state="withdrawn", eligible=True)
    login_as(coordinator)

    assert names_in(client.get(list_url(call, eligible="yes", state="submitted"))) == ["Ana Eligible"]
    assert names_in(client.get(list_url(call, eligible="no"))) == ["Ben Ineligible"]
    assert names_in(client.get(list_url(call, eligible="unknown"))) == ["Cy Unknown"]
    assert names_in(client.get(list_url(call, state="withdrawn"))) == ["Dee Withdrawn"]
    assert "1 application matches the filters." in page_text(client.get(list_url(call, eligible="no")))


def test_search_by_name_or_email_and_filter_by_place_of_residence(client, login_as, coordinator, call, city,
                                                                  make_application, make_user):
    """The search finds a name or an e-mail (any case, no wildcard); city and country filter on the
    frozen version. (SQLite folds the case of ASCII letters only; PostgreSQL of every letter.)"""
    make_application(call, owner=make_user(name="Zoë Łukasiewicz", email="zoe@studio.example"), country="PL")
    make_application(call, owner=make_user(name="Marc 100% Dupont", email="marc@lyon.example"), city=city, country="FR")
    login_as(coordinator)

    assert names_in(client.get(list_url(call, q="ZOË"))) == ["Zoë Łukasiewicz"]
    assert names_in(client.get(list_url(call, q="LYON.EXAMPLE"))) == ["Marc 100% Dupont"]
    assert names_in(client.get(list_url(call, q="100%"))) == ["Marc 100% Dupont"]
    assert names_in(client.get(list_url(call, q="%"))) == ["Marc 100% Dupont"]
    assert names_in(client.get(list_url(call, q="_"))) == []  # not "any one character"
    assert names_in(client.get(list_url(call, q="\\"))) == []  # the escape character itself
    assert names_in(client.get(list_url(call, country="PL"))) == ["Zoë Łukasiewicz"]
    assert names_in(client.get(list_url(call, city=city.id))) == ["Marc 100% Dupont"]
    text = page_text(client.get(list_url(call)))
    assert "Lyon, France" in text and "Poland" in text  # the residence column


def test_sorting_by_name_and_time_is_announced(client, login_as, coordinator, call, make_application, make_user):
    """Newest first by default; the name column sorts A to Z then Z to A; aria-sort says which."""
    make_application(call, owner=make_user(name="Bea"))
    make_application(call, owner=make_user(name="Abe"))
    make_application(call, owner=make_user(name="Cal"))
    login_as(coordinator)

    default = client.get(list_url(call))
    assert names_in(default) == ["Cal", "Abe", "Bea"]
    assert re.search(r'<th scope="col" aria-sort="descending">\s*<a[^>]*>Submitted', default.get_data(as_text=True))
    by_name = client.get(list_url(call, sort="name"))
    assert names_in(by_name) == ["Abe", "Bea", "Cal"]
    assert re.search(r'<th scope="col" aria-sort="ascending">\s*<a[^>]*>Applicant', by_name.get_data(as_text=True))
    assert "sorted by name, A to Z" in page_text(by_name)
    assert names_in(client.get(list_url(call, sort="-name"))) == ["Cal", "Bea", "Abe"]
    assert names_in(client.get(list_url(call, sort="submitted"))) == ["Bea", "Abe", "Cal"]
    assert names_in(client.get(list_url(call, sort="nonsense"))) == ["Cal", "Abe", "Bea"]


def test_fifty_applications_a_page(client, login_as, coordinator, call, make_application):
    """50 rows a page; the next page holds the rest and keeps the filters in its links."""
    for _ in range(53):
        make_application(call, commit=False)
    login_as(coordinator)

    first = client.get(list_url(call, state="submitted"))
    assert len(names_in(first)) == 50
    assert "page 1 of 2" in page_text(first)
    assert re.search(r'href="[^"]*page=2[^"]*" rel="next"', first.get_data(as_text=True))
    assert "state=submitted" in re.search(r'href="([^"]*)" rel="next"', first.get_data(as_text=True)).group(1)
    second = client.get(list_url(call, state="submitted", page=2))
    assert len(names_in(second)) == 3
    assert len(names_in(client.get(list_url(call, page=99)))) == 50  # past the end: the first page


def test_the_list_shows_eligibility_notes(client, login_as, coordinator, call, make_application):
    """Each row shows its eligibility and the latest note."""
    make_application(call, eligible=False, notes=["Lives outside the network's countries"])
    login_as(coordinator)

    text = page_text(client.get(list_url(call)))

    assert "Not eligible" in text and "Lives outside the network&#39;s countries" not in text
    assert "Lives outside the network's countries" in text
