"""The annual assessment (年终考核, Art.41; design §3): per unit and year, 100 % minus the
confirmed deductions of the violation register, ranked; the states a version goes through
(draft → open for objections → finalised; reopening makes a new version) and the guards of each
step. Pure: the register's rows arrive as small snapshots, ``now`` is a parameter."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum

from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.domain.violations import (
    COMPLAINT_CAUSES,
    FULL_SCORE,
    BreachCause,
    EntryStatus,
)

FIRST_YEAR = 2000  # no register before the portal; guards URLs such as /assessments/1
LAST_YEAR = 2999


class AssessmentError(DomainError):
    pass


class AssessmentStatus(StrEnum):
    """A stored version of a year's assessment; the values are stored."""

    DRAFT = "draft"  # 草稿: CSD prepares, everybody with the role sees it update live
    OPEN = "open"  # 征求异议: the units may object until the deadline
    FINALISED = "finalised"  # 已定稿: a snapshot nothing later changes
    REOPENED = "reopened"  # 已重新打开: a finalised version the committee reopened (kept)


STATUS_LABELS = {
    AssessmentStatus.DRAFT: _l("Draft"),
    AssessmentStatus.OPEN: _l("Open for objections"),
    AssessmentStatus.FINALISED: _l("Finalised"),
    AssessmentStatus.REOPENED: _l("Reopened (superseded)"),
}


class AssessmentAction(StrEnum):
    """One immutable history event each; values stored."""

    OPENED = "opened"  # CSD opened the draft for objections with a deadline
    DEADLINE = "deadline"  # CSD moved the deadline
    OBJECTED = "objected"
    ANSWERED = "answered"
    FINALISED = "finalised"
    REOPENED = "reopened"


ACTION_LABELS = {
    AssessmentAction.OPENED: _l("Opened for objections"),
    AssessmentAction.DEADLINE: _l("Objection deadline changed"),
    AssessmentAction.OBJECTED: _l("Objection lodged"),
    AssessmentAction.ANSWERED: _l("Objection answered"),
    AssessmentAction.FINALISED: _l("Finalised"),
    AssessmentAction.REOPENED: _l("Reopened"),
}


class ObjectionStatus(StrEnum):
    PENDING = "pending"  # 待答复
    ACCEPTED = "accepted"  # 已采纳: the entry was waived in the register with the answer
    REJECTED = "rejected"  # 未采纳: the entry stands


OBJECTION_STATUS_LABELS = {
    ObjectionStatus.PENDING: _l("Awaiting answer"),
    ObjectionStatus.ACCEPTED: _l("Accepted"),
    ObjectionStatus.REJECTED: _l("Rejected"),
}


def check_year(year: int | None) -> int:
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        raise AssessmentError(_l("There is no assessment for this year."))
    return year


def year_bounds(year: int) -> tuple[date, date]:
    """[1 January, 1 January of the next year): the register's entries of ``year`` by the day
    the breach occurred (for a complaint the day its case was received)."""
    return date(year, 1, 1), date(year + 1, 1, 1)


# -- Scores (Art.41) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CountedEntry:
    """An entry of the register as the assessment sees it: ``deduction_bp`` is the figure the
    table in force on the day of the breach gave it (copied into the entry when it was made)."""

    branch_id: int
    cause: BreachCause
    status: EntryStatus
    occurred_on: date
    deduction_bp: int


@dataclass(frozen=True)
class UnitTotals:
    """One unit's confirmed deductions of a year, by kind (counts) and in basis points."""

    branch_id: int
    deduction_bp: int = 0
    general: int = 0  # 一般有效投诉
    major: int = 0  # 重大有效投诉
    violations: int = 0  # other confirmed entries of the register

    @property
    def score_bp(self) -> int:
        return unit_score(self.deduction_bp)


def unit_score(deduction_bp: int) -> int:
    """Art.41: 100 % minus the deductions, in basis points; a score is a share of 100 %, so it
    stops at 0 (the full deduction is still shown)."""
    return max(0, FULL_SCORE - deduction_bp)


