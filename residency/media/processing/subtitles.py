"""Reading SubRip (SRT) and WebVTT subtitles, and writing clean WebVTT."""

import codecs
import re
from dataclasses import dataclass, field

from .errors import MediaRejected

_TIME = r"(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(.*)$")
# Regions are not kept, so neither is the region setting.
_VTT_SETTING = re.compile(r"^(vertical|line|position|size|align):\S+$")
# Tags a WebVTT cue may contain; anything else in a cue is shown as text.
_VTT_TAGS = {"c", "i", "b", "u", "ruby", "rt", "v", "lang"}
_SRT_TAGS = {"i", "b", "u"}
_TAG = re.compile(r"<(/?)([A-Za-z]+)((?:[.\s][^<>]*)?)>|<(\d{1,3}:)?\d{2}:\d{2}\.\d{3}>")
_ENTITY = re.compile(r"&(amp|lt|gt|lrm|rlm|nbsp|#\d+|#x[0-9a-fA-F]+);")
_ASS_OVERRIDE = re.compile(r"\{\\[^}]*\}")
#: Readable names of the encodings :func:`decode` converts to UTF-8.
ENCODING_NAMES = {"cp1252": "Windows-1252 (Latin-1)", "utf-16": "UTF-16"}
_DROPPED_EXAMPLES = 5  # distinct examples of each kind of dropped markup worth naming
_EXAMPLE_LENGTH = 24


@dataclass(frozen=True)
class Cue:
    """One subtitle: start and end in milliseconds, optional id and settings, its text."""

    start: int
    end: int
    text: str
    identifier: str = ""
    settings: str = ""


@dataclass
class Dropped:
    """Markup met while parsing that clean WebVTT cannot carry, and so was removed.

    ``tags``: HTML-like tags (``<font>``, ``<span>``…) other than the ones the output keeps;
    ``styles``: ASS/SSA override codes (``{\\an8}`` puts a subtitle at the top) and WebVTT
    ``STYLE``/``REGION`` blocks. A few distinct examples of each, in order of appearance.
    """

    tags: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)

    def tag(self, name: str) -> None:
        _note(self.tags, f"<{name}>")

    def style(self, markup: str) -> None:
        _note(self.styles, markup)


def _note(examples: list[str], markup: str) -> None:
    if len(markup) > _EXAMPLE_LENGTH:
        markup = markup[:_EXAMPLE_LENGTH - 1] + "…"
    if markup not in examples and len(examples) < _DROPPED_EXAMPLES:
        examples.append(markup)


