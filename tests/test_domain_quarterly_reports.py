"""The quarterly report's rules (Art.39/40), computed by hand on the official 2026 calendar."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from app.domain import kpis
from app.domain import quarterly_reports as qr
from app.domain.calendar import WorkCalendar
from app.domain.quarterly_reports import AnswerState, MeasureState, Quarter, ReportError

# The official 2026 calendar around National Day: 10-01..10-07 off, 10-10 (Sat) a make-up day.
NATIONAL_DAY = {date(2026, 10, d): False for d in range(1, 8)} | {date(2026, 10, 10): True}
CAL_2026 = WorkCalendar(frozenset({2026}), NATIONAL_DAY | {date(2026, 9, 27): True})


def test_art39_answer_due_5_working_days_across_national_day():
    """Distributed Tue 2026-09-29: 09-30 (1), 10-08 (2), 10-09 (3), 10-10 make-up Sat (4),
    10-12 Mon (5) → 2026-10-12 23:59:59."""
    due = qr.answer_due(datetime(2026, 9, 29, 15, 30), CAL_2026)
    assert due.due == datetime(2026, 10, 12, 23, 59, 59)
    assert not due.provisional


def test_art39_answer_due_over_a_weekend():
    """Distributed Thu 2026-11-26: 11-27 (1), 11-30 (2), 12-01 (3), 12-02 (4), 12-03 (5)."""
    assert qr.answer_due(datetime(2026, 11, 26, 9), CAL_2026).due == datetime(
        2026, 12, 3, 23, 59, 59
    )


def test_art39_answer_due_in_a_year_not_loaded_is_provisional():
    """Distributed Wed 2027-12-29 with 2028 not loaded: 12-30 (1), 12-31 (2), 2028-01-01 is a
    fixed holiday (Sat anyway), 01-03 (3), 01-04 (4), 01-05 (5); provisional, no crash."""
    due = qr.answer_due(datetime(2027, 12, 29, 9), CAL_2026)
    assert due.due == datetime(2028, 1, 5, 23, 59, 59)
    assert due.provisional


@pytest.mark.parametrize(
    ("answered", "now", "state"),
    [
        (None, datetime(2026, 10, 12, 23, 59, 59), AnswerState.WAITING),
        (None, datetime(2026, 10, 13, 0, 0), AnswerState.MISSING),
        (datetime(2026, 10, 12, 23, 59, 59), datetime(2026, 11, 1), AnswerState.ANSWERED),
        (datetime(2026, 10, 13, 0, 0, 1), datetime(2026, 11, 1), AnswerState.LATE),
    ],
)
def test_art39_answer_state_late_or_missing(answered, now, state):
    assert qr.answer_state(datetime(2026, 10, 12, 23, 59, 59), answered, now) is state


def test_art39_only_an_ended_quarter_is_reported():
    q3 = Quarter(2026, 3)
    assert not q3.has_ended(datetime(2026, 9, 30, 23, 59, 59))
    assert q3.has_ended(datetime(2026, 10, 1, 0, 0))
    with pytest.raises(ReportError, match="2026-Q4"):
        qr.ensure_ended(Quarter(2026, 4), datetime(2026, 11, 29, 7))


def test_quarter_arithmetic():
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter(2026, 3).previous() == Quarter(2026, 2)
    assert Quarter(2026, 3).year_before() == Quarter(2025, 3)
    assert qr.last_ended(datetime(2026, 11, 29)) == Quarter(2026, 3)
    assert qr.last_ended(datetime(2026, 2, 1)) == Quarter(2025, 4)
    assert qr.parse_quarter("2026-q3") == Quarter(2026, 3)
    assert qr.parse_quarter(" 2026Q4 ") == Quarter(2026, 4)
    for bad in ("", "2026", "2026-Q5", "26-Q1", "abcd-Q1", "1999-Q1"):
        with pytest.raises(ReportError):
            qr.parse_quarter(bad)


def test_art39_report_states():
    assert qr.transition("draft", qr.ReportAction.SUBMIT) is qr.ReportStatus.SUBMITTED
    assert qr.transition("submitted", qr.ReportAction.DISTRIBUTE) is qr.ReportStatus.DISTRIBUTED
    for status, action in (
        ("draft", qr.ReportAction.DISTRIBUTE),
        ("draft", qr.ReportAction.COMMENT),
        ("draft", qr.ReportAction.ANSWER),
        ("submitted", qr.ReportAction.EDIT),
        ("submitted", qr.ReportAction.ANSWER),
        ("distributed", qr.ReportAction.DISTRIBUTE),
        ("distributed", qr.ReportAction.SUBMIT),
    ):
        with pytest.raises(ReportError):
            qr.transition(status, action)
    with pytest.raises(ReportError):
        qr.check_submittable("分析", "  ")


def test_art39_who_answers_and_only_once():
    assert qr.answering_units({None: 3, 7: 2, 4: 0, 5: 1}) == {5: 1, 7: 2}
    kwargs = {"status": "distributed", "opinion": " 已整改 "}
    assert qr.check_answer(has_obligation=True, answered=False, **kwargs) == "已整改"
    with pytest.raises(ReportError, match="no valid complaints|没有有效投诉"):
        qr.check_answer(has_obligation=False, answered=False, **kwargs)
    with pytest.raises(ReportError):
        qr.check_answer(has_obligation=True, answered=True, **kwargs)
    with pytest.raises(ReportError):
        qr.check_answer(status="submitted", has_obligation=True, answered=False, opinion="x")
    with pytest.raises(ReportError):
        qr.check_answer(status="distributed", has_obligation=True, answered=False, opinion=" ")


def test_art39_comparisons_exact():
    intake = kpis.FIGURES_BY_CODE["intake"]
    # 120 against 90: +30, +33.3% (30/90 = 33.33…); against 0: no relative change.
    change = qr.compare(intake, kpis.Tally(0, 120), kpis.Tally(0, 90))
    assert (change.delta, change.relative) == (30, Decimal("33.3"))
    assert qr.compare(intake, kpis.Tally(0, 5), kpis.Tally(0, 0)).relative is None
    assert qr.compare(intake, kpis.Tally(0, 81), kpis.Tally(0, 90)).relative == Decimal("-10.0")
    on_time = kpis.FIGURES_BY_CODE["on_time_finish"]
    # 2/3 = 66.666…% against 5/8 = 62.5%: +4.1666… → +4.2 points (not 66.7 − 62.5 = 4.2 by luck:
    # 1/3 against 1/6 is 16.666… → 16.7, where rounded shares would give 33.3 − 16.7 = 16.6).
    assert qr.compare(on_time, kpis.Tally(2, 3), kpis.Tally(5, 8)).delta == Decimal("4.2")
    assert qr.compare(on_time, kpis.Tally(1, 3), kpis.Tally(1, 6)).delta == Decimal("16.7")
    assert qr.compare(on_time, kpis.Tally(1, 3), kpis.Tally(0, 0)).delta is None
    assert qr.share(1, 3) == "33.3%"
    assert qr.share(1, 0) == kpis.NO_VALUE
    assert qr.top([("a", 3), ("b", 5), ("c", 0), ("d", 3)], n=2) == [("b", 5), ("a", 3)]


def test_art40_measure_states_and_the_report_they_appear_in():
    due = date(2026, 9, 30)
    assert qr.measure_state(due, None, datetime(2026, 9, 30, 23, 59)) is MeasureState.OPEN
    assert qr.measure_state(due, None, datetime(2026, 10, 1)) is MeasureState.OVERDUE
    assert qr.measure_state(due, datetime(2026, 9, 30, 18), datetime(2026, 11, 1)) is (
        MeasureState.DONE
    )
    assert qr.measure_state(due, datetime(2026, 10, 1, 8), datetime(2026, 11, 1)) is (
        MeasureState.DONE_LATE
    )
    measures = [
        (date(2026, 6, 20), None),  # Q2 meeting, still open: shown in Q3
        (date(2026, 6, 20), datetime(2026, 6, 30, 9)),  # done before Q3: not shown
        (date(2026, 6, 20), datetime(2026, 7, 2, 9)),  # done in Q3: shown
        (date(2026, 10, 9), None),  # decided after Q3: not shown
        (date(2026, 9, 30), None),  # on Q3's last day: shown
    ]
    assert qr.measures_for_report(measures, Quarter(2026, 3)) == [0, 2, 4]
    with pytest.raises(ReportError):
        qr.check_measure("措施", None, due)
    with pytest.raises(ReportError):
        qr.check_done(datetime(2026, 9, 1), "已完成")
