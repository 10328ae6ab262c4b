"""公告/通报: business changes (Art.37) and emergencies (Art.38) with the official wording (口径)
and expected recovery time, shown to the agent while registering a case (Art.28)."""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.clock import now
from app.models.org import Branch


class Bulletin(Model):
    __tablename__ = "bulletin"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="business_change")  # or emergency
    title: Mapped[str] = mapped_column(String(200))
    talking_points: Mapped[str] = mapped_column(Text)
    expected_recovery_at: Mapped[datetime | None] = mapped_column(DateTime)
    starts_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    branch: Mapped[Branch | None] = relationship(lazy="joined")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)

    def __str__(self) -> str:
        return self.title
