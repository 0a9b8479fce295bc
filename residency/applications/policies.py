"""Who may do what with applications."""

from residency.calls.policies import coordinates
from residency.core.permissions import rule


def is_member(user, application):
    """The owner or a co-applicant who accepted the invitation."""
    if application is None or not user.is_authenticated:
        return False
    if application.owner_id == user.id:
        return True
    return any(m.user_id == user.id and m.accepted_at is not None for m in application.members)


@rule("application.create")
def create_application(user, call):
    return user.is_authenticated and user.email_verified


@rule("application.view")
def view_application(user, application):
    """Its members; the call's coordinators once it has been submitted at least once."""
    if is_member(user, application):
        return True
    return application is not None and application.current_version > 0 and coordinates(user, application.call)


@rule("application.edit", admin=False)
def edit_application(user, application):
    """Only its members change it (and only while the call accepts applications: operations check)."""
    return is_member(user, application)


@rule("application.manage_members", admin=False)
def manage_members(user, application):
    """The owner invites and removes co-applicants."""
    return application is not None and user.is_authenticated and application.owner_id == user.id
