"""Lazy translation marker usable from the domain without importing Flask at call time."""

from flask_babel import lazy_gettext

_l = lazy_gettext
