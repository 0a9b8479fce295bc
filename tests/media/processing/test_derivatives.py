"""Derivatives: each profile writes a file with the promised properties, atomically and
deterministically."""

import json
import shutil

import pytest
from PIL import Image, ImageStat

from residency.media.processing import MediaRejected
from residency.media.processing.derivatives import (
    PROFILES,
    applicable_profiles,
    fit,
    screening_compliant,
)


@pytest.fixture
def make(facts):
    """``make(profile, src, out_path)``: run a profile on a source probed once per session."""

    def run(profile, src, out_path, **kwargs):
        return PROFILES[profile].make(src, facts(src)[1], out_path, **kwargs)

    return run


def only_file(folder):
    names = [path.name for path in folder.iterdir()]
    assert len(names) == 1, f"expected one file, found {names}"
    return folder / names[0]


def video_stream(info):
    return next(s for s in info["streams"] if s["codec_type"] == "video")


def audio_stream(info):
    return next(s for s in info["streams"] if s["codec_type"] == "audio")


def test_profiles_cheapest_first(facts, clip_mp4, make_tone, png_file, srt_file, pdf_file):
    """Each kind of file gets its profiles, the cheap ones before the encodes; subtitles get a
    QC report of what converting them changes."""

    def names(path):
        return applicable_profiles(*facts(path))

    assert names(clip_mp4) == ["thumbnail", "poster", "waveform", "qc", "preview", "screening"]
    assert names(make_tone(0.1)) == ["waveform", "audio_preview", "qc"]
    assert names(png_file) == ["thumbnail", "poster"]
    assert names(srt_file) == ["webvtt", "qc"]
    assert names(pdf_file) == []


def test_video_thumbnail_is_not_a_black_frame(make, black_silent_clip, tmp_path):
    """A video's thumbnail is a 320 px wide JPEG of a frame that is not black."""
    out = tmp_path / "thumb.jpg"
    meta = make("thumbnail", black_silent_clip, out)
    with Image.open(out) as image:
        assert image.format == "JPEG"
        assert image.size == (320, 240) == (meta["width"], meta["height"])
        assert ImageStat.Stat(image.convert("L")).mean[0] > 60


def test_image_thumbnail_respects_exif_orientation(make, rotated_jpeg, tmp_path):
    """An image's thumbnail is turned upright as its EXIF orientation says."""
    out = tmp_path / "thumb.jpg"
    meta = make("thumbnail", rotated_jpeg, out)
    with Image.open(out) as image:
        assert image.size == (200, 400) == (meta["width"], meta["height"])
        assert not image.getexif()


def test_poster_is_at_most_1280_wide(make, compliant_1080p, tmp_path, read_back):
    """A 1080p video's poster is a 1280×720 JPEG."""
    out = tmp_path / "poster.jpg"
    make("poster", compliant_1080p, out)
    stream = video_stream(read_back(out))
    assert (stream["codec_name"], stream["width"], stream["height"]) == ("mjpeg", 1280, 720)


def test_preview_is_720p_h264_with_faststart(make, compliant_1080p, tmp_path, read_back, atoms):
    """The web preview of a 1080p video is 720p H.264 yuv420p with AAC, index first."""
    out = tmp_path / "preview.mp4"
    fractions = []
    meta = make("preview", compliant_1080p, out, on_progress=fractions.append)
    info = read_back(out)
    video, audio = video_stream(info), audio_stream(info)
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 1280, 720)
    assert video["pix_fmt"] == "yuv420p"
    assert (audio["codec_name"], audio["sample_rate"]) == ("aac", "48000")
    order = [kind for kind, _, _ in atoms(out)]
    assert order.index("moov") < order.index("mdat")
    assert meta["use_source"] is False and meta["width"] == 1280
    assert fractions[-1] == 1.0


