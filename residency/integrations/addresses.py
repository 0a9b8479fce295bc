"""Webhook addresses that cannot reach inside the network (no server-side request forgery).

An address is accepted only if it is ``https://`` (``http://`` too when ``WEBHOOKS_ALLOW_HTTP``),
names a host without user or password, and *every* address its host resolves to is a public
unicast one: no loopback, private (RFC 1918, unique-local), link-local (cloud metadata at
169.254.169.254), carrier-grade NAT, multicast, reserved or unspecified address, IPv4-mapped or
not. The check runs when the endpoint is registered and again at each delivery, which then
connects to the very address it checked (a DNS answer that changes in between cannot send the
request elsewhere). ``WEBHOOKS_ALLOW_PRIVATE`` lifts the address check, for development.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l

from residency.core.errors import ActionRefused


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written (the Host header, TLS name)
    port: int
    path: str  # with the query
    addresses: tuple  # the checked IP addresses, in resolver order


def public_address(text):
    """True for a global unicast IP address (an IPv4-mapped IPv6 address is judged as IPv4)."""
    address = ipaddress.ip_address(text.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_unspecified
                                       or address.is_loopback or address.is_link_local or address.is_private)


def resolve(host, port):
    """Every address ``host`` resolves to (a literal address: itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return tuple(dict.fromkeys(info[4][0] for info in infos))


def check_url(url, resolver=None):
    """The :class:`Target` of ``url`` once every address of its host is checked.

    :raise ActionRefused: (``field="url"``) a malformed or non-HTTPS address, credentials in it,
        a host that does not resolve, or one of its addresses not public.
    """
    config = current_app.config
    resolver = resolver or resolve
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ActionRefused(_l("This is not a web address."), field="url") from None
    schemes = {"https", "http"} if config.get("WEBHOOKS_ALLOW_HTTP") else {"https"}
    if parts.scheme not in schemes or not parts.hostname:
        raise ActionRefused(_l("Give an https:// address."), field="url")
    if parts.username or parts.password or len(url) > 500:
        raise ActionRefused(_l("The address may not hold a user name or password."), field="url")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolver(parts.hostname, port)
    except (OSError, UnicodeError):
        raise ActionRefused(_l("The address's host name could not be resolved."), field="url") from None
    if not addresses:
        raise ActionRefused(_l("The address's host name could not be resolved."), field="url")
    if not config.get("WEBHOOKS_ALLOW_PRIVATE"):
        try:
            private = [address for address in addresses if not public_address(address)]
        except ValueError:
            private = list(addresses)
        if private:
            raise ActionRefused(_l("This address leads into a private network; webhooks only go to public addresses."),
                                field="url")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, path, tuple(addresses))
