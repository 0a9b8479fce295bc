"""Signals between features (blinker), so features react to each other without importing insides."""

from blinker import Namespace

_signals = Namespace()

user_registered = _signals.signal("user-registered")
email_verified = _signals.signal("email-verified")
password_changed = _signals.signal("password-changed")
role_granted = _signals.signal("role-granted")
role_revoked = _signals.signal("role-revoked")
call_state_changed = _signals.signal("call-state-changed")
call_changed_after_opening = _signals.signal("call-changed-after-opening")
application_submitted = _signals.signal("application-submitted")
application_withdrawn = _signals.signal("application-withdrawn")
jury_member_left = _signals.signal("jury-member-left")  # member=: removed, or stepped down
jury_round_moved = _signals.signal("jury-round-moved")  # round=, previous=, actor=: a round changed phase
residency_participant_left = _signals.signal("residency-participant-left")  # sender=Residency, user_id=
jury_decisions_published = _signals.signal("jury-decisions-published")  # sender=Call, applications=[...]: after the commit
festival_request_approved = _signals.signal("festival-request-approved")  # sender=RightsRequest, actor=: in the flush
festival_package_ready = _signals.signal("festival-package-ready")  # sender=Package: after the commit making it ready
