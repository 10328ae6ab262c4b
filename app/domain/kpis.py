"""The figures leaders read (design §4; Art.10/11/39), one definition each, counted as the
government hotlines count them: a rate's denominator is the cases whose deadline fell in the
period (and has passed), not the cases received in it.

Each figure is a ``Figure`` of conditions on a case's facts (app.domain.case_facts): the tests
evaluate them on hand-made cases, app.services.kpi_queries compiles them into one GROUP BY.
A rate with nothing to count has no value and shows as — (never a division by zero).
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from app.domain.case_facts import Col, Cond, OneOf, Param, Present, ge, le, lt, positive
from app.domain.complaints import COUNTING_STATUSES, Determination, Grade
from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.domain.lifecycle import CallbackResult, CaseStatus

NO_VALUE = "—"

# -- The period -------------------------------------------------------------------------------


class PeriodError(DomainError):
    pass


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Period:
    """[start, end): whole days, from the first day's midnight to the midnight after the last."""

    kind: PeriodKind
    start: datetime
    end: datetime

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()

    def params(self, as_of: datetime) -> dict[str, Any]:
        """The values the figures' conditions read. ``until``: deadlines count once passed, so
        a period still running counts the deadlines up to ``as_of``."""
        return {"start": self.start, "end": self.end, "until": min(self.end, as_of)}


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min)


def month(year: int, number: int) -> Period:
    if not 1 <= number <= 12:
        raise PeriodError(_l("Please choose a month from 1 to 12."))
    last = monthrange(year, number)[1]
    return _days(PeriodKind.MONTH, date(year, number, 1), date(year, number, last))


def quarter(year: int, number: int) -> Period:
    if not 1 <= number <= 4:
        raise PeriodError(_l("Please choose a quarter from 1 to 4."))
    first_month = 3 * (number - 1) + 1
    last = monthrange(year, first_month + 2)[1]
    return _days(PeriodKind.QUARTER, date(year, first_month, 1), date(year, first_month + 2, last))


def year(number: int) -> Period:
    return _days(PeriodKind.YEAR, date(number, 1, 1), date(number, 12, 31))


MAX_CUSTOM_DAYS = 366 * 10


def custom(first_day: date, last_day: date) -> Period:
    """A range of whole days, both included."""
    if last_day < first_day:
        raise PeriodError(_l("The period ends before it starts."))
    if (last_day - first_day).days >= MAX_CUSTOM_DAYS:
        raise PeriodError(_l("Please choose a period of at most ten years."))
    return _days(PeriodKind.CUSTOM, first_day, last_day)


def _days(kind: PeriodKind, first_day: date, last_day: date) -> Period:
    return Period(kind, _midnight(first_day), _midnight(last_day + timedelta(days=1)))


# -- The facts the figures read ---------------------------------------------------------------

status = Col("status")
received_at = Col("received_at")
dispatched_at = Col("dispatched_at")
sign_due, signed_at = Col("sign_due"), Col("signed_at")
finish_due, replied_at = Col("finish_due"), Col("replied_at")
closed_at = Col("closed_at")
callback_result = Col("callback_result")
rehandle_count, return_count = Col("rehandle_count"), Col("return_count")
extension_count = Col("extension_count")
primary_case = Col("primary_case_id")  # the 主单 of a 关联单 (app.domain.repeats)

FINISHED = frozenset({CaseStatus.CLOSED, CaseStatus.CLOSED_DISSATISFIED})
RATED = frozenset(
    {CallbackResult.SATISFIED, CallbackResult.BASICALLY_SATISFIED, CallbackResult.DISSATISFIED}
)
CONTENT = frozenset({CallbackResult.SATISFIED, CallbackResult.BASICALLY_SATISFIED})

# A voided case was registered in error: no figure counts it.
NOT_VOIDED = ~OneOf(status, frozenset({CaseStatus.VOIDED}))
# 重复诉求 (issue 11): a 关联单 is its 主单's request again, so a 主单 and its 关联单 count once —
# as the 主单 — in every figure but 重复诉求数, which counts the 关联单.
IS_REPEAT = Present(primary_case)
LIVE = NOT_VOIDED & ~IS_REPEAT


def _fell_due(column: Col) -> Cond:
    """The deadline fell in the period and has passed."""
    return LIVE & ge(column, Param("start")) & lt(column, Param("until"))


RECEIVED = LIVE & ge(received_at, Param("start")) & lt(received_at, Param("end"))
# 重复诉求数: the cases received in the period and linked as 关联单.
REPEATS_RECEIVED = (
    NOT_VOIDED & IS_REPEAT & ge(received_at, Param("start")) & lt(received_at, Param("end"))
)
# A sign-for limit binds a unit only if the unit got the case before it (the rule of Art.30 in
# app.domain.violations.detect_art30_overdue): a case resolved on the spot or still awaiting
# CSD's dispatch owes no unit a sign-for, nor does one dispatched late (a re-dispatch after a
# 不满意 callback keeps the registration's limit).
UNIT_HELD_BEFORE_SIGN_DUE = Present(dispatched_at) & le(dispatched_at, sign_due)
SIGN_DUE = _fell_due(sign_due) & UNIT_HELD_BEFORE_SIGN_DUE
SIGNED_IN_TIME = Present(signed_at) & le(signed_at, sign_due)
FINISH_DUE = _fell_due(finish_due)
# The unit's reply is what the finish deadline binds (the clock stops there, Art.19).
FINISHED_IN_TIME = Present(replied_at) & le(replied_at, finish_due)
CLOSED_IN_PERIOD = (
    LIVE & OneOf(status, FINISHED) & ge(closed_at, Param("start")) & lt(closed_at, Param("until"))
)
CALLED_BACK = OneOf(callback_result, RATED)
DISPATCHED = LIVE & ge(dispatched_at, Param("start")) & lt(dispatched_at, Param("until"))


