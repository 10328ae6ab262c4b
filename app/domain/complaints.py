"""Complaint determination (投诉认定, Art.8/9/32; design §3): the vocabularies, what a complete
determination holds, its approval and objection workflow, and the Art.42 staff rating it feeds.

Pure: a determination arrives as a ``DeterminationDraft`` of plain values; ``now`` and the
calendar are parameters. Only an approved determination counts (design §3).

Approval is four-eyes: 客服部主管 approves neither a determination they investigated nor one they
submitted (``four_eyes_problem``), a change included.

A change after an objection is a new determination that goes to 客服部主管 too (变更待审批,
CHANGE_PENDING): while it waits, the earlier approved determination keeps counting (the status
is in COUNTING_STATUSES and the record keeps the earlier values); approved, the change counts
(CHANGED) and the violation register and the staff ratings follow it. Sent back, the change is
dropped and the objection is open again (OBJECTED): CSD upholds the earlier determination or
proposes a corrected change, which goes to approval again. An approved change naming another
responsible unit gives that unit its own objection window from the approval; each unit objects
once (``ensure_first_objection``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from app.domain.calendar import WorkCalendar
from app.domain.deadlines import Deadline, LimitUnit, deadline_for
from app.domain.errors import DomainError
from app.domain.i18n import LazyString, _l


class Determination(StrEnum):
    VALID = "valid"  # 有效投诉
    INVALID = "invalid"  # 无效投诉


class BreachCategory(StrEnum):
    """Art.8: the company rule a valid complaint shows broken."""

    ATTITUDE = "attitude"  # 服务态度差
    QUALITY = "quality"  # 服务质量低
    BUCK_PASSING = "buck_passing"  # 推诿拖延
    BRIBERY = "bribery"  # 吃拿卡要
    RIGID_PROCESS = "rigid_process"  # 流程僵硬
    IMPROPER_SALES_OR_FEES = "improper_sales_or_fees"  # 违规销售及收费


class InvalidReason(StrEnum):
    """Art.8: why a complaint is invalid."""

    NOT_TRUE = "not_true"  # 经调查不属实
    OUTSIDE_SCOPE = "outside_scope"  # 不属于公司服务范围


class Grade(StrEnum):
    """Art.9: the level of a valid complaint."""

    GENERAL = "general"  # 一般有效投诉
    MAJOR = "major"  # 重大有效投诉


class MajorCriterion(StrEnum):
    """Art.9: the facts recorded on a determination; see ``meets_art9``."""

    GROUP_COMPANY_ATTENTION = "group_company_attention"  # 集团公司关注、督办
    GOVERNMENT_ATTENTION = "government_attention"  # 市级及以上政府部门关注、督办
    MEDIA_ATTENTION = "media_attention"  # 媒体关注
    EXTERNAL_RANKING = "external_ranking"  # 影响外部评价排名
    COMPANY_IMAGE = "company_image"  # 影响公司形象


M = MajorCriterion
ATTENTION_CRITERIA = frozenset(
    {M.GROUP_COMPANY_ATTENTION, M.GOVERNMENT_ATTENTION, M.MEDIA_ATTENTION}
)
IMPACT_CRITERIA = frozenset({M.EXTERNAL_RANKING, M.COMPANY_IMAGE})


def meets_art9(criteria: Iterable[MajorCriterion]) -> bool:
    """Art.9 joins its conditions with "and": attention or supervision by the group company,
    the government (municipal or higher) or the media, AND an effect on the external ranking
    or the company's image. One group alone keeps a complaint general."""
    held = frozenset(criteria)
    return bool(held & ATTENTION_CRITERIA) and bool(held & IMPACT_CRITERIA)


def suggested_grade(criteria: Iterable[MajorCriterion]) -> Grade:
    return Grade.MAJOR if meets_art9(criteria) else Grade.GENERAL


class Responsibility(StrEnum):
    UNIT = "unit"  # the unit's rules or organisation
    PERSONAL = "personal"  # an employee's own conduct (Art.23, Art.42)


