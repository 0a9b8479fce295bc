"""The demo network, so a newcomer sees the platform alive at once.

Each feature adds its part through the ``demo`` hook (a callable returning lines to print);
they run in feature order, so a part may build on the parts below it. Each part is
idempotent: running the demo twice changes nothing.
"""

from residency.core.hooks import collect


def load_demo():
    """Load every enabled feature's part of the demo network; return the lines to print."""
    lines = []
    for part in collect("demo"):
        lines.extend(part)
    return lines
