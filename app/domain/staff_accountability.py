"""Staff accountability (问责, Art.23/42): a person's breach of Art.27, 28 or 29 needs a handling
opinion (处理意见) about the person, recorded by their unit by a due date, and is tracked until it
is entered. The staff rating of Art.42 is app.domain.complaints.suggested_staff_rating.

Pure: ``now``, the calendar and the unit paths are parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from app.domain.calendar import WorkCalendar
from app.domain.complaints import RatingPeriod, period_bounds
from app.domain.deadlines import Deadline, LimitUnit, deadline_for
from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.domain.violations import CAUSE_LABELS, ENTRY_STATUS_LABELS, BreachCause, EntryStatus


class StaffAccountabilityError(DomainError):
    pass


class PersonalArticle(StrEnum):
    """Art.42: the articles whose breach by a person needs the unit's handling opinion."""

    ART27 = "art27"  # 拒收、推诿诉求
    ART28 = "art28"  # 对不熟悉的业务发表意见或作出承诺
    ART29 = "art29"  # 涉及媒体未即时报告


ARTICLE_LABELS = {
    PersonalArticle.ART27: _l("Art.27: case refused or passed on"),
    PersonalArticle.ART28: _l("Art.28: opinion or promise on unfamiliar business"),
    PersonalArticle.ART29: _l("Art.29: media involvement not reported at once"),
}


def article_needing_opinion(value: str | int | None) -> PersonalArticle:
    """Art.42: only a breach of Art.27, 28 or 29 by a person asks for a handling opinion; the
    article may come as ``art27`` or as the number 27."""
    text = str(value or "").strip().lower()
    if text.isdigit():
        text = f"art{text}"
    try:
        return PersonalArticle(text)
    except ValueError as exc:
        raise StaffAccountabilityError(
            _l("A handling opinion about a person is required for a breach of Art.27, 28 or 29.")
        ) from exc


# Art.41: the register's cause of each article a person may breach; Art.28 and 29 have none (a
# unit loses no points for them), so no register entry is the unit's side of such a breach.
REGISTER_CAUSES = {PersonalArticle.ART27: BreachCause.ART27}


def check_linked_violation(article: PersonalArticle, cause: str, status: str) -> None:
    """Art.42 (with Art.41's register): the entry a person's breach points to is the unit's
    entry for that same breach — its cause the chosen article, confirmed by CSD. A complaint,
    another article's entry, or one still proposed or waived is refused."""
    entry_cause = BreachCause(cause)
    if REGISTER_CAUSES.get(article) is not entry_cause:
        raise StaffAccountabilityError(
            _l("The violation entry is for “%(cause)s”, not for “%(article)s”."),
            cause=CAUSE_LABELS[entry_cause],
            article=ARTICLE_LABELS[article],
        )
    entry_status = EntryStatus(status)
    if entry_status is not EntryStatus.CONFIRMED:
        raise StaffAccountabilityError(
            _l("Only a confirmed violation entry can be linked; this one is “%(status)s”."),
            status=ENTRY_STATUS_LABELS[entry_status],
        )


class BreachStatus(StrEnum):
    OPEN = "open"  # 待录入处理意见
    ENTERED = "entered"  # 已录入处理意见


BREACH_STATUS_LABELS = {
    BreachStatus.OPEN: _l("Awaiting the handling opinion"),
    BreachStatus.ENTERED: _l("Handling opinion entered"),
}


class BreachAction(StrEnum):
    """What happened to a personal breach: one immutable history event each; values stored."""

    RECORDED = "recorded"  # CSD recorded the breach
    OPINION = "opinion"  # the unit entered its handling opinion


BREACH_ACTION_LABELS = {
    BreachAction.RECORDED: _l("Recorded by the customer-service department"),
    BreachAction.OPINION: _l("Handling opinion entered by the unit"),
}

# The regulation sets no time for the handling opinion: the unit gets the 5 working days Art.39
# gives a branch to answer CSD, counted from the day after the breach is recorded.
OPINION_WORKING_DAYS = 5


def opinion_deadline(
    recorded_at: datetime, calendar: WorkCalendar, working_days: int = OPINION_WORKING_DAYS
) -> Deadline:
    """Art.42 (Art.39's 5 working days): 23:59:59 of the ``working_days``-th working day after
    the day the breach was recorded, provisional outside the calendar's years."""
    return deadline_for(recorded_at, working_days, LimitUnit.WORKING_DAYS, calendar)


