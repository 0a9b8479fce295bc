"""Notifications: e-mail through an outbox table, delivered by a Celery worker."""
