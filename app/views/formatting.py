"""Display helpers shared by views: Chinese yes/no, code→label maps, timestamps, a case's status
with its 已超期 badge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import get_template_attribute
from markupsafe import Markup, escape

from app.domain.clock import format_datetime
from app.domain.i18n import _l
from app.domain.lifecycle import STATUS_LABELS

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


def overdue_badge(state) -> Markup:
    """The 已超期 badge of ``state`` (app.domain.deadlines.overdue_state), from the one macro the
    queue and case pages use too (suqiu/_overdue.html); empty when not overdue."""
    if not state:
        return Markup("")
    # A macro of the autoescaping environment returns Markup, its values escaped.
    return get_template_attribute("suqiu/_overdue.html", "overdue_badge")(str(state))


@dataclass(frozen=True)
class StatusCell:
    """A case's status as a list shows it: its label and whether the case is overdue now."""

    status: str
    overdue: str | None = None

    def __str__(self) -> str:
        return str(STATUS_LABELS.get(self.status, ""))


def status_cell(value) -> Markup:
    """The status column of a case list: the Chinese status and, when overdue, the badge."""
    if isinstance(value, StatusCell):
        return escape(str(value)) + overdue_badge(value.overdue)
    return escape(str(STATUS_LABELS.get(value, "")))
