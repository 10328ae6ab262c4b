"""The working-day calendar (seeded from the official calendar, editable by the administrator)
and the time-limit rules (channel category × kind × urgency)."""

from __future__ import annotations

from datetime import date, datetime

from flask_appbuilder import Model
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.clock import now
from app.models.catalog import CaseKind, ChannelCategory


class CalendarYear(Model):
    """A year whose holidays and make-up workdays are loaded; other years are provisional."""

    __tablename__ = "calendar_year"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(20), default="official")
    loaded_at: Mapped[datetime] = mapped_column(DateTime, default=now)

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(Model):
    """A day that differs from "Monday to Friday work": a holiday or a make-up workday."""

    __tablename__ = "calendar_day"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str | None] = mapped_column(String(50))
    source: Mapped[str] = mapped_column(String(20), default="official")


class TimeLimitRule(Model):
    """Limits to sign for and to finish; empty selectors match anything, the most specific rule
    wins (design §2)."""

    __tablename__ = "time_limit_rule"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_category_id: Mapped[int | None] = mapped_column(ForeignKey("channel_category.id"))
    channel_category: Mapped[ChannelCategory | None] = relationship(lazy="joined")
    kind_id: Mapped[int | None] = mapped_column(ForeignKey("case_kind.id"))
    kind: Mapped[CaseKind | None] = relationship(lazy="joined")
    urgent: Mapped[bool | None] = mapped_column(Boolean)
    business_category_code: Mapped[str | None] = mapped_column(String(32))
    sign_amount: Mapped[int] = mapped_column(Integer)
    sign_unit: Mapped[str] = mapped_column(String(20))
    sign_clock: Mapped[str] = mapped_column(String(20), default="24x7")
    finish_amount: Mapped[int] = mapped_column(Integer)
    finish_unit: Mapped[str] = mapped_column(String(20))
    finish_clock: Mapped[str] = mapped_column(String(20), default="24x7")
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
