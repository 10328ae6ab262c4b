"""Staff accountability rules (Art.23/42), pure (messages are the English msgids here; the
service tests see them in Chinese): which breaches need a handling opinion, its due
date on the working-day calendar, when it is overdue, whose people a unit assesses, the opinion
entered once, and the month or quarter of the Art.42 review."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.domain.calendar import WorkCalendar, official_exceptions
from app.domain.complaints import RatingPeriod, period_bounds
from app.domain.staff_accountability import (
    ARTICLE_LABELS,
    BREACH_ACTION_LABELS,
    BREACH_STATUS_LABELS,
    OPINION_WORKING_DAYS,
    BreachAction,
    BreachStatus,
    PersonalArticle,
    StaffAccountabilityError,
    article_needing_opinion,
    check_description,
    check_linked_violation,
    check_occurred_on,
    employee_in_unit,
    enter_opinion,
    is_opinion_overdue,
    opinion_deadline,
    period_holding,
    rating_period,
)


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    years, exceptions = official_exceptions()
    return WorkCalendar(years, {day: work for day, (work, _) in exceptions.items()})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("art27", PersonalArticle.ART27),
        ("art28", PersonalArticle.ART28),
        ("ART29", PersonalArticle.ART29),
        ("27", PersonalArticle.ART27),
        (29, PersonalArticle.ART29),
    ],
)
def test_art42_breaches_of_art27_28_29_need_a_handling_opinion(given, expected):
    assert article_needing_opinion(given) is expected


@pytest.mark.parametrize("given", ["art30", "30", "art2", "art270", "", None, "第二十七条"])
def test_art42_no_other_article_asks_for_a_handling_opinion(given):
    with pytest.raises(StaffAccountabilityError, match="Art.27, 28 or 29"):
        article_needing_opinion(given)


def test_art42_every_article_status_and_action_has_a_label():
    assert set(ARTICLE_LABELS) == set(PersonalArticle)
    assert set(BREACH_STATUS_LABELS) == set(BreachStatus)
    assert set(BREACH_ACTION_LABELS) == set(BreachAction)


@pytest.mark.parametrize(
    ("recorded", "due"),
    [
        # Art.39's 5 working days: National Day (10-01 to 10-07), 10-10 a make-up Saturday.
        (datetime(2026, 9, 29, 10, 0), datetime(2026, 10, 12, 23, 59, 59)),
        # Spring Festival (02-15 to 02-23), 02-14 a make-up Saturday (design §6).
        (datetime(2026, 2, 13, 10, 0), datetime(2026, 2, 27, 23, 59, 59)),
        # An ordinary week: Monday → the next Monday.
        (datetime(2026, 11, 2, 16, 0), datetime(2026, 11, 9, 23, 59, 59)),
    ],
)
def test_art42_the_opinion_is_due_5_working_days_after_recording_like_art39(
    calendar, recorded, due
):
    assert OPINION_WORKING_DAYS == 5
    deadline = opinion_deadline(recorded, calendar)
    assert (deadline.due, deadline.provisional) == (due, False)


def test_art42_a_due_date_in_a_year_not_loaded_is_provisional(calendar):
    assert opinion_deadline(datetime(2031, 12, 29, 9, 0), WorkCalendar()).provisional
    assert opinion_deadline(datetime(2026, 11, 2), calendar, working_days=1).due == datetime(
        2026, 11, 3, 23, 59, 59
    )


def test_art42_overdue_only_while_the_opinion_is_awaited_and_past_its_due_date():
    due = datetime(2026, 10, 12, 23, 59, 59)
    assert not is_opinion_overdue(BreachStatus.OPEN, due, due)
    assert is_opinion_overdue("open", due, datetime(2026, 10, 13, 0, 0))
    assert not is_opinion_overdue(BreachStatus.ENTERED, due, datetime(2026, 12, 1))


@pytest.mark.parametrize(
    ("employee_path", "unit_path", "belongs"),
    [
        ("/1/4/", "/1/4/", True),  # the unit itself
        ("/1/4/9/", "/1/4/", True),  # a sub-unit (汉口北营业所 of 汉口)
        ("/1/5/", "/1/4/", False),  # a sibling unit
        ("/1/44/", "/1/4/", False),  # a unit whose id merely starts alike
        ("/1/", "/1/4/", False),  # the parent: not the unit's people
        (None, "/1/4/", False),  # someone of no unit (CSD, leaders)
    ],
)
def test_art23_a_unit_assesses_its_own_people_and_those_of_its_sub_units(
    employee_path, unit_path, belongs
):
    assert employee_in_unit(employee_path, unit_path) is belongs


def test_art42_the_handling_opinion_is_entered_once_and_says_something():
    assert enter_opinion(BreachStatus.OPEN, "  诫勉谈话，扣当月绩效。 ") == (
        BreachStatus.ENTERED,
        "诫勉谈话，扣当月绩效。",
    )
    with pytest.raises(StaffAccountabilityError, match="write the unit's handling opinion"):
        enter_opinion(BreachStatus.OPEN, " \n ")
    with pytest.raises(StaffAccountabilityError, match="already been entered"):
        enter_opinion("entered", "再录一次")


def test_art42_a_breach_says_what_happened_and_when_never_in_the_future():
    assert check_description(" 拒绝登记 ") == "拒绝登记"
    with pytest.raises(StaffAccountabilityError, match="describe what the employee did"):
        check_description("")
    today = date(2026, 11, 2)
    assert check_occurred_on(today, today) == today
    with pytest.raises(StaffAccountabilityError, match="give the day of the breach"):
        check_occurred_on(None, today)
    with pytest.raises(StaffAccountabilityError, match="cannot be in the future"):
        check_occurred_on(date(2026, 11, 3), today)


@pytest.mark.parametrize(
    ("article", "cause", "status", "message"),
    [
        ("art27", "art27", "confirmed", None),
        ("art29", "complaint_general", "confirmed", "General valid complaint"),
        ("art27", "complaint_major", "confirmed", "Major valid complaint"),
        ("art27", "art30", "proposed", "Art.30: case overdue"),
        ("art28", "art27", "confirmed", "Art.27: case refused"),
        ("art29", "art27", "confirmed", "Art.27: case refused"),
        ("art27", "art27", "proposed", "Only a confirmed violation entry"),
        ("art27", "art27", "waived", "Only a confirmed violation entry"),
    ],
)
def test_art42_a_breach_links_only_a_confirmed_register_entry_of_its_own_article(
    article, cause, status, message
):
    """Art.42 (with Art.41's register): the entry a person's breach points to is the unit's
    entry for the same breach — its cause the chosen article, confirmed by CSD; a complaint,
    another article or an entry still proposed or waived is refused. Art.28 and 29 are no cause
    of the register, so no entry fits them."""
    chosen = article_needing_opinion(article)
    if message is None:
        assert check_linked_violation(chosen, cause, status) is None
    else:
        with pytest.raises(StaffAccountabilityError, match=message):
            check_linked_violation(chosen, cause, status)


def test_art42_the_review_period_is_a_month_or_a_quarter_as_period_bounds_says():
    q4 = rating_period("quarter", 2026, 4)
    assert (q4.start, q4.end, q4.last_day) == (
        date(2026, 10, 1),
        date(2027, 1, 1),
        date(2026, 12, 31),
    )
    assert (q4.start, q4.end) == period_bounds(date(2026, 11, 15), RatingPeriod.QUARTER)
    february = rating_period("month", 2028, 2)
    assert (february.start, february.last_day) == (date(2028, 2, 1), date(2028, 2, 29))
    assert period_holding(date(2026, 8, 20), RatingPeriod.QUARTER).number == 3
    assert period_holding(date(2026, 8, 20), RatingPeriod.MONTH).start == date(2026, 8, 1)


@pytest.mark.parametrize(
    ("kind", "year", "number"),
    [
        ("quarter", 2026, 5),
        ("month", 2026, 13),
        ("month", 2026, 0),
        ("week", 2026, 1),
        ("month", None, 1),
        ("month", 2026, None),
        (None, 2026, 1),
        ("month", 99999, 1),
    ],
)
def test_art42_a_period_that_is_no_month_or_quarter_is_refused(kind, year, number):
    with pytest.raises(StaffAccountabilityError, match="choose a month or a quarter"):
        rating_period(kind, year, number)


def test_art42_the_opinion_is_in_time_up_to_its_due_second_late_after_missing_when_never_entered():
    """Art.42 (Art.39's 5 working days): due 2026-10-12 23:59:59 — entered at that second is in
    time, one second later is late; not entered, it is awaited until then and missing after."""
    from app.domain.staff_accountability import OpinionTimeliness, opinion_timeliness

    due = datetime(2026, 10, 12, 23, 59, 59)
    after = datetime(2026, 10, 13, 0, 0, 0)
    assert opinion_timeliness("entered", due, due, after) is OpinionTimeliness.IN_TIME
    assert opinion_timeliness("entered", due, after, after) is OpinionTimeliness.LATE
    assert opinion_timeliness("open", due, None, due) is OpinionTimeliness.PENDING
    assert opinion_timeliness("open", due, None, after) is OpinionTimeliness.MISSING
