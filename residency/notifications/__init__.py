"""Notifications: e-mail through an outbox table, delivered by a Celery worker."""


def init_app(app):
    """The delivery tasks, the beat entry that re-sends what a lost message left unsent, and the
    outbox's part of a user's personal data."""
    from residency.core.hooks import provide
    from residency.core.workers import register_tasks
    from residency.notifications import personal_data

    register_tasks(app, "residency.notifications.tasks", beat={
        "resend-unsent-email": {"task": "notifications.resend_unsent", "schedule": 60.0},
    })
    provide(app, "personal_data", personal_data.PART)
