"""The violation register (Art.41, design §3) through the database: each detection (Art.26, 27,
30, 35, 36) proposes its breach once, even when two runs race; CSD confirms or waives each with a
reason and records the others by hand with the deduction of the day they occurred; approved
complaint determinations add theirs; every change leaves a history event."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select, update

from app.domain.lifecycle import CaseStatus
from app.domain.violations import (
    DEDUCTIONS,
    BreachCause,
    DeductionRule,
    EntryStatus,
    ViolationError,
)
from app.models import Branch, BranchContact, Case, SuqiuUser, ViolationEntry, ViolationEntryEvent
from app.services import violations
from app.services.errors import (
    ConflictError,
    InvalidRecordError,
    OutOfScopeError,
    PermissionDeniedError,
)
from app.services.extensions import decide_extension, request_extension
from app.services.violations import (
    confirm_entry,
    detect_violations,
    record_complaint_entry,
    record_entry,
    waive_entry,
)
from tests.case_helpers import act, actor, branch_id, case_in_status, gen_case, to_callback
from tests.racing import at_once

RECEIVED = datetime(2026, 10, 12, 9, 0)  # a Monday: sign for by 10-13, finish by 10-19 23:59:59
AFTER_DEADLINE = datetime(2026, 10, 20, 9, 0)


def entries_of(session, case_id, cause=None) -> list[ViolationEntry]:
    session.expire_all()
    query = select(ViolationEntry).where(ViolationEntry.case_id == case_id)
    if cause:
        query = query.where(ViolationEntry.cause == cause)
    return list(session.scalars(query.order_by(ViolationEntry.id)))


def history(session, entry) -> list[tuple[str, int | None, str | None]]:
    rows = session.execute(
        select(ViolationEntryEvent.action, ViolationEntryEvent.actor_id, ViolationEntryEvent.note)
        .where(ViolationEntryEvent.entry_id == entry.id)
        .order_by(ViolationEntryEvent.id)
    )
    return [tuple(row) for row in rows]


def manual(session, unit="hankou", cause="art31", day=date(2026, 10, 20), **extra):
    return record_entry(
        session,
        actor(session, "csd"),
        cause=cause,
        branch_id=branch_id(session, unit),
        occurred_on=day,
        evidence=extra.pop("evidence", "工单办理记录与录音不符。"),
        now=extra.pop("now", datetime(2026, 10, 21, 9, 0)),
        **extra,
    )


# -- Detection, one article each ------------------------------------------------------------


def test_art30_an_overdue_case_is_proposed_once_with_its_deduction_and_history(db_session):
    case = case_in_status(db_session, CaseStatus.IN_PROGRESS, RECEIVED)
    detect_violations(db_session, datetime(2026, 10, 19, 23, 0))
    assert entries_of(db_session, case.id) == []
    assert detect_violations(db_session, AFTER_DEADLINE) >= 1
    (entry,) = entries_of(db_session, case.id)
    hankou = branch_id(db_session, "hankou")
    assert (entry.cause, entry.branch_id, entry.status) == ("art30", hankou, "proposed")
    assert entry.deduction_bp == 200 and entry.occurred_on == date(2026, 10, 19)
    assert entry.dedupe_key == f"art30:case:{case.id}:branch:{hankou}"
    assert entry.proposed_by_id is None and entry.decided_at is None
    assert history(db_session, entry) == [("proposed", None, None)]
    detect_violations(db_session, datetime(2026, 10, 25, 9, 0))
    assert len(entries_of(db_session, case.id)) == 1


def test_art30_the_sign_for_deadline_binds_too(db_session):
    case = case_in_status(db_session, CaseStatus.PENDING_SIGN, RECEIVED)
    detect_violations(db_session, datetime(2026, 10, 14, 9, 0))
    (entry,) = entries_of(db_session, case.id, "art30")
    assert entry.occurred_on == date(2026, 10, 13)


def test_art30_a_case_replied_in_time_is_not_proposed_one_replied_late_is(db_session):
    in_time = case_in_status(db_session, CaseStatus.IN_PROGRESS, RECEIVED)
    act(db_session, "liaison_hankou", in_time, "reply", result="已办", now=datetime(2026, 10, 19))
    late = case_in_status(db_session, CaseStatus.IN_PROGRESS, RECEIVED)
    act(db_session, "liaison_hankou", late, "reply", result="已办", now=datetime(2026, 10, 20, 8))
    detect_violations(db_session, datetime(2026, 10, 22, 9, 0))
    assert entries_of(db_session, in_time.id) == []
    assert [e.cause for e in entries_of(db_session, late.id)] == ["art30"]


def test_art30_no_proposal_while_an_extension_awaits_csd_nor_before_the_extended_deadline(
    db_session,
):
    case = case_in_status(db_session, CaseStatus.IN_PROGRESS, RECEIVED)
    request = request_extension(
        db_session,
        actor(db_session, "liaison_hankou"),
        case.id,
        version=None,
        requested_due=datetime(2026, 10, 30, 23, 59, 59),
        reason="需更换管道。",
        now=datetime(2026, 10, 15, 9, 0),
    )
    detect_violations(db_session, AFTER_DEADLINE)
    assert entries_of(db_session, case.id) == []
    decide_extension(
        db_session, actor(db_session, "csd"), request.id, approve=True, now=AFTER_DEADLINE
    )
    detect_violations(db_session, datetime(2026, 10, 30, 9, 0))
    assert entries_of(db_session, case.id) == []
    detect_violations(db_session, datetime(2026, 10, 31, 9, 0))
    (entry,) = entries_of(db_session, case.id)
    assert entry.occurred_on == date(2026, 10, 30)


def test_art35_a_closed_government_case_the_unit_did_not_call_back_is_proposed(db_session):
    called_by_csd = gen_case(db_session, received=RECEIVED, now=RECEIVED)
    to_callback(db_session, called_by_csd, now=datetime(2026, 10, 14, 9, 0))
    act(
        db_session, "csd", called_by_csd, "callback", result="satisfied", now=datetime(2026, 10, 15)
    )
    called_by_unit = case_in_status(db_session, CaseStatus.CLOSED, RECEIVED)
    detect_violations(db_session, datetime(2026, 10, 16, 9, 0))
    (entry,) = entries_of(db_session, called_by_csd.id)
    assert (entry.cause, entry.occurred_on, entry.deduction_bp) == (
        "art35",
        date(2026, 10, 15),
        200,
    )
    assert entry.dedupe_key == f"art35:case:{called_by_csd.id}"
    assert entries_of(db_session, called_by_unit.id) == []


def test_art35_company_channel_cases_rely_on_the_survey(db_session):
    case = gen_case(
        db_session, by="agent", channel="hotline_96511", received=RECEIVED, now=RECEIVED
    )
    act(db_session, "agent", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    for username, action, inputs in (
        ("liaison_hankou", "sign_for", {}),
        ("liaison_hankou", "reply", {"result": "已办"}),
        ("csd", "approve", {}),
        ("csd", "callback", {"result": "satisfied"}),
    ):
        act(db_session, username, case, action, **inputs)
    detect_violations(db_session, datetime(2026, 10, 16, 9, 0))
    assert entries_of(db_session, case.id, "art35") == []


def test_art36_a_case_closed_without_its_rehandle_is_proposed(db_session):
    """The workflow closes a re-handled case only after the unit's new reply; a case closed
    another way (a data import, a repair in the database) is caught by the detection."""
    skipped = case_in_status(db_session, CaseStatus.REHANDLING, RECEIVED)
    db_session.execute(
        update(Case)
        .where(Case.id == skipped.id)
        .values(status=CaseStatus.CLOSED, closed_at=datetime(2026, 10, 16, 9, 0))
    )
    db_session.commit()
    redone = case_in_status(db_session, CaseStatus.CLOSED_DISSATISFIED, RECEIVED)
    detect_violations(db_session, datetime(2026, 10, 17, 9, 0))
    (entry,) = entries_of(db_session, skipped.id, "art36")
    assert (entry.occurred_on, entry.branch_id) == (
        date(2026, 10, 16),
        branch_id(db_session, "hankou"),
    )
    assert entries_of(db_session, redone.id, "art36") == []


def test_art26_a_unit_without_a_reachable_liaison_is_proposed_once_a_year(db_session):
    wuchang, hankou = branch_id(db_session, "wuchang"), branch_id(db_session, "hankou")
    db_session.execute(
        update(SuqiuUser).where(SuqiuUser.username == "liaison_wuchang").values(active=False)
    )
    db_session.execute(
        update(BranchContact)
        .where(BranchContact.branch_id == hankou, BranchContact.role == "responsible_leader")
        .values(mobile="", landline=None)
    )
    db_session.commit()

    def art26_keys():
        db_session.expire_all()
        return sorted(
            db_session.scalars(
                select(ViolationEntry.dedupe_key).where(ViolationEntry.cause == "art26")
            )
        )

    detect_violations(db_session, datetime(2026, 10, 20, 9, 0))
    expected = sorted(
        [f"art26:branch:{wuchang}:liaison:2026", f"art26:branch:{hankou}:responsible_leader:2026"]
    )
    assert art26_keys() == expected
    detect_violations(db_session, datetime(2026, 11, 20, 9, 0))
    assert art26_keys() == expected
    detect_violations(db_session, datetime(2027, 1, 4, 9, 0))
    assert len(art26_keys()) == 4


def test_art27_a_return_dispatched_back_to_the_same_unit_is_proposed(db_session):
    hankou, wuchang = branch_id(db_session, "hankou"), branch_id(db_session, "wuchang")
    refused = gen_case(db_session, received=RECEIVED, now=RECEIVED)
    accepted = gen_case(db_session, received=RECEIVED, now=RECEIVED)
    for case, next_unit in ((refused, hankou), (accepted, wuchang)):
        act(db_session, "csd", case, "dispatch", branch_id=hankou)
        act(db_session, "liaison_hankou", case, "return_case", reason="不属本单位辖区。")
        act(db_session, "csd", case, "dispatch", branch_id=next_unit)
    detect_violations(db_session, datetime(2026, 10, 13, 9, 0))
    (entry,) = entries_of(db_session, refused.id, "art27")
    assert (entry.branch_id, entry.deduction_bp, entry.status) == (hankou, 200, "proposed")
    assert entry.dedupe_key.startswith(f"art27:case:{refused.id}:return:")
    assert entries_of(db_session, accepted.id, "art27") == []


def test_art27_names_the_unit_that_returned_the_case_even_after_it_is_renamed(db_session):
    """Art.27: the unit of a 退单 is the one recorded on the event, not found again by its name:
    a unit renamed between the return and the detection (or two units of one name) still gets
    its own entry."""
    hankou = branch_id(db_session, "hankou")
    refused = gen_case(db_session, received=RECEIVED, now=RECEIVED)
    act(db_session, "csd", refused, "dispatch", branch_id=hankou)
    act(db_session, "liaison_hankou", refused, "return_case", reason="不属本单位辖区。")
    act(db_session, "csd", refused, "dispatch", branch_id=hankou)
    unit = db_session.get(Branch, hankou)
    unit.name = "汉口分公司（更名）"
    db_session.commit()
    detect_violations(db_session, datetime(2026, 10, 13, 9, 0))
    (entry,) = entries_of(db_session, refused.id, "art27")
    assert entry.branch_id == hankou


def test_art25_is_not_detected_csd_records_it_by_hand(db_session):
    """Art.25: the portal records a change of 责任人/联络员 when it is entered, which is the notice
    to CSD; the day the person changed is not recorded, so the system proposes nothing."""
    detect_violations(db_session, datetime(2026, 10, 20, 9, 0))
    assert not db_session.scalar(
        select(func.count()).select_from(ViolationEntry).where(ViolationEntry.cause == "art25")
    )
    assert manual(db_session, cause="art25").deduction_bp == 100


def test_art41_two_detections_racing_propose_each_breach_once(app, db_session):
    """Two instances of `suqiu detect-violations` at the same moment: INSERT … ON CONFLICT DO
    NOTHING on the dedupe key; each breach once, with one history event."""
    cases = [case_in_status(db_session, CaseStatus.IN_PROGRESS, RECEIVED) for _ in range(3)]
    # The demo's register (its approved complaints' entries) is there before.
    entries_before = db_session.scalar(select(func.count()).select_from(ViolationEntry))
    events_before = db_session.scalar(select(func.count()).select_from(ViolationEntryEvent))
    detect = lambda session: detect_violations(session, AFTER_DEADLINE)  # noqa: E731
    results = at_once(app, detect, detect)
    db_session.expire_all()
    total = db_session.scalar(select(func.count()).select_from(ViolationEntry)) - entries_before
    events = (
        db_session.scalar(select(func.count()).select_from(ViolationEntryEvent)) - events_before
    )
    assert sum(results) == total == events and total >= len(cases)
    for case in cases:
        assert len(entries_of(db_session, case.id)) == 1
    assert detect_violations(db_session, AFTER_DEADLINE) == 0


# -- CSD's decisions ---------------------------------------------------------------------------


def test_art41_csd_confirms_a_proposed_entry_once_and_the_history_says_who(db_session):
    entry = manual(db_session)
    csd = actor(db_session, "csd_head")
    confirmed = confirm_entry(
        db_session, csd, entry.id, version=entry.version, now=datetime(2026, 10, 22)
    )
    assert confirmed.status == EntryStatus.CONFIRMED and confirmed.decided_by_id == csd.user_id
    assert [a for a, _, _ in history(db_session, confirmed)] == ["recorded", "confirmed"]
    assert history(db_session, confirmed)[1][1] == csd.user_id
    with pytest.raises(ViolationError, match="已确认或免除"):
        waive_entry(db_session, csd, entry.id, version=confirmed.version, reason="误报")


def test_art41_a_waiver_needs_a_reason_and_keeps_it(db_session):
    entry = manual(db_session)
    csd = actor(db_session, "csd")
    with pytest.raises(ViolationError, match="免除该违规记录的理由"):
        waive_entry(db_session, csd, entry.id, version=entry.version, reason="  ")
    db_session.expire_all()
    assert db_session.get(ViolationEntry, entry.id).status == EntryStatus.PROPOSED
    waived = waive_entry(db_session, csd, entry.id, version=entry.version, reason="系统故障所致。")
    assert (waived.status, waived.reason) == (EntryStatus.WAIVED, "系统故障所致。")
    assert history(db_session, waived)[-1] == ("waived", csd.user_id, "系统故障所致。")


def test_art41_a_decision_on_a_stale_form_is_refused_and_nothing_is_saved(db_session):
    entry = manual(db_session)
    csd = actor(db_session, "csd")
    confirm_entry(db_session, csd, entry.id, version=entry.version)
    db_session.expire_all()
    with pytest.raises(ConflictError):
        waive_entry(db_session, csd, entry.id, version=1, reason="迟到的免除")
    db_session.expire_all()
    assert db_session.get(ViolationEntry, entry.id).status == EntryStatus.CONFIRMED
    assert len(history(db_session, entry)) == 2


@pytest.mark.parametrize("username", ["liaison_hankou", "head_hankou", "leader", "committee"])
def test_art10_only_csd_decides_and_records(db_session, username):
    entry = manual(db_session)
    who = actor(db_session, username)
    with pytest.raises(PermissionDeniedError):
        confirm_entry(db_session, who, entry.id, version=entry.version)
    with pytest.raises(PermissionDeniedError):
        record_entry(
            db_session,
            who,
            cause="art31",
            branch_id=branch_id(db_session, "hankou"),
            occurred_on=date(2026, 10, 20),
            evidence="记录",
        )


# -- Manual entries and the deduction table ----------------------------------------------------


@pytest.mark.parametrize(
    ("cause", "points"), [("art37", 100), ("art38", 100), ("art31", 200), ("obstruction", 200)]
)
def test_art41_csd_records_a_breach_by_hand_with_its_deduction(db_session, cause, points):
    case = case_in_status(db_session, CaseStatus.IN_PROGRESS, RECEIVED)
    entry = manual(db_session, cause=cause, case_number=case.number.lower())
    assert (entry.cause, entry.deduction_bp, entry.status) == (cause, points, "proposed")
    assert (entry.case_id, entry.dedupe_key) == (case.id, None)
    assert entry.proposed_by_id == actor(db_session, "csd").user_id
    assert history(db_session, entry) == [("recorded", entry.proposed_by_id, None)]
    assert manual(db_session, cause=cause).id != entry.id  # a second occurrence is a new entry


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cause": "complaint_major"}, "已审批的投诉认定"),
        ({"cause": "nonsense"}, "请选择违规事项"),
        ({"day": date(2026, 10, 22)}, "不能晚于今天"),
        ({"day": None}, "请填写违规发生日期"),
        ({"evidence": "  "}, "请填写违规证据"),
        ({"case_number": "SQ209901010001"}, "没有工单号为 SQ209901010001 的诉求"),
    ],
)
def test_art41_a_manual_entry_with_a_missing_or_wrong_value_is_refused(db_session, change, message):
    before = db_session.scalar(select(func.count()).select_from(ViolationEntry))  # the demo's
    with pytest.raises((ViolationError, InvalidRecordError), match=message):
        manual(db_session, **change)
    assert db_session.scalar(select(func.count()).select_from(ViolationEntry)) == before


def test_art41_the_deduction_comes_from_the_table_in_force_on_the_day_it_occurred(
    db_session, monkeypatch
):
    """A revision (Art.43) applies from its date: an Art.30 breach of 2026-12-31 costs 2 %, one
    of 2027-01-02 3 %; each entry keeps its figure when the table changes later."""
    revised = (*DEDUCTIONS, DeductionRule(BreachCause.ART30, 300, date(2027, 1, 1)))
    monkeypatch.setattr(violations, "DEDUCTION_TABLE", revised)
    now = datetime(2027, 1, 5, 9, 0)
    old = manual(db_session, cause="art30", day=date(2026, 12, 31), now=now)
    new = manual(db_session, cause="art30", day=date(2027, 1, 2), now=now)
    assert (old.deduction_bp, new.deduction_bp) == (200, 300)
    monkeypatch.setattr(violations, "DEDUCTION_TABLE", DEDUCTIONS)
    db_session.expire_all()
    assert db_session.get(ViolationEntry, new.id).deduction_bp == 300


# -- Entries of approved complaint determinations -------------------------------------------


def test_art32_an_approved_complaint_makes_one_confirmed_entry_per_determination(db_session):
    case = case_in_status(db_session, CaseStatus.CLOSED, RECEIVED)
    approver = actor(db_session, "csd_head").user_id
    values = dict(
        branch_id=branch_id(db_session, "hankou"),
        case_id=case.id,
        occurred_on=RECEIVED.date(),
        determination_key="determination:7",
        decided_by_id=approver,
    )
    major = record_complaint_entry(db_session, grade="major", **values)
    again = record_complaint_entry(db_session, grade="major", **values)
    assert again.id == major.id
    assert (major.cause, major.status, major.deduction_bp) == ("complaint_major", "confirmed", 500)
    assert major.decided_by_id == approver and major.dedupe_key == "complaint:determination:7"
    assert history(db_session, major) == [("from_complaint", approver, "determination:7")]
    general = record_complaint_entry(
        db_session, grade="general", **{**values, "determination_key": "determination:8"}
    )
    assert (general.cause, general.deduction_bp) == ("complaint_general", 200)
    with pytest.raises(ViolationError):
        record_complaint_entry(
            db_session, grade="minor", **{**values, "determination_key": "determination:9"}
        )


# -- Branch scope ------------------------------------------------------------------------------


def test_a_unit_never_reads_another_units_entry_through_the_services(db_session):
    wuchang_entry = manual(db_session, unit="wuchang")
    with pytest.raises(OutOfScopeError):
        violations.visible_entry(db_session, actor(db_session, "liaison_hankou"), wuchang_entry.id)
    with pytest.raises(PermissionDeniedError):
        violations.visible_entry(db_session, actor(db_session, "handler_hankou"), wuchang_entry.id)
    assert violations.visible_entry(
        db_session, actor(db_session, "liaison_wuchang"), wuchang_entry.id
    )