DETERMINATION_LABELS = {
    Determination.VALID: _l("Valid complaint"),
    Determination.INVALID: _l("Invalid complaint"),
}
BREACH_CATEGORY_LABELS = {
    BreachCategory.ATTITUDE: _l("Poor service attitude"),
    BreachCategory.QUALITY: _l("Low service quality"),
    BreachCategory.BUCK_PASSING: _l("Buck-passing and delay"),
    BreachCategory.BRIBERY: _l("Asking for favours or bribes"),
    BreachCategory.RIGID_PROCESS: _l("Rigid procedures"),
    BreachCategory.IMPROPER_SALES_OR_FEES: _l("Improper sales or fees"),
}
INVALID_REASON_LABELS = {
    InvalidReason.NOT_TRUE: _l("Not true on investigation"),
    InvalidReason.OUTSIDE_SCOPE: _l("Outside the company's service scope"),
}
GRADE_LABELS = {
    Grade.GENERAL: _l("General valid complaint"),
    Grade.MAJOR: _l("Major valid complaint"),
}
CRITERION_LABELS = {
    M.GROUP_COMPANY_ATTENTION: _l("Attention or supervision by the group company"),
    M.GOVERNMENT_ATTENTION: _l("Attention or supervision by the municipal or higher government"),
    M.MEDIA_ATTENTION: _l("Media attention"),
    M.EXTERNAL_RANKING: _l("Affects the external evaluation ranking"),
    M.COMPANY_IMAGE: _l("Affects the company's image"),
}
RESPONSIBILITY_LABELS = {
    Responsibility.UNIT: _l("The unit"),
    Responsibility.PERSONAL: _l("An employee personally"),
}


# -- What a determination must hold ----------------------------------------------------------


@dataclass(frozen=True)
class FieldError:
    field: str  # the DeterminationDraft attribute the message belongs to
    message: LazyString


@dataclass(frozen=True)
class DeterminationDraft:
    determination: Determination | None
    findings: str = ""
    breach_category: BreachCategory | None = None
    grade: Grade | None = None
    criteria: frozenset[MajorCriterion] = frozenset()
    invalid_reason: InvalidReason | None = None
    branch_id: int | None = None  # the responsible unit
    responsibility: Responsibility | None = None
    employee_id: int | None = None


def validate_determination(draft: DeterminationDraft) -> list[FieldError]:
    """Art.8/9/32: every problem of ``draft`` by field; empty when it may be submitted.

    A general complaint may record criteria that held as long as they do not meet Art.9 (media
    attention without an effect on the image, say); if they do, it must be graded major."""
    errors: list[FieldError] = []

    def error(field: str, message: LazyString) -> None:
        errors.append(FieldError(field, message))

    if not draft.findings.strip():
        error("findings", _l("Please record the findings of the investigation."))
    if draft.determination is None:
        error("determination", _l("Please determine whether the complaint is valid or invalid."))
    elif draft.determination is Determination.VALID:
        _validate_valid(draft, error)
    else:
        _validate_invalid(draft, error)
    return errors


_Report = Callable[[str, LazyString], None]


def _validate_valid(draft: DeterminationDraft, error: _Report) -> None:
    if draft.breach_category is None:
        error("breach_category", _l("Please choose the rule the complaint shows broken (Art.8)."))
    if draft.invalid_reason is not None:
        error("invalid_reason", _l("A valid complaint has no reason for invalidity."))
    if draft.grade is None:
        error("grade", _l("Please grade the valid complaint as general or major (Art.9)."))
    elif draft.grade is Grade.MAJOR and not meets_art9(draft.criteria):
        error(
            "criteria",
            _l(
                "A major complaint needs attention from the group company, the municipal or "
                "higher government or the media, and an effect on the external ranking or the "
                "company's image (Art.9)."
            ),
        )
    elif draft.grade is Grade.GENERAL and meets_art9(draft.criteria):
        error("grade", _l("The criteria that held make this a major complaint (Art.9)."))
    if draft.branch_id is None:
        error("branch_id", _l("Please name the responsible unit."))
    if draft.responsibility is None:
        error("responsibility", _l("Please say whether the unit or an employee is responsible."))
    elif draft.responsibility is Responsibility.PERSONAL and draft.employee_id is None:
        error("employee_id", _l("Please name the employee responsible (Art.42)."))
    elif draft.responsibility is Responsibility.UNIT and draft.employee_id is not None:
        error("employee_id", _l("Name an employee only when the cause is personal."))


def _validate_invalid(draft: DeterminationDraft, error: _Report) -> None:
    if draft.invalid_reason is None:
        error("invalid_reason", _l("Please choose why the complaint is invalid (Art.8)."))
    if draft.breach_category is not None:
        error("breach_category", _l("An invalid complaint breaks no rule."))
    if draft.grade is not None:
        error("grade", _l("An invalid complaint has no grade."))
    if draft.criteria:
        error("criteria", _l("An invalid complaint has no Art.9 criteria."))
    if draft.responsibility is not None or draft.employee_id is not None:
        error("responsibility", _l("An invalid complaint holds no one responsible."))


