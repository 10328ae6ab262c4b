"""The working-day calendar as stored data: seeding from the official package, loading it for
the deadline functions, telling the administrator which years are still provisional, and
recomputing the deadlines of open cases when the calendar changes (a year loaded, a day edited)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, inspect, or_, select, update
from sqlalchemy.orm import InstanceState, Session

from app.domain.calendar import WorkCalendar, official_exceptions
from app.domain.clock import format_datetime
from app.domain.clock import now as clock_now
from app.domain.i18n import _l
from app.domain.lifecycle import OPEN_STATUSES
from app.domain.quarterly_reports import answer_due
from app.domain.time_limit_rules import NoApplicableRuleError, Rule, case_deadlines, choose_rules
from app.models import (
    CalendarDay,
    CalendarYear,
    Case,
    QuarterlyReport,
    QuarterlyReportEvent,
    ReportAnswer,
)
from app.services import time_limits
from app.services.actor import Actor
from app.services.case_events import case_event
from app.services.uow import transaction

RECOMPUTE = "recompute_deadline"
Span = tuple[date, date]  # first and last day whose working status may have changed


@transaction()
def seed_official_calendar(session: Session, actor: Actor | None = None) -> int:
    """Load every year the package covers that the table does not have yet; open cases with
    provisional deadlines in those years are recomputed."""
    years, exceptions = official_exceptions()
    loaded = set(session.scalars(select(CalendarYear.year)))
    added = 0
    new_years = sorted(years - loaded)
    for year in new_years:
        session.add(CalendarYear(year=year, source="official"))
        for day, (is_workday, name) in exceptions.items():
            if day.year == year:
                session.add(
                    CalendarDay(day=day, is_workday=is_workday, name=name, source="official")
                )
                added += 1
    if new_years:
        session.flush()
        recompute_deadlines(session, actor or Actor.system(), [_year_span(y) for y in new_years])
    return added


def load_calendar(session: Session, years: range | None = None) -> WorkCalendar:
    query = select(CalendarDay.day, CalendarDay.is_workday)
    if years is not None:
        query = query.where(
            CalendarDay.day >= date(years.start, 1, 1), CalendarDay.day < date(years.stop, 1, 1)
        )
    covered = frozenset(session.scalars(select(CalendarYear.year)))
    return WorkCalendar(covered, {day: work for day, work in session.execute(query)})


def missing_years(session: Session, today: date, ahead: int = 1) -> list[int]:
    """Years from this one to ``ahead`` years on that are not loaded: deadlines in them are
    provisional until the administrator loads the State Council's notice."""
    covered = set(session.scalars(select(CalendarYear.year)))
    return [y for y in range(today.year, today.year + ahead + 1) if y not in covered]


def _year_span(year: int) -> Span:
    return date(year, 1, 1), date(year, 12, 31)


def changed_spans(session: Session, item: object, *, deleted: bool = False) -> list[Span]:
    """The days whose working status saving (or deleting) ``item`` may change. Call before the
    flush: an edit's previous values are still in the attribute history. A day of a year not
    loaded changes nothing: deadlines there follow the provisional rule until the year is."""
    if not isinstance(item, CalendarDay | CalendarYear):
        return []
    state: InstanceState[CalendarDay | CalendarYear] = inspect(item)
    is_new = state.transient or state.pending
    if isinstance(item, CalendarYear):
        return [_year_span(y) for y in _values(item, "year", is_new or deleted)]
    if not (is_new or deleted) and not (
        state.attrs.day.history.has_changes() or state.attrs.is_workday.history.has_changes()
    ):
        return []  # only the name changed
    with session.no_autoflush:
        loaded = set(session.scalars(select(CalendarYear.year)))
    return [(d, d) for d in _values(item, "day", is_new or deleted) if d.year in loaded]


def _values(item: CalendarDay | CalendarYear, attribute: str, current_only: bool) -> set:
    state: InstanceState[CalendarDay | CalendarYear] = inspect(item)
    history = state.attrs[attribute].history
    values = {getattr(item, attribute)}
    if not current_only:
        values |= {v for v in (*history.deleted, *history.unchanged) if v is not None}
    return {v for v in values if v is not None}


def recompute_deadlines(
    session: Session, actor: Actor, spans: Iterable[Span], *, now: datetime | None = None
) -> int:
    """Recompute the deadlines of the open cases whose count ran over a changed day (Art.19):
    each changed case gets a timeline event and its provisional mark follows the new count.
    The rules that apply now are used, as registration would. A negotiated or extended finish
    deadline is the customer's or CSD's decision and stays. Runs inside the caller's
    transaction, after its flush."""
    windows = [
        (datetime.combine(first, time.min), datetime.combine(last + timedelta(days=1), time.min))
        for first, last in spans
    ]
    if not windows:
        return 0
    now = now or clock_now()
    calendar = load_calendar(session)
    rules = time_limits.load_rules(session)
    crossing = or_(
        *(
            and_(Case.received_at < end, or_(Case.sign_due >= start, Case.finish_due >= start))
            for start, end in windows
        )
    )
    cases = session.scalars(
        select(Case).where(Case.status.in_(OPEN_STATUSES), crossing).order_by(Case.id)
    ).all()
    _recompute_answers(session, calendar, windows, actor, now)
    return sum(_recompute(session, case, rules, calendar, windows, actor, now) for case in cases)


