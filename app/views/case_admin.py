"""What the administrator and CSD maintain around cases: the working-day calendar (holidays and
make-up workdays) and the time-limit rules (bulletins, Art.37/38: app/views/bulletins.py)."""

from __future__ import annotations

from flask import g
from flask_appbuilder.fieldwidgets import Select2Widget
from sqlalchemy import select
from wtforms import SelectField

from app.domain.deadlines import Clock, LimitUnit
from app.domain.i18n import _l
from app.extensions import db
from app.models import BusinessCategory, CalendarDay, CalendarYear, TimeLimitRule
from app.views.base import SuqiuModelView
from app.views.datamodel import ScopedInterface
from app.views.formatting import choices, label_from, timestamp, yes_no

UNITS = {
    LimitUnit.MINUTES.value: _l("minutes"),
    LimitUnit.HOURS.value: _l("hours"),
    LimitUnit.NATURAL_DAYS.value: _l("natural days"),
    LimitUnit.WORKING_DAYS.value: _l("working days"),
}
CLOCKS = {Clock.ALWAYS.value: _l("24×7"), Clock.WORKING_DAYS.value: _l("working days only")}
CALENDAR_SOURCES = {"official": _l("official calendar"), "admin": _l("administrator")}
URGENCY = {"": _l("any"), "1": _l("urgent"), "0": _l("not urgent")}


def _business_names() -> dict[str, str]:
    """Code → Chinese name of every business category, read once per request."""
    if "suqiu_business_names" not in g:
        rows = db.session.execute(
            select(BusinessCategory.code, BusinessCategory.name).order_by(
                BusinessCategory.sort_order, BusinessCategory.id
            )
        )
        g.suqiu_business_names = {code: name for code, name in rows}
    return g.suqiu_business_names


# Select2 shows an option whose value is '' as its placeholder ("please choose"), not as "any".
ANY = "any"


def _business_choices():
    return [(ANY, _l("any")), *_business_names().items()]


def _business_name(code) -> str:
    return _business_names().get(code, code or "") if code else str(_l("any"))


def _select(label, options, coerce=str, description="", default=None) -> SelectField:
    """A choice list styled like FAB's own related-record selects."""
    return SelectField(
        label,
        choices=options,
        coerce=coerce,
        description=description,
        default=default,
        widget=Select2Widget(),
    )


def _blank_is_any(value):
    # "Any" is stored as NULL, never as '' (which once matched nothing).
    return None if value in (ANY, "", None, "None") else value


def _urgency(value):
    return None if value in (ANY, "", None, "None") else value in ("1", True, "True")


class CalendarDayView(SuqiuModelView):
    datamodel = ScopedInterface(CalendarDay)
    class_permission_name = "WorkCalendar"
    list_title = _l("Holidays and make-up workdays")
    show_title = _l("Calendar day")
    add_title = _l("Add a calendar day")
    edit_title = _l("Edit calendar day")
    label_columns = {
        "day": _l("Date"),
        "is_workday": _l("Working day"),
        "name": _l("Name"),
        "source": _l("Source"),
    }
    description_columns = {"is_workday": _l("Ticked: a make-up workday; not ticked: a holiday.")}
    list_columns = ["day", "is_workday", "name", "source"]
    add_columns = ["day", "is_workday", "name"]
    edit_columns = add_columns
    search_columns = ["day", "name"]
    base_order = ("day", "desc")
    formatters_columns = {
        "is_workday": yes_no,
        "source": label_from(CALENDAR_SOURCES),
    }


class CalendarYearView(SuqiuModelView):
    datamodel = ScopedInterface(CalendarYear)
    class_permission_name = "WorkCalendar"
    list_title = _l("Loaded calendar years")
    show_title = _l("Calendar year")
    add_title = _l("Mark a year as loaded")
    edit_title = _l("Edit calendar year")
    label_columns = {"year": _l("Year"), "source": _l("Source"), "loaded_at": _l("Loaded at")}
    description_columns = {
        "year": _l(
            "Add the year after entering all its holidays and make-up workdays: the open "
            "cases whose deadlines were provisional in that year are recomputed."
        )
    }
    list_columns = ["year", "source", "loaded_at"]
    add_columns = ["year"]
    edit_columns = ["year"]
    base_order = ("year", "desc")
    formatters_columns = {
        "loaded_at": timestamp,
        "source": label_from(CALENDAR_SOURCES),
    }


