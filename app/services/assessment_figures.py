"""The annual assessment's figures by SQL (Art.41): the units assessed, each unit's confirmed
deductions of a year (GROUP BY unit and cause over the register, never loading entries or
cases), the company-wide ranking, what still blocks finalising. Reads only."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import assessments as rules
from app.domain.assessments import ObjectionStatus
from app.domain.violations import BreachCause, EntryStatus
from app.models import (
    Assessment,
    AssessmentDeduction,
    AssessmentObjection,
    Branch,
    Case,
    ViolationEntry,
)
from app.services.actor import Actor


def in_year(year: int):
    start, end = rules.year_bounds(year)
    return (ViolationEntry.occurred_on >= start, ViolationEntry.occurred_on < end)


def units_of(session: Session, actor: Actor, year: int) -> list[Branch]:
    """The units assessed: every active unit in the actor's scope, and any inactive one with an
    entry in the year's register."""
    with_entries = select(ViolationEntry.branch_id).where(*in_year(year))
    query = select(Branch).where(Branch.active.is_(True) | Branch.id.in_(with_entries))
    return list(session.scalars(actor.scope.apply(query.order_by(Branch.path), Branch)))


def live_totals(session: Session, scope_actor: Actor, year: int) -> dict[int, rules.UnitTotals]:
    """Art.41 by SQL: each unit's confirmed deductions of ``year`` (GROUP BY unit and cause,
    never loading entries or cases)."""
    query = (
        select(
            ViolationEntry.branch_id,
            ViolationEntry.cause,
            func.count(),
            func.coalesce(func.sum(ViolationEntry.deduction_bp), 0),
        )
        .where(ViolationEntry.status == EntryStatus.CONFIRMED.value, *in_year(year))
        .group_by(ViolationEntry.branch_id, ViolationEntry.cause)
    )
    sums: dict[int, dict[str, int]] = {}
    for branch_id, cause, count, points in session.execute(
        scope_actor.scope.apply(query, ViolationEntry)
    ):
        row = sums.setdefault(
            branch_id, {"deduction_bp": 0, "general": 0, "major": 0, "violations": 0}
        )
        row["deduction_bp"] += int(points)
        row[rules.kind_of(BreachCause(cause))] += int(count)
    return {unit: rules.UnitTotals(unit, **row) for unit, row in sums.items()}


def ranked_live(session: Session, year: int) -> tuple[list[rules.Ranked], dict[int, Branch]]:
    """Every unit of the company ranked on the live register (the rank is company-wide, as the
    finalised snapshot stores it); the caller shows the lines of the actor's scope."""
    system = Actor.system()
    units = {u.id: u for u in units_of(session, system, year)}
    totals = live_totals(session, system, year)
    lines = [totals.get(u, rules.UnitTotals(u)) for u in units]
    lines += [t for u, t in totals.items() if u not in units]
    order = {u.id: (u.sort_order, u.path) for u in units.values()}
    return rules.rank_units(lines, order), units


def proposed_count(session: Session, year: int) -> int:
    """Proposed entries of the year neither confirmed nor waived (they block finalising)."""
    query = select(func.count()).where(
        ViolationEntry.status == EntryStatus.PROPOSED.value, *in_year(year)
    )
    return session.scalar(query.select_from(ViolationEntry)) or 0


def proposed_entries(session: Session, actor: Actor, year: int, limit: int = 200):
    query = (
        select(ViolationEntry)
        .where(ViolationEntry.status == EntryStatus.PROPOSED.value, *in_year(year))
        .order_by(ViolationEntry.occurred_on, ViolationEntry.id)
        .limit(limit)
    )
    return list(session.scalars(actor.scope.apply(query, ViolationEntry)))


def pending_objections(session: Session, found: Assessment | None) -> int:
    if found is None:
        return 0
    query = select(func.count()).where(
        AssessmentObjection.assessment_id == found.id,
        AssessmentObjection.status == ObjectionStatus.PENDING.value,
    )
    return session.scalar(query.select_from(AssessmentObjection)) or 0


def case_numbers(session: Session, actor: Actor, case_ids) -> dict[int, str]:
    ids = sorted({i for i in case_ids if i is not None})
    if not ids:
        return {}
    query = actor.scope.apply(select(Case.id, Case.number).where(Case.id.in_(ids)), Case)
    return dict(session.execute(query).all())


def counted_after_finalisation(
    session: Session, actor: Actor, found: Assessment | None, limit: int = 500
) -> list[ViolationEntry]:
    """The register entries of a finalised version's year confirmed after it was finalised
    (rules.counts_after_finalisation), in the actor's scope, oldest first: the snapshot does not
    count them; the committee may reopen the year to."""
    if found is None or found.status != rules.AssessmentStatus.FINALISED:
        return []
    counted = select(AssessmentDeduction.entry_id).where(
        AssessmentDeduction.assessment_id == found.id
    )
    query = (
        select(ViolationEntry)
        .where(
            ViolationEntry.status == EntryStatus.CONFIRMED.value,
            *in_year(found.year),
            ViolationEntry.decided_at >= found.finalised_at,
            ViolationEntry.id.not_in(counted),
        )
        .order_by(ViolationEntry.decided_at, ViolationEntry.id)
        .limit(limit)
    )
    return [
        entry
        for entry in session.scalars(actor.scope.apply(query, ViolationEntry))
        if rules.counts_after_finalisation(
            status=EntryStatus(entry.status),
            occurred_on=entry.occurred_on,
            decided_at=entry.decided_at,
            year=found.year,
            finalised_at=found.finalised_at,
        )
    ]
