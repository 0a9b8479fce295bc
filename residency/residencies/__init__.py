"""Residencies: cohorts of artists, mentors and coordinators, their programme, sessions shown in
each participant's timezone, calendar feeds and notices of changes."""


def init_app(app):
    """The residencies' rules (pages, feeds, notices and demo data come with them)."""
    from residency.residencies import policies  # noqa: F401  (declares the rules)
