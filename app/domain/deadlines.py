"""Deadline arithmetic (Art.19, Art.30; design §2 and §6). Pure functions of the receipt time,
the limit and the calendar.

Day limits: the receipt day is not counted; the deadline is 23:59:59 (Asia/Shanghai) of the Nth
working or natural day after it. Minute and hour limits run from the moment of receipt, on a
24×7 clock, or on a working-day clock that only runs on working days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from app.domain.calendar import WorkCalendar
from app.domain.lifecycle import CLOCK, CaseStatus, ClockState

END_OF_DAY = time(23, 59, 59)


class LimitUnit(StrEnum):
    MINUTES = "minutes"
    HOURS = "hours"
    NATURAL_DAYS = "natural_days"
    WORKING_DAYS = "working_days"


class Clock(StrEnum):
    ALWAYS = "24x7"
    WORKING_DAYS = "working_days"


@dataclass(frozen=True)
class Deadline:
    due: datetime
    provisional: bool  # some day counted lies in a year the calendar does not cover yet


def _next_working_day(day: date, calendar: WorkCalendar) -> tuple[date, bool]:
    provisional = False
    day += timedelta(days=1)
    while True:
        provisional |= not calendar.is_covered(day)
        if calendar.is_workday(day):
            return day, provisional
        day += timedelta(days=1)


def deadline_for(
    received: datetime,
    amount: int,
    unit: LimitUnit,
    calendar: WorkCalendar,
    clock: Clock = Clock.ALWAYS,
) -> Deadline:
    if amount <= 0:
        raise ValueError("a time limit must be positive")
    if unit is LimitUnit.NATURAL_DAYS:
        day = received.date() + timedelta(days=amount)
        return Deadline(datetime.combine(day, END_OF_DAY), False)
    if unit is LimitUnit.WORKING_DAYS:
        day, provisional = received.date(), False
        for _ in range(amount):
            day, touched = _next_working_day(day, calendar)
            provisional |= touched
        return Deadline(datetime.combine(day, END_OF_DAY), provisional)
    delta = timedelta(minutes=amount) if unit is LimitUnit.MINUTES else timedelta(hours=amount)
    if clock is Clock.ALWAYS:
        return Deadline(received + delta, False)
    return _run_on_working_days(received, delta, calendar)


def _run_on_working_days(start: datetime, remaining: timedelta, calendar: WorkCalendar):
    """Let ``remaining`` elapse, the clock stopping on non-working days."""
    provisional = not calendar.is_covered(start.date())
    moment = start
    if not calendar.is_workday(moment.date()):
        day, touched = _next_working_day(moment.date(), calendar)
        provisional |= touched
        moment = datetime.combine(day, time.min)
    while True:
        end_of_day = datetime.combine(moment.date() + timedelta(days=1), time.min)
        if moment + remaining <= end_of_day:
            return Deadline(moment + remaining, provisional)
        remaining -= end_of_day - moment
        day, touched = _next_working_day(moment.date(), calendar)
        provisional |= touched
        moment = datetime.combine(day, time.min)


def latest_extension_request(due: datetime) -> datetime:
    """Art.30: ask at least one day before the deadline, i.e. by the end of the previous day."""
    return datetime.combine(due.date() - timedelta(days=1), END_OF_DAY)


def extension_request_in_time(due: datetime, now: datetime) -> bool:
    return now <= latest_extension_request(due)


def is_overdue(due: datetime | None, now: datetime, finished_at: datetime | None = None) -> bool:
    """Open past its (possibly extended) deadline, or finished after it (Art.30 超期)."""
    if due is None:
        return False
    return (finished_at or now) > due


# Overdue now (Art.30 超期): the one definition behind the red 已超期 badge (case list, work
# queues, case page), the 已超期 queue, the case list's overdue filter and the sweep's flags.
# Both time limits are binding (Art.19/30; design §2 "a limit to sign for and a limit to
# finish"), so a case is overdue while a limit it still has to meet lies in the past:
# - sign-for: until the unit signs. The limit runs from receipt (design §2), so a case still
#   waiting for dispatch passes it too: the unit can no longer sign in time.
# - finish: while the finish clock runs; it pauses at the unit's reply (Art.19), so a case
#   awaiting review, the government reply or the callback is not overdue.
# ``overdue_state`` is the Python predicate; app.services.case_search.overdue is its SQL twin,
# built from the same table.
SIGN_OPEN = frozenset({CaseStatus.PENDING_DISPATCH, CaseStatus.PENDING_SIGN})
FINISH_OPEN = frozenset(s for s, clock in CLOCK.items() if clock is ClockState.RUNNING)


class Overdue(StrEnum):
    FINISH = "finish"  # past the (possibly extended or negotiated) finish deadline
    SIGN = "sign"  # past the sign-for deadline, not signed for


@dataclass(frozen=True)
class BindingLimit:
    """A deadline that makes a case overdue once past, while the case is in ``statuses``."""

    kind: Overdue
    due_field: str  # the case attribute / column holding the deadline
    statuses: frozenset[CaseStatus]


# In order of precedence: a case past both deadlines is shown as past the finish deadline.
BINDING_LIMITS = (
    BindingLimit(Overdue.FINISH, "finish_due", FINISH_OPEN),
    BindingLimit(Overdue.SIGN, "sign_due", SIGN_OPEN),
)
OVERDUE_STATUSES = FINISH_OPEN | SIGN_OPEN


def overdue_state(case, now: datetime) -> Overdue | None:
    """Which binding deadline ``case`` (anything with ``status``, ``sign_due`` and
    ``finish_due``) is past at ``now``, or None when it is not overdue."""
    status = CaseStatus(case.status)
    for limit in BINDING_LIMITS:
        if status in limit.statuses and is_overdue(getattr(case, limit.due_field), now):
            return limit.kind
    return None