class TimeLimitRuleView(SuqiuModelView):
    datamodel = ScopedInterface(TimeLimitRule)
    class_permission_name = "TimeLimitRule"
    list_title = _l("Time-limit rules")
    show_title = _l("Time-limit rule")
    add_title = _l("Add a time-limit rule")
    edit_title = _l("Edit time-limit rule")
    label_columns = {
        "channel_category": _l("Channel category"),
        "kind": _l("Case kind"),
        "urgent": _l("Urgency"),
        "business_category_code": _l("Business category"),
        "sign_amount": _l("Sign-for limit"),
        "sign_unit": _l("Unit"),
        "sign_clock": _l("Clock"),
        "finish_amount": _l("Finish limit"),
        "finish_unit": _l("Unit"),
        "finish_clock": _l("Clock"),
        "note": _l("Note"),
        "active": _l("Active"),
    }
    description_columns = {
        "channel_category": _l(
            "Empty selectors match every case; the most specific active rule applies."
        )
    }
    list_columns = [
        "channel_category",
        "kind",
        "urgent",
        "business_category_code",
        "sign_amount",
        "sign_unit",
        "finish_amount",
        "finish_unit",
        "note",
        "active",
    ]
    add_columns = [
        "channel_category",
        "kind",
        "urgent",
        "business_category_code",
        "sign_amount",
        "sign_unit",
        "sign_clock",
        "finish_amount",
        "finish_unit",
        "finish_clock",
        "note",
        "active",
    ]
    edit_columns = add_columns
    show_columns = add_columns
    formatters_columns = {
        "sign_unit": label_from(UNITS),
        "finish_unit": label_from(UNITS),
        "sign_clock": label_from(CLOCKS),
        "finish_clock": label_from(CLOCKS),
        "urgent": lambda v: str(URGENCY["" if v is None else str(int(v))]),
        "business_category_code": _business_name,
        "channel_category": lambda v: str(v) if v is not None else str(_l("any")),
        "kind": lambda v: str(v) if v is not None else str(_l("any")),
        "active": yes_no,
    }
    add_form_extra_fields = {
        "sign_unit": _select(_l("Unit"), choices(UNITS), default=LimitUnit.WORKING_DAYS.value),
        "finish_unit": _select(_l("Unit"), choices(UNITS), default=LimitUnit.WORKING_DAYS.value),
        "sign_clock": _select(_l("Clock"), choices(CLOCKS)),
        "finish_clock": _select(_l("Clock"), choices(CLOCKS)),
        "urgent": _select(
            _l("Urgency"),
            [(ANY, _l("any")), ("1", _l("urgent")), ("0", _l("not urgent"))],
            coerce=_urgency,
            description=_l(
                "An urgent case gets, for each limit, the earlier deadline of the urgent rule "
                "and of the rule for the same case when not urgent."
            ),
        ),
        "business_category_code": _select(
            _l("Business category"), _business_choices, coerce=_blank_is_any
        ),
    }
    edit_form_extra_fields = add_form_extra_fields

    def _init_forms(self):
        super()._init_forms()
        for form in (self.add_form, self.edit_form):
            for name in ("channel_category", "kind"):
                getattr(form, name).kwargs["blank_text"] = _l("any")


def register(appbuilder) -> None:
    appbuilder.add_view(
        TimeLimitRuleView,
        "TimeLimitRules",
        icon="fa-clock-o",
        label=_l("Time-limit rules"),
        category="MasterData",
    )
    appbuilder.add_view(
        CalendarDayView,
        "CalendarDays",
        icon="fa-calendar",
        label=_l("Holidays and make-up workdays"),
        category="MasterData",
    )
    appbuilder.add_view(
        CalendarYearView,
        "CalendarYears",
        icon="fa-calendar-check-o",
        label=_l("Loaded calendar years"),
        category="MasterData",
    )
