"""The Art.41 violation register: the dated deduction table, the annual score (design §6's worked
example) and the breaches the system detects (Art.25, 26, 27, 30, 35, 36)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.domain.calendar import WorkCalendar, official_exceptions
from app.domain.channels import ChannelCategoryCode
from app.domain.complaints import Grade
from app.domain.violations import (
    CAUSE_LABELS,
    COMPLAINT_CAUSES,
    DEDUCTIONS,
    ENTRY_ACTION_LABELS,
    FULL_SCORE,
    MANUAL_CAUSES,
    BreachCause,
    CaseCallback,
    CaseRehandle,
    CaseReturn,
    CaseTimeliness,
    ContactChangeNotice,
    ContactFacts,
    ContactRoleKind,
    DeductionRule,
    EntryAction,
    EntryStatus,
    ProposedBreach,
    RegisterEntry,
    UnitContacts,
    ViolationError,
    art25_notice_due,
    assessment_score,
    check_deduction_table,
    check_occurred_on,
    complaint_cause,
    complaint_dedupe_key,
    decide_entry,
    deduction_for,
    detect_art25_late_notice,
    detect_art26_unreachable_contacts,
    detect_art27_unaccepted_return,
    detect_art30_overdue,
    detect_art35_missing_callback,
    detect_art36_rehandle_not_done,
    manual_cause,
    percent,
    total_deduction,
)

C, ST = BreachCause, EntryStatus
DAY = date(2026, 6, 15)


@pytest.fixture(scope="module")
def calendar():
    years, exceptions = official_exceptions()
    return WorkCalendar(years, {day: work for day, (work, _) in exceptions.items()})


def entry(cause, status=ST.CONFIRMED, on=DAY):
    return RegisterEntry(cause, status, on)


# -- Deductions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cause", "points"),
    [
        (C.COMPLAINT_GENERAL, 200),
        (C.COMPLAINT_MAJOR, 500),
        *((cause, 100) for cause in (C.ART25, C.ART26, C.ART37, C.ART38)),
        *((cause, 200) for cause in (C.ART27, C.ART30, C.ART31, C.ART33, C.ART35, C.ART36)),
        (C.OBSTRUCTION, 200),
    ],
)
def test_art41_deduction_table_of_the_regulation(cause, points):
    assert deduction_for(cause, DAY) == points


def test_art41_every_cause_has_one_deduction_and_a_label():
    assert sorted(rule.cause for rule in DEDUCTIONS) == sorted(BreachCause)
    assert set(CAUSE_LABELS) == set(BreachCause)
    check_deduction_table(DEDUCTIONS)


def test_art41_design_worked_example_scores_84_percent():
    """design §6: 3 一般, 1 重大, 2 confirmed Art.30, 1 confirmed Art.26 and 1 proposed Art.35
    that CSD waived: 100% − 6% − 5% − 4% − 1% = 84%."""
    entries = [
        *(entry(C.COMPLAINT_GENERAL) for _ in range(3)),
        entry(C.COMPLAINT_MAJOR),
        entry(C.ART30),
        entry(C.ART30, on=date(2026, 11, 2)),
        entry(C.ART26),
        entry(C.ART35, ST.WAIVED),
    ]
    assert total_deduction(entries, 2026) == 1_600
    assert assessment_score(entries, 2026) == 8_400
    assert percent(assessment_score(entries, 2026)) == "84%"


def test_art41_proposed_and_waived_entries_cost_nothing():
    entries = [entry(C.ART30, ST.PROPOSED), entry(C.COMPLAINT_MAJOR, ST.WAIVED)]
    assert assessment_score(entries, 2026) == FULL_SCORE


def test_art41_only_the_entries_of_the_year_count():
    entries = [entry(C.ART30, on=date(2025, 12, 31)), entry(C.ART26, on=date(2026, 1, 1))]
    assert assessment_score(entries, 2026) == 9_900
    assert assessment_score(entries, 2025) == 9_800
    assert assessment_score([], 2026) == FULL_SCORE


def test_art41_the_score_stops_at_zero_the_total_does_not():
    entries = [entry(C.COMPLAINT_MAJOR) for _ in range(21)]
    assert total_deduction(entries, 2026) == 10_500
    assert assessment_score(entries, 2026) == 0


REVISED = (
    *DEDUCTIONS,
    DeductionRule(C.ART30, 300, date(2027, 1, 1)),
    DeductionRule(C.COMPLAINT_GENERAL, 250, date(2027, 7, 1)),
)


def test_art41_a_revision_never_changes_an_earlier_year():
    """A revised table (Art.43: CSD maintains the regulation) applies from its date on."""
    year_2026 = [entry(C.ART30, on=date(2026, 12, 31)), entry(C.COMPLAINT_GENERAL)]
    assert assessment_score(year_2026, 2026, REVISED) == assessment_score(year_2026, 2026)
    assert deduction_for(C.ART30, date(2026, 12, 31), REVISED) == 200
    assert deduction_for(C.ART30, date(2027, 1, 1), REVISED) == 300
    year_2027 = [
        entry(C.ART30, on=date(2027, 3, 1)),
        entry(C.COMPLAINT_GENERAL, on=date(2027, 6, 30)),
        entry(C.COMPLAINT_GENERAL, on=date(2027, 7, 1)),
    ]
    assert total_deduction(year_2027, 2027, REVISED) == 300 + 200 + 250
    check_deduction_table(REVISED)


def test_art41_the_rule_in_force_does_not_depend_on_the_order_of_the_table():
    assert deduction_for(C.ART30, date(2027, 5, 1), tuple(reversed(REVISED))) == 300


def test_art41_a_cause_without_a_rule_in_force_is_an_error():
    table = (DeductionRule(C.ART30, 300, date(2027, 1, 1)),)
    with pytest.raises(ViolationError):
        deduction_for(C.ART30, date(2026, 12, 31), table)
    with pytest.raises(ViolationError):
        deduction_for(C.ART26, date(2027, 1, 1), table)


@pytest.mark.parametrize(
    "bad",
    [
        (*DEDUCTIONS, DeductionRule(C.ART30, 300, DEDUCTIONS[0].effective_from)),
        (DeductionRule(C.ART30, -1, DAY),),
        (DeductionRule(C.ART30, 10_001, DAY),),
    ],
)
def test_art41_a_contradictory_or_impossible_table_is_refused(bad):
    with pytest.raises(ViolationError):
        check_deduction_table(bad)


@pytest.mark.parametrize(
    ("points", "text"),
    [
        (8_400, "84%"),
        (8_350, "83.5%"),
        (8_325, "83.25%"),
        (10_000, "100%"),
        (0, "0%"),
        (5, "0.05%"),
    ],
)
def test_art41_percent_is_exact(points, text):
    assert percent(points) == text


def test_a_proposed_violation_is_confirmed_or_waived_once_a_waiver_with_a_reason():
    assert decide_entry(ST.PROPOSED, True, None) is ST.CONFIRMED
    assert decide_entry(ST.PROPOSED, False, "已与客户协商") is ST.WAIVED
    with pytest.raises(ViolationError):
        decide_entry(ST.PROPOSED, False, "  ")
    for decided in (ST.CONFIRMED, ST.WAIVED):
        with pytest.raises(ViolationError):
            decide_entry(decided, True, None)


# -- Art.30 ----------------------------------------------------------------------------------

DUE = datetime(2026, 10, 19, 23, 59, 59)
AFTER = datetime(2026, 10, 20, 0, 0)


def timeliness(**changes):
    facts = {"case_id": 7, "branch_id": 3, "finish_due": DUE}
    return CaseTimeliness(**(facts | changes))


def test_art30_open_case_past_its_finish_deadline_is_proposed():
    assert detect_art30_overdue(timeliness(), AFTER) == ProposedBreach(
        C.ART30, 3, 7, "art30:case:7:branch:3", date(2026, 10, 19)
    )


def test_art30_case_answered_after_its_deadline_is_proposed():
    late = timeliness(finished_at=datetime(2026, 10, 20, 9))
    assert detect_art30_overdue(late, datetime(2026, 12, 1)) is not None


def test_art30_case_within_its_deadline_is_not_proposed():
    assert detect_art30_overdue(timeliness(), DUE) is None
    answered = timeliness(finished_at=datetime(2026, 10, 19, 17))
    assert detect_art30_overdue(answered, datetime(2026, 12, 1)) is None


def test_art30_an_approved_extension_moves_the_binding_deadline():
    extended = timeliness(finish_due=datetime(2026, 10, 26, 23, 59, 59))
    assert detect_art30_overdue(extended, AFTER) is None


def test_art30_a_pending_extension_request_waits_for_csds_decision():
    assert detect_art30_overdue(timeliness(extension_pending=True), AFTER) is None


def test_art30_no_unit_holds_the_case_no_branch_breach():
    assert detect_art30_overdue(timeliness(branch_id=None), AFTER) is None


def test_art30_the_sign_for_limit_binds_once_the_unit_has_the_case():
    sign_due = datetime(2026, 10, 9, 23, 59, 59)
    late_sign = timeliness(sign_due=sign_due, dispatched_at=datetime(2026, 10, 9, 9))
    found = detect_art30_overdue(late_sign, datetime(2026, 10, 10, 8))
    assert found is not None and found.occurred_on == date(2026, 10, 9)
    signed = timeliness(
        sign_due=sign_due, dispatched_at=datetime(2026, 10, 9, 9), signed_at=sign_due
    )
    assert detect_art30_overdue(signed, datetime(2026, 10, 10, 8)) is None
    dispatched_late = timeliness(sign_due=sign_due, dispatched_at=datetime(2026, 10, 10, 9))
    assert detect_art30_overdue(dispatched_late, datetime(2026, 10, 11, 8)) is None


def test_art30_one_breach_per_case_and_unit_dated_by_the_first_deadline_missed():
    both = timeliness(
        sign_due=datetime(2026, 10, 9, 23, 59, 59), dispatched_at=datetime(2026, 10, 9)
    )
    first, again = (
        detect_art30_overdue(both, AFTER),
        detect_art30_overdue(both, datetime(2027, 1, 5)),
    )
    assert first == again and first is not None and first.occurred_on == date(2026, 10, 9)
    other_unit = detect_art30_overdue(timeliness(branch_id=4), AFTER)
    assert other_unit is not None and other_unit.dedupe_key != first.dedupe_key


# -- Art.35 ----------------------------------------------------------------------------------


def callback(category=ChannelCategoryCode.GOVERNMENT, **changes):
    facts = {"case_id": 8, "branch_id": 3, "closed_on": DAY, "branch_called_back": False}
    return CaseCallback(channel_category=category, **(facts | changes))


@pytest.mark.parametrize("category", [ChannelCategoryCode.GOVERNMENT, ChannelCategoryCode.ONLINE])
def test_art35_government_and_online_case_closed_without_branch_callback_is_proposed(category):
    assert detect_art35_missing_callback(callback(category)) == ProposedBreach(
        C.ART35, 3, 8, "art35:case:8", DAY
    )


def test_art35_company_channel_cases_rely_on_the_survey():
    assert detect_art35_missing_callback(callback(ChannelCategoryCode.COMPANY)) is None


def test_art35_called_back_or_still_open_is_not_proposed():
    assert detect_art35_missing_callback(callback(branch_called_back=True)) is None
    assert detect_art35_missing_callback(callback(closed_on=None)) is None
    assert detect_art35_missing_callback(callback(branch_id=None)) is None


# -- Art.36 ----------------------------------------------------------------------------------

DISSATISFIED = datetime(2026, 6, 10, 10)


def rehandle(**changes):
    facts = {
        "case_id": 9,
        "branch_id": 3,
        "first_dissatisfied_at": DISSATISFIED,
        "rehandle_reply_at": None,
        "closed_on": DAY,
    }
    return CaseRehandle(**(facts | changes))


def test_art36_closed_after_the_first_dissatisfaction_without_rehandle_is_proposed():
    assert detect_art36_rehandle_not_done(rehandle()) == ProposedBreach(
        C.ART36, 3, 9, "art36:case:9", DAY
    )
    before_only = rehandle(rehandle_reply_at=datetime(2026, 6, 9))  # the first handling's reply
    assert detect_art36_rehandle_not_done(before_only) is not None


def test_art36_rehandled_never_dissatisfied_or_open_is_not_proposed():
    assert detect_art36_rehandle_not_done(rehandle(rehandle_reply_at=datetime(2026, 6, 12))) is None
    assert detect_art36_rehandle_not_done(rehandle(first_dissatisfied_at=None)) is None
    assert detect_art36_rehandle_not_done(rehandle(closed_on=None)) is None


# -- Art.26 ----------------------------------------------------------------------------------

LEADER, LIAISON = ContactRoleKind.RESPONSIBLE_LEADER, ContactRoleKind.LIAISON


def test_art26_a_unit_with_both_contacts_reachable_is_not_proposed():
    unit = UnitContacts(3, (ContactFacts(LEADER, True, True), ContactFacts(LIAISON, True, True)))
    assert detect_art26_unreachable_contacts(unit, DAY) == []


def test_art26_a_missing_liaison_is_proposed_once_a_year():
    unit = UnitContacts(3, (ContactFacts(LEADER, True, True),))
    assert detect_art26_unreachable_contacts(unit, DAY) == [
        ProposedBreach(C.ART26, 3, None, "art26:branch:3:liaison:2026", DAY)
    ]
    later = detect_art26_unreachable_contacts(unit, date(2026, 12, 31))
    assert [b.dedupe_key for b in later] == ["art26:branch:3:liaison:2026"]
    next_year = detect_art26_unreachable_contacts(unit, date(2027, 1, 4))
    assert [b.dedupe_key for b in next_year] == ["art26:branch:3:liaison:2027"]


def test_art26_a_contact_out_of_post_or_without_a_number_is_not_reachable():
    unit = UnitContacts(
        3,
        (
            ContactFacts(LEADER, True, False),  # left: account deactivated
            ContactFacts(LIAISON, False, True),  # no number on record
            ContactFacts(LEADER, False, True),
        ),
    )
    found = detect_art26_unreachable_contacts(unit, DAY)
    assert {b.dedupe_key for b in found} == {
        "art26:branch:3:responsible_leader:2026",
        "art26:branch:3:liaison:2026",
    }


def test_art26_the_contact_roles_are_those_stored_for_contacts():
    from app.models import ContactRole

    assert {r.value for r in ContactRoleKind} == {r.value for r in ContactRole}


# -- Art.25 ----------------------------------------------------------------------------------

EFFECTIVE = date(2026, 9, 29)  # Tuesday before National Day
NOTICE_DUE = datetime(2026, 10, 12, 23, 59, 59)  # 09-30, 10-08, 10-09, 10-10 (make-up), 10-12


def notice(notified_at):
    return ContactChangeNotice(3, LIAISON, EFFECTIVE, notified_at)


def test_art25_notice_window_is_five_working_days_on_the_official_calendar(calendar):
    assert art25_notice_due(EFFECTIVE, calendar) == NOTICE_DUE
    assert art25_notice_due(EFFECTIVE, calendar, working_days=1) == datetime(
        2026, 9, 30, 23, 59, 59
    )


def test_art25_change_notified_in_time_is_not_proposed(calendar):
    assert detect_art25_late_notice(notice(NOTICE_DUE), datetime(2026, 12, 1), calendar) is None
    assert detect_art25_late_notice(notice(None), NOTICE_DUE, calendar) is None


def test_art25_change_notified_late_or_not_at_all_is_proposed_once(calendar):
    unnotified = detect_art25_late_notice(notice(None), datetime(2026, 10, 13), calendar)
    late = detect_art25_late_notice(
        notice(datetime(2026, 10, 14, 9)), datetime(2026, 12, 1), calendar
    )
    expected = ProposedBreach(
        C.ART25, 3, None, "art25:branch:3:liaison:2026-09-29", date(2026, 10, 12)
    )
    assert unnotified == late == expected


# -- Art.27 ----------------------------------------------------------------------------------


def returned(**changes):
    facts = {"case_id": 11, "branch_id": 3, "return_event_id": 55, "returned_on": DAY}
    return CaseReturn(**(facts | changes))


def test_art27_a_return_csd_refused_is_proposed():
    assert detect_art27_unaccepted_return(returned(accepted=False)) == ProposedBreach(
        C.ART27, 3, 11, "art27:case:11:return:55", DAY
    )


def test_art27_a_case_dispatched_straight_back_to_the_returning_unit_is_proposed():
    assert detect_art27_unaccepted_return(returned(redispatched_to=3)) is not None


def test_art27_an_accepted_or_undecided_return_is_not_proposed():
    assert detect_art27_unaccepted_return(returned(redispatched_to=4)) is None
    assert detect_art27_unaccepted_return(returned()) is None  # awaiting re-dispatch
    assert detect_art27_unaccepted_return(returned(accepted=True, redispatched_to=3)) is None


# -- Entries CSD records, entries of complaints, history (the register, app.services) --------


def test_art41_csd_records_every_cause_by_hand_but_the_complaints():
    assert set(BreachCause) == MANUAL_CAUSES | COMPLAINT_CAUSES
    assert manual_cause("art25") is C.ART25 and manual_cause("obstruction") is C.OBSTRUCTION
    for refused in ("complaint_general", "complaint_major", "art99", "", None):
        with pytest.raises(ViolationError):
            manual_cause(refused)


def test_art32_an_approved_complaint_makes_the_entry_of_its_grade_once_per_determination():
    assert complaint_cause(Grade.GENERAL) is C.COMPLAINT_GENERAL
    assert complaint_cause("major") is C.COMPLAINT_MAJOR
    assert complaint_dedupe_key(" 42 ") == complaint_dedupe_key("42") == "complaint:42"
    with pytest.raises(ViolationError):
        complaint_cause("minor")
    with pytest.raises(ViolationError):
        complaint_dedupe_key("  ")


def test_art41_an_entry_is_dated_by_a_known_past_day():
    assert check_occurred_on(DAY, DAY) == DAY
    with pytest.raises(ViolationError):
        check_occurred_on(date(2026, 6, 16), DAY)
    with pytest.raises(ViolationError):
        check_occurred_on(None, DAY)


def test_art31_every_step_of_an_entry_has_a_label():
    assert set(ENTRY_ACTION_LABELS) == set(EntryAction)
