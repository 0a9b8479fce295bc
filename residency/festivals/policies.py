"""Who may do what with festivals, the catalogue, requests, packages and screenings.

A festival programmer holds the ``festival_programmer`` role scoped to one festival; every page of
a festival, its requests and packages asks whether the user programs *that* festival.
"""

from residency.core.permissions import has_role, rule


def programs(user, festival_id):
    """Whether ``user`` is a programmer of the festival ``festival_id``."""
    return festival_id is not None and has_role(user, "festival_programmer", "festival", festival_id)


def is_programmer(user):
    return has_role(user, "festival_programmer", "festival")


def is_coordinator(user):
    return has_role(user, "city_coordinator")


def coordinates_artist(user, work):
    """A coordinator of the work's artist's city, or a network-wide coordinator."""
    if work is None or not user.is_authenticated:
        return False
    if has_role(user, "city_coordinator", "network"):
        return True
    city_id = work.owner.city_id if work.owner is not None else None
    return city_id is not None and has_role(user, "city_coordinator", "city", city_id)


@rule("festivals.manage")
def manage_festivals(user, _obj=None):
    """Create and edit festivals (names, cities, delivery profiles): network admins only."""
    return False


@rule("festival.view")
def view_festival(user, festival):
    """A festival's pages: its programmers and the coordinators; others meet a missing page."""
    return festival is not None and user.is_authenticated and (programs(user, festival.id) or is_coordinator(user))


@rule("festival.program")
def program_festival(user, festival):
    """Editions, shortlists, requests and screenings of a festival: its programmers."""
    return festival is not None and user.is_authenticated and programs(user, festival.id)


@rule("catalogue.browse")
def browse_catalogue(user, _obj=None):
    """The catalogue of works cleared for distribution: festival programmers and coordinators."""
    return user.is_authenticated and (is_programmer(user) or is_coordinator(user))


@rule("catalogue.manage")
def manage_catalogue(user, _obj=None):
    """Add works to the catalogue, or take them out: coordinators."""
    return user.is_authenticated and is_coordinator(user)


@rule("work.terms", admin=False)
def state_terms(user, work):
    """A work's distribution terms and where it went: its artist."""
    return work is not None and user.is_authenticated and work.owner_id == user.id


@rule("request.view")
def view_request(user, request):
    """A request is seen by both sides: the festival's programmers, the work's artist, and the
    coordinators of the artist's city."""
    if request is None or not user.is_authenticated:
        return False
    return (programs(user, request.festival_id) or request.work.owner_id == user.id
            or coordinates_artist(user, request.work))


@rule("request.decide", admin=False)
def decide_request(user, request):
    """Approve or decline: the artist, or a coordinator of the artist's city on their behalf (the
    operation then also requires that the artist's terms already allow it)."""
    if request is None or not user.is_authenticated:
        return False
    return request.work.owner_id == user.id or coordinates_artist(user, request.work)


@rule("package.download", admin=False)
def download_package(user, package):
    """A package goes to the programmers of the festival whose request was approved, no one else."""
    return package is not None and user.is_authenticated and programs(user, package.request.festival_id)


@rule("festivals.report")
def read_report(user, _obj=None):
    """The network-wide screenings report: coordinators."""
    return user.is_authenticated and is_coordinator(user)
