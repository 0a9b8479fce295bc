"""How two people's e-mail addresses and names are compared for conflicts of interest: pure
functions, no database (the automatic rules that use them: :mod:`residency.jury.conflict_rules`).

- :func:`email_domain` and :func:`is_public_domain`: an address's domain, and whether that domain
  names no organisation (public webmail, internet providers' mail, names reserved for examples and
  tests: :data:`PUBLIC_DOMAINS`, :data:`RESERVED_DOMAINS`, :data:`PUBLIC_DOMAIN_FAMILIES`,
  :data:`RESERVED_TLDS`), so that sharing it says nothing about working together;
- :func:`fold`, :func:`fold_email`: names and addresses without case or accents;
- :func:`split_collaborator`: the addresses and name written in one entry of a member's collaborators.
"""

import re
import unicodedata

#: E-mail domains anyone can get an address at: sharing one says nothing about working together.
#: Public webmail services and internet providers' mail, plus the names reserved for examples and
#: tests (RFC 2606, RFC 6761), which name no organisation.
PUBLIC_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "icloud.com", "me.com", "mac.com", "msn.com",
    "aol.com", "mail.com", "email.com", "zoho.com", "zohomail.com", "fastmail.com", "fastmail.fm", "hey.com",
    "proton.me", "protonmail.com", "protonmail.ch", "pm.me", "tutanota.com", "tutanota.de", "tuta.io", "tuta.com",
    "posteo.de", "posteo.net", "mailbox.org", "disroot.org", "riseup.net",
    "web.de", "t-online.de", "freenet.de", "arcor.de",
    "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "sfr.fr", "neuf.fr", "bbox.fr",
    "libero.it", "virgilio.it", "tiscali.it", "alice.it", "tin.it",
    "telefonica.net", "terra.es", "sapo.pt", "uol.com.br", "bol.com.br", "terra.com.br", "ig.com.br",
    "seznam.cz", "centrum.cz", "wp.pl", "o2.pl", "onet.pl", "interia.pl",
    "mail.ru", "bk.ru", "inbox.ru", "list.ru", "internet.ru", "ya.ru", "rambler.ru", "ukr.net",
    "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn", "sohu.com", "aliyun.com",
    "naver.com", "daum.net", "hanmail.net", "kakao.com",
    "rediffmail.com", "yahoo.co.jp", "ezweb.ne.jp", "docomo.ne.jp",
})

#: Second-level domains reserved for examples (RFC 2606): they and every name under them
#: (``demo.example.org``) name no organisation.
RESERVED_DOMAINS = frozenset({"example.com", "example.org", "example.net"})

#: Services with an address under many country domains (``hotmail.co.uk``, ``yahoo.fr``,
#: ``gmx.de``…): the first label, followed by a country or generic top-level domain.
PUBLIC_DOMAIN_FAMILIES = frozenset({
    "hotmail", "outlook", "live", "windowslive", "yahoo", "ymail", "rocketmail", "gmx", "yandex", "aol",
    "libero", "btinternet", "bigpond", "optusnet", "shaw", "rogers", "sympatico", "videotron",
})

#: Top-level domains reserved for tests and examples (RFC 2606, RFC 6761).
RESERVED_TLDS = frozenset({"test", "example", "invalid", "localhost"})

_FAMILY_SUFFIX = re.compile(r"^[a-z]{2,3}(\.[a-z]{2,3})?$")
_EMAIL = re.compile(r"[^\s<>,;()\"']+@[^\s<>,;()\"']+")


def email_domain(address):
    """The lower-cased domain of an e-mail address, or ``""``."""
    _local, at, domain = (address or "").strip().rpartition("@")
    return domain.strip().rstrip(".").lower() if at else ""


def is_public_domain(domain):
    """Whether ``domain`` names no organisation (see :data:`PUBLIC_DOMAINS`)."""
    domain = (domain or "").lower()
    if not domain or domain in PUBLIC_DOMAINS or domain.rpartition(".")[2] in RESERVED_TLDS:
        return True
    if any(domain == reserved or domain.endswith("." + reserved) for reserved in RESERVED_DOMAINS):
        return True
    first, _dot, rest = domain.partition(".")
    return first in PUBLIC_DOMAIN_FAMILIES and bool(_FAMILY_SUFFIX.match(rest))


def fold(text):
    """``text`` without case, accents or punctuation, its words single-spaced: what two spellings
    of one name or address share ("Éloïse  Lévy-Ruiz" → "eloise levy ruiz")."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join("".join(char if char.isalnum() else " " for char in bare).split())


def fold_email(address):
    """An e-mail address compared without case or accents (its punctuation kept)."""
    decomposed = unicodedata.normalize("NFKD", str(address or "").strip())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def split_collaborator(entry):
    """``(e-mail addresses, name)`` written in one entry of a member's collaborators
    ("Ana Lima <ana@studio.pt>" → ``({"ana@studio.pt"}, "ana lima")``), folded."""
    entry = str(entry or "")
    emails = {fold_email(found) for found in _EMAIL.findall(entry)}
    name = fold(_EMAIL.sub(" ", entry).replace("<", " ").replace(">", " "))
    return emails, name
