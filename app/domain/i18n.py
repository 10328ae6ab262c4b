"""Lazy translation marker usable from the domain without importing Flask at call time."""

from flask_babel import lazy_gettext
from flask_babel.speaklater import LazyString

_l = lazy_gettext

__all__ = ["LazyString", "_l"]
