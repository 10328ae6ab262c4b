"""The KPI figures of app.domain.kpis in SQL: each condition compiled to a WHERE expression on
``service_case``, all figures counted in one GROUP BY under the reader's scope (design §4;
issue 9: aggregates in the database, never cases loaded into Python)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, not_, or_, select
from sqlalchemy.orm import Session

from app.domain import case_facts as cf
from app.domain.complaints import COUNTING_STATUSES, Determination
from app.domain.kpis import FIGURES, Figure, Period, Source, Tally, ValidComplaint
from app.models import Case, ComplaintDetermination
from app.services.scope import Scope


def to_sql(cond: cf.Cond, params: Mapping[str, Any]) -> ColumnElement[bool]:
    """The SQL twin of ``cond`` (the same three-valued logic: SQL's own)."""
    if isinstance(cond, cf.Compare):
        left, right = _operand(cond.left, params), _operand(cond.right, params)
        return {
            "<": left < right,
            "<=": left <= right,
            ">=": left >= right,
            "=": left == right,
        }[cond.op]
    if isinstance(cond, cf.OneOf):
        return _column(cond.column).in_(sorted(cond.values))
    if isinstance(cond, cf.Present):
        return _column(cond.column).is_not(None)
    if isinstance(cond, cf.All):
        return and_(*(to_sql(part, params) for part in cond.parts))
    if isinstance(cond, cf.AnyOf):
        return or_(*(to_sql(part, params) for part in cond.parts))
    if isinstance(cond, cf.Not):
        return not_(to_sql(cond.part, params))
    if isinstance(cond, ValidComplaint):
        return exists(_approved_in(params).where(D.grade == str(cond.grade), D.case_id == Case.id))
    raise TypeError(f"no SQL for {cond!r}")


D = ComplaintDetermination


def _approved_in(params: Mapping[str, Any]):
    """The valid complaints approved in the period, counting (app.domain.kpis.ValidComplaint)."""
    return select(D.case_id).where(
        D.status.in_(sorted(COUNTING_STATUSES)),
        D.determination == str(Determination.VALID),
        D.approved_at >= params["start"],
        D.approved_at < params["end"],
    )


def _column(column: cf.Col):
    return getattr(Case, column.name)


def _operand(operand, params: Mapping[str, Any]):
    if isinstance(operand, cf.Col):
        return _column(operand)
    if isinstance(operand, cf.Param):
        return literal(params[operand.name])
    return literal(operand.literal)


def _counts(figure: Figure, params: Mapping[str, Any]):
    base = to_sql(figure.denominator, params)
    counted = base if figure.numerator is None else and_(base, to_sql(figure.numerator, params))
    return (
        func.coalesce(func.sum(case((counted, 1), else_=0)), 0),
        func.coalesce(func.sum(case((base, 1), else_=0)), 0),
    )


@dataclass(frozen=True)
class Row:
    key: Any  # the group's value (a branch id, a channel category...), None for the total
    tallies: dict[str, Tally]


def tallies(
    session: Session,
    scope: Scope,
    period: Period,
    as_of: datetime,
    *,
    group_by=None,
    figures: Sequence[Figure] = FIGURES,
    where: ColumnElement[bool] | None = None,
) -> list[Row]:
    """Every figure for the period, per value of ``group_by`` (a Case column; a tuple of
    columns: the key is the tuple of their values) or in total; ``where`` narrows the cases
    further (a dashboard's channel category and unit). One GROUP BY per source of the figures
    (the cases' dates, the approved complaints), merged by key."""
    params = period.params(as_of)
    merged: dict[Any, dict[str, Tally]] = {}
    for source in Source:
        chosen = [figure for figure in figures if figure.source is source]
        if not chosen:
            continue
        for key, counted in _tallies_of(session, scope, params, source, chosen, group_by, where):
            merged.setdefault(key, {}).update(counted)
    zero = Tally(0, 0)
    return [
        Row(key, {figure.code: counted.get(figure.code, zero) for figure in figures})
        for key, counted in merged.items()
    ]


def _tallies_of(session, scope, params, source, figures, group_by, where):
    columns = [column for figure in figures for column in _counts(figure, params)]
    several = isinstance(group_by, tuple)
    keys = list(group_by) if several else [group_by] if group_by is not None else []
    query = select(*keys, *columns).select_from(Case)
    clause = scope.clause(Case)
    if clause is not None:
        query = query.where(clause)
    # Only cases some figure may count: one of their dates near the period (an index range
    # each), or a complaint approved in it.
    if source is Source.COMPLAINTS:
        query = query.where(Case.id.in_(_approved_in(params)))
    else:
        query = query.where(_touches(params))
    if where is not None:
        query = query.where(where)
    if keys:
        query = query.group_by(*keys)
    for record in session.execute(query):
        values = list(record)
        key = tuple(values[: len(keys)]) if several else values[0] if keys else None
        values = values[len(keys) :]
        yield (
            key,
            {
                figure.code: Tally(int(values[2 * i]), int(values[2 * i + 1]))
                for i, figure in enumerate(figures)
            },
        )


_DATES = ("received_at", "dispatched_at", "sign_due", "finish_due", "closed_at")


def _touches(params: Mapping[str, Any]) -> ColumnElement[bool]:
    return or_(
        *(
            and_(getattr(Case, name) >= params["start"], getattr(Case, name) < params["end"])
            for name in _DATES
        )
    )


def drill_down(figure: Figure, part: str, period: Period, as_of: datetime) -> ColumnElement[bool]:
    """The WHERE clause of the cases behind a figure's number: ``denominator`` or
    ``numerator`` (counted among the denominator's)."""
    params = period.params(as_of)
    base = to_sql(figure.denominator, params)
    if part == "numerator" and figure.numerator is not None:
        return and_(base, to_sql(figure.numerator, params))
    return base
