"""The KPI definitions of design §4 (Art.10/11/39) on hand-made cases: every expected figure
below is counted by hand from the table of cases, the reasoning in the comment beside it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from app.domain import kpis
from app.domain.case_facts import Col, Present, lt
from app.domain.kpis import FIGURES_BY_CODE, Tally, rate, shown, tally


def d(month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second)


def case(**facts):
    base = {
        "status": "in_progress",
        "received_at": None,
        "dispatched_at": None,
        "sign_due": None,
        "signed_at": None,
        "finish_due": None,
        "replied_at": None,
        "closed_at": None,
        "callback_result": None,
        "rehandle_count": 0,
        "return_count": 0,
        "extension_count": 0,
        "primary_case_id": None,
    }
    unknown = set(facts) - set(base)
    assert not unknown, unknown
    return {**base, **facts}


# Seven cases around November 2026 (the comments say what each contributes).
CASES = {
    "A": case(  # signed and finished in time, closed satisfied
        status="closed",
        received_at=d(11, 1),
        dispatched_at=d(11, 2),
        sign_due=d(11, 3, 10),
        signed_at=d(11, 3, 9),
        finish_due=d(11, 10, 17),
        replied_at=d(11, 9),
        closed_at=d(11, 12),
        callback_result="satisfied",
    ),
    "B": case(  # signed late, replied late, returned once, extended, re-handled, dissatisfied
        status="closed_dissatisfied",
        received_at=d(11, 3),
        dispatched_at=d(11, 4),
        sign_due=d(11, 5),
        signed_at=d(11, 6),
        finish_due=d(11, 20),
        replied_at=d(11, 21),
        closed_at=d(11, 25),
        callback_result="dissatisfied",
        rehandle_count=1,
        return_count=1,
        extension_count=1,
    ),
    "C": case(  # received and dispatched in October, due the last second of November, open
        received_at=d(10, 28),
        dispatched_at=d(10, 29),
        sign_due=d(10, 30),
        signed_at=d(10, 29),
        finish_due=d(11, 30, 23, 59, 59),
        extension_count=1,
    ),
    "D": case(  # voided: counts nowhere, whatever its dates
        status="voided",
        received_at=d(11, 8),
        dispatched_at=d(11, 9),
        sign_due=d(11, 10),
        finish_due=d(11, 20),
        return_count=1,
    ),
    "E": case(  # never signed for; due to finish in December
        status="pending_sign",
        received_at=d(11, 13),
        dispatched_at=d(11, 14),
        sign_due=d(11, 15),
        finish_due=d(12, 10),
    ),
    "F": case(  # replied at the very second of its deadline: in time
        status="pending_callback",
        received_at=d(11, 10),
        finish_due=d(11, 18, 17),
        replied_at=d(11, 18, 17),
    ),
    "G": case(  # received in October, finished in November, customer unreachable
        status="closed",
        received_at=d(10, 31),
        finish_due=d(11, 2),
        replied_at=d(11, 1),
        closed_at=d(11, 28),
        callback_result="unreachable",
    ),
}
NOVEMBER = kpis.month(2026, 11)
AFTER = NOVEMBER.params(as_of=d(12, 5))


def figure(code: str, params=AFTER) -> Tally:
    return tally(FIGURES_BY_CODE[code], CASES.values(), params)


def test_art11_intake_counts_the_live_cases_received_in_the_period():
    # A (11-01), B (11-03), E (11-13), F (11-10); C and G came in October, D is voided.
    assert figure("intake") == Tally(4, 4)


def test_art19_timely_sign_rate_counts_the_cases_whose_sign_for_limit_fell_in_the_period():
    # Sign-for limits in November: A (in time), B (signed a day late), E (never signed);
    # C's limit was in October, D is voided, F and G were never dispatched.
    assert figure("timely_sign") == Tally(1, 3)
    assert shown(FIGURES_BY_CODE["timely_sign"], figure("timely_sign")) == "33.3%"


def test_art30_a_sign_for_limit_binds_only_a_unit_that_got_the_case_before_it():
    """Design §4 with the rule of Art.30 (app.domain.violations.detect_art30_overdue): 及时签收率
    is over the cases whose sign-for limit fell in the period and that a unit held before it. A
    case resolved on the spot (never dispatched, awaiting its callback or closed), one still
    awaiting CSD's dispatch, and one resolved on the spot, rated 不满意 and dispatched after its
    limit are in no denominator; one dispatched in time counts, signed in time or not."""
    on_the_spot = [
        case(
            status=status,
            received_at=d(11, 5),
            sign_due=d(11, 5, 18),
            finish_due=d(11, 12, 17),
            replied_at=d(11, 5, 10),
            closed_at=closed,
            callback_result="satisfied" if closed else None,
        )
        for status, closed in (("pending_callback", None), ("closed", d(11, 6)))
    ]
    waiting = case(status="pending_dispatch", received_at=d(11, 7), sign_due=d(11, 7, 18))
    redispatched = case(
        status="in_progress",
        received_at=d(11, 5),
        sign_due=d(11, 5, 18),
        dispatched_at=d(11, 9),
        signed_at=d(11, 9, 13),
        rehandle_count=1,
        callback_result="dissatisfied",
    )
    signed = case(
        status="in_progress",
        received_at=d(11, 8),
        dispatched_at=d(11, 8, 13),
        sign_due=d(11, 8, 18),
        signed_at=d(11, 8, 14),
    )
    late = case(
        status="in_progress",
        received_at=d(11, 8),
        dispatched_at=d(11, 8, 13),
        sign_due=d(11, 8, 18),
        signed_at=d(11, 9, 9),
    )
    timely_sign = FIGURES_BY_CODE["timely_sign"]
    cases = [*on_the_spot, waiting, redispatched, signed, late]
    assert tally(timely_sign, cases, AFTER) == Tally(1, 2)
    # Their finish counts as any case's: replied before the finish deadline.
    assert tally(FIGURES_BY_CODE["on_time_finish"], on_the_spot, AFTER) == Tally(2, 2)


def test_art19_on_time_finish_rate_counts_the_cases_due_in_the_period_not_those_received():
    # Due in November: A, B, C (23:59:59 on the 30th), F, G (received in October: still due
    # in November). In time: A, F (replied at the deadline's very second), G. B replied a day
    # late, C is still open; E is due in December.
    assert figure("on_time_finish") == Tally(3, 5)
    assert rate(figure("on_time_finish")) == Decimal("60.0")


def test_art30_overdue_cases_are_the_due_ones_not_finished_in_time():
    # B (replied late) and C (open past its deadline).
    assert figure("overdue") == Tally(2, 2)


def test_art30_extension_rate_is_among_the_cases_due_in_the_period():
    # Of the five due (A, B, C, F, G), B and C were extended.
    assert figure("extension") == Tally(2, 5)


def test_art20_callback_rate_counts_rated_callbacks_among_the_cases_closed_in_the_period():
    # Closed in November: A (satisfied), B (dissatisfied), G (unreachable: no rating).
    assert figure("callback") == Tally(2, 3)
    assert shown(FIGURES_BY_CODE["callback"], figure("callback")) == "66.7%"


def test_art20_satisfaction_rate_counts_satisfied_and_basically_satisfied_among_rated():
    # Rated: A (satisfied), B (dissatisfied).
    assert figure("satisfaction") == Tally(1, 2)
    basically = {**CASES, "B": {**CASES["B"], "callback_result": "basically_satisfied"}}
    assert tally(FIGURES_BY_CODE["satisfaction"], basically.values(), AFTER) == Tally(2, 2)


def test_art21_rehandle_rate_is_among_the_cases_closed_in_the_period():
    # Closed in November: A, B, G; B was re-handled.
    assert figure("rehandle") == Tally(1, 3)


def test_art27_return_rate_is_among_the_cases_dispatched_in_the_period():
    # Dispatched in November: A, B, E (C in October; D voided though returned). B was returned.
    assert figure("return") == Tally(1, 3)


def test_art19_a_running_period_counts_only_the_deadlines_already_passed():
    # On 19 November: due so far A (11-10), F (11-18 17:00), G (11-02), all in time; B is due
    # on the 20th and C on the 30th: not judged yet.
    running = NOVEMBER.params(as_of=d(11, 19))
    assert figure("on_time_finish", running) == Tally(3, 3)
    assert figure("overdue", running) == Tally(0, 0)
    # Intake does not wait: every case received so far in the month counts.
    assert figure("intake", running) == Tally(4, 4)


def test_art11_a_period_without_cases_shows_a_dash_not_a_division_by_zero():
    empty = kpis.month(2030, 12).params(as_of=datetime(2031, 1, 5))
    for code, item in FIGURES_BY_CODE.items():
        counted = tally(item, CASES.values(), empty)
        assert counted == Tally(0, 0), code
        expected = "0" if item.kind is kpis.FigureKind.COUNT else "—"
        assert shown(item, counted) == expected, code
        if item.kind is kpis.FigureKind.RATE:
            assert rate(counted) is None


def test_rates_are_exact_decimals_rounded_half_up():
    assert rate(Tally(1, 16)) == Decimal("6.3")  # 6.25: half up, not to even
    assert rate(Tally(1, 8)) == Decimal("12.5")
    assert rate(Tally(2, 3)) == Decimal("66.7")
    assert rate(Tally(0, 7)) == Decimal("0.0")
    assert rate(Tally(7, 7)) == Decimal("100.0")


def test_periods_are_whole_days_and_a_custom_range_includes_its_last_day():
    assert (kpis.month(2026, 2).start, kpis.month(2026, 2).end) == (
        datetime(2026, 2, 1),
        datetime(2026, 3, 1),
    )
    q4 = kpis.quarter(2026, 4)
    assert (q4.first_day, q4.last_day) == (date(2026, 10, 1), date(2026, 12, 31))
    assert kpis.year(2027).end == datetime(2028, 1, 1)
    one_day = kpis.custom(date(2026, 12, 31), date(2026, 12, 31))
    assert (one_day.start, one_day.end) == (datetime(2026, 12, 31), datetime(2027, 1, 1))


@pytest.mark.parametrize(
    "make",
    [
        lambda: kpis.custom(date(2026, 12, 1), date(2026, 11, 30)),
        lambda: kpis.custom(date(2015, 1, 1), date(2026, 1, 1)),  # over ten years
        lambda: kpis.month(2026, 13),
        lambda: kpis.quarter(2026, 0),
    ],
)
def test_a_period_that_ends_before_it_starts_or_does_not_exist_is_refused(make):
    with pytest.raises(kpis.PeriodError):
        make()


def test_conditions_follow_sql_three_valued_logic():
    """A comparison with a missing fact is unknown, and so is its negation: the Python reading
    of a condition keeps exactly the rows its SQL twin keeps."""
    unknown = lt(Col("replied_at"), Col("finish_due"))
    facts = {"replied_at": None, "finish_due": d(11, 1)}
    assert unknown.truth(facts, {}) is None
    assert (~unknown).holds(facts, {}) is False
    assert (~unknown | Present(Col("finish_due"))).holds(facts, {}) is True
    assert (~unknown & Present(Col("finish_due"))).truth(facts, {}) is None
