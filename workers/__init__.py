"""Celery workers. Start with ``celery -A workers.celery_app worker -Q io,cpu``."""
