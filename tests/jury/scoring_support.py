"""Helpers of the scoring, blind review and dashboard tests: rounds, confirmed assignments (made
directly with the models, as the assignment is built elsewhere), stored files, page text."""

import io
import re
from datetime import timedelta

from residency.core.types import utcnow
from residency.extensions import db as _db
from residency.jury.models import (
    Assignment,
    Round,
    RoundApplication,
    RoundPhase,
    ScoresVisibility,
)
from residency.media.models import Derivative, DerivativeState
from residency.storage import get_storage

#: A sheet inside every criterion's scale (see tests/jury/conftest.py: RUBRIC).
GOOD = {"score-c1": "4", "score-c2": "3", "score-c3": "7"}


def make_round(call, phase=RoundPhase.SCORING, closes_in=timedelta(days=5), blind=False,
               others=ScoresVisibility.AFTER_OWN, applications=(), **fields):
    """A round of ``call`` (numbered after its last one) covering ``applications``."""
    number = (_db.session.scalar(_db.select(_db.func.max(Round.number)).where(Round.call_id == call.id)) or 0) + 1
    now = utcnow()
    round_ = Round(call_id=call.id, number=number, name=fields.pop("name", f"Round {number}"), phase=phase,
                   scoring_opens_at=now - timedelta(days=1), scoring_closes_at=now + closes_in if closes_in else None,
                   blind=blind, others_scores=others, assignment_confirmed_at=now, **fields)
    _db.session.add(round_)
    _db.session.flush()
    for application in applications:
        _db.session.add(RoundApplication(round_id=round_.id, application_id=application.id))
    _db.session.commit()
    return round_


def assign(round_, member, application, confirmed=True, removed=False):
    """A live (or removed), confirmed (or proposed) assignment of ``member`` to ``application``."""
    now = utcnow()
    assignment = Assignment(round_id=round_.id, member_id=member.id, application_id=application.id,
                            confirmed_at=now if confirmed else None, removed_at=now if removed else None,
                            removed_reason="manual" if removed else None)
    _db.session.add(assignment)
    _db.session.commit()
    return assignment


def score_url(round_, application):
    return f"/jury/rounds/{round_.id}/applications/{application.id}"


def store_file(asset, data, application, question_id="portfolio", ext="pdf"):
    """Put ``asset``'s bytes in the storage under the key the media pipeline gives a slot's file."""
    asset.original_key = f"slots/application-{application.id}.{question_id}/original/{asset.sha256}.{ext}"
    asset.ext = ext
    get_storage().put(asset.original_key, io.BytesIO(data))
    _db.session.commit()
    return asset


def add_product(asset, profile, data, content_type, ext):
    """A finished derivative of ``asset`` (its bytes stored)."""
    key = f"{asset.original_key.rpartition('/original/')[0]}/derived/{profile}/v1/{asset.sha256}.{ext}"
    get_storage().put(key, io.BytesIO(data))
    _db.session.add(Derivative(asset_id=asset.id, profile=profile, state=DerivativeState.DONE, key=key,
                               content_type=content_type, size=len(data)))
    _db.session.commit()


def signed_path(response):
    return re.sub(r"^https?://[^/]+", "", response.headers["Location"])


def without_tokens(html):
    """A page without what changes from one request to the next (CSRF tokens)."""
    return re.sub(r'(name="csrf_token" value|name="csrf-token" content)="[^"]*"', r'\1=""', html)
