"""Technical QC warnings on the asset page and in the downloadable report: real files processed
by the real pipeline, then read by their owner in English and in French. Every warning is a
sentence in the reader's language with what it means for festivals, the page and the report
say the same, and old records (codes only) and unknown codes still read as sentences."""

import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask_babel import force_locale

from residency.media import pipeline
from residency.media.models import AssetState, Derivative, DerivativeState, MediaAsset
from residency.media.qc_warnings import WARNINGS, explain
from residency.storage import get_storage

TYPES = {".wav": "audio/wav", ".mp4": "video/mp4", ".mov": "video/quicktime", ".srt": "application/x-subrip"}
QC_SOURCE = Path(__file__).resolve().parents[2] / "residency" / "media" / "processing" / "qc.py"


class _Warnings(HTMLParser):
    """The items of the page's list of QC warnings: [(code, text)]."""

    def __init__(self):
        super().__init__()
        self.items, self.depth, self.current = [], 0, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "ul" and "warnings" in (attrs.get("class") or "").split():
            self.depth = 1
        elif self.depth and tag == "li":
            self.current = [attrs.get("data-warning"), ""]

    def handle_endtag(self, tag):
        if self.depth and tag == "li" and self.current is not None:
            # Only ASCII white space is folded: a no-break space (French typography) is text.
            self.items.append((self.current[0], re.sub(r"[ \t\n\r\f\v]+", " ", self.current[1]).strip()))
            self.current = None
        elif self.depth and tag == "ul":
            self.depth = 0

    def handle_data(self, data):
        if self.current is not None:
            self.current[1] += " " + data


def page_warnings(html):
    parser = _Warnings()
    parser.feed(html)
    return parser.items


def minus(value):
    """A figure as the sentences write it in English: one decimal, a real minus sign."""
    return f"{value:.1f}".replace("-", "−")


def process(db, uploader, work, path):
    """Upload ``path`` as the browser does and run the workers' steps; the asset, ready."""
    data = Path(path).read_bytes()
    _upload_id, response = uploader.upload(f"work:{work.id}", Path(path).name, data, type_=TYPES[Path(path).suffix])
    assert response.status_code == 200, response.get_json()
    asset_id = response.get_json()["asset"]
    if pipeline.verify(asset_id) == "probe":
        for profile in pipeline.probe(asset_id):
            pipeline.derive(asset_id, profile)
    db.session.expire_all()
    asset = db.session.get(MediaAsset, asset_id)
    assert asset.state == AssetState.READY, asset.log
    return asset


def switch_language(client, code):
    """The language switcher, as the artist uses it (sets their account's language)."""
    assert client.post_form("/language", {"language": code}).status_code == 302


