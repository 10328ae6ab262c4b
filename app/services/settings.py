"""Operational settings the services read (from the app's configuration, with the defaults
documented in README.md), so that domain rules get plain values as parameters."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, has_app_context

from app.domain.errors import DomainError
from app.domain.i18n import _l

DEFAULT_CALLBACK_RETRY_MINUTES = 120
DEFAULT_NOTIFICATION_ARCHIVE_DAYS = 90
MOST_NOTIFICATION_ARCHIVE_DAYS = 36_500  # a century: beyond, the cutoff leaves the calendar


class InvalidSettingError(DomainError):
    """A setting whose value cannot be used; the message names the setting and the value."""


def _setting(name: str, default):
    return current_app.config.get(name, default) if has_app_context() else default


def _whole_number(name: str, default: int, most: int) -> int:
    """The setting as a whole number from 1 to ``most`` (an environment variable arrives as
    text), or ``InvalidSettingError`` naming the setting and the value."""
    raw = _setting(name, default)
    try:
        value = int(raw.strip() if isinstance(raw, str) else raw)
    except (TypeError, ValueError):
        value = 0
    if isinstance(raw, bool | float) or not 1 <= value <= most:
        raise InvalidSettingError(
            _l("The setting %(name)s must be a whole number from 1 to %(most)d, not “%(value)s”."),
            name=name,
            most=most,
            value=raw,
        )
    return value


def callback_retry_spacing() -> timedelta:
    """Art.20: the least time between two 联系不上 attempts on one case."""
    return timedelta(
        minutes=int(_setting("SUQIU_CALLBACK_RETRY_MINUTES", DEFAULT_CALLBACK_RETRY_MINUTES))
    )


def notification_archive_age() -> timedelta:
    """Issue 12: how long after being read a notification leaves the inbox for the archive."""
    return timedelta(
        days=_whole_number(
            "SUQIU_NOTIFICATION_ARCHIVE_DAYS",
            DEFAULT_NOTIFICATION_ARCHIVE_DAYS,
            MOST_NOTIFICATION_ARCHIVE_DAYS,
        )
    )


def repeat_window() -> timedelta:
    """Issue 11: how far back a new case looks for the customer's open cases (重复诉求)."""
    from app.domain.repeats import DEFAULT_WINDOW_DAYS, MOST_WINDOW_DAYS

    return timedelta(
        days=_whole_number("SUQIU_REPEAT_WINDOW_DAYS", DEFAULT_WINDOW_DAYS, MOST_WINDOW_DAYS)
    )