@dataclass(frozen=True)
class ValidComplaint(Cond):
    """Art.8/9: the case's complaint was determined valid at ``grade`` and approved in the
    period (one determination per case: app.models.ComplaintDetermination). An approved
    determination keeps counting through an objection; a change counts once approved. The
    fact ``complaint`` is None or a mapping of the determination's status, determination,
    grade and approved_at."""

    grade: Grade

    def truth(self, facts, params):
        complaint = facts.get("complaint")
        if complaint is None or complaint.get("approved_at") is None:
            return False
        return (
            complaint["status"] in COUNTING_STATUSES
            and complaint["determination"] == Determination.VALID
            and complaint["grade"] == self.grade
            and params["start"] <= complaint["approved_at"] < params["end"]
        )


class Source(StrEnum):
    """Which cases a figure may count, so its SQL reads only those: the cases with one of
    their own dates in the period, or those whose complaint was approved in it (possibly
    months after the case closed)."""

    CASE_DATES = "case_dates"
    COMPLAINTS = "complaints"


class FigureKind(StrEnum):
    RATE = "rate"
    COUNT = "count"


@dataclass(frozen=True)
class Figure:
    """``rate``: numerator ÷ denominator, the numerator counted among the denominator's cases;
    ``count``: the cases meeting ``denominator`` (the numerator is unused)."""

    code: str
    label: object  # lazy Chinese string
    kind: FigureKind
    denominator: Cond
    numerator: Cond | None = None
    higher_is_better: bool = True
    source: Source = Source.CASE_DATES

    def counted(self, facts: Mapping[str, Any], params: Mapping[str, Any]) -> tuple[bool, bool]:
        """(in the denominator, in the numerator) for one case."""
        base = self.denominator.holds(facts, params)
        if self.numerator is None:
            return base, base
        return base, base and self.numerator.holds(facts, params)


def _rate(code, label, denominator, numerator, higher_is_better=True) -> Figure:
    return Figure(code, label, FigureKind.RATE, denominator, numerator, higher_is_better)


FIGURES: tuple[Figure, ...] = (
    Figure("intake", _l("Cases received"), FigureKind.COUNT, RECEIVED),
    _rate("timely_sign", _l("Timely sign-for rate"), SIGN_DUE, SIGNED_IN_TIME),
    _rate("on_time_finish", _l("On-time finish rate"), FINISH_DUE, FINISHED_IN_TIME),
    _rate("callback", _l("Callback rate"), CLOSED_IN_PERIOD, CALLED_BACK),
    _rate(
        "satisfaction",
        _l("Satisfaction rate"),
        CLOSED_IN_PERIOD & CALLED_BACK,
        OneOf(callback_result, CONTENT),
    ),
    _rate(
        "rehandle",
        _l("Re-handling rate"),
        CLOSED_IN_PERIOD,
        positive(rehandle_count),
        higher_is_better=False,
    ),
    _rate("return", _l("Return rate"), DISPATCHED, positive(return_count), higher_is_better=False),
    _rate(
        "extension",
        _l("Extension rate"),
        FINISH_DUE,
        positive(extension_count),
        higher_is_better=False,
    ),
    Figure(
        "overdue",
        _l("Overdue cases"),
        FigureKind.COUNT,
        FINISH_DUE & ~FINISHED_IN_TIME,
        higher_is_better=False,
    ),
    Figure(
        "repeats",
        _l("Repeat requests"),
        FigureKind.COUNT,
        REPEATS_RECEIVED,
        higher_is_better=False,
    ),
    # 有效投诉 (Art.8/9), by the case's unit and the month the determination was approved: the
    # annual assessment charges the responsible unit the determination names (usually the same).
    Figure(
        "valid_general",
        _l("Valid complaints (general)"),
        FigureKind.COUNT,
        ValidComplaint(Grade.GENERAL),
        higher_is_better=False,
        source=Source.COMPLAINTS,
    ),
    Figure(
        "valid_major",
        _l("Valid complaints (major)"),
        FigureKind.COUNT,
        ValidComplaint(Grade.MAJOR),
        higher_is_better=False,
        source=Source.COMPLAINTS,
    ),
)
FIGURES_BY_CODE = {figure.code: figure for figure in FIGURES}


# -- Values -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    numerator: int
    denominator: int


def rate(tally: Tally) -> Decimal | None:
    """The percentage to one decimal (half up), None when there is nothing to count."""
    if tally.denominator == 0:
        return None
    exact = Decimal(tally.numerator * 100) / Decimal(tally.denominator)
    return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def shown(figure: Figure, tally: Tally) -> str:
    if figure.kind is FigureKind.COUNT:
        return str(tally.denominator)
    value = rate(tally)
    return NO_VALUE if value is None else f"{value}%"


def tally(figure: Figure, cases: Iterable[Mapping[str, Any]], params: Mapping[str, Any]) -> Tally:
    """The figure over plain cases (the tests' hand-made ones; the SQL twin is
    app.services.kpi_queries)."""
    numerator = denominator = 0
    for facts in cases:
        base, counted = figure.counted(facts, params)
        denominator += base
        numerator += counted
    return Tally(numerator, denominator)