def test_screening_copy_of_a_master_is_1080p_h264_high(make, master_mkv, tmp_path, read_back,
                                                      atoms, monkeypatch):
    """A master that is not fit for screening becomes 1080p H.264 High with 48 kHz stereo AAC."""
    monkeypatch.setenv("MEDIA_X264_PRESET", "superfast")
    out = tmp_path / "screening.mp4"
    meta = make("screening", master_mkv, out)
    info = read_back(out)
    video, audio = video_stream(info), audio_stream(info)
    assert (video["codec_name"], video["profile"]) == ("h264", "High")
    assert (video["width"], video["height"], video["pix_fmt"]) == (1920, 1080, "yuv420p")
    assert (audio["codec_name"], audio["sample_rate"], audio["channels"]) == ("aac", "48000", 2)
    order = [kind for kind, _, _ in atoms(out)]
    assert order.index("moov") < order.index("mdat")
    assert meta["use_source"] is False
    assert "not MP4" in meta["reason"] and "44100 Hz" in meta["reason"]


def test_compliant_source_is_screened_as_is(make, compliant_1080p, tmp_path):
    """An H.264 1080p yuv420p MP4 with 48 kHz AAC is kept as the screening copy: nothing written."""
    meta = make("screening", compliant_1080p, tmp_path / "screening.mp4")
    assert meta["use_source"] is True
    assert "already a screening copy" in meta["reason"]
    assert list(tmp_path.iterdir()) == []


def test_screening_compliance_names_what_is_wrong():
    """The reasons a source is not fit for screening are spelled out."""
    probe_facts = {
        "container": "mov",
        "video": {"codec": "prores", "width": 3840, "height": 2160, "pix_fmt": "yuv422p10le",
                  "field_order": "tt", "sample_aspect_ratio": "1:1", "rotation": 0,
                  "r_frame_rate": "30/1", "avg_frame_rate": "1800000/60149"},
        "audio": {"codec": "pcm_s24le", "sample_rate": 48000},
    }
    compliant, reason = screening_compliant(probe_facts)
    assert not compliant
    for part in ("prores", "larger than 1080p", "yuv422p10le", "not progressive", "varies"):
        assert part in reason


def test_waveform_is_a_png(make, make_tone, tmp_path):
    """An audio file's waveform is a PNG picture with the sound drawn on it."""
    out = tmp_path / "waveform.png"
    make("waveform", make_tone(0.5), out)
    with Image.open(out) as image:
        assert (image.format, image.size) == ("PNG", (1800, 280))
        assert image.convert("RGBA").getextrema()[3][1] == 255  # something is drawn


def test_audio_preview_is_aac(make, make_tone, tmp_path, read_back):
    """An audio file's preview is AAC in an M4A file of the same length."""
    out = tmp_path / "preview.m4a"
    make("audio_preview", make_tone(0.1), out)
    info = read_back(out)
    assert audio_stream(info)["codec_name"] == "aac"
    assert float(info["format"]["duration"]) == pytest.approx(3.0, abs=0.1)
    assert int(info["format"]["bit_rate"]) < 200_000


def test_srt_becomes_webvtt(make, srt_file, tmp_path):
    """SRT subtitles become WebVTT with their times and texts kept, and unsafe markup dropped."""
    out = tmp_path / "subtitles.vtt"
    assert make("webvtt", srt_file, out)["cues"] == 2
    assert out.read_text(encoding="utf-8") == (
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:02.500\n"
        "Hello <i>city</i> &amp; friends\n\n"
        "00:00:03.000 --> 00:00:04.000\n"
        "Second line\nwith two rows\n"
    )


def test_webvtt_is_normalised(make, vtt_file, tmp_path):
    """WebVTT is validated and rewritten: header and notes dropped, unknown settings removed."""
    out = tmp_path / "subtitles.vtt"
    make("webvtt", vtt_file, out)
    assert out.read_text(encoding="utf-8") == (
        "WEBVTT\n\n"
        "intro\n00:00:01.000 --> 00:00:02.500 align:start\nFirst <b>cue</b>\n\n"
        "00:00:03.000 --> 00:00:04.000\nSecond cue\n"
    )