def read(client, work, asset):
    """(warnings on the page, the page's HTML, the downloaded report) in the current language."""
    page = client.get(f"/works/{work.id}/assets/{asset.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    report = client.get(f"/works/{work.id}/assets/{asset.id}/files/qc?download=1")
    assert report.status_code == 200
    assert report.headers["Content-Disposition"].startswith("attachment;")
    assert report.mimetype == "application/json"
    return page_warnings(html), html, report.get_json()


def check_page_and_report(client, work, asset, code, english, language="en"):
    """The warning ``code`` reads ``english`` in English; in French it reads as the registry
    words it in French; in both the report says what the page says; no item is empty."""
    stored = next(w for w in asset.derivative("qc").meta["warnings"] if w["code"] == code)
    for lang in ("en", "fr"):
        switch_language(client, lang)
        items, html, report = read(client, work, asset)
        assert not re.search(r"<li[^>]*>\s*</li>", html)
        assert items and all(text for _code, text in items)
        with client.application.test_request_context(), force_locale(lang):
            expected = explain(stored)
        if lang == "en":
            assert expected.message == english
            assert "Technical QC" in html
        else:
            assert "Contrôle qualité technique" in html  # the French page around the warnings
        text = dict(items)[code]
        assert text == f"{expected.message} {expected.meaning}"
        assert report["language"] == lang
        assert [(w["code"], f"{w['message']} {w['meaning']}") for w in report["warnings"]] == items
    return stored


@pytest.mark.parametrize("amplitude, code, words", [
    (0.01, "very_quiet", "The programme is very quiet: its integrated loudness is {} LUFS."),
    (0.5, "very_loud", "The programme is very loud: its integrated loudness is {} LUFS."),
])
def test_very_quiet_or_very_loud_programme_is_worded_in_each_language(db, client, work, uploader, tone_at,
                                                                       amplitude, code, words):
    """A very quiet (−40 LUFS) or very loud (−6 LUFS) programme says so with its measured
    loudness, as each language writes numbers (−40,0 in French), and what festivals expect."""
    asset = process(db, uploader, work, tone_at(amplitude))
    lufs = next(w for w in asset.derivative("qc").meta["warnings"] if w["code"] == code)["values"]["lufs"]
    stored = check_page_and_report(client, work, asset, code, words.format(minus(lufs)))
    assert stored == {"code": code, "values": {"lufs": lufs}}
    switch_language(client, "fr")
    french = dict(read(client, work, asset)[0])[code]
    assert f"{minus(lufs).replace('.', ',')} LUFS" in french
    switch_language(client, "en")
    english = dict(read(client, work, asset)[0])[code]
    assert "EBU R 128" in english and "ATSC A/85" in english


@pytest.mark.parametrize("clip, use_source, code, english, copies", [
    ("surround_clip", True, "surround_audio", "The sound has 8 channels in the 7.1 layout.",
     "the screening copy keeps every channel"),
    ("surround_master", False, "surround_audio", "The sound has 6 channels in the 5.1(side) layout.",
     "the screening copy keeps every channel"),
])
def test_surround_sound_names_its_layout_and_the_stereo_copies(db, client, work, uploader, request, clip,
                                                               use_source, code, english, copies):
    """7.1 or 5.1 sound is named with its layout; the page says that the previews are stereo and
    that the screening copy keeps every channel (as the original itself, or re-encoded)."""
    asset = process(db, uploader, work, request.getfixturevalue(clip))
    assert asset.derivative("screening").use_source is use_source
    check_page_and_report(client, work, asset, code, english)
    switch_language(client, "en")
    text = dict(read(client, work, asset)[0])[code]
    assert copies in text and "downmixed to stereo" in text


def test_subtitles_with_markup_name_what_was_removed(db, client, work, uploader, markup_srt):
    """Subtitles whose tags and ASS codes were removed on conversion say which ones."""
    asset = process(db, uploader, work, markup_srt)
    check_page_and_report(client, work, asset, "subtitle_markup_removed",
                          "Formatting that WebVTT subtitles cannot carry was removed: <font> and <span>.")
    check_page_and_report(client, work, asset, "subtitle_styling_removed",
                          "Styling and positioning codes were removed from the subtitles: {\\an8}.")
    switch_language(client, "fr")
    assert "&lt;font&gt; et &lt;span&gt;" in client.get(f"/works/{work.id}/assets/{asset.id}").get_data(as_text=True)


def test_latin1_subtitles_name_the_encoding_they_were_converted_from(db, client, work, uploader, latin1_srt):
    """Latin-1 subtitles say they were read as Windows-1252 (Latin-1) and converted to UTF-8,
    and the WebVTT made from them has the accented letters right."""
    asset = process(db, uploader, work, latin1_srt)
    check_page_and_report(
        client, work, asset, "subtitle_encoding_converted",
        "The subtitles were not in UTF-8: they were read as Windows-1252 (Latin-1) and converted to UTF-8.",
    )
    with get_storage().open(asset.derivative("webvtt").key) as stream:
        assert "Déjà vu à Besançon" in stream.read().decode("utf-8")


def test_clean_subtitles_have_no_warning(db, client, work, uploader, sample_srt):
    """Clean UTF-8 subtitles get a QC that found nothing, said in words."""
    asset = process(db, uploader, work, sample_srt)
    assert asset.derivative("qc").meta["warnings"] == []
    html = client.get(f"/works/{work.id}/assets/{asset.id}").get_data(as_text=True)
    assert "No technical problem found." in html and page_warnings(html) == []


OLD_REPORT = {
    "codec": "h264", "resolution": "640x360",
    "warnings": [
        {"code": "mono_audio", "message": "The sound is mono; festivals usually expect stereo or 5.1."},
        {"code": "loudness", "message": "Integrated loudness is -31.0 LUFS, outside the EBU R128 target."},
        {"code": "lens_flare", "message": "Something a later version checks."},
    ],
}


def old_asset(db, work, artist):
    """A video processed before warnings kept their values: codes only in the derivative, a
    report with English messages and no values."""
    storage = get_storage()
    key = f"works/{work.id}/derived/qc/v1/{'b' * 64}.json"
    storage.put(key, io.BytesIO(json.dumps(OLD_REPORT).encode()))
    asset = MediaAsset(work_id=work.id, owner_id=artist.id, slot=f"work:{work.id}", original_filename="old.mp4",
                       size=1000, original_key=f"works/{work.id}/original/{'b' * 64}.mp4", state="ready",
                       kind="video", mime="video/mp4", ext="mp4", sha256="b" * 64)
    db.session.add(asset)
    db.session.flush()
    db.session.add(Derivative(asset_id=asset.id, profile="qc", version=1, state=DerivativeState.DONE, key=key,
                              content_type="application/json", size=100,
                              meta={"profile": "qc", "version": 1, "use_source": False,
                                    "warnings": ["mono_audio", "loudness", "lens_flare"]}))
    db.session.commit()
    return asset


def test_an_old_record_of_codes_only_still_reads_as_sentences(db, client, login_as, artist, work):
    """Codes stored without values read as sentences that name no value; an unknown code reads
    as a generic sentence naming it; the old report says the same as the page."""
    asset = old_asset(db, work, artist)
    login_as(artist)
    for lang in ("en", "fr"):
        switch_language(client, lang)
        items, html, report = read(client, work, asset)
        assert not re.search(r"<li[^>]*>\s*</li>", html)
        assert [code for code, _text in items] == ["mono_audio", "loudness", "lens_flare"]
        assert all(text and "%(" not in text for _code, text in items)
        assert [(w["code"], f"{w['message']} {w['meaning']}") for w in report["warnings"]] == items
        assert report["resolution"] == "640x360"
    switch_language(client, "en")
    items = dict(read(client, work, asset)[0])
    assert items["mono_audio"].startswith("The sound is mono. In some rooms mono sound plays from one side only")
    assert items["loudness"].startswith(
        "The integrated loudness is more than 2 LU away from the −23 LUFS of EBU R 128.")
    assert items["lens_flare"].startswith("The technical check “lens_flare” raised a warning.")


def test_another_user_gets_no_report(db, client, login_as, make_user, artist, work):
    """The worded report is the owner's: another user gets 404, as for every file of the work."""
    asset = old_asset(db, work, artist)
    login_as(make_user(email="other@example.org"))
    assert client.get(f"/works/{work.id}/assets/{asset.id}/files/qc").status_code == 404


def qc_codes():
    """Every code the QC can write, read from its source (``warn("code"…)`` and the
    ``"code": "…"`` entries; black and silence edges are built from their parts)."""
    source = QC_SOURCE.read_text(encoding="utf-8")
    calls = re.findall(r'warn\(\s*"(\w+)"(?: if \w+ else "(\w+)")?', source)
    codes = {code for pair in calls for code in pair if code} | set(re.findall(r'"code": "(\w+)"', source))
    return codes | {f"{key}_{edge}" for key in ("black", "silence") for edge in ("start", "end")}


def test_every_code_the_qc_writes_has_words(app):
    """No warning the QC writes falls back to the generic sentence."""
    codes = qc_codes()
    assert {"very_quiet", "surround_audio", "surround_audio_over_eight", "subtitle_encoding_converted"} <= codes
    assert codes <= set(WARNINGS), codes - set(WARNINGS)


@pytest.mark.parametrize("code", sorted(WARNINGS))
@pytest.mark.parametrize("lang", ["en", "fr", "es", "pt"])
def test_every_warning_reads_with_and_without_its_values(app, code, lang):
    """Each warning reads as a sentence plus its meaning for festivals, whether or not the
    record holds its values, in every language."""
    values = {"lufs": -38.25, "dbtp": 0.4, "seconds": 2.5, "width": 321, "height": 241, "sar": "16:15",
              "degrees": 90, "channels": 6, "layout": "5.1(side)", "encoding": "UTF-16",
              "markup": ["<font>"], "styling": ["{\\an8}"]}
    with app.test_request_context(), force_locale(lang):
        full, bare = explain({"code": code, "values": values}), explain(code)
    for item in (full, bare):
        assert item.message.strip() and item.meaning.strip() and "%" not in item.message + item.meaning
    assert len(full.message) >= len(bare.message)