def _recompute_answers(session: Session, calendar, windows, actor: Actor, now) -> None:
    """Art.39: the units' handling opinions still owed on a quarterly report are due 5 working
    days after its distribution; a count that ran over a changed day follows the calendar (an
    answer given keeps the deadline it was judged by). Each move is in the report's history."""
    crossing = or_(
        *(
            and_(QuarterlyReport.distributed_at < end, ReportAnswer.due >= start)
            for start, end in windows
        )
    )
    owed = session.execute(
        select(ReportAnswer, QuarterlyReport.distributed_at)
        .join(QuarterlyReport, QuarterlyReport.id == ReportAnswer.report_id)
        .where(ReportAnswer.answered_at.is_(None), crossing)
        .order_by(ReportAnswer.id)
    ).all()
    for answer, distributed_at in owed:
        if distributed_at is None:  # (answers are made at distribution)
            continue
        fresh = answer_due(distributed_at, calendar)
        before = (answer.due, bool(answer.due_provisional))
        if (fresh.due, fresh.provisional) == before:
            continue
        unit, report_id = (answer.branch.name if answer.branch else ""), answer.report_id
        values: dict = {"due": fresh.due, "due_provisional": fresh.provisional}
        if answer.flagged_at is not None and fresh.due > now:
            values["flagged_at"] = None  # no longer overdue; the sweep flags it again if it passes
        # Only while still owed: a unit answering meanwhile keeps the deadline it was judged by.
        moved = session.execute(
            update(ReportAnswer)
            .where(ReportAnswer.id == answer.id, ReportAnswer.answered_at.is_(None))
            .values(**values)
            .returning(ReportAnswer.id)
            .execution_options(synchronize_session=False)
        ).first()
        if moved is None:
            continue
        session.expire(answer)
        text = f"{unit}：{format_datetime(before[0])} → {format_datetime(fresh.due)}"
        if fresh.provisional != before[1]:
            mark = _l("The deadlines are provisional.")
            if not fresh.provisional:
                mark = _l("The deadlines are no longer provisional.")
            text += f"（{mark}）"
        session.add(
            QuarterlyReportEvent(
                report_id=report_id,
                kind="answer_due_moved",
                text=text,
                author_id=actor.user_id,
                at=now,
            )
        )


def _recompute(
    session: Session, case: Case, rules: list[Rule], calendar, windows, actor: Actor, now
) -> bool:
    try:
        fresh = case_deadlines(
            choose_rules(rules, time_limits.facts_of(case)), case.received_at, calendar
        )
    except NoApplicableRuleError:
        return False  # nothing sensible to compute; registration reports the missing rule

    def crossed(due: datetime | None) -> bool:
        # Only a count that reached a changed day can move; the others were not provisional there.
        return due is not None and any(
            case.received_at < end and due >= start for start, end in windows
        )

    finish_fixed = bool(case.negotiated_reason) or bool(case.extension_count)
    sign_due = fresh.sign.due if crossed(case.sign_due) else case.sign_due
    finish_due = case.finish_due
    if not finish_fixed and crossed(case.finish_due):
        finish_due = fresh.finish.due
    provisional = fresh.sign.provisional or (not finish_fixed and fresh.finish.provisional)
    before = (case.sign_due, case.finish_due, bool(case.due_provisional))
    if (sign_due, finish_due, provisional) == before:
        return False
    case.sign_due, case.finish_due, case.due_provisional = sign_due, finish_due, provisional
    # A deadline moved past now is no longer overdue (the sweep flags it again if it passes).
    if sign_due != before[0] and sign_due > now:
        case.sign_overdue = False
    if finish_due != before[1] and finish_due > now:
        case.finish_overdue = False
    lines = [str(_l("Recomputed after the working-day calendar changed."))]
    for label, old, new in (
        (_l("Sign-for deadline"), before[0], sign_due),
        (_l("Finish deadline"), before[1], finish_due),
    ):
        if old != new:
            lines.append(f"{label}：{format_datetime(old)} → {format_datetime(new)}")
    if provisional != before[2]:
        lines.append(
            str(
                _l("The deadlines are provisional.")
                if provisional
                else _l("The deadlines are no longer provisional.")
            )
        )
    detail = {
        "sign_due": [before[0], sign_due],
        "finish_due": [before[1], finish_due],
        "provisional": [before[2], provisional],
    }
    session.add(case_event(case, RECOMPUTE, actor, now, note="\n".join(lines), detail=detail))
    return True
