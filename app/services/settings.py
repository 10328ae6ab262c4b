"""Operational settings the services read (from the app's configuration, with the defaults
documented in README.md), so that domain rules get plain values as parameters."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, has_app_context

DEFAULT_CALLBACK_RETRY_MINUTES = 120


def _setting(name: str, default):
    return current_app.config.get(name, default) if has_app_context() else default


def callback_retry_spacing() -> timedelta:
    """Art.20: the least time between two 联系不上 attempts on one case."""
    return timedelta(
        minutes=int(_setting("SUQIU_CALLBACK_RETRY_MINUTES", DEFAULT_CALLBACK_RETRY_MINUTES))
    )
