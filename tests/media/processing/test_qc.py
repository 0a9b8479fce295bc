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
    assert "EBU R128" in warning["message"] and "ATSC" in warning["message"]
    assert "true_peak" not in codes(report)


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
