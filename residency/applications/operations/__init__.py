"""What artists do with applications: profile, apply, drafts, files, submit, withdraw, co-applicants.

Operations take plain arguments (the acting user, objects, ``now``), check the rule and the state
machine, flush, record an audit entry and send a signal; none commits. Every write to an
application is refused once its call stops accepting (``Call.accepting(now)``, by the clock).

By job: :mod:`.states` (the artists' state machine and the clock), :mod:`.profiles`,
:mod:`.drafts` (starting an application, its answers and files), :mod:`.submission` (frozen
versions, receipts, withdrawal) and :mod:`.members` (co-applicants). The names below are the
feature's entry points; its views, demo and tests call them as ``operations.<name>``.
"""

from residency.applications.operations.drafts import (
    NotEligible, applications_for, applications_of, attached_files, detach_file, file_questions, save_draft, slot_ref,
    start_application, unsubmitted_changes,
)
from residency.applications.operations.members import accept_invitation, find_invitation, invite_member, remove_member
from residency.applications.operations.profiles import profile_of, update_profile
from residency.applications.operations.states import EDITABLE_STATES, closed_reason
from residency.applications.operations.submission import (
    build_snapshot, canonical_json, fingerprint, submit_application, withdraw_application,
)

__all__ = [
    "EDITABLE_STATES", "NotEligible", "accept_invitation", "applications_for", "applications_of", "attached_files",
    "build_snapshot", "canonical_json", "closed_reason", "detach_file", "file_questions", "find_invitation",
    "fingerprint", "invite_member", "profile_of", "remove_member", "save_draft", "slot_ref",
    "start_application", "submit_application", "unsubmitted_changes", "update_profile", "withdraw_application",
]
