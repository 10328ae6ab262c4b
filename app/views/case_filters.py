"""What the case list can be filtered by (issue 6 item 15), as CaseView's search configuration.

Codes are chosen from Chinese lists (status, channel category, flags) or from the master-data
tables (channel, kind, business category, unit: small tables, ordered as everywhere else; the
unit list is the user's scope). The customer's phone, name, address and gas account are
searchable by company-wide roles only: a branch could otherwise test them against a 举报
reporter hidden from it (Art.13), so for branch roles these filters are neither offered nor
honoured from the URL (``SuqiuModelView.company_wide_search_columns``).
"""

from __future__ import annotations

from datetime import date

from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, DatePickerWidget, Select2Widget
from sqlalchemy import false, or_, select
from wtforms import SelectChoice, SelectField, StringField

from app.domain.clock import now as clock_now
from app.domain.i18n import _l
from app.domain.lifecycle import STATUS_LABELS
from app.extensions import db
from app.models import Branch, BusinessCategory, Case, CaseKind, Channel, ChannelCategory
from app.services import case_queries, case_search, dashboards, kpi_queries
from app.services.actor import current_actor
from app.views.list_filters import (
    NO,
    RELATION_FILTERS,
    YES,
    ClauseFilter,
    EqualTo,
    FlagIs,
    NotEqualTo,
    OnOrAfter,
    OnOrBefore,
    RelatedIs,
    StartsWith,
    UpperEqualTo,
    UpperStartsWith,
    yes_no_field,
)
from app.views.list_params import whole_number

FLAGS = {
    "urgent": _l("Urgent"),
    "media_involved": _l("Media involved (Art.29)"),
    "adverse_impact": _l("Liable to adverse impact (Art.33)"),
    "major_interest": _l("Major interests (Art.34)"),
    "property_loss": _l("Property loss (Art.34)"),
    "casualties": _l("Casualties (Art.34)"),
}
CUSTOMER_COLUMNS = ("customer_phone", "customer_name", "customer_address", "gas_account")
# The overdue filter is keyed on a sweep flag column (its URL name) but decides at read time,
# by the one definition of overdue (app.domain.deadlines.overdue_state: past the sign-for or
# the finish deadline now, Art.30) as the 已超期 queue and the badges do, without the sweep.
OVERDUE = "finish_overdue"

SEARCH_COLUMNS = [
    "number",
    "status",
    "channel_category_code",
    "channel",
    "kind",
    "business_category",
    "branch",
    "received_at",
    "finish_due",
    OVERDUE,
    *FLAGS,
    *CUSTOMER_COLUMNS,
]


class OverdueIs(ClauseFilter):
    name = _l("Is")
    arg_name = "overdue"

    def clause(self, value):
        if value == YES:
            return case_search.overdue(clock_now())
        if value == NO:
            return case_search.not_overdue(clock_now())
        return None


class PhoneIs(ClauseFilter):
    name = _l("Equal to")
    arg_name = "phone"

    def clause(self, value):
        return case_search.customer_phone_is(value)


class WithinUnits(ClauseFilter):
    """A unit with its sub-units (``3`` or ``3,7``), as the dashboards count them; the list's
    scope still applies, so a unit outside it lists nothing of it."""

    name = _l("Including sub-units")
    arg_name = "unit_tree"

    def clause(self, value):
        ids = [whole_number(part) for part in (value or "").split(",") if part.strip()]
        if not ids or None in ids or len(ids) > 50:
            return None
        paths = list(db.session.scalars(select(Branch.path).where(Branch.id.in_(ids))))
        if not paths:
            return false()
        units = select(Branch.id).where(
            or_(*(Branch.path.startswith(path, autoescape=True) for path in paths))
        )
        return Case.branch_id.in_(units)


