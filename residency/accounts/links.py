"""Links other features add to the user's account page (the ``account_links`` hook)."""

from typing import NamedTuple


class AccountLink(NamedTuple):
    """A line of the account page: ``term`` (what), ``endpoint`` (where), ``text`` (the link)."""

    term: object
    endpoint: str
    text: object
