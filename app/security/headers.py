"""Security headers on every response (issue 6 #19, design §5: an intranet portal with personal
data that loads nothing from outside).

Scripts run only from our own origin or inline with this response's nonce: FAB's templates
already print ``csp_nonce()`` on every ``<script>`` they write, so no ``'unsafe-inline'`` is
needed for scripts. Styles keep ``'unsafe-inline'``: FAB's and our templates use ``style=``
attributes, and a style cannot run code.
"""

from __future__ import annotations

import secrets

from flask import Flask, request

NONCE_KEY = "suqiu.csp_nonce"
STATIC_ENDPOINTS = {"static", "appbuilder.static"}
HSTS = "max-age=31536000"
# same-origin, not no-referrer: Flask-WTF checks the Referer of every POST over HTTPS.
REFERRER_POLICY = "same-origin"


def csp_nonce() -> str:
    """One nonce per request, for the templates (``{{ csp_nonce() }}``) and the header."""
    nonce = request.environ.get(NONCE_KEY)
    if nonce is None:
        nonce = request.environ[NONCE_KEY] = secrets.token_urlsafe(16)
    return nonce


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def register_security_headers(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = REFERRER_POLICY
        headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers["Strict-Transport-Security"] = HSTS
        if request.endpoint not in STATIC_ENDPOINTS:
            # Pages and API answers hold personal data: no copy in browser or proxy caches.
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        return response
