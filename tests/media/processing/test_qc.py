"""Technical QC: loudness, true peak, black and silent stretches, and the picture's flaws."""

import math

import pytest

from residency.media.processing.qc import qc_report


@pytest.fixture
def report_of(facts):
    """``report_of(path)``: the QC report of a file probed once per session."""

    def report(path, **kwargs):
        return qc_report(path, facts(path)[1], **kwargs)

    return report


def codes(report):
    return [warning["code"] for warning in report["warnings"]]


def test_black_start_and_silent_end_are_flagged(report_of, black_silent_clip):
    """2 s of black at the start and 2 s of silence at the end are measured and flagged."""
    fractions = []
    report = report_of(black_silent_clip, on_progress=fractions.append)
    assert report["black"]["start"] == pytest.approx(2.0, abs=0.1)
    assert report["black"]["end"] == 0
    assert report["silence"]["end"] == pytest.approx(2.0, abs=0.1)
    assert report["silence"]["start"] == 0
    assert {"black_start", "silence_end"} <= set(codes(report))
    assert not {"black_end", "silence_start"} & set(codes(report))
    assert fractions[-1] == 1.0


def test_report_describes_the_file(report_of, black_silent_clip):
    """The report gives codec, resolution, frame rate, duration, channels and sample rate."""
    report = report_of(black_silent_clip)
    assert (report["codec"], report["resolution"], report["frame_rate"]) == ("h264", "320x240", 25)
    assert report["duration"] == pytest.approx(4.0, abs=0.1)
    assert (report["audio_channels"], report["sample_rate"]) == (2, 48000)
    assert report["variable_frame_rate"] == 0
    assert "low_resolution" in codes(report)


def test_loudness_of_a_known_tone(report_of, make_tone):
    """A 1 kHz stereo tone at −20 dBFS measures −20 LUFS (±1 LU), flagged against EBU R128."""
    report = report_of(make_tone(0.1))
    expected = 20 * math.log10(0.1)  # BS.1770: a 1 kHz sine in both channels reads its level
    loudness = report["loudness"]
    assert loudness["integrated_lufs"] == pytest.approx(expected, abs=1.0)
    assert loudness["true_peak_dbtp"] == pytest.approx(expected, abs=0.5)
    warning = next(w for w in report["warnings"] if w["code"] == "loudness")
    assert warning["values"] == {"lufs": loudness["integrated_lufs"]}
    assert not {"very_quiet", "very_loud", "true_peak"} & set(codes(report))


def test_programme_at_the_target_has_no_loudness_warning(report_of, make_tone):
    """A tone at −23 LUFS (EBU R128's target) raises no loudness warning."""
    report = report_of(make_tone(round(10 ** (-23 / 20), 4)))
    assert report["loudness"]["integrated_lufs"] == pytest.approx(-23, abs=1.0)
    assert "loudness" not in codes(report)


def test_true_peak_above_minus_one_is_flagged(report_of, make_tone):
    """A tone peaking near full scale is flagged for a true peak above −1 dBTP."""
    report = report_of(make_tone(0.98, frequency=997))
    assert report["loudness"]["true_peak_dbtp"] > -1
    assert "true_peak" in codes(report)


def test_mono_sound_is_flagged(report_of, make_tone):
    """Mono sound gets the mono warning."""
    report = report_of(make_tone(0.1, channels=1))
    assert report["audio_channels"] == 1
    assert "mono_audio" in codes(report)
    assert report["black"] is None


