"""Each branch's responsible leader (责任人) and liaison (联络员) (Art.14–16), with reachable
contact details (Art.26) and a history of every change notified to CSD (Art.25)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.clock import now
from app.models.org import Branch


class ContactRole(StrEnum):
    RESPONSIBLE_LEADER = "responsible_leader"  # 责任人
    LIAISON = "liaison"  # 联络员


class BranchContact(Model):
    __tablename__ = "branch_contact"
    __table_args__ = (UniqueConstraint("branch_id", "role", name="uq_branch_contact_role"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"), index=True)
    branch: Mapped[Branch] = relationship(lazy="joined")
    role: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(50))
    mobile: Mapped[str] = mapped_column(String(40))
    landline: Mapped[str | None] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    user = relationship("SuqiuUser", foreign_keys=[user_id])
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now, onupdate=now)

    def __str__(self) -> str:
        return f"{self.branch.name if self.branch else ''} {self.name}"


class BranchContactChange(Model):
    """Immutable record of a change of a branch's 责任人 or 联络员 (Art.25)."""

    __tablename__ = "branch_contact_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"), index=True)
    branch: Mapped[Branch] = relationship()
    role: Mapped[str] = mapped_column(String(30))
    change_type: Mapped[str] = mapped_column(String(20))  # created / updated / deleted
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    changed_by = relationship("SuqiuUser", foreign_keys=[changed_by_id])
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
