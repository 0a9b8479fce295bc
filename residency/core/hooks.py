"""Named hooks: how core, and a lower feature, use what a higher feature provides without
importing it.

A feature's ``init_app`` fills a hook with :func:`provide`; the code that owns the hook asks
:func:`providers` (or :func:`collect`) at run time. Providers are kept per application, in the
order the features were initialised, so an application built without a feature has none of its
providers. Each hook is documented where it is used; :data:`HOOKS` lists them all.
"""

from flask import current_app

_KEY = "residency.hooks"

#: Every hook name, with what its providers are and who asks them.
HOOKS = {
    "demo": "callables loading a feature's part of the demo network, returning lines to print (core.demo)",
    "health": "(part name, check callable raising when the part is down) pairs (core.health)",
    "csp_origins": "origins (scheme://host[:port]) browsers may fetch and send media to (core.security)",
    "nav": "NavItem entries of the site's menu (core.templating)",
    "home_sections": "(template name, context callable) pairs shown on the home page (core.views)",
    "account_links": "AccountLink entries (term, endpoint, text) on the user's account page (accounts)",
    "socket_connect": "callables run when a logged-in user's socket connects (core.sockets)",
    "socket_session_valid": "callables telling whether the socket's login is still valid (core.sockets)",
    "role_scopes": "{scope type: callable(scope id) -> object or None} (accounts.scopes)",
    "call_applicants": "callables(call) -> user ids holding a submitted application (calls)",
    "call_answered_questions": "callables(call) -> ids of questions some applicant answered (calls)",
    "media_asset_references": "callables(asset ids) -> those still referenced, whose files stay stored (media.retention)",
    "api_token_loaders": "callables(raw bearer token) -> (user, scopes, token id) or None (api.auth)",
    "call_manage_links": "NavItem entries (endpoint taking call_id; permission asked of the call) on a call's "
                         "overview for its coordinators (calls)",
    "residency_page_links": "NavItem entries (endpoint taking residency_id; permission asked of the residency) "
                            "on a residency's page, e.g. its room (residencies)",
    "personal_data": "PersonalDataPart entries (name, export(user), erase(user)): a feature's share of a user's "
                     "personal data, exported and erased on request (core.personal_data, accounts)",
}


def provide(app, name, provider):
    """Add ``provider`` to the hook ``name`` of ``app``. Returns the provider (usable as a decorator)."""
    if name not in HOOKS:
        raise LookupError(f"unknown hook {name!r}: declare it in residency.core.hooks.HOOKS")
    app.extensions.setdefault(_KEY, {}).setdefault(name, []).append(provider)
    return provider


def providers(name, app=None):
    """The providers of hook ``name`` (of ``app``, default the current one), in feature order."""
    if name not in HOOKS:
        raise LookupError(f"unknown hook {name!r}")
    app = app or current_app
    return list(app.extensions.get(_KEY, {}).get(name, ()))


def collect(name, *args, **kwargs):
    """Call every provider of ``name`` with the arguments; return their results in order."""
    return [provider(*args, **kwargs) for provider in providers(name)]
