"""The organisation: branches and subsidiaries as a tree, their departments, and the outsourced
crews and partner vendors each department manages (Art.24)."""

from __future__ import annotations

from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.catalog import BusinessCategory

department_business_category = Table(
    "department_business_category",
    Model.metadata,
    Column("department_id", ForeignKey("department.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "business_category_id",
        ForeignKey("business_category.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)


class Branch(Model):
    """A branch, subsidiary or station; ``path`` is the materialised ancestry (``/1/4/``)."""

    __tablename__ = "branch"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    unit_type: Mapped[str] = mapped_column(String(20), default="branch")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), index=True)
    parent: Mapped[Branch | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Branch]] = relationship(back_populates="parent")
    path: Mapped[str] = mapped_column(String(255), default="", index=True)
    territory: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    departments: Mapped[list[Department]] = relationship(back_populates="branch")

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)


class Department(Model):
    """A department inside a branch; business categories drive routing inside it (Art.24)."""

    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("branch_id", "name", name="uq_department_branch_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"), index=True)
    # Joined: a department reads as "unit / name" wherever it is listed (no query per row).
    branch: Mapped[Branch] = relationship(back_populates="departments", lazy="joined")
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    business_categories: Mapped[list[BusinessCategory]] = relationship(
        secondary=department_business_category
    )

    def __str__(self) -> str:
        return f"{self.branch.name} / {self.name}" if self.branch else self.name


class VendorType(StrEnum):
    OUTSOURCED_CREW = "outsourced_crew"  # 外包工程队
    PARTNER_VENDOR = "partner_vendor"  # 合作厂商


class Vendor(Model):
    """An outsourced crew or partner vendor; cases about its work go to the department that
    manages it (Art.24). ``branch_id`` mirrors the department's branch for scoping."""

    __tablename__ = "vendor"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    vendor_type: Mapped[str] = mapped_column(String(20), default=VendorType.OUTSOURCED_CREW)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    department: Mapped[Department] = relationship(lazy="joined")
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"), index=True)
    branch: Mapped[Branch] = relationship(lazy="joined")
    contact_name: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __str__(self) -> str:
        return self.name
