"""Who may do what with works and media assets."""

from residency.core.permissions import rule


def _owner(user, obj):
    return user is not None and user.is_authenticated and obj is not None and obj.owner_id == user.id


@rule("work.create")
def create_work(user, obj):
    """Every signed-in artist with a confirmed e-mail address."""
    return user.is_authenticated and user.email_verified


@rule("work.view")
def view_work(user, work):
    """The artist; later also the jurors, coordinators and festivals it is submitted to."""
    return _owner(user, work)


@rule("work.edit", admin=False)
def edit_work(user, work):
    """Only the artist changes their work and uploads its files."""
    return _owner(user, work)


@rule("asset.view")
def view_asset(user, asset):
    return _owner(user, asset)


@rule("asset.download_original")
def download_original(user, asset):
    return _owner(user, asset)
