"""The words of the technical QC warnings: one registry for the asset page and the report.

Stored QC data holds warning codes and measured values only (see
``residency.media.processing.qc``), so each reader gets the sentences in their own language,
and the page and the downloadable report say the same thing. Each warning has sentences from
the most precise (every value named) to one that names no value: records made before values
were stored (codes only) still read well. An unknown code gets a generic sentence naming it,
never an empty line.
"""

from dataclasses import dataclass

from babel.lists import format_list
from babel.numbers import get_minus_sign_symbol
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

MINUS = "\u2212"  # the sign of the figures the sentences quote (−23 LUFS), read "minus" aloud


@dataclass(frozen=True)
class WarningText:
    """How one warning reads.

    ``sentences``: what was found, most precise first, with ``%(name)s`` placeholders for the
    measured values; the first whose values are all known is used, and the last names none.
    ``meaning``: what it means for festivals (no placeholder).
    """

    sentences: tuple
    meaning: object


@dataclass(frozen=True)
class Explained:
    """A warning worded in the current language."""

    code: str
    values: dict
    message: str
    meaning: str


_SURROUND_SENTENCES = (
    _l("The sound has %(channels)s channels in the %(layout)s layout."),
    _l("The sound has %(channels)s channels."),
    _l("The sound has more than two channels."),
)

#: Every warning code the QC writes, and how it reads.
WARNINGS: dict[str, WarningText] = {
    "loudness": WarningText(
        (_l("The integrated loudness is %(lufs)s LUFS, more than 2 LU away from the −23 LUFS of "
            "EBU R 128."),
         _l("The integrated loudness is more than 2 LU away from the −23 LUFS of EBU R 128.")),
        _l("Festivals that play files usually expect about −23 LUFS (EBU R 128, Europe) or −24 "
           "LKFS (ATSC A/85, North America): the projectionist will have to change the level, or "
           "the film will sound louder or quieter than the others in the programme."),
    ),
    "very_quiet": WarningText(
        (_l("The programme is very quiet: its integrated loudness is %(lufs)s LUFS."),
         _l("The programme is very quiet.")),
        _l("Festival screenings expect about −23 LUFS (EBU R 128) or −24 LKFS (ATSC A/85): played "
           "as it is, dialogue will be hard to hear, and raising it by more than 12 dB raises hiss "
           "and noise with it. Check the level of the export, or the mix."),
    ),
    "very_loud": WarningText(
        (_l("The programme is very loud: its integrated loudness is %(lufs)s LUFS."),
         _l("The programme is very loud.")),
        _l("Festival screenings expect about −23 LUFS (EBU R 128) or −24 LKFS (ATSC A/85): the "
           "projectionist will turn it down by 9 dB or more, and a mix pushed this loud has "
           "usually lost its dynamics to a limiter. Check the export, or make a mix for the "
           "room."),
    ),
    "true_peak": WarningText(
        (_l("The true peak reaches %(dbtp)s dBTP, above the −1 dBTP maximum of EBU R 128."),
         _l("The true peak is above the −1 dBTP maximum of EBU R 128.")),
        _l("Peaks this high may clip (distort) once the sound is encoded or converted for "
           "projection: lower them with a true-peak limiter."),
    ),
    "black_start": WarningText(
        (_l("The picture is black for the first %(seconds)s s."),
         _l("The picture is black at the start.")),
        _l("A projectionist may think the film has not started; if the black opening is "
           "intended, say so in the technical rider."),
    ),
    "black_end": WarningText(
        (_l("The picture is black for the last %(seconds)s s."),
         _l("The picture is black at the end.")),
        _l("A projectionist may stop the film early, thinking it has ended; if the black ending "
           "is intended, say so in the technical rider."),
    ),
    "silence_start": WarningText(
        (_l("The sound is silent for the first %(seconds)s s."),
         _l("The sound is silent at the start.")),
        _l("A silent opening may be taken for a fault in the sound; if it is intended, say so in "
           "the technical rider."),
    ),
    "silence_end": WarningText(
        (_l("The sound is silent for the last %(seconds)s s."),
         _l("The sound is silent at the end.")),
        _l("A silent ending may be taken for a fault in the sound or for the end of the film; if "
           "it is intended, say so in the technical rider."),
    ),
    "interlaced": WarningText(
        (_l("The video is interlaced."),),
        _l("Projectors and screens show whole (progressive) pictures: interlaced video shows "
           "combing on movement unless it is deinterlaced. The web preview and the screening "
           "copy made here are deinterlaced; a festival playing your original will have to do "
           "it."),
    ),
    "variable_frame_rate": WarningText(
        (_l("The frame rate varies along the video."),),
        _l("Some players and projection servers stutter or lose lip sync on a varying frame "
           "rate; festivals expect a constant rate (24, 25 or 30 frames a second, for example). "
           "Export with a constant frame rate."),
    ),
    "odd_dimensions": WarningText(
        (_l("The picture size %(width)s×%(height)s has an odd width or height."),
         _l("The picture has an odd width or height.")),
        _l("Many encoders and players refuse odd picture sizes. The copies made here are resized "
           "to even ones, but a festival given your original may have to convert it first."),
    ),
    "low_resolution": WarningText(
        (_l("The resolution %(width)s×%(height)s is below 720p (1280×720)."),
         _l("The resolution is below 720p (1280×720).")),
        _l("On a festival screen the picture will look soft; festivals usually ask for HD "
           "(1920×1080) or better."),
    ),
    "non_square_pixels": WarningText(
        (_l("The pixels are not square (sample aspect ratio %(sar)s)."),
         _l("The pixels are not square.")),
        _l("A player that ignores the shape of the pixels shows the picture stretched or "
           "squeezed. The copies made here have square pixels: check that they look right."),
    ),
    "rotated": WarningText(
        (_l("The video is stored turned by %(degrees)s° with a flag to turn it back."),
         _l("The video is stored turned, with a flag to turn it back.")),
        _l("Projection servers and some players ignore this flag and show the picture on its "
           "side or upside down: export the video upright."),
    ),
    "no_audio": WarningText(
        (_l("The video has no sound track."),),
        _l("Festivals will ask whether the sound is missing; if the work is silent on purpose, "
           "say so in the technical rider."),
    ),
    "mono_audio": WarningText(
        (_l("The sound is mono."),),
        _l("In some rooms mono sound plays from one side only unless it is sent to the centre "
           "speaker; festivals usually expect stereo or 5.1."),
    ),
    "surround_audio": WarningText(
        _SURROUND_SENTENCES,
        _l("The previews made here for the browser are downmixed to stereo; the screening copy "
           "keeps every channel, in the standard order of its layout (5.1 or 7.1). Name the "
           "channels in the technical rider if the original's order is not standard."),
    ),
    "surround_audio_over_eight": WarningText(
        _SURROUND_SENTENCES,
        _l("The previews made here for the browser are downmixed to stereo, and the screening copy "
           "keeps the first eight channels only, as 7.1. For a screening with every channel, send "
           "festivals your original file (or a DCP)."),
    ),
    # Written before screening copies kept surround sound (kept for the reports of that time).
    "surround_audio_downmixed": WarningText(
        _SURROUND_SENTENCES,
        _l("The web preview and the screening copy made here are downmixed to stereo. For a "
           "surround screening, send festivals your original file (or a DCP), which keeps every "
           "channel."),
    ),
    "subtitle_encoding_converted": WarningText(
        (_l("The subtitles were not in UTF-8: they were read as %(encoding)s and converted to "
            "UTF-8."),
         _l("The subtitles were not in UTF-8 and were converted to UTF-8.")),
        _l("Festival subtitle systems expect UTF-8. Check the accented letters and punctuation "
           "of the converted subtitles: if the file used another encoding (Cyrillic, Greek or "
           "Central European, for example), some characters are wrong; then save it as UTF-8 "
           "and upload it again."),
    ),
    "subtitle_markup_removed": WarningText(
        (_l("Formatting that WebVTT subtitles cannot carry was removed: %(markup)s."),
         _l("Formatting that WebVTT subtitles cannot carry was removed.")),
        _l("Colours and fonts set in the file will not show: festival subtitle systems use "
           "their own style. Check that no subtitle relied on them (a colour for each speaker, "
           "for example)."),
    ),
    "subtitle_styling_removed": WarningText(
        (_l("Styling and positioning codes were removed from the subtitles: %(styling)s."),
         _l("Styling and positioning codes were removed from the subtitles.")),
        _l("Every subtitle now shows in the default style at the bottom of the picture: one "
           "placed at the top (with {\\an8}, for example, to keep on-screen text readable) will "
           "cover that text. Check those places."),
    ),
}


