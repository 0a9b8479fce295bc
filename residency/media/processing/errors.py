"""Errors of the processing layer: permanent refusals and transient failures."""


class MediaRejected(Exception):
    """The file itself is bad or not allowed: retrying will not help.

    ``code`` is a stable machine-readable reason (``type_not_allowed``, ``executable``,
    ``markup``, ``corrupt``, ``truncated``, ``too_many_pixels``, ``archive_bomb``,
    ``archive_path_escape``, ``archive_too_many_entries``, ``bad_subtitles``, ``empty``);
    ``message`` is a plain English sentence that can be shown to the artist; ``detail`` holds
    technical context for the logs (e.g. the last lines ffmpeg printed), never shown to users.
    """

    def __init__(self, code: str, message: str, detail: str | None = None):
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.detail = detail

    def __str__(self):
        text = f"{self.code}: {self.message}"
        return f"{text}\n{self.detail}" if self.detail else text


class TransientError(Exception):
    """A failure worth retrying: the tool was killed, an I/O error, a missing binary."""


class ProcessingTimeout(TransientError):
    """ffmpeg or ffprobe ran past its time limit and was stopped."""
