"""The annual assessment's rules (Art.41, design §3 and §6), computed by hand."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.domain.assessments import (
    AssessmentError,
    AssessmentStatus,
    CountedEntry,
    ObjectionStatus,
    UnitTotals,
    check_deadline,
    check_decision,
    check_may_answer,
    check_may_finalise,
    check_may_object,
    check_may_open,
    check_may_reopen,
    check_year,
    counts_after_finalisation,
    objection_closes_at,
    rank_units,
    totals_by_unit,
    unit_score,
    year_has_ended,
)
from app.domain.violations import (
    DEDUCTIONS,
    BreachCause,
    DeductionRule,
    EntryStatus,
    deduction_for,
    percent,
)

C, S = BreachCause, EntryStatus
HANKOU, WUCHANG, NORTH = 1, 2, 3


def entry(unit, cause, status=S.CONFIRMED, day=date(2026, 5, 10), table=DEDUCTIONS):
    return CountedEntry(unit, cause, status, day, deduction_for(cause, day, table))


def worked_example() -> list[CountedEntry]:
    """design §6 for 汉口: 3 一般有效投诉, 1 重大有效投诉, 2 confirmed Art.30, 1 confirmed Art.26,
    1 waived Art.35; 武昌: 1 重大 and 1 confirmed Art.27, one Art.36 still proposed; 汉口北: none
    but a waived Art.30 and a confirmed Art.31 of the year before."""
    return [
        *(entry(HANKOU, C.COMPLAINT_GENERAL) for _ in range(3)),
        entry(HANKOU, C.COMPLAINT_MAJOR),
        entry(HANKOU, C.ART30, day=date(2026, 3, 2)),
        entry(HANKOU, C.ART30, day=date(2026, 10, 20)),
        entry(HANKOU, C.ART26),
        entry(HANKOU, C.ART35, S.WAIVED),
        entry(WUCHANG, C.COMPLAINT_MAJOR),
        entry(WUCHANG, C.ART27),
        entry(WUCHANG, C.ART36, S.PROPOSED),
        entry(NORTH, C.ART30, S.WAIVED),
        entry(NORTH, C.ART31, day=date(2025, 12, 31)),
    ]


def test_art41_design_worked_example_hankou_84_percent():
    totals = totals_by_unit(worked_example(), 2026, [HANKOU, WUCHANG, NORTH])
    hankou = totals[HANKOU]
    # 100% − 3×2% − 1×5% − 2×2% − 1×1% = 100 − 6 − 5 − 4 − 1 = 84 %
    assert hankou.deduction_bp == 600 + 500 + 400 + 100
    assert hankou.score_bp == 8400 and percent(hankou.score_bp) == "84%"
    assert (hankou.general, hankou.major, hankou.violations) == (3, 1, 3)


def test_art41_proposed_waived_and_other_years_cost_nothing():
    totals = totals_by_unit(worked_example(), 2026, [HANKOU, WUCHANG, NORTH])
    # 武昌: 5% (重大) + 2% (Art.27) = 7% → 93%; the proposed Art.36 costs nothing (yet).
    assert totals[WUCHANG].score_bp == 9300
    # 汉口北: the waived Art.30 and last year's Art.31 cost nothing → 100%.
    assert totals[NORTH] == UnitTotals(NORTH)
    assert totals[NORTH].score_bp == 10_000


def test_art41_ranking_highest_score_first_ties_share_a_rank():
    totals = totals_by_unit(worked_example(), 2026, [HANKOU, WUCHANG, NORTH])
    extra = UnitTotals(4, deduction_bp=700, major=1, violations=1)  # 93 %, like 武昌
    ranked = rank_units([*totals.values(), extra], {WUCHANG: (1,), 4: (2,)})
    assert [(r.rank, r.totals.branch_id) for r in ranked] == [
        (1, NORTH),
        (2, WUCHANG),
        (2, 4),
        (4, HANKOU),
    ]


def test_art41_a_revision_applies_from_its_date_only():
    """A revision of the table (Art.43) dated 2026-07-01 makes Art.30 cost 3 %: a breach of
    June keeps 2 %, one of July costs 3 %."""
    revised = (*DEDUCTIONS, DeductionRule(C.ART30, 300, date(2026, 7, 1)))
    entries = [
        entry(HANKOU, C.ART30, day=date(2026, 6, 30), table=revised),
        entry(HANKOU, C.ART30, day=date(2026, 7, 1), table=revised),
    ]
    assert totals_by_unit(entries, 2026, [HANKOU])[HANKOU].score_bp == 10_000 - 200 - 300


def test_art41_score_never_below_zero_but_deduction_kept():
    assert unit_score(12_500) == 0
    assert unit_score(250) == 9750 and percent(9750) == "97.5%"


def test_art41_objection_window_ends_at_the_end_of_the_deadline_day():
    deadline = date(2027, 1, 15)
    assert objection_closes_at(deadline) == datetime(2027, 1, 15, 23, 59, 59)
    check_may_object(
        AssessmentStatus.OPEN, deadline, datetime(2027, 1, 15, 23, 59, 59), counted=True
    )
    with pytest.raises(AssessmentError, match="2027-01-15"):
        check_may_object(AssessmentStatus.OPEN, deadline, datetime(2027, 1, 16, 0, 0), counted=True)
    with pytest.raises(AssessmentError):
        check_may_object(AssessmentStatus.DRAFT, deadline, datetime(2027, 1, 2), counted=True)
    with pytest.raises(AssessmentError):
        check_may_object(AssessmentStatus.OPEN, deadline, datetime(2027, 1, 2), counted=False)


def test_art41_deadline_must_be_in_the_future():
    assert check_deadline(date(2027, 1, 15), date(2027, 1, 14)) == date(2027, 1, 15)
    for bad in (None, date(2027, 1, 14)):
        with pytest.raises(AssessmentError):
            check_deadline(bad, date(2027, 1, 14))


def test_art41_finalise_needs_the_window_closed_no_proposed_and_every_objection_answered():
    deadline, after = date(2027, 1, 15), datetime(2027, 1, 16, 9, 0)
    check_may_finalise(
        AssessmentStatus.OPEN, deadline, after, year=2026, proposed=0, pending_objections=0
    )
    with pytest.raises(AssessmentError, match="2 "):
        check_may_finalise(
            AssessmentStatus.OPEN, deadline, after, year=2026, proposed=2, pending_objections=0
        )
    with pytest.raises(AssessmentError):
        check_may_finalise(
            AssessmentStatus.OPEN, deadline, after, year=2026, proposed=0, pending_objections=1
        )
    with pytest.raises(AssessmentError):
        check_may_finalise(
            AssessmentStatus.OPEN,
            deadline,
            datetime(2027, 1, 15, 12),
            year=2026,
            proposed=0,
            pending_objections=0,
        )
    for status in (None, AssessmentStatus.DRAFT, AssessmentStatus.FINALISED):
        with pytest.raises(AssessmentError):
            check_may_finalise(status, deadline, after, year=2026, proposed=0, pending_objections=0)


def test_art41_version_states_open_answer_reopen():
    after = datetime(2027, 1, 2)
    check_may_open(None, year=2026, now=after)
    check_may_open(AssessmentStatus.DRAFT, year=2026, now=after)
    check_may_open(AssessmentStatus.OPEN, year=2026, now=after)
    for frozen in (AssessmentStatus.FINALISED, AssessmentStatus.REOPENED):
        with pytest.raises(AssessmentError):
            check_may_open(frozen, year=2026, now=after)
    check_may_reopen(AssessmentStatus.FINALISED)
    for status in (None, AssessmentStatus.DRAFT, AssessmentStatus.OPEN, AssessmentStatus.REOPENED):
        with pytest.raises(AssessmentError):
            check_may_reopen(status)
    check_may_answer(ObjectionStatus.PENDING, AssessmentStatus.OPEN)
    with pytest.raises(AssessmentError):
        check_may_answer(ObjectionStatus.ACCEPTED, AssessmentStatus.OPEN)
    with pytest.raises(AssessmentError):
        check_may_answer(ObjectionStatus.PENDING, AssessmentStatus.FINALISED)


def test_assessment_year_bounds():
    assert check_year(2026) == 2026
    for bad in (None, 1, 99999):
        with pytest.raises(AssessmentError):
            check_year(bad)


def test_art41_a_year_is_opened_and_finalised_only_once_it_has_ended():
    """Art.41: the current year and a future one stay live drafts: neither opened for
    objections nor finalised before 1 January of the next year."""
    assert not year_has_ended(2026, datetime(2026, 12, 31, 23, 59, 59))
    assert year_has_ended(2026, datetime(2027, 1, 1, 0, 0))
    for year, now in ((2030, datetime(2026, 11, 29, 9)), (2026, datetime(2026, 12, 31, 23, 59))):
        with pytest.raises(AssessmentError, match=f"{year} has not ended"):
            check_may_open(None, year=year, now=now)
        with pytest.raises(AssessmentError, match=f"{year} has not ended"):
            check_may_finalise(
                AssessmentStatus.OPEN,
                date(2026, 1, 15),
                now,
                year=year,
                proposed=0,
                pending_objections=0,
            )
    check_may_open(None, year=2026, now=datetime(2027, 1, 1, 0, 0))


def test_art41_art32_a_valid_complaints_deduction_is_not_objected_to_in_the_assessment():
    """Art.41/Art.32: the complaint's own objection changes both the complaint and its entry;
    an objection in the assessment to that entry is refused."""
    deadline, now = date(2027, 1, 15), datetime(2027, 1, 10)
    check_may_object(AssessmentStatus.OPEN, deadline, now, counted=True, complaint=False)
    with pytest.raises(AssessmentError, match="Art.32"):
        check_may_object(AssessmentStatus.OPEN, deadline, now, counted=True, complaint=True)


def test_art41_an_answer_must_accept_or_reject():
    assert check_decision("accept") is True and check_decision("reject") is False
    for bad in (None, "", "maybe"):
        with pytest.raises(AssessmentError, match="accept or reject"):
            check_decision(bad)


def test_art41_an_entry_confirmed_after_finalising_counts_nowhere_and_is_flagged():
    """Art.41: confirmed for the finalised year at or after the finalisation — and only then."""
    done = datetime(2027, 1, 16, 9, 0)

    def late(status=S.CONFIRMED, day=date(2026, 12, 20), at=datetime(2027, 1, 20), year=2026):
        return counts_after_finalisation(
            status=status, occurred_on=day, decided_at=at, year=year, finalised_at=done
        )

    assert late() and late(at=done)
    assert not late(at=datetime(2027, 1, 16, 8, 59))  # in the snapshot
    assert not late(status=S.PROPOSED) and not late(status=S.WAIVED)
    assert not late(day=date(2027, 1, 3))  # another year's entry
    assert not late(at=None)
    assert not counts_after_finalisation(
        status=S.CONFIRMED,
        occurred_on=date(2026, 5, 1),
        decided_at=done,
        year=2026,
        finalised_at=None,
    )
