"""Complaint determination (Art.8/9/32): what a determination must hold, Art.9's major criteria,
the approval and objection workflow with its working-day window, and the Art.42 staff rating."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from app.domain.calendar import WorkCalendar, official_exceptions
from app.domain.complaints import (
    APPROVAL_STATUSES,
    BREACH_CATEGORY_LABELS,
    COUNTING_STATUSES,
    CRITERION_LABELS,
    DEFAULT_RATING_RULES,
    DETERMINATION_LABELS,
    DETERMINATION_STATUS_LABELS,
    DETERMINATION_TRANSITIONS,
    EDITABLE_STATUSES,
    GRADE_LABELS,
    INVALID_REASON_LABELS,
    OBJECTION_WORKING_DAYS,
    RESPONSIBILITY_LABELS,
    STAFF_RATING_LABELS,
    BreachCategory,
    Determination,
    DeterminationAction,
    DeterminationDraft,
    DeterminationError,
    DeterminationStatus,
    Grade,
    InvalidReason,
    MajorCriterion,
    RatingPeriod,
    RatingRule,
    Responsibility,
    StaffComplaint,
    StaffRating,
    ensure_first_objection,
    ensure_four_eyes,
    ensure_may_object,
    four_eyes_problem,
    may_object,
    meets_art9,
    next_determination_status,
    objection_deadline,
    period_bounds,
    suggested_grade,
    suggested_staff_rating,
    validate_determination,
)

M, DS, DA = MajorCriterion, DeterminationStatus, DeterminationAction
CATEGORY = BreachCategory


@pytest.fixture(scope="module")
def calendar():
    years, exceptions = official_exceptions()
    return WorkCalendar(years, {day: work for day, (work, _) in exceptions.items()})


@pytest.mark.parametrize(
    ("labels", "vocabulary"),
    [
        (DETERMINATION_LABELS, Determination),
        (BREACH_CATEGORY_LABELS, BreachCategory),
        (INVALID_REASON_LABELS, InvalidReason),
        (GRADE_LABELS, Grade),
        (CRITERION_LABELS, MajorCriterion),
        (RESPONSIBILITY_LABELS, Responsibility),
        (DETERMINATION_STATUS_LABELS, DeterminationStatus),
        (STAFF_RATING_LABELS, StaffRating),
    ],
)
def test_every_value_of_each_vocabulary_has_a_label(labels, vocabulary):
    assert set(labels) == set(vocabulary)


def test_art8_the_six_breach_categories_and_two_invalid_reasons():
    assert {c.value for c in BreachCategory} == {
        "attitude",
        "quality",
        "buck_passing",
        "bribery",
        "rigid_process",
        "improper_sales_or_fees",
    }
    assert {r.value for r in InvalidReason} == {"not_true", "outside_scope"}


# -- Art.9 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("criteria", "major"),
    [
        ({M.MEDIA_ATTENTION, M.COMPANY_IMAGE}, True),
        ({M.GOVERNMENT_ATTENTION, M.EXTERNAL_RANKING}, True),
        ({M.GROUP_COMPANY_ATTENTION, M.MEDIA_ATTENTION, M.COMPANY_IMAGE}, True),
        ({M.MEDIA_ATTENTION}, False),  # attention alone
        ({M.GROUP_COMPANY_ATTENTION, M.GOVERNMENT_ATTENTION}, False),
        ({M.EXTERNAL_RANKING, M.COMPANY_IMAGE}, False),  # impact alone
        (set(), False),
    ],
)
def test_art9_major_needs_attention_and_an_effect_on_ranking_or_image(criteria, major):
    assert meets_art9(criteria) is major
    assert suggested_grade(criteria) is (Grade.MAJOR if major else Grade.GENERAL)


# -- validate_determination ------------------------------------------------------------------

GENERAL = DeterminationDraft(
    Determination.VALID,
    findings="营业厅工作人员态度恶劣，录音属实。",
    breach_category=CATEGORY.ATTITUDE,
    grade=Grade.GENERAL,
    branch_id=3,
    responsibility=Responsibility.PERSONAL,
    employee_id=42,
)
MAJOR = replace(
    GENERAL, grade=Grade.MAJOR, criteria=frozenset({M.MEDIA_ATTENTION, M.COMPANY_IMAGE})
)
INVALID = DeterminationDraft(
    Determination.INVALID, findings="经核实，表具运行正常。", invalid_reason=InvalidReason.NOT_TRUE
)


def fields(draft):
    return sorted(error.field for error in validate_determination(draft))


@pytest.mark.parametrize("draft", [GENERAL, MAJOR, INVALID])
def test_art32_a_complete_determination_has_no_error(draft):
    assert validate_determination(draft) == []


def test_art32_a_determination_needs_findings_and_a_decision():
    assert fields(DeterminationDraft(None)) == ["determination", "findings"]
    assert fields(replace(GENERAL, findings="  ")) == ["findings"]


def test_art8_a_valid_complaint_needs_the_breached_rule_a_grade_and_the_responsible():
    bare = DeterminationDraft(Determination.VALID, findings="属实")
    assert fields(bare) == ["branch_id", "breach_category", "grade", "responsibility"]
    assert fields(replace(GENERAL, invalid_reason=InvalidReason.OUTSIDE_SCOPE)) == [
        "invalid_reason"
    ]


def test_art9_a_major_complaint_needs_the_criteria_that_make_it_major():
    assert fields(replace(MAJOR, criteria=frozenset())) == ["criteria"]
    assert fields(replace(MAJOR, criteria=frozenset({M.MEDIA_ATTENTION}))) == ["criteria"]


def test_art9_a_general_complaint_may_record_some_criteria_but_not_all_of_art9():
    partial = replace(GENERAL, criteria=frozenset({M.MEDIA_ATTENTION}))
    assert validate_determination(partial) == []
    assert fields(replace(MAJOR, grade=Grade.GENERAL)) == ["grade"]


def test_art42_a_personal_cause_names_the_employee_a_unit_cause_none():
    assert fields(replace(GENERAL, employee_id=None)) == ["employee_id"]
    unit = replace(GENERAL, responsibility=Responsibility.UNIT, employee_id=None)
    assert validate_determination(unit) == []
    assert fields(replace(unit, employee_id=42)) == ["employee_id"]


def test_art8_an_invalid_complaint_needs_its_reason_and_nothing_of_a_valid_one():
    assert fields(replace(INVALID, invalid_reason=None)) == ["invalid_reason"]
    loaded = replace(
        INVALID,
        breach_category=CATEGORY.QUALITY,
        grade=Grade.GENERAL,
        criteria=frozenset({M.MEDIA_ATTENTION}),
        responsibility=Responsibility.PERSONAL,
        employee_id=42,
    )
    assert fields(loaded) == ["breach_category", "criteria", "grade", "responsibility"]
    assert validate_determination(replace(INVALID, branch_id=3)) == []  # the unit concerned


def test_art32_error_messages_are_lazy_strings():
    (error,) = validate_determination(replace(GENERAL, grade=None))
    assert "Art.9" in str(error.message)


# -- Workflow --------------------------------------------------------------------------------


def test_design_s3_a_determination_counts_once_approved():
    status = DS.DRAFT
    for action, expected, counts in [
        (DA.SUBMIT, DS.PENDING_APPROVAL, False),
        (DA.SEND_BACK, DS.SENT_BACK, False),
        (DA.SUBMIT, DS.PENDING_APPROVAL, False),
        (DA.APPROVE, DS.APPROVED, True),
        (DA.OBJECT, DS.OBJECTED, True),  # an objection does not suspend it
        (DA.CHANGE, DS.CHANGE_PENDING, True),  # the earlier one counts until approved
        (DA.SEND_BACK, DS.OBJECTED, True),  # the change dropped: the objection is open again
        (DA.CHANGE, DS.CHANGE_PENDING, True),
        (DA.APPROVE, DS.CHANGED, True),  # now the change counts
        (DA.OBJECT, DS.OBJECTED, True),  # a unit the change named (ensure_first_objection)
    ]:
        status = next_determination_status(status, action)
        assert status is expected
        assert (status in COUNTING_STATUSES) is counts
    assert next_determination_status(DS.OBJECTED, DA.UPHOLD) is DS.UPHELD
    assert DS.UPHELD in COUNTING_STATUSES
    submittable = {s for (s, a) in DETERMINATION_TRANSITIONS if a is DA.SUBMIT}
    assert submittable == EDITABLE_STATUSES == {DS.DRAFT, DS.SENT_BACK}


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (DS.DRAFT, DA.APPROVE),  # approval only of a submitted determination
        (DS.SENT_BACK, DA.APPROVE),
        (DS.PENDING_APPROVAL, DA.OBJECT),  # an objection only to an approved one
        (DS.UPHELD, DA.OBJECT),  # one objection; its answer is final
        (DS.OBJECTED, DA.APPROVE),  # a change is approved only once proposed
        (DS.CHANGE_PENDING, DA.OBJECT),
        (DS.CHANGE_PENDING, DA.CHANGE),
        (DS.CHANGE_PENDING, DA.UPHOLD),
        (DS.APPROVED, DA.SUBMIT),
    ],
)
def test_art32_moves_outside_the_table_are_refused(status, action):
    assert (status, action) not in DETERMINATION_TRANSITIONS
    with pytest.raises(DeterminationError):
        next_determination_status(status, action)


@pytest.mark.parametrize(
    ("approved", "days", "due", "provisional"),
    [
        # 09-30, then National Day to 10-07, 10-08, 10-09, 10-10 (make-up Saturday), 10-12
        ("2026-09-29 10:00", 5, "2026-10-12 23:59:59", False),
        ("2026-04-30 16:00", 1, "2026-05-06 23:59:59", False),  # Labour Day
        ("2026-02-13 10:00", 5, "2026-02-27 23:59:59", False),  # Spring Festival
        ("2026-12-28 10:00", 5, "2027-01-05 23:59:59", True),  # 2027 not in the calendar
    ],
)
def test_art32_objection_window_in_working_days(calendar, approved, days, due, provisional):
    deadline = objection_deadline(datetime.fromisoformat(approved), days, calendar)
    assert deadline.due == datetime.fromisoformat(due)
    assert deadline.provisional is provisional


def test_art32_an_objection_is_possible_until_the_end_of_the_last_day(calendar):
    due = objection_deadline(datetime(2026, 9, 29, 10), OBJECTION_WORKING_DAYS, calendar).due
    assert may_object(datetime(2026, 10, 12, 23, 59, 59), due)
    assert not may_object(datetime(2026, 10, 13, 0, 0), due)
    ensure_may_object(datetime(2026, 10, 12, 8, 0), due)
    with pytest.raises(DeterminationError) as err:
        ensure_may_object(datetime(2026, 10, 13, 0, 0), due)
    assert "2026-10-12 23:59" in str(err.value)


# -- Art.42 ----------------------------------------------------------------------------------

ATTITUDE_GENERAL = StaffComplaint(Grade.GENERAL, CATEGORY.ATTITUDE)
PASSING_GENERAL = StaffComplaint(Grade.GENERAL, CATEGORY.BUCK_PASSING)
ATTITUDE_MAJOR = StaffComplaint(Grade.MAJOR, CATEGORY.ATTITUDE)


@pytest.mark.parametrize(
    ("complaints", "rating"),
    [
        ([], None),
        ([ATTITUDE_GENERAL], StaffRating.C),
        ([ATTITUDE_GENERAL, PASSING_GENERAL], StaffRating.D),
        ([ATTITUDE_MAJOR], StaffRating.D),
        ([ATTITUDE_MAJOR, ATTITUDE_MAJOR], StaffRating.D),
        ([ATTITUDE_GENERAL, PASSING_GENERAL, ATTITUDE_GENERAL], StaffRating.UNQUALIFIED),
        ([ATTITUDE_MAJOR] * 4, StaffRating.UNQUALIFIED),
    ],
)
def test_art42_default_staff_rating(complaints, rating):
    assert suggested_staff_rating(complaints) is rating


def test_art42_counts_attitude_and_buck_passing_only_by_default():
    quality = StaffComplaint(Grade.MAJOR, CATEGORY.QUALITY)
    assert suggested_staff_rating([quality]) is None
    assert suggested_staff_rating([quality], categories=frozenset(BreachCategory)) is StaffRating.D


def test_art42_thresholds_are_data():
    strict = (RatingRule(StaffRating.UNQUALIFIED, 2, min_major=1), RatingRule(StaffRating.D, 1))
    assert suggested_staff_rating([ATTITUDE_GENERAL], rules=strict) is StaffRating.D
    assert suggested_staff_rating([ATTITUDE_MAJOR], rules=strict) is StaffRating.UNQUALIFIED
    assert [r.rating for r in DEFAULT_RATING_RULES] == [
        StaffRating.UNQUALIFIED,
        StaffRating.D,
        StaffRating.C,
    ]


@pytest.mark.parametrize(
    ("day", "period", "bounds"),
    [
        (date(2026, 2, 14), RatingPeriod.MONTH, (date(2026, 2, 1), date(2026, 3, 1))),
        (date(2026, 12, 31), RatingPeriod.MONTH, (date(2026, 12, 1), date(2027, 1, 1))),
        (date(2026, 1, 1), RatingPeriod.QUARTER, (date(2026, 1, 1), date(2026, 4, 1))),
        (date(2026, 5, 31), RatingPeriod.QUARTER, (date(2026, 4, 1), date(2026, 7, 1))),
        (date(2026, 11, 15), RatingPeriod.QUARTER, (date(2026, 10, 1), date(2027, 1, 1))),
    ],
)
def test_art42_rating_period_is_the_month_or_quarter(day, period, bounds):
    assert period_bounds(day, period) == bounds


def test_design_s3_four_eyes_the_approver_is_neither_investigator_nor_submitter():
    assert four_eyes_problem(3, 1, 2) is None
    for investigator, submitter in ((3, 2), (1, 3), (3, 3)):
        problem = four_eyes_problem(3, investigator, submitter)
        assert problem is not None and "four eyes" in str(problem)
        with pytest.raises(DeterminationError):
            ensure_four_eyes(3, investigator, submitter)


def test_design_s3_a_pending_change_leaves_the_earlier_determination_counting():
    assert DS.CHANGE_PENDING in COUNTING_STATUSES and DS.CHANGE_PENDING in APPROVAL_STATUSES
    assert str(DETERMINATION_STATUS_LABELS[DS.CHANGE_PENDING]) == "Change awaiting approval"


def test_art32_each_unit_objects_once():
    ensure_first_objection(2, [1])
    with pytest.raises(DeterminationError):
        ensure_first_objection(1, [1])