class KpiIs(ClauseFilter):
    """The cases behind one number of the KPI scorecard (kpi_queries.drill_down), the period
    and the moment it was counted carried in the value (``figure~part~period~as-of``), so that
    the list shows the same cases later."""

    name = _l("Counted in")
    arg_name = "kpi"

    def clause(self, value):
        parsed = dashboards.parse_kpi_token(value or "")
        if parsed is None:
            return false()
        figure, part, period, as_of = parsed
        return kpi_queries.drill_down(figure, part, period, as_of)


class DueSoonIs(ClauseFilter):
    """Due within a day now (the due-soon queue's window, case_queries.due_soon_open)."""

    name = _l("Due within a day")
    arg_name = "soon"

    def clause(self, value):
        return case_queries.due_soon_open(clock_now()) if value == YES else None


class PendingExtensionIs(ClauseFilter):
    name = _l("Extension requests to decide")
    arg_name = "ext_pending"

    def clause(self, value):
        return dashboards.has_pending_extension() if value == YES else None


class CountedOnceIs(ClauseFilter):
    """Not a 关联单: a 主单 and its 关联单 count once in the figures (kpis.LIVE, issue 11)."""

    name = _l("Repeat requests counted once (关联单 left out)")
    arg_name = "once"

    def clause(self, value):
        return Case.primary_case_id.is_(None) if value == YES else None


# Filters the dashboards' links set, honoured from the URL but not offered in the filter panel
# (the list names them above its rows instead).
DRILL = "drill"
DRILL_FILTERS = [KpiIs, DueSoonIs, PendingExtensionIs, CountedOnceIs]


def drill_notes(filters) -> list[str]:
    """What the hidden drill-down filters of the list select, in Chinese."""
    notes = []
    for flt, values in zip(filters.filters, filters.values, strict=True):
        if flt.column_name != DRILL:
            continue
        for value in values if isinstance(values, list) else [values]:
            if isinstance(flt, KpiIs):
                parsed = dashboards.parse_kpi_token(value)
                if parsed is None:
                    notes.append(str(_l("This figure cannot be read: no case is listed.")))
                    continue
                figure, part, period, as_of = parsed
                if figure.kind == "count":
                    counted = _l("cases counted")
                elif part == "denominator":
                    counted = _l("cases in the denominator")
                else:
                    counted = _l("cases meeting the figure")
                notes.append(
                    str(_l("%(figure)s, %(part)s, %(first)s to %(last)s, as of %(as_of)s"))
                    % {
                        "figure": figure.label,
                        "part": counted,
                        "first": period.first_day.isoformat(),
                        "last": period.last_day.isoformat(),
                        "as_of": as_of.strftime("%Y-%m-%d %H:%M"),
                    }
                )
            elif value == YES:
                notes.append(str(flt.name))
    return notes


RELATION = RELATION_FILTERS
CHOICE = [EqualTo, NotEqualTo]
DAY_WINDOW = [OnOrAfter, OnOrBefore]
FILTER_CLASSES = {
    "number": [UpperEqualTo, UpperStartsWith],
    "status": CHOICE,
    "channel_category_code": CHOICE,
    "channel": RELATION,
    "kind": RELATION,
    "business_category": RELATION,
    "branch": [*RELATION, WithinUnits],
    "received_at": DAY_WINDOW,
    "finish_due": DAY_WINDOW,
    OVERDUE: [OverdueIs],
    **{flag: [FlagIs] for flag in FLAGS},
    "customer_phone": [PhoneIs],
    "customer_name": [EqualTo],
    "customer_address": [StartsWith, EqualTo],
    "gas_account": [EqualTo],
    DRILL: DRILL_FILTERS,
}


def _statuses():
    return [SelectChoice(str(code), str(label)) for code, label in STATUS_LABELS.items()]


def _channel_categories():
    rows = db.session.execute(
        select(ChannelCategory.code, ChannelCategory.name).order_by(ChannelCategory.sort_order)
    )
    return [SelectChoice(code, name) for code, name in rows]


def _channels():
    rows = db.session.execute(
        select(Channel.id, Channel.name, ChannelCategory.name)
        .join(ChannelCategory, Channel.category_id == ChannelCategory.id)
        .order_by(ChannelCategory.sort_order, Channel.sort_order)
    )
    return [SelectChoice(str(id_), name, optgroup=group) for id_, name, group in rows]