def is_opinion_overdue(status: BreachStatus | str, due: datetime, now: datetime) -> bool:
    """Art.42: overdue while the opinion is not entered and its due date has passed."""
    return BreachStatus(status) is BreachStatus.OPEN and now > due


class OpinionTimeliness(StrEnum):
    """Art.42 beside the rating: whether the unit's handling opinion was entered in time."""

    IN_TIME = "in_time"  # 按时录入
    LATE = "late"  # 逾期录入
    PENDING = "pending"  # 待录入（未到期）
    MISSING = "missing"  # 逾期未录入


OPINION_TIMELINESS_LABELS = {
    OpinionTimeliness.IN_TIME: _l("Opinion entered in time"),
    OpinionTimeliness.LATE: _l("Opinion entered late"),
    OpinionTimeliness.PENDING: _l("Opinion awaited, not yet due"),
    OpinionTimeliness.MISSING: _l("Opinion overdue, not entered"),
}


def opinion_timeliness(
    status: BreachStatus | str, due: datetime, entered_at: datetime | None, now: datetime
) -> OpinionTimeliness:
    """Art.42: an opinion entered by its due moment (23:59:59 of the day, included) is in time,
    after it late; one not entered is awaited until then and missing after."""
    if BreachStatus(status) is BreachStatus.ENTERED and entered_at is not None:
        return OpinionTimeliness.IN_TIME if entered_at <= due else OpinionTimeliness.LATE
    return OpinionTimeliness.MISSING if now > due else OpinionTimeliness.PENDING


def employee_in_unit(employee_unit_path: str | None, unit_path: str) -> bool:
    """Art.23: the unit assesses its own people, those of its sub-units included (``path`` is
    the materialised ancestry ``/1/4/``)."""
    if not employee_unit_path or not unit_path:
        return False
    return employee_unit_path.startswith(unit_path)


def check_description(text: str | None) -> str:
    described = (text or "").strip()
    if not described:
        raise StaffAccountabilityError(_l("Please describe what the employee did."))
    return described


def check_occurred_on(day: date | None, today: date) -> date:
    if day is None:
        raise StaffAccountabilityError(_l("Please give the day of the breach."))
    if day > today:
        raise StaffAccountabilityError(_l("The day of the breach cannot be in the future."))
    return day


def enter_opinion(status: BreachStatus | str, opinion: str | None) -> tuple[BreachStatus, str]:
    """Art.42/23: the unit records its handling opinion once, and it has to say something."""
    if BreachStatus(status) is not BreachStatus.OPEN:
        raise StaffAccountabilityError(
            _l("The handling opinion on this breach has already been entered.")
        )
    text = (opinion or "").strip()
    if not text:
        raise StaffAccountabilityError(_l("Please write the unit's handling opinion."))
    return BreachStatus.ENTERED, text


# -- The rating period of Art.42 (month or quarter) ------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: RatingPeriod
    year: int
    number: int  # the month (1–12) or the quarter (1–4)
    start: date
    end: date  # exclusive

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def rating_period(kind: str | None, year: int | None, number: int | None) -> Period:
    """Art.42 rates staff "in the monthly or quarterly review": the month or quarter chosen,
    as the bounds of app.domain.complaints.period_bounds."""
    try:
        period = RatingPeriod(kind or "")
    except ValueError as exc:
        raise StaffAccountabilityError(_l("Please choose a month or a quarter.")) from exc
    most = 12 if period is RatingPeriod.MONTH else 4
    if year is None or not 2000 <= year <= 2999 or number is None or not 1 <= number <= most:
        raise StaffAccountabilityError(_l("Please choose a month or a quarter."))
    month = number if period is RatingPeriod.MONTH else (number - 1) * 3 + 1
    start, end = period_bounds(date(year, month, 1), period)
    return Period(period, year, number, start, end)


def period_holding(day: date, kind: RatingPeriod) -> Period:
    """The month or quarter holding ``day`` (the page's default: the current one)."""
    number = day.month if kind is RatingPeriod.MONTH else (day.month - 1) // 3 + 1
    return rating_period(kind.value, day.year, number)
