"""What the residencies' roles, statuses and session kinds are called, in the reader's language."""

from flask_babel import lazy_gettext as _l

from residency.residencies.models import ParticipantRole, ResidencyStatus, SessionKind

ROLE_LABELS = {
    ParticipantRole.ARTIST: _l("Artist"),
    ParticipantRole.MENTOR: _l("Mentor"),
    ParticipantRole.COORDINATOR: _l("Coordinator"),
}

STATUS_LABELS = {
    ResidencyStatus.ACTIVE: _l("Active"),
    ResidencyStatus.ARCHIVED: _l("Archived"),
}

KIND_LABELS = {
    SessionKind.TALK: _l("Talk"),
    SessionKind.STUDIO_VISIT: _l("Studio visit"),
    SessionKind.CRITIQUE: _l("Critique"),
}
