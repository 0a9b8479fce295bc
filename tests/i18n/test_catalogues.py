"""The translation catalogues: up to date with the code, complete, and faithful to the placeholders."""

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "residency" / "translations"
LANGUAGES = ("fr", "es", "pt")
# The same extraction as `make extract-messages`.
EXTRACT_OPTIONS = ["-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2",
                   "--no-location", "--sort-output"]
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0\- +]*(?:\d+|\*)?(?:\.\d+)?([diouxXeEfFgGcrsa%])")


def pybabel(*args, cwd=ROOT):
    executable = Path(sys.executable).with_name("pybabel")
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "babel.messages.frontend"]
    return subprocess.run(command + list(args), cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def fresh_template(tmp_path_factory):
    """The messages marked in the code right now, extracted into a temporary .pot."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    result = pybabel("extract", *EXTRACT_OPTIONS, "-o", str(pot), ".")
    assert result.returncode == 0, result.stderr
    return pot


def copy_of_catalogues(tmp_path):
    """A copy of residency/translations: the checks never touch the real tree."""
    copy = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, copy, ignore=shutil.ignore_patterns("*.mo"))
    return copy


def check_up_to_date(template, catalogues):
    return pybabel("update", "--check", "--ignore-pot-creation-date", "-i", str(template), "-d", str(catalogues))


def read_catalogue(lang, directory=TRANSLATIONS):
    with open(directory / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def placeholders(text):
    return Counter(PLACEHOLDER.findall(text))


def test_catalogues_hold_every_string_marked_in_the_code(fresh_template, tmp_path):
    """Every string marked for translation in the code is in the catalogues (run `make extract-messages`)."""
    result = check_up_to_date(fresh_template, copy_of_catalogues(tmp_path))

    assert result.returncode == 0, (
        "the catalogues lag the code: run `make extract-messages` and translate the new entries\n"
        + result.stdout + result.stderr
    )


def test_the_up_to_date_check_notices_a_missing_message(fresh_template, tmp_path):
    """The check above fails when a catalogue lacks a marked string (so it can catch a lag)."""
    catalogues = copy_of_catalogues(tmp_path)
    po = catalogues / "fr" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    trimmed = text.replace('msgid "Skip to main content"\n', 'msgid "Skip to the removed content"\n', 1)
    assert trimmed != text
    po.write_text(trimmed, encoding="utf-8")

    assert check_up_to_date(fresh_template, catalogues).returncode != 0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(lang):
    """Every interface text has a checked translation in French, Spanish and Portuguese."""
    catalogue = read_catalogue(lang)
    messages = [m for m in catalogue if m.id]
    assert len(messages) > 100

    untranslated = [m.id for m in messages if not all(m.string if isinstance(m.string, tuple) else [m.string])]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not untranslated, f"{lang}: untranslated: {untranslated}"
    assert not fuzzy, f"{lang}: fuzzy: {fuzzy}"
    assert not catalogue.fuzzy, f"{lang}: the header is marked fuzzy"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_forms_and_language_are_declared(lang):
    """Each catalogue declares its language and that language's plural rule (so counts read right)."""
    catalogue = read_catalogue(lang)
    headers = dict(catalogue.mime_headers)
    plural = get_plural(lang)

    assert headers["Language"] == lang
    assert headers["Plural-Forms"] == plural.plural_forms
    for message in catalogue:
        if message.id and message.pluralizable:
            assert len(message.string) == plural.num_plurals, message.id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders_of_the_source(lang):
    """A translation shows the same names and numbers as the English text (%(name)s, %(n)d …)."""
    wrong = []
    for message in read_catalogue(lang):
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        translations = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = placeholders(sources[-1])
        assert all(placeholders(source).keys() <= expected.keys() | {("", "%")} for source in sources), sources
        for translation in translations:
            if placeholders(translation) != expected:
                wrong.append((message.id, translation))
    assert not wrong, f"{lang}: placeholders differ: {wrong}"


def test_the_placeholder_check_notices_a_changed_placeholder():
    """The placeholder comparison tells a renamed or dropped placeholder from a kept one."""
    assert placeholders("Hello %(name)s,") == placeholders("Bonjour %(name)s,")
    assert placeholders("Hello %(name)s,") != placeholders("Bonjour %(nom)s,")
    assert placeholders("Use at least %(n)d characters.") != placeholders("Utilisez au moins %(n)s caractères.")
    assert placeholders("Page %(page)d of %(pages)d") != placeholders("Page %(page)d")


def test_french_punctuation_keeps_its_non_breaking_space():
    """In French, « : ; ? ! » follow a non-breaking space, so they never start a new line."""
    bad = []
    for message in read_catalogue("fr"):
        if not message.id:
            continue
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            if re.search(r"(?<=\S)[:;?!](?=\s|$)", text) or re.search(r"[ \t][:;?!](?=\s|$)", text):
                bad.append(text)
    assert not bad, bad


def test_every_translation_function_the_code_imports_is_an_extraction_keyword():
    """A string marked with any flask_babel function the code uses (lazy_ngettext …) reaches the catalogues."""
    import ast

    from babel.messages.extract import DEFAULT_KEYWORDS

    keywords = set(DEFAULT_KEYWORDS) | {
        EXTRACT_OPTIONS[i + 1].split(":")[0] for i, option in enumerate(EXTRACT_OPTIONS) if option == "-k"}
    missing = []
    for path in (ROOT / "residency").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "flask_babel":
                for alias in node.names:
                    if "gettext" in alias.name and (alias.asname or alias.name) not in keywords:
                        missing.append(f"{path.relative_to(ROOT)}: {alias.asname or alias.name}")
    assert not missing, missing
