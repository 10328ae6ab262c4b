"""FAB's user extended with the unit the person works in: the anchor of branch scoping."""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship


class SuqiuUser(User):
    """Single-table extension of ``ab_user`` (FAB's extended-user pattern)."""

    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), index=True)
    branch = relationship("Branch", foreign_keys=[branch_id])
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    department = relationship("Department", foreign_keys=[department_id])
    mobile: Mapped[str | None] = mapped_column(String(40))

    @property
    def display_name(self) -> str:
        # Chinese names read family name first.
        return f"{self.last_name}{self.first_name}"

    def get_full_name(self) -> str:  # FAB's navbar and lists: "李娜", not "娜 李"
        return self.display_name

    def __str__(self) -> str:
        return self.display_name
