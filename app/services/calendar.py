"""The working-day calendar as stored data: seeding from the official package, loading it for
the deadline functions, and telling the administrator which years are still provisional."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.calendar import WorkCalendar, official_exceptions
from app.models import CalendarDay, CalendarYear


def seed_official_calendar(session: Session) -> int:
    """Load every year the package covers that the table does not have yet."""
    years, exceptions = official_exceptions()
    loaded = set(session.scalars(select(CalendarYear.year)))
    added = 0
    for year in sorted(years - loaded):
        session.add(CalendarYear(year=year, source="official"))
        for day, (is_workday, name) in exceptions.items():
            if day.year == year:
                session.add(
                    CalendarDay(day=day, is_workday=is_workday, name=name, source="official")
                )
                added += 1
    session.commit()
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