# -- Workflow: approval (design §3) and objection ---------------------------------------------


class DeterminationStatus(StrEnum):
    DRAFT = "draft"  # 草稿: CSD investigates
    PENDING_APPROVAL = "pending_approval"  # 待审批: submitted to 客服部主管
    SENT_BACK = "sent_back"  # 已退回: to be corrected and submitted again
    APPROVED = "approved"  # 已批准: counts from here on
    OBJECTED = "objected"  # 异议中: the branch lodged an objection in time
    UPHELD = "upheld"  # 维持原认定
    CHANGE_PENDING = "change_pending"  # 变更待审批: the earlier one counts until approved
    CHANGED = "changed"  # 已变更认定: the changed determination counts


class DeterminationAction(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    SEND_BACK = "send_back"
    OBJECT = "object"
    UPHOLD = "uphold"
    CHANGE = "change"


DS, DA = DeterminationStatus, DeterminationAction
DETERMINATION_TRANSITIONS: dict[
    tuple[DeterminationStatus, DeterminationAction], DeterminationStatus
] = {
    (DS.DRAFT, DA.SUBMIT): DS.PENDING_APPROVAL,
    (DS.SENT_BACK, DA.SUBMIT): DS.PENDING_APPROVAL,
    (DS.PENDING_APPROVAL, DA.APPROVE): DS.APPROVED,
    (DS.PENDING_APPROVAL, DA.SEND_BACK): DS.SENT_BACK,
    (DS.APPROVED, DA.OBJECT): DS.OBJECTED,  # one objection; the answer is final
    (DS.OBJECTED, DA.UPHOLD): DS.UPHELD,
    # A change is a new determination: 客服部主管 approves it, or sends it back (the objection
    # is open again: CSD upholds, or proposes a corrected change).
    (DS.OBJECTED, DA.CHANGE): DS.CHANGE_PENDING,
    (DS.CHANGE_PENDING, DA.APPROVE): DS.CHANGED,
    (DS.CHANGE_PENDING, DA.SEND_BACK): DS.OBJECTED,
    # An approved change naming another unit: that unit objects once (ensure_first_objection).
    (DS.CHANGED, DA.OBJECT): DS.OBJECTED,
}
EDITABLE_STATUSES = frozenset({DS.DRAFT, DS.SENT_BACK})
# What 客服部主管 approves: a submitted determination, or a change of an approved one.
APPROVAL_STATUSES = frozenset({DS.PENDING_APPROVAL, DS.CHANGE_PENDING})
# What a responsible unit may object to (within its window, once).
OBJECTABLE_STATUSES = frozenset({DS.APPROVED, DS.CHANGED})
# Approval is what counts (design §3); an objection does not suspend it until answered, and a
# change awaiting approval leaves the earlier approved determination counting.
COUNTING_STATUSES = frozenset({DS.APPROVED, DS.OBJECTED, DS.UPHELD, DS.CHANGE_PENDING, DS.CHANGED})

DETERMINATION_STATUS_LABELS = {
    DS.DRAFT: _l("Draft"),
    DS.PENDING_APPROVAL: _l("Awaiting approval"),
    DS.SENT_BACK: _l("Sent back"),
    DS.APPROVED: _l("Determination approved"),
    DS.OBJECTED: _l("Objection lodged"),
    DS.UPHELD: _l("Determination upheld"),
    DS.CHANGE_PENDING: _l("Change awaiting approval"),
    DS.CHANGED: _l("Determination changed"),
}


class DeterminationError(DomainError):
    pass


def next_determination_status(
    status: DeterminationStatus, action: DeterminationAction
) -> DeterminationStatus:
    try:
        return DETERMINATION_TRANSITIONS[(status, action)]
    except KeyError:
        raise DeterminationError(
            _l("This is not possible while the determination is “%(status)s”."),
            status=DETERMINATION_STATUS_LABELS[status],
        ) from None


def four_eyes_problem(
    approver_id: int | None, investigator_id: int | None, submitter_id: int | None
) -> LazyString | None:
    """Design §3 (four eyes): 客服部主管 approves another person's work — never a determination
    (or a change of one) they investigated or submitted themselves. None when they may."""
    if approver_id is not None and approver_id in (investigator_id, submitter_id):
        return _l(
            "You investigated or submitted this determination yourself: another head of the "
            "customer-service department must approve it (four eyes)."
        )
    return None


def ensure_four_eyes(
    approver_id: int | None, investigator_id: int | None, submitter_id: int | None
) -> None:
    problem = four_eyes_problem(approver_id, investigator_id, submitter_id)
    if problem is not None:
        raise DeterminationError(problem)


def ensure_first_objection(unit_id: int, objected_units: Iterable[int]) -> None:
    """Each responsible unit objects once; the answer to it is final for that unit."""
    if unit_id in set(objected_units):
        raise DeterminationError(
            _l("Your unit has already objected to this determination; the answer is final.")
        )


# The regulation sets no objection window: the branch gets the 5 working days Art.39 gives it
# to answer CSD, counted from the day after approval.
OBJECTION_WORKING_DAYS = 5


def objection_deadline(
    approved_at: datetime, working_days: int, calendar: WorkCalendar
) -> Deadline:
    """End of the objection window: 23:59:59 of the ``working_days``-th working day after the
    approval day (the deadline rule of design §6, provisional outside the calendar's years)."""
    return deadline_for(approved_at, working_days, LimitUnit.WORKING_DAYS, calendar)


def may_object(now: datetime, deadline: datetime) -> bool:
    return now <= deadline


def ensure_may_object(now: datetime, deadline: datetime) -> None:
    if not may_object(now, deadline):
        raise DeterminationError(
            _l("The time for an objection ended on %(deadline)s."),
            deadline=f"{deadline:%Y-%m-%d %H:%M}",
        )


# -- Staff rating (Art.42) -------------------------------------------------------------------


class StaffRating(StrEnum):
    C = "c"
    D = "d"
    UNQUALIFIED = "unqualified"  # 不合格


STAFF_RATING_LABELS = {
    StaffRating.C: _l("Rating C"),
    StaffRating.D: _l("Rating D"),
    StaffRating.UNQUALIFIED: _l("Unqualified"),
}


class RatingPeriod(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


def period_bounds(day: date, period: RatingPeriod) -> tuple[date, date]:
    """The month or quarter holding ``day`` as [first day, first day of the next)."""
    months = 1 if period is RatingPeriod.MONTH else 3
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    end_month = first_month + months
    end = date(day.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    return start, end


@dataclass(frozen=True)
class RatingRule:
    """``rating`` applies from ``min_complaints`` counted complaints in the period, or from
    ``min_major`` major ones among them."""

    rating: StaffRating
    min_complaints: int
    min_major: int | None = None


# The regulation names the ratings but no thresholds: defaults, worst first (first match wins).
DEFAULT_RATING_RULES = (
    RatingRule(StaffRating.UNQUALIFIED, 3),
    RatingRule(StaffRating.D, 2, min_major=1),
    RatingRule(StaffRating.C, 1),
)
# Art.42 names complaints caused by the employee's own attitude or buck-passing.
ART42_CATEGORIES = frozenset({BreachCategory.ATTITUDE, BreachCategory.BUCK_PASSING})


@dataclass(frozen=True)
class StaffComplaint:
    """An approved valid complaint with personal responsibility of one employee, in the period."""

    grade: Grade
    breach_category: BreachCategory


def suggested_staff_rating(
    complaints: Iterable[StaffComplaint],
    rules: Iterable[RatingRule] = DEFAULT_RATING_RULES,
    categories: frozenset[BreachCategory] = ART42_CATEGORIES,
) -> StaffRating | None:
    """Art.42: the rating suggested for the month or quarter, None when nothing counts."""
    counted = [c for c in complaints if c.breach_category in categories]
    majors = sum(c.grade is Grade.MAJOR for c in counted)
    for rule in rules:
        if len(counted) >= rule.min_complaints or (
            rule.min_major is not None and majors >= rule.min_major
        ):
            return rule.rating
    return None


# -- Evidence (Art.10, Art.32) ---------------------------------------------------------------


def evidence_errors(evidence_files: int) -> list[FieldError]:
    """Art.10/32: CSD investigates and gathers evidence before it determines a complaint, so a
    determination goes to approval with at least one evidence file of the investigation."""
    if evidence_files > 0:
        return []
    return [FieldError("evidence", _l("Please attach the evidence of the investigation."))]


def check_voidable_with_determination(status: str | None, determination: str | None) -> None:
    """Art.8/41: a case whose complaint was determined valid and approved counts as 有效投诉 and
    in the violation register: voiding it would leave a deduction without its case. Only a case
    without a counting valid determination may be voided."""
    if status in COUNTING_STATUSES and determination == Determination.VALID:
        raise DeterminationError(
            _l("This case has an approved valid complaint determination: it cannot be voided.")
        )