def decode(data: bytes) -> tuple[str, str]:
    """The text of a subtitle file and the encoding it was in (BOM, UTF-8, else Windows-1252)."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise _bad(f"the text is not valid {name.upper()}") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace"), "cp1252"


def parse(text: str, fmt: str, dropped: Dropped | None = None) -> list[Cue]:
    """Cues of ``text`` in format ``srt`` or ``vtt``; the markup removed is noted in ``dropped``.

    :raise MediaRejected: ``bad_subtitles`` with the line at fault, or when there is no cue.
    """
    dropped = Dropped() if dropped is None else dropped
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cues = _parse_vtt(lines, dropped) if fmt == "vtt" else _parse_srt(lines, dropped)
    if not cues:
        raise _bad("no subtitle was found in the file")
    return cues


def to_webvtt(cues: list[Cue]) -> str:
    """Clean WebVTT text for ``cues``: same input, same bytes."""
    out = ["WEBVTT", ""]
    for cue in cues:
        if cue.identifier:
            out.append(cue.identifier)
        timing = f"{_stamp(cue.start)} --> {_stamp(cue.end)}"
        out.append(f"{timing} {cue.settings}" if cue.settings else timing)
        out.extend(cue.text.split("\n") if cue.text else [])
        out.append("")
    return "\n".join(out)


def _parse_srt(lines: list[str], dropped: Dropped) -> list[Cue]:
    cues: list[Cue] = []
    for number, block in _blocks(lines):
        timing_at = 1 if len(block) > 1 and re.fullmatch(r"\s*\d+\s*", block[0]) else 0
        if "-->" not in block[timing_at] and not any("-->" in line for line in block[:2]):
            if not cues:
                raise _bad(f"line {number}: a subtitle should start with its number and times")
            # A blank line inside a subtitle's text: keep the text with the previous cue.
            last = cues.pop()
            cues.append(Cue(last.start, last.end, _join(last.text, _srt_text(block, dropped))))
            continue
        start, end, _ = _timing(block[timing_at], number + timing_at)
        cues.append(Cue(start, end, _srt_text(block[timing_at + 1:], dropped)))
    return cues


def _parse_vtt(lines: list[str], dropped: Dropped) -> list[Cue]:
    if not re.match(r"WEBVTT(?:[ \t]|$)", lines[0]):
        raise _bad("line 1: a WebVTT file must start with WEBVTT")
    body = 1
    while body < len(lines) and lines[body].strip() and "-->" not in lines[body]:
        body += 1  # header lines such as "Kind: captions"
    cues: list[Cue] = []
    for number, block in _blocks(lines[body:], first=body + 1):
        if block[0].startswith(("NOTE", "STYLE", "REGION")):
            if not block[0].startswith("NOTE"):
                dropped.style(block[0].split()[0])
            continue
        timing_at = 0 if "-->" in block[0] else 1
        if timing_at >= len(block) or "-->" not in block[timing_at]:
            raise _bad(f"line {number + timing_at}: expected the times of a subtitle")
        start, end, rest = _timing(block[timing_at], number + timing_at)
        settings = " ".join(s for s in rest.split() if _VTT_SETTING.match(s))
        identifier = block[0].strip() if timing_at else ""
        text = "\n".join(_clean(line, _VTT_TAGS, dropped) for line in block[timing_at + 1:])
        cues.append(Cue(start, end, text, identifier, settings))
    return cues


def _blocks(lines: list[str], first: int = 1):
    """(line number, lines) of each block separated by blank lines."""
    block: list[str] = []
    start = first
    for number, line in enumerate(lines, start=first):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def _timing(line: str, number: int) -> tuple[int, int, str]:
    match = _TIMING.match(line)
    if not match:
        raise _bad(f"line {number}: the times should look like 00:01:02,500 --> 00:01:04,000")
    g = match.groups()
    start, end = _millis(g[0:4]), _millis(g[4:8])
    if end <= start:
        raise _bad(f"line {number}: the subtitle ends before it starts")
    return start, end, g[8]


def _millis(parts) -> int:
    hours, minutes, seconds, fraction = parts
    if int(minutes) > 59 or int(seconds) > 59:
        raise _bad(f"the time {minutes}:{seconds} is not a valid time")
    millis = int(fraction.ljust(3, "0"))
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + millis


def _stamp(millis: int) -> str:
    seconds, ms = divmod(millis, 1000)
    minutes, s = divmod(seconds, 60)
    h, m = divmod(minutes, 60)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _srt_text(lines: list[str], dropped: Dropped) -> str:
    for line in lines:
        for match in _ASS_OVERRIDE.finditer(line):
            dropped.style(match.group(0))
    return "\n".join(
        _clean(_ASS_OVERRIDE.sub("", line), _SRT_TAGS, dropped) for line in lines
    ).strip("\n")


def _join(first: str, second: str) -> str:
    return "\n".join(part for part in (first, second) if part)


def _clean(line: str, allowed: set[str], dropped: Dropped) -> str:
    """A cue line with allowed tags kept, other tags dropped (and noted), stray ``<``, ``>``,
    ``&`` escaped."""
    out, pos = [], 0
    for match in _TAG.finditer(line):
        out.append(_escape(line[pos:match.start()]))
        name = (match.group(2) or "").lower()
        if match.group(2) is None or name in allowed:
            closing, rest = match.group(1), match.group(3) or ""
            out.append(match.group(0) if match.group(2) is None else f"<{closing}{name}{rest}>")
        else:
            dropped.tag(name)
        pos = match.end()
    out.append(_escape(line[pos:]))
    return "".join(out).replace("-->", "--&gt;").rstrip()


def _escape(text: str) -> str:
    parts, pos = [], 0
    for match in _ENTITY.finditer(text):
        parts.append(text[pos:match.start()].replace("&", "&amp;"))
        parts.append(match.group(0))
        pos = match.end()
    parts.append(text[pos:].replace("&", "&amp;"))
    return "".join(parts).replace("<", "&lt;").replace(">", "&gt;")


def _bad(reason: str) -> MediaRejected:
    return MediaRejected("bad_subtitles", f"The subtitles cannot be used: {reason}.")