def _ordered(model):
    def choices():
        rows = db.session.execute(select(model.id, model.name).order_by(model.sort_order))
        return [SelectChoice(str(id_), name) for id_, name in rows]

    return choices


def _units():
    # The user's own scope only (parent sees children): a unit list is branch data too.
    query = current_actor().scope.apply(select(Branch).order_by(Branch.path), Branch)
    return [
        SelectChoice(str(unit.id), "\u3000" * unit.depth + unit.name)
        for unit in db.session.scalars(query)
    ]


def _select(label, choices):
    return SelectField(label, choices=choices, widget=Select2Widget(), validate_choice=False)


def _text(label):
    return StringField(label, widget=BS3TextFieldWidget())


def _day(label):
    return StringField(label, widget=DatePickerWidget())


def search_fields() -> dict:
    """The filter panel's inputs, keyed like SEARCH_COLUMNS (FAB's search_form_extra_fields)."""
    return {
        "number": _text(_l("Case number")),
        "status": _select(_l("Status"), _statuses),
        "channel_category_code": _select(_l("Channel category"), _channel_categories),
        "channel": _select(_l("Channel"), _channels),
        "kind": _select(_l("Case kind"), _ordered(CaseKind)),
        "business_category": _select(_l("Business category"), _ordered(BusinessCategory)),
        "branch": _select(_l("Handling unit"), _units),
        "received_at": _day(_l("Received at")),
        "finish_due": _day(_l("Deadline")),
        OVERDUE: yes_no_field(_l("Overdue")),
        **{flag: yes_no_field(label) for flag, label in FLAGS.items()},
        "customer_phone": _text(_l("Customer phone")),
        "customer_name": _text(_l("Customer name")),
        "customer_address": _text(_l("Address")),
        "gas_account": _text(_l("Gas account number")),
    }


def _first_value(values):
    if isinstance(values, list | tuple):
        return values[0] if values else None
    return values


def _as_day(value) -> date | None:
    try:
        return date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        return None


def window(filters) -> tuple[int | None, date | None, date | None]:
    """What an export's file name tells of the filters: the unit filtered on (equal to) and
    the received-at window (on or after, on or before)."""
    unit = first = last = None
    for flt, values in filters.get_filters_values():
        value = _first_value(values)
        if flt.column_name == "branch" and isinstance(flt, RelatedIs):
            unit = whole_number(value)
        elif flt.column_name == "received_at":
            day = _as_day(value)
            if isinstance(flt, OnOrAfter) and day is not None:
                first = day if first is None else max(first, day)
            elif isinstance(flt, OnOrBefore) and day is not None:
                last = day if last is None else min(last, day)
    return unit, first, last


def _shown_value(column: str, value) -> str:
    """A filter's value as the filter panel shows it (labels and names, not codes); a unit
    outside the reader's scope is not named."""
    text = str(value or "")
    if column == "status":
        return str(STATUS_LABELS.get(text, text))
    if column in FLAGS or column == OVERDUE:
        return {YES: str(_l("Yes")), NO: str(_l("No"))}.get(text, text)
    choices = {
        "channel_category_code": _channel_categories,
        "channel": _channels,
        "kind": _ordered(CaseKind),
        "business_category": _ordered(BusinessCategory),
        "branch": _units,
    }.get(column)
    if choices is None:
        return text
    names = {choice.value: choice.label for choice in choices()}
    return str(names.get(text, text)).strip("\u3000")


def describe(filters, labels) -> str:
    """The filters in words, for the export's notes: 状态 等于 处理中；承办单位 等于 汉口分公司."""
    parts = []
    for flt, values in filters.get_filters_values():
        value = _shown_value(flt.column_name, _first_value(values))
        parts.append(f"{labels.get(flt.column_name, flt.column_name)} {flt.name} {value}")
    return "；".join(parts)
