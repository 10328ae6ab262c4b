"""Deadlines on the official 2026 calendar (design §6), Art.19 and Art.30."""

from datetime import date, datetime

import pytest

from app.domain.calendar import WorkCalendar, official_exceptions
from app.domain.deadlines import (
    Clock,
    LimitUnit,
    deadline_for,
    extension_request_in_time,
    is_overdue,
    latest_extension_request,
)


@pytest.fixture(scope="module")
def calendar():
    years, exceptions = official_exceptions()
    return WorkCalendar(years, {day: work for day, (work, _) in exceptions.items()})


W, N, H, M = (LimitUnit.WORKING_DAYS, LimitUnit.NATURAL_DAYS, LimitUnit.HOURS, LimitUnit.MINUTES)


@pytest.mark.parametrize(
    ("received", "amount", "unit", "due", "provisional"),
    [
        # design §6: Spring Festival, 02-14 (Saturday) is a make-up workday
        ("2026-02-13 10:00", 5, W, "2026-02-27 23:59:59", False),
        # design §6: National Day, 10-10 (Saturday) is a make-up workday
        ("2026-09-29 10:00", 10, W, "2026-10-19 23:59:59", False),
        # design §6: Labour Day 05-01 to 05-05
        ("2026-04-30 16:00", 1, W, "2026-05-06 23:59:59", False),
        ("2026-02-14 09:00", 1, W, "2026-02-24 23:59:59", False),  # received on a make-up day
        ("2026-10-09 18:00", 1, W, "2026-10-10 23:59:59", False),  # Friday -> make-up Saturday
        ("2026-11-27 10:00", 3, W, "2026-12-02 23:59:59", False),  # an ordinary weekend
        ("2026-12-28 10:00", 3, W, "2026-12-31 23:59:59", False),  # stays in 2026
        # December 2026 into 2027: 2027 is not in the calendar yet -> provisional,
        # 2027-01-01 a fixed statutory holiday, 01-02/03 a weekend
        ("2026-12-28 10:00", 5, W, "2027-01-05 23:59:59", True),
        ("2026-12-31 10:00", 1, W, "2027-01-04 23:59:59", True),
        ("2026-02-13 10:00", 5, N, "2026-02-18 23:59:59", False),  # natural days ignore holidays
        ("2026-02-13 10:00", 2, H, "2026-02-13 12:00:00", False),  # urgent: 2 hours, 24x7
        ("2026-02-13 23:30", 45, M, "2026-02-14 00:15:00", False),
    ],
)
def test_art19_deadline_table(calendar, received, amount, unit, due, provisional):
    result = deadline_for(datetime.fromisoformat(received), amount, unit, calendar)
    assert result.due == datetime.fromisoformat(due)
    assert result.provisional is provisional


def test_art19_hours_on_a_working_day_clock_stop_over_the_holiday(calendar):
    result = deadline_for(datetime(2026, 9, 30, 20, 0), 8, H, calendar, Clock.WORKING_DAYS)
    assert result.due == datetime(2026, 10, 8, 4, 0)  # 4 h on 09-30, then 4 h on 10-08


def test_a_limit_must_be_positive(calendar):
    with pytest.raises(ValueError):
        deadline_for(datetime(2026, 1, 5), 0, W, calendar)


def test_art30_extension_requested_by_the_day_before_the_deadline():
    """design §6: deadline 2026-10-19 23:59:59 accepts requests up to 2026-10-18 23:59:59."""
    due = datetime(2026, 10, 19, 23, 59, 59)
    assert latest_extension_request(due) == datetime(2026, 10, 18, 23, 59, 59)
    assert extension_request_in_time(due, datetime(2026, 10, 18, 23, 59, 59))
    assert not extension_request_in_time(due, datetime(2026, 10, 19, 0, 0, 0))


def test_art30_overdue_is_open_past_the_deadline_or_finished_after_it():
    due = datetime(2026, 10, 19, 23, 59, 59)
    assert not is_overdue(due, datetime(2026, 10, 19, 23, 59, 59))
    assert is_overdue(due, datetime(2026, 10, 20, 0, 0, 0))
    assert not is_overdue(due, datetime(2026, 10, 25), finished_at=datetime(2026, 10, 19, 9))
    assert is_overdue(due, datetime(2026, 10, 25), finished_at=datetime(2026, 10, 20, 9))
    assert not is_overdue(None, datetime(2026, 10, 25))


def test_the_official_calendar_covers_2004_to_2026_and_names_days_in_chinese():
    years, exceptions = official_exceptions()
    assert min(years) == 2004 and max(years) == 2026
    assert exceptions[date(2026, 2, 14)] == (True, "春节调休上班")
    assert exceptions[date(2026, 10, 1)] == (False, "国庆节")
