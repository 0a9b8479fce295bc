"""Who may do what with accounts, roles and the admin pages."""

from residency.core.permissions import rule


def _signed_in(user):
    return user is not None and user.is_authenticated


@rule("admin.access")
def admin_access(user, obj):
    """Only network admins (who pass every rule) see the admin pages."""
    return False


@rule("roles.manage")
def manage_roles(user, obj):
    return False


@rule("audit.read")
def read_audit(user, obj):
    return False


@rule("system.probe")
def run_probe(user, obj):
    return False


@rule("user.view_private")
def view_private(user, user_obj):
    """A user's e-mail, sessions and settings: the user themself."""
    return _signed_in(user) and user_obj is not None and user.id == user_obj.id


@rule("user.edit", admin=False)
def edit_user(user, user_obj):
    """Only the user changes their own e-mail, password and profile (admins grant roles instead)."""
    return _signed_in(user) and user_obj is not None and user.id == user_obj.id
