"""The Art.41 violation register (违规记录): breach causes, the deduction table as dated data, the
annual score, and the breaches the system detects itself (design §3).

Pure: rows arrive as small frozen snapshots built by the service layer; ``now``, the calendar and
the table are parameters. A detection returns a ``ProposedBreach`` whose ``dedupe_key`` is
stable: stored under a unique index, each breach is proposed once however often detection runs.
CSD then confirms or waives it with a reason; only confirmed entries cost points.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

from app.domain.calendar import WorkCalendar
from app.domain.channels import BRANCH_CALLBACK_CATEGORIES, ChannelCategoryCode
from app.domain.complaints import Grade
from app.domain.deadlines import LimitUnit, deadline_for, is_overdue
from app.domain.errors import DomainError
from app.domain.i18n import _l


class BreachCause(StrEnum):
    """What an entry of the register is for; the value is stored."""

    ART25 = "art25"  # 责任人/联络员变更未报客服部
    ART26 = "art26"  # 联系方式无效、联系不上
    ART27 = "art27"  # 拒收、推诿
    ART30 = "art30"  # 超期
    ART31 = "art31"  # 记录不完整、不真实
    ART33 = "art33"  # 可能造成不良影响而未报告进展
    ART35 = "art35"  # 政务/网办渠道未人工回访
    ART36 = "art36"  # 首次不满意未重办
    ART37 = "art37"  # 新业务、业务或流程变更未告知
    ART38 = "art38"  # 突发事件未告知
    OBSTRUCTION = "obstruction"  # 拒绝、阻挠、谎报客服部调查
    COMPLAINT_GENERAL = "complaint_general"  # 一般有效投诉
    COMPLAINT_MAJOR = "complaint_major"  # 重大有效投诉


C = BreachCause
# Entries for these come from approved complaint determinations (Art.32), not from CSD's hand.
COMPLAINT_CAUSES = frozenset({C.COMPLAINT_GENERAL, C.COMPLAINT_MAJOR})
# Proposed by the detections below; CSD may still enter any non-complaint cause by hand.
DETECTED_CAUSES = frozenset({C.ART25, C.ART26, C.ART27, C.ART30, C.ART35, C.ART36})

CAUSE_LABELS = {
    C.ART25: _l("Art.25: change of responsible leader or liaison not notified to CSD"),
    C.ART26: _l("Art.26: no valid, reachable contact details"),
    C.ART27: _l("Art.27: case refused or passed on"),
    C.ART30: _l("Art.30: case overdue"),
    C.ART31: _l("Art.31: incomplete or untrue handling records"),
    C.ART33: _l("Art.33: progress of a case liable to adverse impact not reported"),
    C.ART35: _l("Art.35: government or online case not called back"),
    C.ART36: _l("Art.36: case not re-handled after the first dissatisfaction"),
    C.ART37: _l("Art.37: service or workflow change not announced"),
    C.ART38: _l("Art.38: emergency not notified"),
    C.OBSTRUCTION: _l("Refusing, obstructing or misinforming a CSD investigation"),
    C.COMPLAINT_GENERAL: _l("General valid complaint"),
    C.COMPLAINT_MAJOR: _l("Major valid complaint"),
}


class EntryStatus(StrEnum):
    PROPOSED = "proposed"  # 待确认: detected or entered, not yet decided
    CONFIRMED = "confirmed"  # 已确认: counts in the assessment
    WAIVED = "waived"  # 已免除: kept with CSD's reason, counts nothing


ENTRY_STATUS_LABELS = {
    EntryStatus.PROPOSED: _l("Awaiting confirmation"),
    EntryStatus.CONFIRMED: _l("Confirmed"),
    EntryStatus.WAIVED: _l("Waived"),
}


class ViolationError(DomainError):
    pass


class EntryAction(StrEnum):
    """What happened to an entry: one immutable history event each (Art.31); values stored."""

    PROPOSED = "proposed"  # detected by the system
    RECORDED = "recorded"  # entered by CSD by hand
    FROM_COMPLAINT = "from_complaint"  # an approved complaint determination (Art.32)
    CONFIRMED = "confirmed"
    WAIVED = "waived"


ENTRY_ACTION_LABELS = {
    EntryAction.PROPOSED: _l("Proposed by the system"),
    EntryAction.RECORDED: _l("Recorded by the customer-service department"),
    EntryAction.FROM_COMPLAINT: _l("From an approved complaint determination"),
    EntryAction.CONFIRMED: _l("Confirmed"),
    EntryAction.WAIVED: _l("Waived"),
}

# CSD enters any cause by hand but the complaints, which come from approved determinations.
MANUAL_CAUSES = frozenset(BreachCause) - COMPLAINT_CAUSES
COMPLAINT_GRADE_CAUSES = {Grade.GENERAL: C.COMPLAINT_GENERAL, Grade.MAJOR: C.COMPLAINT_MAJOR}


def manual_cause(value: str | None) -> BreachCause:
    """Design §3: the cause of an entry CSD records by hand (Art.25–38, obstruction)."""
    try:
        cause = BreachCause(value or "")
    except ValueError as exc:
        raise ViolationError(_l("Please choose what the violation is.")) from exc
    if cause in COMPLAINT_CAUSES:
        raise ViolationError(
            _l("Deductions for valid complaints come from approved complaint determinations.")
        )
    return cause


def complaint_cause(grade: Grade | str) -> BreachCause:
    """Art.41: the entry an approved valid complaint of ``grade`` (Art.9) makes."""
    try:
        return COMPLAINT_GRADE_CAUSES[Grade(grade)]
    except ValueError as exc:
        raise ViolationError(_l("The complaint has no valid grade.")) from exc


def complaint_dedupe_key(determination_key: str) -> str:
    """One entry per complaint determination, however often its approval is reported."""
    key = (determination_key or "").strip()
    if not key:
        raise ViolationError(_l("The complaint determination has no key."))
    return f"complaint:{key}"


def check_occurred_on(day: date | None, today: date) -> date:
    """An entry is dated by the day of the breach, which has to be known and past."""
    if day is None:
        raise ViolationError(_l("Please give the day the violation occurred."))
    if day > today:
        raise ViolationError(_l("The day of the violation cannot be in the future."))
    return day


def decide_entry(status: EntryStatus, confirm: bool, reason: str | None) -> EntryStatus:
    """Design §3: CSD confirms or waives a proposed entry once; a waiver needs a reason."""
    if status is not EntryStatus.PROPOSED:
        raise ViolationError(_l("This violation has already been confirmed or waived."))
    if not confirm and not (reason or "").strip():
        raise ViolationError(_l("Please give the reason for waiving the violation."))
    return EntryStatus.CONFIRMED if confirm else EntryStatus.WAIVED


# -- Deductions (Art.41) ---------------------------------------------------------------------

FULL_SCORE = 10_000  # basis points: 100 %


@dataclass(frozen=True)
class DeductionRule:
    """From ``effective_from`` on, one occurrence of ``cause`` costs ``basis_points``."""

    cause: BreachCause
    basis_points: int
    effective_from: date


# Our copy of the regulation carries no publication date (Art.44): its table applies to every
# day until a revision, which is added as new rows with a later ``effective_from``.
REGULATION_IN_FORCE = date.min
_ART41 = (
    (200, (C.COMPLAINT_GENERAL,)),
    (500, (C.COMPLAINT_MAJOR,)),
    (100, (C.ART25, C.ART26, C.ART37, C.ART38)),
    (200, (C.ART27, C.ART30, C.ART31, C.ART33, C.ART35, C.ART36)),
    (200, (C.OBSTRUCTION,)),
)
DEDUCTIONS: tuple[DeductionRule, ...] = tuple(
    DeductionRule(cause, points, REGULATION_IN_FORCE)
    for points, causes in _ART41
    for cause in causes
)


def check_deduction_table(table: Iterable[DeductionRule]) -> None:
    """A revision may not give one cause two values from the same day, nor leave 0–100 %."""
    seen: set[tuple[BreachCause, date]] = set()
    for rule in table:
        if not 0 <= rule.basis_points <= FULL_SCORE:
            raise ViolationError(_l("A deduction must lie between 0% and 100%."))
        if (rule.cause, rule.effective_from) in seen:
            raise ViolationError(
                _l("The deduction table gives “%(cause)s” two values from %(day)s."),
                cause=CAUSE_LABELS[rule.cause],
                day=rule.effective_from.isoformat(),
            )
        seen.add((rule.cause, rule.effective_from))


def deduction_for(cause: BreachCause, on: date, table: Iterable[DeductionRule] = DEDUCTIONS) -> int:
    """Basis points one occurrence on ``on`` costs: the rule with the latest ``effective_from``
    not after ``on``, so a revision never changes what an earlier day cost."""
    in_force = [r for r in table if r.cause is cause and r.effective_from <= on]
    if not in_force:
        raise ViolationError(
            _l("No deduction is defined for “%(cause)s” on %(day)s."),
            cause=CAUSE_LABELS[cause],
            day=on.isoformat(),
        )
    return max(in_force, key=lambda r: r.effective_from).basis_points


@dataclass(frozen=True)
class RegisterEntry:
    """One entry as the assessment sees it; ``occurred_on`` (the breach's day; for a complaint
    the day its case was received) decides both the year and the rule in force."""

    cause: BreachCause
    status: EntryStatus
    occurred_on: date


def total_deduction(
    entries: Iterable[RegisterEntry], year: int, table: Iterable[DeductionRule] = DEDUCTIONS
) -> int:
    """Sum of the confirmed entries of ``year``; proposed and waived ones cost nothing."""
    rules = tuple(table)
    return sum(
        deduction_for(e.cause, e.occurred_on, rules)
        for e in entries
        if e.status is EntryStatus.CONFIRMED and e.occurred_on.year == year
    )


def assessment_score(
    entries: Iterable[RegisterEntry], year: int, table: Iterable[DeductionRule] = DEDUCTIONS
) -> int:
    """Art.41: 100 % minus the year's confirmed deductions, in basis points. Floored at 0: a
    score is a share of 100 %; ``total_deduction`` keeps the full figure for display."""
    return max(0, FULL_SCORE - total_deduction(entries, year, table))


def percent(basis_points: int) -> str:
    """8400 → "84%", 8350 → "83.5%": exact, no trailing zeros."""
    text = f"{Decimal(basis_points).scaleb(-2):f}".rstrip("0").rstrip(".")
    return f"{text}%"


# -- Detection -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposedBreach:
    cause: BreachCause
    branch_id: int
    case_id: int | None
    dedupe_key: str  # unique in the register: the same breach is never proposed twice
    occurred_on: date


@dataclass(frozen=True)
class CaseTimeliness:
    """Art.30 facts of a case and the unit holding it (one snapshot per case and unit)."""

    case_id: int
    branch_id: int | None  # None: no unit holds it (CSD's own delay is no branch breach)
    finish_due: datetime | None  # binding: an approved extension already moved it
    finished_at: datetime | None = None  # the unit's reply stopped the finish clock; None: runs
    sign_due: datetime | None = None
    dispatched_at: datetime | None = None
    signed_at: datetime | None = None
    extension_pending: bool = False  # a request CSD has not decided yet


def detect_art30_overdue(case: CaseTimeliness, now: datetime) -> ProposedBreach | None:
    """Art.30: past a binding deadline (sign-for or finish) without an extension. The sign-for
    limit counts only if the unit got the case before it; while an extension request awaits
    CSD's decision nothing is proposed (approved, it moves ``finish_due``; refused, the next
    run proposes). One breach per case and unit, dated by the first deadline missed."""
    if case.branch_id is None:
        return None
    missed: list[datetime] = []
    sign_due, dispatched = case.sign_due, case.dispatched_at
    if (
        sign_due
        and dispatched
        and dispatched <= sign_due
        and is_overdue(sign_due, now, case.signed_at)
    ):
        missed.append(sign_due)
    finish_due = case.finish_due
    if finish_due and not case.extension_pending and is_overdue(finish_due, now, case.finished_at):
        missed.append(finish_due)
    if not missed:
        return None
    return ProposedBreach(
        C.ART30,
        case.branch_id,
        case.case_id,
        f"art30:case:{case.case_id}:branch:{case.branch_id}",
        min(missed).date(),
    )


@dataclass(frozen=True)
class CaseCallback:
    """Art.35 facts of a case."""

    case_id: int
    branch_id: int | None
    channel_category: ChannelCategoryCode
    closed_on: date | None  # None while open (a voided case is not closed)
    branch_called_back: bool  # the branch recorded a manual callback (any result, 联系不上 too)


def detect_art35_missing_callback(case: CaseCallback) -> ProposedBreach | None:
    """Art.35: a closed 政务/网办 case the branch did not call back itself (公司渠道 cases rely
    on the satisfaction survey and are never proposed)."""
    if (
        case.branch_id is None
        or case.closed_on is None
        or case.channel_category not in BRANCH_CALLBACK_CATEGORIES
        or case.branch_called_back
    ):
        return None
    return ProposedBreach(
        C.ART35, case.branch_id, case.case_id, f"art35:case:{case.case_id}", case.closed_on
    )


@dataclass(frozen=True)
class CaseRehandle:
    """Art.36 facts of a case."""

    case_id: int
    branch_id: int | None  # the unit that had to re-handle it
    first_dissatisfied_at: datetime | None  # the first 不满意 callback; None: never
    rehandle_reply_at: datetime | None  # the unit's latest reply (the 重办 done if after it)
    closed_on: date | None


def detect_art36_rehandle_not_done(case: CaseRehandle) -> ProposedBreach | None:
    """Art.21/36: after the first 不满意 the unit re-handles; a case closed with no reply of the
    unit after that callback was closed without the 重办."""
    dissatisfied = case.first_dissatisfied_at
    if case.branch_id is None or case.closed_on is None or dissatisfied is None:
        return None
    if case.rehandle_reply_at is not None and case.rehandle_reply_at > dissatisfied:
        return None
    return ProposedBreach(
        C.ART36, case.branch_id, case.case_id, f"art36:case:{case.case_id}", case.closed_on
    )


class ContactRoleKind(StrEnum):
    """The two contacts a unit keeps (Art.14–16); the values are those stored for contacts."""

    RESPONSIBLE_LEADER = "responsible_leader"  # 责任人
    LIAISON = "liaison"  # 联络员


@dataclass(frozen=True)
class ContactFacts:
    role: ContactRoleKind
    has_phone: bool  # a mobile or landline number on record
    active: bool  # still in post (the person's account is active)


@dataclass(frozen=True)
class UnitContacts:
    branch_id: int
    contacts: tuple[ContactFacts, ...]


def detect_art26_unreachable_contacts(unit: UnitContacts, today: date) -> list[ProposedBreach]:
    """Art.26: a unit needs an active 责任人 and an active 联络员 with a number each. One breach
    per missing role and year: a gap still open in a new year counts again in that year's
    assessment; a gap re-opened within the same year CSD enters by hand."""
    valid = {c.role for c in unit.contacts if c.active and c.has_phone}
    return [
        ProposedBreach(
            C.ART26,
            unit.branch_id,
            None,
            f"art26:branch:{unit.branch_id}:{role.value}:{today.year}",
            today,
        )
        for role in ContactRoleKind
        if role not in valid
    ]


# Art.25 says "notify CSD" without a time: we allow the branch the 5 working days that Art.39
# gives it to answer CSD, counted from the day after the change took effect.
ART25_NOTICE_WORKING_DAYS = 5


@dataclass(frozen=True)
class ContactChangeNotice:
    branch_id: int
    role: ContactRoleKind
    effective_on: date  # the day the person changed (appointed, replaced, left)
    notified_at: datetime | None  # recorded in the portal, which notifies CSD; None: not yet


def art25_notice_due(
    effective_on: date, calendar: WorkCalendar, working_days: int = ART25_NOTICE_WORKING_DAYS
) -> datetime:
    start = datetime.combine(effective_on, time.min)
    return deadline_for(start, working_days, LimitUnit.WORKING_DAYS, calendar).due


def detect_art25_late_notice(
    change: ContactChangeNotice,
    now: datetime,
    calendar: WorkCalendar,
    working_days: int = ART25_NOTICE_WORKING_DAYS,
) -> ProposedBreach | None:
    """Art.25: a change of 责任人/联络员 not notified to CSD within ``working_days`` working days
    (late, or not yet once the time is up). Keyed by the change, not by its notice, so a change
    proposed while unnotified is not proposed again when the late notice arrives."""
    due = art25_notice_due(change.effective_on, calendar, working_days)
    if not is_overdue(due, now, change.notified_at):
        return None
    key = f"art25:branch:{change.branch_id}:{change.role.value}:{change.effective_on.isoformat()}"
    return ProposedBreach(C.ART25, change.branch_id, None, key, due.date())


@dataclass(frozen=True)
class CaseReturn:
    """One 退单 of a dispatched case (Art.27)."""

    case_id: int
    branch_id: int  # the unit that returned the case
    return_event_id: int
    returned_on: date
    accepted: bool | None = None  # CSD's explicit decision on the return, where recorded
    redispatched_to: int | None = None  # the unit CSD dispatched the case to next


def detect_art27_unaccepted_return(ret: CaseReturn) -> ProposedBreach | None:
    """Art.27: a unit may not refuse a case. A return CSD did not accept is a refusal: refused
    explicitly, or (no decision recorded) the case dispatched straight back to the same unit,
    which CSD thereby held responsible. Not proposed while the case awaits re-dispatch."""
    refused = ret.accepted is False or (
        ret.accepted is None and ret.redispatched_to == ret.branch_id
    )
    if not refused:
        return None
    key = f"art27:case:{ret.case_id}:return:{ret.return_event_id}"
    return ProposedBreach(C.ART27, ret.branch_id, ret.case_id, key, ret.returned_on)
