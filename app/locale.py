"""The request's language: Chinese, or a language the person chose (FAB's /lang/ view keeps it in
their session). FAB's own selector writes the default into the session of every request that
has none, so that every machine call to /api/v1 and every first page got a session cookie it
never asked for; this one only reads."""

from __future__ import annotations

from flask import current_app, has_request_context, session


def request_locale() -> str:
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    chosen = session.get("locale")
    return chosen if chosen in current_app.config["LANGUAGES"] else default


def install(app) -> None:
    """After FAB's init_app (which registers its selector with Flask-Babel)."""
    app.extensions["babel"].locale_selector = request_locale
