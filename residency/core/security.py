"""Security headers and proxy handling.

A strict Content-Security-Policy (no inline script, no third-party origin), no framing,
no MIME sniffing, a conservative Referrer-Policy, HSTS when served over HTTPS.
"""

from werkzeug.middleware.proxy_fix import ProxyFix

from residency.core.hooks import providers
from residency.extensions import talisman

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:", "blob:"],
    "media-src": ["'self'", "blob:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def content_security_policy(origins=()):
    """The site's CSP; browsers may also upload to and play media from ``origins`` (the features
    provide them through the ``csp_origins`` hook: with S3, the bucket's origin)."""
    policy = {key: list(value) if isinstance(value, list) else value for key, value in CSP.items()}
    for origin in origins:
        for directive in ("connect-src", "img-src", "media-src"):
            current = policy[directive]
            policy[directive] = (current if isinstance(current, list) else [current]) + [origin]
    return policy


def init_app(app):
    if app.config["TRUST_PROXY"]:
        hops = app.config["TRUST_PROXY"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    talisman.init_app(
        app,
        content_security_policy=content_security_policy(providers("csp_origins", app)),
        force_https=app.config["HTTPS"] and not app.testing,
        strict_transport_security=True,
        strict_transport_security_max_age=365 * 24 * 3600,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
        x_content_type_options=True,
    )
