"""Audit: an append-only log of every security- or decision-relevant action."""
