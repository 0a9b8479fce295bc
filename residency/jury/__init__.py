"""Juries: a call's panel, rounds, conflicts of interest, bids, balanced assignment and scoring."""


def init_app(app):
    """The jury's pages and rules."""
    from residency.jury import policies  # noqa: F401  (declares the rules)
    from residency.jury.blueprint import bp

    app.register_blueprint(bp)
