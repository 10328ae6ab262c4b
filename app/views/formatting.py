"""Display helpers shared by views: Chinese yes/no, code→label maps, timestamps."""

from __future__ import annotations

from datetime import datetime

from app.domain.clock import format_datetime
from app.domain.i18n import _l

YES_NO = {True: _l("Yes"), False: _l("No"), None: ""}

UNIT_TYPES = {
    "branch": _l("Branch"),
    "subsidiary": _l("Subsidiary"),
    "station": _l("Station or service hall"),
}
VENDOR_TYPES = {
    "outsourced_crew": _l("Outsourced work crew"),
    "partner_vendor": _l("Partner vendor"),
}
CONTACT_ROLES = {
    "responsible_leader": _l("Responsible leader"),
    "liaison": _l("Liaison"),
}
CHANGE_TYPES = {"created": _l("Appointed"), "updated": _l("Changed"), "deleted": _l("Removed")}


def display_value(value) -> str:
    """How any column value reads in a list or detail page: no "None", "True" or object reprs."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, list | tuple | set):
        return "、".join(display_value(item) for item in value)
    return str(value)


def yes_no(value) -> str:
    return str(YES_NO.get(value, value))


def label_from(mapping):
    return lambda value: str(mapping.get(value, value or ""))


def choices(mapping):
    return [(key, label) for key, label in mapping.items()]


def timestamp(value) -> str:
    return format_datetime(value)
