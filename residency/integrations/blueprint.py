"""The integrations feature's blueprint (tokens and webhooks pages)."""

from flask import Blueprint

bp = Blueprint("integrations", __name__)
