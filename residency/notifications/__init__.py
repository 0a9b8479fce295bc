"""Notifications: e-mail through an outbox table, delivered by a Celery worker."""


def init_app(app):
    """The delivery tasks, and the beat entry that re-sends what a lost message left unsent."""
    from residency.core.workers import register_tasks

    register_tasks(app, "residency.notifications.tasks", beat={
        "resend-unsent-email": {"task": "notifications.resend_unsent", "schedule": 60.0},
    })
