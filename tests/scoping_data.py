"""Records in two sibling branches (汉口, 武昌) and a sub-unit of 汉口, for the scoping matrix."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.models import Branch, BranchContact, BranchContactChange, Department, Vendor
from app.services import masterdata
from app.services.actor import Actor


@dataclass
class BranchRecords:
    branch_id: int
    department_id: int
    vendor_id: int
    contact_id: int
    change_id: int
    department_name: str
    vendor_name: str
    contact_name: str
    branch_name: str


def _records(session, code: str) -> BranchRecords:
    branch = session.scalar(select(Branch).where(Branch.code == code))
    department = session.scalar(
        select(Department).where(Department.branch_id == branch.id).order_by(Department.id)
    )
    vendor = session.scalar(select(Vendor).where(Vendor.branch_id == branch.id))
    if vendor is None:
        vendor = Vendor(
            name=f"{branch.name}管网施工队",
            vendor_type="outsourced_crew",
            department=department,
            contact_name="施工负责人",
            phone="13800000000",
            active=True,
        )
        masterdata.save(session, Actor.system(), vendor, is_new=True)
    contact = session.scalar(select(BranchContact).where(BranchContact.branch_id == branch.id))
    change = session.scalar(
        select(BranchContactChange).where(BranchContactChange.branch_id == branch.id)
    )
    return BranchRecords(
        branch.id,
        department.id,
        vendor.id,
        contact.id,
        change.id,
        department.name,
        vendor.name,
        contact.name,
        branch.name,
    )


def build(session) -> dict[str, BranchRecords]:
    return {code: _records(session, code) for code in ("hankou", "wuchang")}
