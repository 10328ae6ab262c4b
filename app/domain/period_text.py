"""A KPI period (app.domain.kpis) as it is written in a URL and read in a file name:
``2026-11`` a month, ``2026-Q4`` a quarter, ``2026`` a year, ``2026-11-01~2026-11-28`` a range
of whole days (both included). Anything else is a PeriodError with a Chinese message."""

from __future__ import annotations

import re
from datetime import date, datetime

from app.domain import kpis
from app.domain.i18n import _l
from app.domain.kpis import Period, PeriodError, PeriodKind

FIRST_YEAR, LAST_YEAR = 2000, 2099

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:~|\.\.|至)\s*(\d{4}-\d{2}-\d{2})$")


def _year(text: str) -> int:
    number = int(text)
    if not FIRST_YEAR <= number <= LAST_YEAR:
        raise PeriodError(_l("Please choose a year from 2000 to 2099."))
    return number


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise PeriodError(_l("The period is not a valid date range.")) from None
    _year(str(day.year))
    return day


def parse(text: str | None, today: date | datetime) -> Period:
    """The period ``text`` names; the month of ``today`` when it is empty."""
    text = (text or "").strip()
    if not text:
        return kpis.month(today.year, today.month)
    if match := _MONTH.match(text):
        return kpis.month(_year(match.group(1)), int(match.group(2)))
    if match := _QUARTER.match(text):
        return kpis.quarter(_year(match.group(1)), int(match.group(2)))
    if match := _YEAR.match(text):
        return kpis.year(_year(match.group(1)))
    if match := _RANGE.match(text):
        return kpis.custom(_day(match.group(1)), _day(match.group(2)))
    raise PeriodError(
        _l("The period is not valid: write 2026-11, 2026-Q4, 2026 or 2026-11-01~2026-11-28.")
    )


def text(period: Period) -> str:
    """The URL form of ``period`` (``parse`` reads it back)."""
    first = period.first_day
    if period.kind is PeriodKind.MONTH:
        return f"{first.year}-{first.month:02d}"
    if period.kind is PeriodKind.QUARTER:
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    if period.kind is PeriodKind.YEAR:
        return str(first.year)
    return f"{first.isoformat()}~{period.last_day.isoformat()}"


def label(period: Period) -> str:
    """The period in Chinese, for titles and file names: 2026年11月, 2026年第4季度…"""
    first = period.first_day
    if period.kind is PeriodKind.MONTH:
        return str(_l("%(year)d-%(month)02d")) % {"year": first.year, "month": first.month}
    if period.kind is PeriodKind.QUARTER:
        quarter = (first.month - 1) // 3 + 1
        return str(_l("Q%(quarter)d %(year)d")) % {"year": first.year, "quarter": quarter}
    if period.kind is PeriodKind.YEAR:
        return str(_l("Year %(year)d")) % {"year": first.year}
    return str(_l("%(first)s to %(last)s")) % {"first": first, "last": period.last_day}
