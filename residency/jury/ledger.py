"""The tamper-evident record of a call's jury: an append-only SHA-256 hash chain per call.

Every score sheet (its scores per criterion, or its abstention), every change of a sheet (a new
sheet superseding the previous one), every decision and every publication of a decision is
appended, in the same transaction as the row it records, as a :class:`LedgerRecord` holding the
row's content. Each record carries the SHA-256 of its content and of the record before it
(canonical JSON: sorted keys, no spaces, UTF-8), so that changing, removing or reordering a
record breaks the chain.

:func:`verify` walks a call's chain and then compares every record with the rows it describes: a
score edited directly in the database, a deleted sheet, a decision changed in place or a row
that no record describes is named, first broken record first. Appending locks the call's
:class:`LedgerHead` row, always the last lock a jury transaction takes, so two writers of one
call line up instead of forking the chain.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from residency.core.types import utcnow
from residency.extensions import db
from residency.jury.models import Review, Round
from residency.jury.record_models import Decision, LedgerHead, LedgerRecord


class Kind:
    SCORE = "score"                    # a juror's first sheet of an assignment
    SCORE_CHANGE = "score_change"      # a sheet superseding an earlier one
    DECISION = "decision"              # a proposed or final decision (or a change of one)
    PUBLICATION = "publication"        # a final decision made public


GENESIS = "0" * 64


def link(content, previous):
    """The SHA-256 (hex) of a record holding ``content`` that follows the record ``previous``."""
    digest = hashlib.sha256(previous.encode("ascii") + b"\n")
    digest.update(json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


# Content of the rows --------------------------------------------------------------------------

def review_content(review):
    """What a record of a score sheet holds: who, what, every criterion's score, the abstention."""
    return {"review": review.id, "assignment": review.assignment_id, "round": review.round_id,
            "member": review.member_id, "application": review.application_id, "abstained": bool(review.abstained),
            "abstain_reason": review.abstain_reason or "", "supersedes": review.supersedes_id,
            "scores": {score.criterion_id: float(score.value) for score in review.scores}}


def decision_content(decision):
    """What a record of a decision holds: the application, the stage, the outcome, why and who."""
    return {"decision": decision.id, "round": decision.round_id, "application": decision.application_id,
            "stage": decision.stage, "outcome": decision.outcome, "rationale": decision.rationale or "",
            "by": decision.decided_by_id, "supersedes": decision.supersedes_id}


def publication_content(decision):
    return {"decision": decision.id, "published_at": _iso(decision.published_at)}