def test_video_without_sound_is_flagged(report_of, generate, tmp_path):
    """A video with no sound track gets the no-audio warning and no loudness."""
    silent = tmp_path / "silent.mp4"
    generate("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=1", "-c:v", "libx264",
             "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(silent))
    report = report_of(silent)
    assert report["loudness"] is None and report["silence"] is None
    assert "no_audio" in codes(report)


def test_interlaced_video_is_flagged(report_of, generate, tmp_path):
    """Interlaced video is flagged."""
    interlaced = tmp_path / "interlaced.mp4"
    generate("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=1", "-c:v", "libx264",
             "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-x264-params", "interlaced=1:tff=1",
             str(interlaced))
    assert "interlaced" in codes(report_of(interlaced))


def test_odd_sized_anamorphic_video_is_flagged(report_of, generate, tmp_path):
    """Odd picture dimensions and non-square pixels are each flagged."""
    odd = tmp_path / "odd.mkv"
    generate("-f", "lavfi", "-i", "testsrc2=s=322x242:r=25:d=1",
             "-vf", "format=yuv444p,crop=321:241,setsar=16/15", "-c:v", "ffv1", str(odd))
    found = codes(report_of(odd))
    assert {"odd_dimensions", "non_square_pixels"} <= set(found)
    assert "interlaced" not in found


@pytest.mark.parametrize("amplitude, code", [(0.01, "very_quiet"), (0.0316, "loudness"), (0.5, "very_loud")])
def test_very_quiet_and_very_loud_programmes_are_flagged(report_of, tone_at, amplitude, code):
    """Under −36 LUFS a programme is very quiet, over −14 LUFS very loud (one warning, not two);
    in between, more than 2 LU from −23 LUFS, it gets the plain loudness warning. The warning
    keeps the measured loudness."""
    report = report_of(tone_at(amplitude))
    measured = report["loudness"]["integrated_lufs"]
    assert measured == pytest.approx(20 * math.log10(amplitude), abs=1.0)
    loudness_codes = {"very_quiet", "loudness", "very_loud"} & set(codes(report))
    assert loudness_codes == {code}
    warning = next(w for w in report["warnings"] if w["code"] == code)
    assert warning["values"] == {"lufs": measured}


def test_surround_sound_names_its_layout(report_of, surround_clip, surround_master):
    """More than two channels are flagged with the channel count and ffprobe's layout name."""
    clip = report_of(surround_clip)
    assert {"code": "surround_audio", "values": {"channels": 8, "layout": "7.1"}} in clip["warnings"]
    assert clip["channel_layout"] == "7.1"
    master = report_of(surround_master)
    assert {"code": "surround_audio", "values": {"channels": 6, "layout": "5.1(side)"}} in master["warnings"]
    assert "mono_audio" not in codes(master)


def test_surround_without_a_known_layout_gives_the_channel_count(report_of, generate, tmp_path):
    """Six PCM channels in Matroska carry no layout: the warning gives the count only."""
    path = tmp_path / "six.mkv"
    tone = "|".join(["0.1*sin(2*PI*440*t)"] * 6)
    generate("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=1", "-f", "lavfi", "-i",
             f"aevalsrc={tone}:s=48000:d=1", "-c:v", "libx264", "-preset", "ultrafast",
             "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", str(path))
    warning = next(w for w in report_of(path)["warnings"] if w["code"].startswith("surround"))
    assert warning == {"code": "surround_audio", "values": {"channels": 6}}


def test_what_the_surround_warning_says_of_the_copies_is_true(facts, surround_clip, surround_master, tmp_path, read_back):
    """The previews are stereo; the screening copy keeps every channel, as the source when it is
    compliant, re-encoded in the standard layout of its channel count otherwise (5.1(side) becomes
    5.1): what the surround warning tells the artist."""
    from residency.media.processing.derivatives import PROFILES

    def channels(path):
        return next(s for s in read_back(path)["streams"] if s["codec_type"] == "audio")["channels"]

    def layout(path):
        return next(s for s in read_back(path)["streams"] if s["codec_type"] == "audio").get("channel_layout")

    preview = tmp_path / "preview.mp4"
    PROFILES["preview"].make(surround_clip, facts(surround_clip)[1], preview)
    assert channels(preview) == 2
    assert PROFILES["screening"].make(surround_clip, facts(surround_clip)[1], tmp_path / "s1.mp4")["use_source"]
    screening = tmp_path / "s2.mp4"
    assert not PROFILES["screening"].make(surround_master, facts(surround_master)[1], screening)["use_source"]
    assert channels(screening) == 6 and layout(screening) == "5.1"


def subtitle_qc(path):
    from residency.media.processing.detect import detect
    from residency.media.processing.probe import probe
    from residency.media.processing.qc import subtitle_report

    return subtitle_report(path, probe(path, detect(path)))


def test_subtitle_markup_and_styling_removed_are_named(markup_srt):
    """Tags WebVTT cannot carry (<font>, <span>) and ASS codes ({\\an8}) are named as removed;
    the tags the WebVTT keeps (<i>) are not."""
    report = subtitle_qc(markup_srt)
    assert report["warnings"] == [
        {"code": "subtitle_markup_removed", "values": {"markup": ["<font>", "<span>"]}},
        {"code": "subtitle_styling_removed", "values": {"styling": ["{\\an8}"]}},
    ]
    assert (report["format"], report["cues"], report["encoding"]) == ("srt", 2, "utf-8")


def test_latin1_subtitles_are_flagged_as_converted(latin1_srt, tmp_path):
    """A Latin-1 SRT is flagged as converted from Windows-1252 (Latin-1), and its WebVTT has the
    accented letters right."""
    from residency.media.processing.derivatives import PROFILES

    report = subtitle_qc(latin1_srt)
    assert report["warnings"] == [
        {"code": "subtitle_encoding_converted", "values": {"encoding": "Windows-1252 (Latin-1)"}},
    ]
    out = tmp_path / "latin1.vtt"
    PROFILES["webvtt"].make(latin1_srt, {"format": "srt"}, out)
    assert "Déjà vu à Besançon" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("name, data, expected", [
    ("clean.srt", b"1\n00:00:01,000 --> 00:00:02,000\nPlain <b>bold</b> text\n", []),
    ("bom.srt", b"\xef\xbb\xbf1\n00:00:01,000 --> 00:00:02,000\nCaf\xc3\xa9\n", []),
    ("utf16.srt", "\ufeff1\n00:00:01,000 --> 00:00:02,000\nCafé\n".encode("utf-16-le"),
     [{"code": "subtitle_encoding_converted", "values": {"encoding": "UTF-16"}}]),
    ("styled.vtt", b"WEBVTT\n\nSTYLE\n::cue { color: yellow }\n\n00:01.000 --> 00:02.000\n<c.big>Hi</c> <font>there</font>\n",
     [{"code": "subtitle_markup_removed", "values": {"markup": ["<font>"]}},
      {"code": "subtitle_styling_removed", "values": {"styling": ["STYLE"]}}]),
])
def test_subtitle_warnings_only_for_what_was_changed(tmp_path, name, data, expected):
    """UTF-8 (with or without BOM) and kept tags give no warning; UTF-16 is converted; a WebVTT
    STYLE block and tags outside WebVTT's set are removed."""
    path = tmp_path / name
    path.write_bytes(data)
    assert subtitle_qc(path)["warnings"] == expected


def test_many_removed_tags_are_summed_up_by_a_few_examples(tmp_path):
    """Only a few distinct examples of removed markup are kept, each one short."""
    tags = "".join(f"<tag{letter}>x" for letter in "abcdefgh")
    long_code = "{\\" + "fn" + "A" * 60 + "}"
    path = tmp_path / "many.srt"
    path.write_text(f"1\n00:00:01,000 --> 00:00:02,000\n{long_code}{tags}\n", encoding="utf-8")
    values = {w["code"]: w["values"] for w in subtitle_qc(path)["warnings"]}
    assert values["subtitle_markup_removed"]["markup"] == ["<taga>", "<tagb>", "<tagc>", "<tagd>", "<tage>"]
    (styling,) = values["subtitle_styling_removed"]["styling"]
    assert styling.startswith("{\\fnAAA") and styling.endswith("…") and len(styling) == 24


def test_broken_subtitles_are_refused_by_the_qc_too(tmp_path):
    """The QC of broken subtitles fails the way the WebVTT conversion does."""
    from residency.media.processing import MediaRejected
    from residency.media.processing.qc import subtitle_report

    path = tmp_path / "broken.srt"
    path.write_text("1\n00:00:05,000 --> 00:00:01,000\nbackwards\n", encoding="utf-8")
    with pytest.raises(MediaRejected) as info:
        subtitle_report(path, {"format": "srt"})
    assert info.value.code == "bad_subtitles"


@pytest.mark.parametrize("count, layout", [(6, "5.1"), (10, "7.1")])
def test_the_screening_copy_keeps_channels_without_a_known_layout(facts, generate, tmp_path, read_back, report_of,
                                                                   count, layout):
    """PCM channels with no layout (Matroska) are kept in the standard order of their count; past
    eight, the first eight are kept as 7.1 and the QC warning says so."""
    from residency.media.processing.derivatives import PROFILES

    path = tmp_path / f"channels-{count}.mkv"
    tone = "|".join(f"0.1*sin(2*PI*{220 + 40 * n}*t)" for n in range(count))
    generate("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=1", "-f", "lavfi", "-i",
             f"aevalsrc={tone}:s=48000:d=1", "-c:v", "libx264", "-preset", "ultrafast",
             "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", str(path))
    screening = tmp_path / f"screening-{count}.mp4"
    assert not PROFILES["screening"].make(path, facts(path)[1], screening)["use_source"]
    audio = next(s for s in read_back(screening)["streams"] if s["codec_type"] == "audio")
    assert (audio["channels"], audio.get("channel_layout")) == (min(count, 8), layout)
    expected = "surround_audio_over_eight" if count > 8 else "surround_audio"
    assert expected in codes(report_of(path))
