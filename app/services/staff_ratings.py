"""Staff ratings (Art.42): the employees named in approved valid complaints with a personal
cause in a month or quarter, each with the rating app.domain.complaints.suggested_staff_rating
suggests, and beside it their personal breaches of Art.27/28/29 in the period with whether the
unit's handling opinion was entered in time. One SQL aggregation over the complaint
determinations (by employee, unit, grade and breach category) and one read of the period's
breaches, both under the branch scope, then the cases behind each figure the reader may open."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from app.domain.clock import now as clock_now
from app.domain.complaints import (
    ART42_CATEGORIES,
    COUNTING_STATUSES,
    BreachCategory,
    Determination,
    Grade,
    Responsibility,
    StaffComplaint,
    StaffRating,
    suggested_staff_rating,
)
from app.domain.i18n import _l
from app.domain.staff_accountability import (
    OpinionTimeliness,
    Period,
    PersonalArticle,
    opinion_timeliness,
)
from app.models import Branch, Case, ComplaintDetermination, PersonalBreach, SuqiuUser
from app.services.actor import Actor
from app.services.errors import PermissionDeniedError
from app.services.staff_accountability import READ

D = ComplaintDetermination
# The cases listed per employee on the page (the figures count them all).
CASES_SHOWN = 20


@dataclass(frozen=True)
class BreachLine:
    """A personal breach of Art.27/28/29 in the period and its handling opinion's timeliness."""

    breach_id: int
    article: PersonalArticle
    occurred_on: date
    opinion: OpinionTimeliness


@dataclass
class StaffRatingRow:
    employee_id: int
    employee: str
    unit_id: int
    unit: str
    complaints: int = 0  # approved valid personal complaints in the period
    counted: int = 0  # those of the Art.42 categories (attitude, buck-passing)
    majors: int = 0  # major ones among the counted
    rating: StaffRating | None = None
    cases: list[tuple[int, str]] = field(default_factory=list)  # (case id, number) visible
    breaches: list[BreachLine] = field(default_factory=list)


def _personal_valid(period: Period) -> ColumnElement[bool]:
    """Approved (counting) valid complaints naming an employee personally, in the period."""
    return and_(
        D.status.in_(sorted(COUNTING_STATUSES)),
        D.determination == Determination.VALID,
        D.responsibility == Responsibility.PERSONAL,
        D.employee_id.is_not(None),
        D.approved_at >= datetime.combine(period.start, time.min),
        D.approved_at < datetime.combine(period.end, time.min),
    )


def staff_ratings(session: Session, actor: Actor, period: Period) -> list[StaffRatingRow]:
    """Art.42: per employee and responsible unit in the actor's scope, the complaints of the
    period and the suggested rating (C / D / 不合格), worst first."""
    if not actor.may(READ):
        raise PermissionDeniedError(_l("Your role may not do this."))
    query = (
        select(
            D.employee_id,
            SuqiuUser.last_name,
            SuqiuUser.first_name,
            D.branch_id,
            Branch.name,
            D.grade,
            D.breach_category,
            func.count(),
        )
        .join(SuqiuUser, SuqiuUser.id == D.employee_id)
        .join(Branch, Branch.id == D.branch_id)
        .where(_personal_valid(period))
        .group_by(
            D.employee_id,
            SuqiuUser.last_name,
            SuqiuUser.first_name,
            D.branch_id,
            Branch.name,
            D.grade,
            D.breach_category,
        )
    )
    # The responsible unit is the determination's branch: a unit sees its own people only.
    query = actor.scope.apply(query, Branch)
    rows: dict[tuple[int, int], StaffRatingRow] = {}
    complaints: dict[tuple[int, int], list[StaffComplaint]] = defaultdict(list)
    for employee_id, last, first, unit_id, unit, grade, category, count in session.execute(query):
        key = (employee_id, unit_id)
        row = rows.setdefault(
            key, StaffRatingRow(employee_id, f"{last or ''}{first or ''}", unit_id, unit)
        )
        row.complaints += count
        try:
            complaint = StaffComplaint(Grade(grade), BreachCategory(category))
        except ValueError:  # an approved valid determination always has both
            continue
        complaints[key] += [complaint] * count
        if complaint.breach_category in ART42_CATEGORIES:
            row.counted += count
            row.majors += count if complaint.grade is Grade.MAJOR else 0
    for key, row in rows.items():
        row.rating = suggested_staff_rating(complaints[key])
    _attach_cases(session, actor, period, rows)
    _attach_breaches(session, actor, period, rows)
    severity = {StaffRating.UNQUALIFIED: 0, StaffRating.D: 1, StaffRating.C: 2, None: 3}
    return sorted(rows.values(), key=lambda r: (severity[r.rating], -r.counted, r.unit, r.employee))


def _attach_cases(session, actor: Actor, period: Period, rows) -> None:
    """The cases behind the figures, those the reader may open (through the case scope)."""
    if not rows:
        return
    query = (
        select(D.employee_id, D.branch_id, Case.id, Case.number)
        .join(Case, Case.id == D.case_id)
        .join(Branch, Branch.id == D.branch_id)
        .where(_personal_valid(period), D.employee_id.in_(sorted({k[0] for k in rows})))
        .order_by(D.approved_at, Case.id)
    )
    query = actor.scope.apply(actor.scope.apply(query, Branch), Case)
    for employee_id, unit_id, case_id, number in session.execute(query):
        row = rows.get((employee_id, unit_id))
        if row is not None and len(row.cases) < CASES_SHOWN:
            row.cases.append((case_id, number))


def _attach_breaches(session, actor: Actor, period: Period, rows) -> None:
    """Art.42: the period's personal breaches (by the day they happened) of the people in the
    actor's scope, each with whether the unit's opinion came in time; an employee with breaches
    but no complaint gets a row of their own."""
    B = PersonalBreach
    query = (
        select(
            B.id,
            B.employee_id,
            SuqiuUser.last_name,
            SuqiuUser.first_name,
            B.branch_id,
            Branch.name,
            B.article,
            B.occurred_on,
            B.status,
            B.opinion_due,
            B.opinion_at,
        )
        .join(SuqiuUser, SuqiuUser.id == B.employee_id)
        .join(Branch, Branch.id == B.branch_id)
        .where(B.occurred_on >= period.start, B.occurred_on < period.end)
        .order_by(B.occurred_on, B.id)
    )
    now = clock_now()
    for record in session.execute(actor.scope.apply(query, Branch)):
        breach_id, employee_id, last, first, unit_id, unit, article, day = record[:8]
        status, due, entered_at = record[8:]
        row = rows.setdefault(
            (employee_id, unit_id),
            StaffRatingRow(employee_id, f"{last or ''}{first or ''}", unit_id, unit),
        )
        row.breaches.append(
            BreachLine(
                breach_id,
                PersonalArticle(article),
                day,
                opinion_timeliness(status, due, entered_at, now),
            )
        )
