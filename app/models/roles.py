"""Roles an administrator composes from capabilities (issue 7), beside FAB's ``ab_role``.

The built-in roles are code (app.domain.roles); a composed role is an ``ab_role`` row plus this
record of its reach and capabilities, from which ``suqiu sync-roles`` and every save rewrite its
FAB permissions. ``RoleChange`` keeps every change, who made it and when.
"""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.clock import now
from app.domain.roles import Reach, RoleProfile


class ComposedRole(Model):
    __tablename__ = "composed_role"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("ab_role.id", ondelete="CASCADE"), unique=True)
    role: Mapped[Role] = relationship(Role, lazy="joined")
    reach: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), index=True)
    unit = relationship("Branch")
    # Capability codes of app.domain.capabilities, space-separated and sorted.
    capabilities: Mapped[str] = mapped_column(Text, default="")
    assigned_only: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    description: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=now, onupdate=now)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    changed_by = relationship("SuqiuUser", foreign_keys=[changed_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def capability_codes(self) -> frozenset[str]:
        return frozenset(self.capabilities.split()) if self.capabilities else frozenset()

    def profile(self) -> RoleProfile:
        return RoleProfile(
            self.role.name,
            Reach(self.reach),
            self.capability_codes,
            unit_id=self.unit_id,
            assigned_only=self.assigned_only,
        )


class RoleChange(Model):
    """Immutable record of a composed role created, changed or removed."""

    __tablename__ = "role_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role_name: Mapped[str] = mapped_column(String(64), index=True)
    change_type: Mapped[str] = mapped_column(String(20))  # created / updated / deleted
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    changed_by = relationship("SuqiuUser", foreign_keys=[changed_by_id])
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
