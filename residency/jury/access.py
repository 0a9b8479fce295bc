"""What the jury's permission rules are asked about, besides a call."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Seat:
    """A panel member in front of one application in one round, through their live, confirmed
    assignment; ``own_review`` is their current score sheet of it (None: nothing saved yet)."""

    member: object  # PanelMember
    round: object  # Round
    application_id: int
    assignment: object  # Assignment
    own_review: object | None = None  # Review
