"""Writing results atomically: a temporary name in the same folder, then ``os.replace``."""

import contextlib
import os
import uuid


@contextlib.contextmanager
def atomic_output(out_path):
    """Yield a temporary path next to ``out_path``; move it into place only on success.

    The temporary name keeps the extension, so tools that look at it still work. On any
    exception the temporary file is removed and ``out_path`` is left untouched.
    """
    out_path = os.fspath(out_path)
    folder, name = os.path.split(os.path.abspath(out_path))
    os.makedirs(folder, exist_ok=True)
    stem, ext = os.path.splitext(name)
    tmp = os.path.join(folder, f".{stem}.{uuid.uuid4().hex}.part{ext}")
    try:
        yield tmp
        os.replace(tmp, out_path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