def _iso(moment):
    """``moment`` as the chain writes datetimes (ISO 8601, UTC, microseconds)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# Appending ------------------------------------------------------------------------------------

def _locked_head(call_id):
    """The call's chain head, locked until commit (created, empty, for the call's first record)."""
    query = select(LedgerHead).where(LedgerHead.call_id == call_id).with_for_update() \
        .execution_options(populate_existing=True)
    head = db.session.execute(query).scalar_one_or_none()
    if head is None:
        try:
            with db.session.begin_nested():
                db.session.add(LedgerHead(call_id=call_id, seq=0, digest=GENESIS))
        except IntegrityError:  # another transaction created it first: wait for its lock
            pass
        head = db.session.execute(query).scalar_one()
    return head


def append(call_id, kind, ref_id, payload, now=None):
    """Append a record of ``kind`` about row ``ref_id`` holding ``payload`` to the call's chain.
    Flushes; never commits (the record lands with the row it describes, or not at all)."""
    head = _locked_head(call_id)
    at = _iso(now or utcnow())
    record = LedgerRecord(call_id=call_id, seq=head.seq + 1, kind=kind, ref_id=ref_id, payload=payload,
                          recorded_at=at, previous=head.digest)
    record.digest = link(record_content(record), head.digest)
    head.seq, head.digest = record.seq, record.digest
    db.session.add(record)
    db.session.flush()
    return record


def record_content(record):
    """The content hashed for ``record`` (after ``previous``, by :func:`link`)."""
    return {"call": record.call_id, "seq": record.seq, "kind": record.kind, "ref": record.ref_id,
            "payload": record.payload, "at": record.recorded_at}


def append_review(call_id, review, now=None):
    """Record a new score sheet (a change when it supersedes one)."""
    db.session.flush()
    kind = Kind.SCORE_CHANGE if review.supersedes_id else Kind.SCORE
    return append(call_id, kind, review.id, review_content(review), now)


def append_decision(decision, now=None):
    return append(decision.call_id, Kind.DECISION, decision.id, decision_content(decision), now)


def append_publication(decision, now=None):
    return append(decision.call_id, Kind.PUBLICATION, decision.id, publication_content(decision), now)


# Verifying ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verification:
    """The outcome of :func:`verify`: ``records`` read; ``broken`` the first problem (None: the
    chain holds), as ``(seq or None, message)``."""

    records: int
    broken: tuple | None = None

    @property
    def ok(self):
        return self.broken is None


def _records(call_id):
    return db.session.execute(
        select(LedgerRecord).where(LedgerRecord.call_id == call_id).order_by(LedgerRecord.seq)).scalars().all()


def verify(call_id):
    """Re-verify the call's chain: every link and digest, then every record against the row it
    describes, then that every sheet and decision of the call has a record.

    :return: :class:`Verification`, naming the first broken record (by its number in the chain).
    """
    db.session.expire_all()
    records = _records(call_id)
    for expected, record in enumerate(records, start=1):
        if record.seq != expected:
            return Verification(len(records), (expected, _l("record #%(seq)d is missing from the chain",
                                                            seq=expected)))
    previous = GENESIS
    for record in records:
        if record.previous != previous:
            return Verification(len(records), (record.seq, _l("record #%(seq)d (%(what)s) does not link to the "
                                                              "record before it", seq=record.seq,
                                                              what=_name(record))))
        if link(record_content(record), record.previous) != record.digest:
            return Verification(len(records), (record.seq, _l("record #%(seq)d (%(what)s) does not match its "
                                                              "digest: its content was changed", seq=record.seq,
                                                              what=_name(record))))
        previous = record.digest
    head = db.session.get(LedgerHead, call_id)
    if records and (head is None or head.seq != records[-1].seq or head.digest != records[-1].digest):
        return Verification(len(records), (records[-1].seq, _l("record #%(seq)d is not the head of the chain: later "
                                                               "records were removed", seq=records[-1].seq)))
    broken = _compare_rows(call_id, records)
    return Verification(len(records), broken)


def _name(record):
    """What a record records, for people: "score sheet 12", "decision 3"…"""
    names = {Kind.SCORE: _l("score sheet %(id)d", id=record.ref_id),
             Kind.SCORE_CHANGE: _l("changed score sheet %(id)d", id=record.ref_id),
             Kind.DECISION: _l("decision %(id)d", id=record.ref_id),
             Kind.PUBLICATION: _l("publication of decision %(id)d", id=record.ref_id)}
    return str(names.get(record.kind, f"{record.kind} {record.ref_id}"))


def _compare_rows(call_id, records):
    """The first record whose row no longer says what it recorded, or a row with no record."""
    reviews = {review.id: review for review in db.session.execute(
        select(Review).join(Round, Round.id == Review.round_id).where(Round.call_id == call_id)).scalars()}
    decisions = {decision.id: decision for decision in db.session.execute(
        select(Decision).where(Decision.call_id == call_id)).scalars()}
    seen_reviews, seen_decisions = set(), set()
    for record in records:
        if record.kind in (Kind.SCORE, Kind.SCORE_CHANGE):
            row = reviews.get(record.ref_id)
            seen_reviews.add(record.ref_id)
            now = review_content(row) if row is not None else None
        elif record.kind == Kind.DECISION:
            row = decisions.get(record.ref_id)
            seen_decisions.add(record.ref_id)
            now = decision_content(row) if row is not None else None
        else:
            row = decisions.get(record.ref_id)
            now = publication_content(row) if row is not None and row.published_at else None
        if now is None:
            return record.seq, _l("record #%(seq)d (%(what)s): the row it records was deleted", seq=record.seq,
                                  what=_name(record))
        if now != record.payload:
            fields = sorted(k for k in set(now) | set(record.payload) if now.get(k) != record.payload.get(k))
            return record.seq, _l("record #%(seq)d (%(what)s): the row was changed in the database (%(fields)s "
                                  "differ from the record)", seq=record.seq, what=_name(record),
                                  fields=", ".join(fields))
    for review_id in sorted(set(reviews) - seen_reviews):
        return None, _l("score sheet %(id)d has no record in the chain (written behind the application's back)",
                        id=review_id)
    for decision_id in sorted(set(decisions) - seen_decisions):
        return None, _l("decision %(id)d has no record in the chain (written behind the application's back)",
                        id=decision_id)
    return None


# Append-only, as far as the application goes ----------------------------------------------------

class AppendOnly(Exception):
    """A change in place of a record, or of a decision (other than publishing it once)."""


def _check_flush(session, _context, _instances):
    for obj in list(session.deleted):
        if isinstance(obj, (LedgerRecord, Decision)):
            raise AppendOnly(f"{type(obj).__name__} {obj.id} cannot be deleted: records are append-only")
    for obj in list(session.dirty):
        if isinstance(obj, LedgerRecord) and session.is_modified(obj):
            raise AppendOnly(f"ledger record {obj.id} cannot be changed")
        if isinstance(obj, Decision) and session.is_modified(obj):
            _check_decision_change(obj)


def _check_decision_change(decision):
    from sqlalchemy import inspect as sa_inspect

    state = sa_inspect(decision)
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        if attr.key == "published_at" and not [v for v in history.deleted if v is not None]:
            continue  # published once: None -> a time
        raise AppendOnly(f"decision {decision.id} cannot be changed in place ({attr.key}): record a new decision")


def guard():
    """Refuse, at flush, any change in place of a ledger record or of a decision (publishing a
    decision once aside): a changed decision is a new one. Registered once, by ``init_app``."""
    from sqlalchemy.orm import Session

    if not event.contains(Session, "before_flush", _check_flush):
        event.listen(Session, "before_flush", _check_flush)