def explain(warning) -> Explained:
    """One stored warning worded in the current language.

    ``warning`` is ``{"code", "values"}`` as the QC writes it, or an older record: a bare code,
    or ``{"code", "message"}`` (the English message is ignored).
    """
    code, values = _code_and_values(warning)
    text = WARNINGS.get(code)
    if text is None:
        return Explained(
            code, values,
            _("The technical check “%(code)s” raised a warning.", code=code),
            _("This check has no description yet; the technical QC report gives what it "
              "measured."),
        )
    shown = {name: _display(value) for name, value in values.items()}
    for sentence in text.sentences:
        try:
            message = str(sentence) % shown
        except (KeyError, ValueError, TypeError):
            continue  # a value this record does not hold: try a less precise sentence
        return Explained(code, values, message, str(text.meaning))
    return Explained(code, values, str(text.sentences[-1]), str(text.meaning))


def explain_all(warnings) -> list[Explained]:
    """Every stored warning worded in the current language, in their stored order."""
    return [explain(warning) for warning in warnings or []]


def asset_warnings(asset) -> list[Explained] | None:
    """The QC warnings of ``asset`` in the current language; None until its QC is done."""
    qc = asset.derivative("qc")
    if qc is None or qc.state != "done" or not isinstance(qc.meta, dict) or "warnings" not in qc.meta:
        return None
    return explain_all(qc.meta["warnings"])


def localized_report(report: dict) -> dict:
    """A stored QC report with each warning's sentence and meaning in the current language."""
    localized = dict(report)
    localized["language"] = str(get_locale())
    localized["warnings"] = [
        {"code": item.code, "values": item.values, "message": item.message, "meaning": item.meaning}
        for item in explain_all(report.get("warnings"))
    ]
    return localized


def _code_and_values(warning) -> tuple[str, dict]:
    if isinstance(warning, dict):
        values = warning.get("values")
        return str(warning.get("code") or "unknown"), dict(values) if isinstance(values, dict) else {}
    return str(warning or "unknown"), {}


def _display(value) -> str:
    """A measured value as the current language writes it (−35,2 in French)."""
    if isinstance(value, float):
        text = format_decimal(value, format="#,##0.0")
        sign = get_minus_sign_symbol(get_locale() or "en")
        return MINUS + text[len(sign):] if value < 0 and sign == "-" and text.startswith(sign) else text
    if isinstance(value, (list, tuple)):
        return format_list([str(item) for item in value], locale=get_locale() or "en")
    return str(value)