def test_bad_subtitles_are_refused(tmp_path):
    """A WebVTT file with a broken cue is refused as bad subtitles."""
    bad = tmp_path / "bad.vtt"
    bad.write_text("WEBVTT\n\n00:01.000 --> 00:00.500\nbackwards\n")
    with pytest.raises(MediaRejected) as info:
        PROFILES["webvtt"].make(bad, {"format": "vtt"}, tmp_path / "out.vtt")
    assert info.value.code == "bad_subtitles"
    assert not (tmp_path / "out.vtt").exists()


def test_qc_profile_writes_the_report(make, black_silent_clip, tmp_path):
    """The QC profile writes the JSON report; its warnings (codes and values, never sentences)
    are also kept in the derivative's facts."""
    out = tmp_path / "qc.json"
    meta = make("qc", black_silent_clip, out)
    report = json.loads(out.read_text())
    assert report["resolution"] == "320x240"
    assert report["warnings"] == meta["warnings"]
    black = next(w for w in report["warnings"] if w["code"] == "black_start")
    assert black["values"]["seconds"] == pytest.approx(2.0, abs=0.1)
    assert all(set(warning) == {"code", "values"} for warning in report["warnings"])


@pytest.mark.parametrize("profile", ["thumbnail", "preview", "waveform"])
def test_running_twice_gives_the_same_bytes(make, clip_mp4, tmp_path, profile):
    """Making a derivative again from the same source writes exactly the same bytes."""
    first, second = tmp_path / f"a.{PROFILES[profile].ext}", tmp_path / f"b.{PROFILES[profile].ext}"
    make(profile, clip_mp4, first)
    make(profile, clip_mp4, second)
    assert first.read_bytes() == second.read_bytes()


def test_failed_derivative_leaves_nothing_behind(facts, clip_mp4, tmp_path):
    """When making a derivative fails, no partial or temporary file is left."""
    _, known = facts(clip_mp4)
    source = tmp_path / "source.mp4"
    shutil.copy(clip_mp4, source)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    source.write_bytes(source.read_bytes()[:2000])  # damaged after it was probed
    with pytest.raises(MediaRejected):
        PROFILES["preview"].make(source, known, out_dir / "preview.mp4")
    assert list(out_dir.iterdir()) == []


def test_existing_output_is_replaced_whole(make, clip_mp4, tmp_path):
    """A derivative written over an older one replaces it entirely."""
    out = tmp_path / "thumb.jpg"
    out.write_bytes(b"old thumbnail")
    make("thumbnail", clip_mp4, out)
    assert only_file(tmp_path) == out
    assert out.read_bytes()[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize(
    "size, box, expected",
    [((1920, 1080), (1280, 720), (1280, 720)), ((320, 240), (1280, 720), (320, 240)),
     ((1080, 1920), (720, 1280), (720, 1280)), ((1000, 563), (1280, 720), (1000, 562)),
     ((4096, 1716), (1920, 1080), (1920, 804))],
)
def test_sizes_keep_shape_and_stay_even(size, box, expected):
    """Scaled sizes keep the picture's shape, are even, and never enlarge it."""
    assert fit(*size, box) == expected


def test_all_black_video_still_gets_a_thumbnail(make, generate, tmp_path):
    """A video that is black throughout still gets a thumbnail (its frame at 10%)."""
    black = tmp_path / "black.mp4"
    generate("-f", "lavfi", "-i", "color=black:s=320x240:r=25:d=2", "-c:v", "libx264",
             "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(black))
    out = tmp_path / "thumb.jpg"
    make("thumbnail", black, out)
    with Image.open(out) as image:
        assert image.size == (320, 240)
        assert ImageStat.Stat(image.convert("L")).mean[0] < 30
