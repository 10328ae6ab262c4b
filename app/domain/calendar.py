"""Working days on the official Chinese calendar, make-up workdays (调休) included (Art.19).

The calendar is data: a set of covered years and, for them, the days that differ from the
plain rule "Monday to Friday work" (holidays on weekdays, make-up workdays on weekends). A year
not covered yet is computed provisionally — weekends plus the fixed-date statutory holidays —
and every deadline that touched such a day says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

# Holidays whose date is fixed in the solar calendar (the lunar ones cannot be guessed safely).
FIXED_STATUTORY_HOLIDAYS = {(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)}


@dataclass(frozen=True)
class WorkCalendar:
    covered_years: frozenset[int] = frozenset()
    exceptions: Mapping[date, bool] = field(default_factory=dict)  # day -> is a working day

    def is_covered(self, day: date) -> bool:
        return day.year in self.covered_years

    def is_workday(self, day: date) -> bool:
        if self.is_covered(day):
            if day in self.exceptions:
                return self.exceptions[day]
            return day.weekday() < 5
        return day.weekday() < 5 and (day.month, day.day) not in FIXED_STATUTORY_HOLIDAYS


HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def official_exceptions() -> tuple[frozenset[int], dict[date, tuple[bool, str]]]:
    """The days of the ``chinesecalendar`` package that differ from Monday–Friday, with names."""
    import chinese_calendar

    exceptions: dict[date, tuple[bool, str]] = {}
    for day, name in chinese_calendar.holidays.items():
        if day.weekday() < 5:
            exceptions[day] = (False, HOLIDAY_NAMES.get(str(name), str(name)))
    for day, name in chinese_calendar.workdays.items():
        if day.weekday() >= 5:
            label = HOLIDAY_NAMES.get(str(name), str(name))
            exceptions[day] = (True, f"{label}调休上班")
    years = frozenset(d.year for d in chinese_calendar.holidays)
    return years, exceptions