def kind_of(cause: BreachCause) -> str:
    if cause is BreachCause.COMPLAINT_GENERAL:
        return "general"
    if cause is BreachCause.COMPLAINT_MAJOR:
        return "major"
    return "violations"


def totals_by_unit(
    entries: Iterable[CountedEntry], year: int, units: Iterable[int]
) -> dict[int, UnitTotals]:
    """Art.41: every unit of ``units`` (those without an entry at 100 %) with the sum of its
    confirmed entries of ``year``; proposed and waived entries cost nothing."""
    sums: dict[int, dict[str, int]] = {
        u: {"deduction_bp": 0, "general": 0, "major": 0, "violations": 0} for u in units
    }
    for entry in entries:
        if entry.status is not EntryStatus.CONFIRMED or entry.occurred_on.year != year:
            continue
        row = sums.setdefault(
            entry.branch_id, {"deduction_bp": 0, "general": 0, "major": 0, "violations": 0}
        )
        row["deduction_bp"] += entry.deduction_bp
        row[kind_of(entry.cause)] += 1
    return {unit: UnitTotals(unit, **row) for unit, row in sums.items()}


@dataclass(frozen=True)
class Ranked:
    rank: int
    totals: UnitTotals
    order: tuple = field(default=())


def rank_units(totals: Iterable[UnitTotals], order: dict[int, tuple] | None = None) -> list[Ranked]:
    """Highest score first; equal scores share a rank (1, 1, 3), listed in ``order`` (the
    units' own order: sort order and name) among themselves."""
    order = order or {}
    rows = sorted(totals, key=lambda t: (-t.score_bp, order.get(t.branch_id, ()), t.branch_id))
    ranked: list[Ranked] = []
    for index, row in enumerate(rows):
        if ranked and ranked[-1].totals.score_bp == row.score_bp:
            rank = ranked[-1].rank
        else:
            rank = index + 1
        ranked.append(Ranked(rank, row, order.get(row.branch_id, ())))
    return ranked


def is_complaint(cause: BreachCause | str) -> bool:
    return BreachCause(cause) in COMPLAINT_CAUSES


# -- The process -------------------------------------------------------------------------------


def objection_closes_at(deadline: date) -> datetime:
    """Objections are accepted up to 23:59:59 of the deadline day (Asia/Shanghai)."""
    return datetime.combine(deadline, time(23, 59, 59))


def check_deadline(deadline: date | None, today: date) -> date:
    """CSD gives the units a deadline in the future to object by."""
    if deadline is None:
        raise AssessmentError(_l("Please give the deadline for objections."))
    if deadline <= today:
        raise AssessmentError(_l("The deadline for objections must be after today."))
    return deadline


def year_has_ended(year: int, now: datetime) -> bool:
    """Art.41: a year is assessed once it is over — from 1 January of the next year on."""
    return now >= datetime.combine(year_bounds(year)[1], time(0, 0))


def check_year_ended(year: int, now: datetime) -> None:
    """Art.41: the assessment of a year not yet over (the current year, a future one) is only a
    live draft: it may be neither opened for objections nor finalised."""
    if not year_has_ended(year, now):
        raise AssessmentError(
            _l(
                "%(year)d has not ended yet; its assessment cannot be opened for objections or "
                "finalised."
            ),
            year=year,
        )


def check_may_open(status: AssessmentStatus | None, *, year: int, now: datetime) -> None:
    """CSD opens the draft (no stored version yet, or a draft) or moves the deadline of one open
    for objections, once the year is over; a finalised assessment is changed only by reopening
    it."""
    if status in (AssessmentStatus.FINALISED, AssessmentStatus.REOPENED):
        raise AssessmentError(_l("This assessment is finalised; only the committee can reopen it."))
    check_year_ended(year, now)


