"""What the annual assessment's pages read: a year (a finalised version's stored snapshot, else
the live draft) ranked by unit, one unit's deductions with their objections, the history; every
read through the branch scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import assessments as rules
from app.domain.assessments import AssessmentStatus, ObjectionStatus
from app.domain.i18n import _l
from app.domain.violations import CAUSE_LABELS, BreachCause, EntryStatus
from app.models import (
    Assessment,
    AssessmentDeduction,
    AssessmentEvent,
    AssessmentLine,
    AssessmentObjection,
    Branch,
    ViolationEntry,
)
from app.services import assessment_figures as figures
from app.services import assessments as service
from app.services.actor import Actor
from app.services.errors import OutOfScopeError


@dataclass(frozen=True)
class Line:
    rank: int
    branch_id: int
    name: str
    general: int
    major: int
    violations: int
    deduction_bp: int
    score_bp: int


@dataclass(frozen=True)
class Deduction:
    entry_id: int
    branch_id: int
    cause: BreachCause
    occurred_on: date
    deduction_bp: int
    case_id: int | None
    case_number: str | None
    evidence: str | None
    label: str  # the cause in words (translated once per page, not per row)

    @property
    def is_complaint(self) -> bool:
        return rules.is_complaint(self.cause)


@dataclass
class YearPage:
    year: int
    assessment: Assessment | None  # the version shown (None: nothing stored, live draft)
    current: Assessment | None  # the latest version
    versions: list[Assessment]
    lines: list[Line]
    live: bool  # computed from the register now (not a stored snapshot)
    proposed: list[ViolationEntry]
    proposed_total: int
    pending: int
    may_open: bool = False
    may_finalise: bool = False
    may_reopen: bool = False
    events: list[AssessmentEvent] = field(default_factory=list)
    # A finalised version: the entries of its year confirmed after it was finalised (Art.41)
    late: list[ViolationEntry] = field(default_factory=list)

    @property
    def status(self) -> AssessmentStatus:
        if self.assessment is None:
            return AssessmentStatus.DRAFT
        return AssessmentStatus(self.assessment.status)


def _pick(session: Session, year: int, version: int | None):
    versions = service.versions_of(session, year)
    current = versions[-1] if versions else None
    shown = current
    if version is not None:
        shown = next((v for v in versions if v.version == version), None)
        if shown is None:
            raise OutOfScopeError(_l("There is no such version of this assessment."))
    return versions, current, shown


def _frozen(found: Assessment | None) -> bool:
    return found is not None and found.status in (
        AssessmentStatus.FINALISED,
        AssessmentStatus.REOPENED,
    )


def _stored_lines(session: Session, actor: Actor, found: Assessment) -> list[Line]:
    query = (
        select(AssessmentLine)
        .where(AssessmentLine.assessment_id == found.id)
        .order_by(AssessmentLine.rank, AssessmentLine.id)
    )
    return [
        Line(
            r.rank,
            r.branch_id,
            r.branch_name,
            r.general,
            r.major,
            r.violations,
            r.deduction_bp,
            r.score_bp,
        )
        for r in session.scalars(actor.scope.apply(query, AssessmentLine))
    ]


def _live_lines(session: Session, actor: Actor, year: int) -> list[Line]:
    ranked, units = figures.ranked_live(session, year)
    visible = {u.id for u in figures.units_of(session, actor, year)}
    lines = []
    for r in ranked:
        t = r.totals
        if t.branch_id not in visible:
            continue
        name = units[t.branch_id].name if t.branch_id in units else ""
        lines.append(
            Line(
                r.rank,
                t.branch_id,
                name,
                t.general,
                t.major,
                t.violations,
                t.deduction_bp,
                t.score_bp,
            )
        )
    return lines


def year_page(
    session: Session, actor: Actor, year: int, version: int | None = None, *, now: datetime
) -> YearPage:
    service._ensure(actor, service.READ)
    year = _year(year)
    versions, current, shown = _pick(session, year, version)
    live = not _frozen(shown)
    lines = _live_lines(session, actor, year) if live else _stored_lines(session, actor, shown)
    page = YearPage(
        year,
        shown,
        current,
        versions,
        lines,
        live,
        figures.proposed_entries(session, actor, year) if live else [],
        figures.proposed_count(session, year) if live else 0,
        figures.pending_objections(session, shown) if live else 0,
    )
    is_current = shown is current
    company = actor.scope.all_branches
    page.may_open = is_current and company and actor.may(service.PREPARE) and not _frozen(current)
    page.may_finalise = (
        is_current
        and company
        and actor.may(service.FINALISE)
        and current is not None
        and current.status == AssessmentStatus.OPEN
    )
    page.may_reopen = (
        is_current
        and company
        and actor.may(service.FINALISE)
        and current is not None
        and current.status == AssessmentStatus.FINALISED
    )
    if shown is not None:
        page.events = _events(session, actor, shown)
    page.late = figures.counted_after_finalisation(session, actor, shown)
    return page


def _year(year: int) -> int:
    try:
        return rules.check_year(year)
    except rules.AssessmentError as exc:
        raise OutOfScopeError(exc.message) from exc


def _events(session: Session, actor: Actor, found: Assessment) -> list[AssessmentEvent]:
    own = select(AssessmentEvent).where(AssessmentEvent.assessment_id == found.id)
    whole = own.where(AssessmentEvent.branch_id.is_(None))
    units = actor.scope.apply(own.where(AssessmentEvent.branch_id.is_not(None)), AssessmentEvent)
    rows = list(session.scalars(whole)) + list(session.scalars(units))
    return sorted(rows, key=lambda e: e.id)


@dataclass
class UnitPage:
    year: YearPage
    unit: Branch
    line: Line | None
    deductions: list[Deduction]
    waived: list[ViolationEntry]
    objections: dict[int, list[AssessmentObjection]]
    entries: dict[int, ViolationEntry]  # the entries objected to, by id (waived ones too)
    may_object: bool
    may_answer: bool
    deadline_passed: bool


def unit_page(
    session: Session,
    actor: Actor,
    year: int,
    branch_id: int,
    version: int | None = None,
    *,
    now: datetime,
) -> UnitPage:
    page = year_page(session, actor, year, version, now=now)
    unit = session.scalar(actor.scope.apply(select(Branch).where(Branch.id == branch_id), Branch))
    if unit is None:
        raise OutOfScopeError(_l("The unit does not exist or you may not see it."))
    line = next((x for x in page.lines if x.branch_id == unit.id), None)
    deductions = deductions_of(session, actor, page, unit.id)
    waived: list[ViolationEntry] = []
    if page.live:
        start, end = rules.year_bounds(page.year)
        query = (
            select(ViolationEntry)
            .where(
                ViolationEntry.branch_id == unit.id,
                ViolationEntry.status == EntryStatus.WAIVED.value,
                ViolationEntry.occurred_on >= start,
                ViolationEntry.occurred_on < end,
            )
            .order_by(ViolationEntry.occurred_on, ViolationEntry.id)
        )
        waived = list(session.scalars(actor.scope.apply(query, ViolationEntry)))
    objections: dict[int, list[AssessmentObjection]] = {}
    if page.assessment is not None:
        query = (
            select(AssessmentObjection)
            .where(
                AssessmentObjection.assessment_id == page.assessment.id,
                AssessmentObjection.branch_id == unit.id,
            )
            .order_by(AssessmentObjection.id)
        )
        for o in session.scalars(actor.scope.apply(query, AssessmentObjection)):
            objections.setdefault(o.entry_id, []).append(o)
    entries: dict[int, ViolationEntry] = {}
    if objections:
        query = select(ViolationEntry).where(ViolationEntry.id.in_(sorted(objections)))
        entries = {e.id: e for e in session.scalars(actor.scope.apply(query, ViolationEntry))}
    shown = page.assessment
    deadline = shown.objection_deadline if shown is not None else None
    is_open = (
        shown is not None
        and shown is page.current
        and shown.status == AssessmentStatus.OPEN
        and deadline is not None
    )
    passed = bool(is_open and deadline and now > rules.objection_closes_at(deadline))
    return UnitPage(
        page,
        unit,
        line,
        deductions,
        waived,
        objections,
        entries,
        may_object=is_open and not passed and actor.may(service.OBJECT),
        may_answer=is_open and actor.may(service.PREPARE) and actor.scope.all_branches,
        deadline_passed=passed,
    )


def deductions_of(
    session: Session, actor: Actor, page: YearPage, branch_id: int | None
) -> list[Deduction]:
    """The deductions of a unit (or of every unit in scope): the snapshot's of a finalised
    version, else the register's confirmed entries now. Columns, not entities: the print and the
    export of a year list thousands."""
    labels = {cause: str(label) for cause, label in CAUSE_LABELS.items()}
    if not page.live:
        assert page.assessment is not None
        d = AssessmentDeduction
        query = select(
            d.entry_id,
            d.branch_id,
            d.cause,
            d.occurred_on,
            d.deduction_bp,
            d.case_id,
            d.case_number,
            d.evidence,
        ).where(d.assessment_id == page.assessment.id)
        if branch_id is not None:
            query = query.where(d.branch_id == branch_id)
        query = query.order_by(d.branch_id, d.occurred_on, d.id)
        rows = session.execute(actor.scope.apply(query, AssessmentDeduction)).all()
        return [
            Deduction(e, b, BreachCause(c), day, bp, case, number, ev, labels[BreachCause(c)])
            for e, b, c, day, bp, case, number, ev in rows
        ]
    e = ViolationEntry
    start, end = rules.year_bounds(page.year)
    live = (
        select(e.id, e.branch_id, e.cause, e.occurred_on, e.deduction_bp, e.case_id, e.evidence)
        .where(e.status == EntryStatus.CONFIRMED.value, e.occurred_on >= start, e.occurred_on < end)
        .order_by(e.branch_id, e.occurred_on, e.id)
    )
    if branch_id is not None:
        live = live.where(e.branch_id == branch_id)
    found = session.execute(actor.scope.apply(live, ViolationEntry)).all()
    numbers = figures.case_numbers(session, actor, (row.case_id for row in found))
    return [
        Deduction(
            i, b, BreachCause(c), day, bp, case, numbers.get(case) if case else None, ev,
            labels[BreachCause(c)],
        )
        for i, b, c, day, bp, case, ev in found
    ]  # fmt: skip


def pending_of(session: Session, actor: Actor, found: Assessment | None):
    if found is None:
        return []
    query = (
        select(AssessmentObjection)
        .where(
            AssessmentObjection.assessment_id == found.id,
            AssessmentObjection.status == ObjectionStatus.PENDING.value,
        )
        .order_by(AssessmentObjection.id)
    )
    return list(session.scalars(actor.scope.apply(query, AssessmentObjection)))


def late_warning(page: YearPage):
    """Art.41: the finalised version's warning about the entries confirmed after it."""
    return _l(
        "%(count)d entries of the violation register were confirmed for this year after it was "
        "finalised and are not counted here; the committee may reopen the year to count them.",
        count=len(page.late),
    )
