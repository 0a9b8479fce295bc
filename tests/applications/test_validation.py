"""Answer checks, one per question type: what a draft accepts and what a submission needs."""

from types import SimpleNamespace

import pytest

from residency.applications import validation as v


@pytest.mark.parametrize("text, words", [
    ("", 0),
    ("one two  three\nfour", 4),
    ("a well-known state-of-the-art piece", 4),
    ("before — after", 2),
    ("l'œuvre d'art", 2),
    ("数字艺术 residency", 5),
    ("  ", 0),
])
def test_words_are_counted_the_way_people_count_them(text, words):
    """Word limits count words as people do: hyphenated words once, lone dashes not at all."""
    assert v.count_words(text) == words


def test_long_text_over_its_word_limit_is_refused_on_submission_only():
    """A draft may run over the word limit; the submission may not, and says by how much."""
    question = {"id": "s", "type": "long_text", "word_limit": 3}
    assert v.check_long_text(question, "one two three four", complete=False)[1] == []
    errors = v.check_long_text(question, "one two three four", complete=True)[1]
    assert len(errors) == 1 and "3" in str(errors[0]) and "4" in str(errors[0])
    assert v.check_long_text(question, "one two three", complete=True)[1] == []


def test_required_answers_are_needed_only_to_submit():
    """An empty required answer is fine in a draft and refused on submission, for every type."""
    for kind, empty in (("short_text", "  "), ("long_text", ""), ("single_choice", ""), ("multiple_choice", []),
                        ("url", ""), ("date", "")):
        question = {"id": "q", "type": kind, "required": True, "choices": [{"value": "a"}]}
        checker = v.CHECKERS[kind]
        assert checker(question, empty, complete=False)[1] == [], kind
        assert checker(question, empty, complete=True)[1], kind


def test_choices_must_be_among_the_defined_values():
    """A choice the call does not offer is refused, even in a draft."""
    question = {"id": "f", "type": "single_choice", "choices": [{"value": "online"}, {"value": "hybrid"}]}
    assert v.check_single_choice(question, "online", complete=True) == ("online", [])
    assert v.check_single_choice(question, "onsite", complete=False)[1]
    multiple = {"id": "t", "type": "multiple_choice", "choices": [{"value": "a"}, {"value": "b"}]}
    assert v.check_multiple_choice(multiple, ["b", "a", "a"], complete=True) == (["a", "b"], [])
    assert v.check_multiple_choice(multiple, ["a", "z"], complete=False)[1]
    assert v.check_multiple_choice(multiple, [{"x": 1}], complete=False)[1]


@pytest.mark.parametrize("url, ok", [
    ("https://example.org/work", True),
    ("http://sub.example.org:8080/a?b=c", True),
    ("javascript:alert(1)", False),
    ("ftp://example.org/file", False),
    ("example.org", False),
    ("https://localhost/", False),
    ("https://exa mple.org", False),
    ("https://example.org:port/", False),
])
def test_web_addresses_must_be_http_or_https(url, ok):
    """Web-address answers must be http(s) addresses a visitor can open, even in a draft."""
    question = {"id": "u", "type": "url"}
    assert (v.check_url(question, url, complete=False)[1] == []) is ok


@pytest.mark.parametrize("text, ok", [
    ("2026-09-30", True), ("2026-02-30", False), ("30/09/2026", False), ("20260930", False),
    ("1899-12-31", False), ("2101-01-01", False),
])
def test_dates_must_be_iso_and_within_sane_bounds(text, ok):
    """Date answers are real dates written year-month-day, between 1900 and 2100."""
    assert (v.check_date({"id": "d", "type": "date"}, text, complete=False)[1] == []) is ok


def test_text_that_is_not_text_is_refused():
    """An answer of the wrong shape (a list where text is expected) is refused as unreadable."""
    assert v.check_short_text({"id": "t"}, ["x"], complete=False)[1]
    assert v.check_short_text({"id": "t"}, "x" * (v.SHORT_TEXT_MAX + 1), complete=False)[1]


def asset(**fields):
    values = {"id": 1, "original_filename": "a.mp4", "slot": "application:1.reel", "state": "ready", "sha256": "a" * 64,
              "kind": "video", "size": 10, "failure_reason": None}
    values.update(fields)
    return SimpleNamespace(**values)


def test_file_answers_are_checked_on_submission():
    """Files: required, at most max_count, in this application's slot, verified, of an allowed kind."""
    question = {"id": "reel", "type": "file", "required": True, "kinds": ["video"], "max_count": 1, "max_size": 100}
    slot = "application:1.reel"
    ok = v.check_file(question, [asset()], complete=True, slot=slot)
    assert ok == ([1], [])
    assert v.check_file(question, [], complete=True, slot=slot)[1]
    assert v.check_file(question, [], complete=False, slot=slot)[1] == []
    assert v.check_file(question, [asset(), asset(id=2)], complete=True, slot=slot)[1]
    assert v.check_file(question, [asset(slot="application:2.reel")], complete=True, slot=slot)[1]
    assert v.check_file(question, [asset(state="processing", sha256=None)], complete=True, slot=slot)[1]
    assert v.check_file(question, [asset(state="processing")], complete=True, slot=slot)[1] == []  # verified
    assert v.check_file(question, [asset(state="failed", failure_reason="broken")], complete=True, slot=slot)[1]
    assert v.check_file(question, [asset(kind="image")], complete=True, slot=slot)[1]
    assert v.check_file(question, [asset(size=101)], complete=True, slot=slot)[1]
