"""Pure media processing: detect, probe, derive and check files on the local disk.

Knows nothing about Flask, the database, Celery or storage. Every ffmpeg/ffprobe run goes
through :mod:`.ffmpeg` (time limits, progress, no orphan processes); every output is written
atomically. Bad files raise :class:`MediaRejected` (permanent, with a message for the artist);
failures worth a retry raise :class:`TransientError`.
"""

from .errors import MediaRejected, ProcessingTimeout, TransientError
from .limits import Limits

__all__ = ["Limits", "MediaRejected", "ProcessingTimeout", "TransientError"]