def check_may_object(
    status: AssessmentStatus | None,
    deadline: date | None,
    now: datetime,
    *,
    counted: bool,
    complaint: bool = False,
) -> None:
    """A unit objects to an entry of its own draft while the assessment is open for objections
    and before the end of the deadline day; only to an entry that counts (confirmed), and not to
    a valid complaint's: that is objected to on the complaint's own page (Art.32), so that the
    complaint and its deduction never disagree."""
    if complaint:
        raise AssessmentError(
            _l(
                "A deduction for a valid complaint cannot be objected to in the annual "
                "assessment; object to the complaint's determination on its own page (Art.32)."
            )
        )
    if status is not AssessmentStatus.OPEN or deadline is None:
        raise AssessmentError(_l("The assessment of this year is not open for objections."))
    if now > objection_closes_at(deadline):
        raise AssessmentError(
            _l("The deadline for objections (%(day)s) has passed."), day=deadline.isoformat()
        )
    if not counted:
        raise AssessmentError(_l("Only a confirmed deduction can be objected to."))


def check_reason(text: str | None, message) -> str:
    value = (text or "").strip()
    if not value:
        raise AssessmentError(message)
    return value


def check_decision(decision: str | None) -> bool:
    """CSD answers an objection by accepting (True) or rejecting (False) it; nothing else."""
    choice = {"accept": True, "reject": False}.get((decision or "").strip())
    if choice is None:
        raise AssessmentError(_l("Please choose to accept or reject the objection."))
    return choice


def check_may_answer(status: ObjectionStatus, assessment: AssessmentStatus | None) -> None:
    if status is not ObjectionStatus.PENDING:
        raise AssessmentError(_l("This objection has already been answered."))
    if assessment is not AssessmentStatus.OPEN:
        raise AssessmentError(_l("The assessment of this year is not open for objections."))


def check_may_finalise(
    status: AssessmentStatus | None,
    deadline: date | None,
    now: datetime,
    *,
    year: int,
    proposed: int,
    pending_objections: int,
) -> None:
    """The committee finalises a version CSD opened for objections once the year is over, the
    deadline has passed, every objection is answered and no proposed violation of the year
    awaits CSD's decision."""
    if status in (AssessmentStatus.FINALISED, AssessmentStatus.REOPENED):
        raise AssessmentError(_l("This assessment is already finalised."))
    check_year_ended(year, now)
    if status is not AssessmentStatus.OPEN or deadline is None:
        raise AssessmentError(
            _l("The customer-service department has not yet opened this draft for objections.")
        )
    if now <= objection_closes_at(deadline):
        raise AssessmentError(
            _l("The units may object until %(day)s; finalise after that day."),
            day=deadline.isoformat(),
        )
    if proposed:
        raise AssessmentError(
            _l(
                "%(count)d proposed violations of the year are neither confirmed nor waived; "
                "the assessment cannot be finalised."
            ),
            count=proposed,
        )
    if pending_objections:
        raise AssessmentError(
            _l("%(count)d objections are not yet answered; the assessment cannot be finalised."),
            count=pending_objections,
        )


def counts_after_finalisation(
    *,
    status: EntryStatus,
    occurred_on: date,
    decided_at: datetime | None,
    year: int,
    finalised_at: datetime | None,
) -> bool:
    """Art.41: an entry confirmed for ``year`` at or after the moment that year's assessment was
    finalised (typically a December complaint approved in January): the snapshot does not count
    it, and only the committee reopening the year would. Such an entry is not refused — the
    complaint's approval must not be blocked — but shown on the finalised assessment and
    announced to the committee and CSD."""
    return (
        status is EntryStatus.CONFIRMED
        and occurred_on.year == year
        and decided_at is not None
        and finalised_at is not None
        and decided_at >= finalised_at
    )


def check_may_reopen(status: AssessmentStatus | None) -> None:
    if status is not AssessmentStatus.FINALISED:
        raise AssessmentError(_l("Only a finalised assessment can be reopened."))
