"""The figures of a quarterly report (Art.39), taken once at generation and frozen as JSON: the
KPIs of app.domain.kpis by unit, channel and business category (app.services.kpi_queries, one
GROUP BY each, company-wide), the previous quarter and the same quarter a year before by unit,
the valid complaints approved in the quarter by unit, cause and grade, and the service
meetings' measures the quarter's report follows (Art.40). ``tables`` turns a snapshot into the
rows the page, the print and the .xlsx export show."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import quarterly_reports as qr
from app.domain.complaints import (
    COUNTING_STATUSES,
    Determination,
)
from app.domain.kpis import FIGURES
from app.models import (
    Branch,
    BusinessCategory,
    Case,
    Channel,
    ComplaintDetermination,
    MeetingMeasure,
    ServiceMeeting,
)
from app.services import kpi_queries
from app.services.scope import Scope
from app.services.sql_dates import unordered

NONE_KEY = "-"  # the group of cases with no unit / channel / category


def _key(value) -> str:
    return NONE_KEY if value is None else str(value)


def _tallies(session: Session, quarter: qr.Quarter, as_of: datetime, column) -> dict:
    rows = kpi_queries.tallies(
        session, Scope.system(), quarter.period, as_of, group_by=unordered(column)
    )
    return {
        _key(row.key): {code: [t.numerator, t.denominator] for code, t in row.tallies.items()}
        for row in rows
    }


def _three_ways(session: Session, quarter: qr.Quarter, as_of: datetime) -> list[dict]:
    """The quarter's figures by unit, by channel and by business category from one GROUP BY
    over the three (a few thousand groups, one scan of the quarter's cases), added up three
    ways: every figure is a count, so the sums are exact."""
    rows = kpi_queries.tallies(
        session,
        Scope.system(),
        quarter.period,
        as_of,
        group_by=(Case.branch_id, Case.channel_id, Case.business_category_id),
    )
    result: list[dict] = [{}, {}, {}]
    for row in rows:
        for index, value in enumerate(row.key):
            slot = result[index].setdefault(_key(value), {f.code: [0, 0] for f in FIGURES})
            for code, t in row.tallies.items():
                slot[code][0] += t.numerator
                slot[code][1] += t.denominator
    return result


def _names(session: Session, model) -> dict[str, str]:
    return {str(k): name for k, name in session.execute(select(model.id, model.name))}


def sum_rows(rows: dict) -> dict:
    total = {f.code: [0, 0] for f in FIGURES}
    for tallies in rows.values():
        for code, (n, d) in tallies.items():
            total[code][0] += n
            total[code][1] += d
    return total


def _complaints(session: Session, quarter: qr.Quarter) -> dict:
    """Art.39: the valid complaints whose approval falls in the quarter (approval is what
    counts; app.domain.complaints.COUNTING_STATUSES), by unit, cause and grade."""
    period = quarter.period
    query = (
        select(
            ComplaintDetermination.branch_id,
            ComplaintDetermination.breach_category,
            ComplaintDetermination.grade,
            func.count(),
        )
        .where(
            ComplaintDetermination.determination == Determination.VALID.value,
            ComplaintDetermination.status.in_([s.value for s in COUNTING_STATUSES]),
            ComplaintDetermination.approved_at >= period.start,
            ComplaintDetermination.approved_at < period.end,
        )
        .group_by(
            ComplaintDetermination.branch_id,
            ComplaintDetermination.breach_category,
            ComplaintDetermination.grade,
        )
    )
    by_unit: dict[str, int] = defaultdict(int)
    causes: dict[str, int] = defaultdict(int)
    grades: dict[str, int] = defaultdict(int)
    for unit, cause, grade, count in session.execute(query):
        by_unit[NONE_KEY if unit is None else str(unit)] += count
        causes[cause or NONE_KEY] += count
        grades[grade or NONE_KEY] += count
    return {"by_unit": dict(by_unit), "causes": dict(causes), "grades": dict(grades)}


def _measures(session: Session, quarter: qr.Quarter, now: datetime) -> list[dict]:
    """Art.40 → Art.39: the meetings' measures decided by the quarter's end and not done before
    it began, as they stand at generation."""
    period = quarter.period
    rows = session.execute(
        select(MeetingMeasure, ServiceMeeting.held_on, ServiceMeeting.title)
        .join(ServiceMeeting, MeetingMeasure.meeting_id == ServiceMeeting.id)
        .where(ServiceMeeting.held_on <= period.last_day)
        .where((MeetingMeasure.done_at.is_(None)) | (MeetingMeasure.done_at >= period.start))
        .order_by(ServiceMeeting.held_on, MeetingMeasure.id)
    ).all()
    kept = qr.measures_for_report([(held, m.done_at) for m, held, _ in rows], quarter)
    result = []
    for index in kept:
        measure, held_on, title = rows[index]
        result.append(
            {
                "meeting": title,
                "held_on": held_on.isoformat(),
                "text": measure.text,
                "unit": measure.branch.name,
                "unit_id": measure.branch_id,
                "due_on": measure.due_on.isoformat(),
                "done_at": measure.done_at.isoformat(sep=" ") if measure.done_at else None,
                "done_note": measure.done_note,
                "state": qr.measure_state(measure.due_on, measure.done_at, now).value,
            }
        )
    return result


def snapshot(session: Session, quarter: qr.Quarter, now: datetime) -> dict:
    """Every figure of the quarter's report, as it stands at ``now`` (the quarter has ended)."""
    as_of = now.replace(microsecond=0)
    branch, channel, business = _three_ways(session, quarter, as_of)
    previous, year_before = quarter.previous(), quarter.year_before()
    return {
        "quarter": quarter.token,
        "as_of": as_of.isoformat(sep=" "),
        "names": {
            "branch": _names(session, Branch),
            "channel": _names(session, Channel),
            "business": _names(session, BusinessCategory),
        },
        "branch": branch,
        "channel": channel,
        "business": business,
        "previous": {
            "quarter": previous.token,
            "branch": _tallies(session, previous, as_of, Case.branch_id),
        },
        "year_before": {
            "quarter": year_before.token,
            "branch": _tallies(session, year_before, as_of, Case.branch_id),
        },
        "complaints": _complaints(session, quarter),
        "measures": _measures(session, quarter, as_of),
    }


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def answering_units(data: dict) -> dict[int, int]:
    """The units that answer the report (Art.39): those of the snapshot's valid complaints."""
    by_unit = data.get("complaints", {}).get("by_unit", {})
    return qr.answering_units({int(k) if k != NONE_KEY else None: n for k, n in by_unit.items()})
