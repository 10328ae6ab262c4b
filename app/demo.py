"""The demo portal: demo units, one account per role, contacts; safe to run again."""

from __future__ import annotations

import secrets
import string
from pathlib import Path

from sqlalchemy import select

from app.demo_bulletins import seed_demo_bulletins
from app.demo_cases import seed_demo_cases
from app.demo_complaints import seed_demo_complaints
from app.demo_major_matters import seed_demo_major_matters
from app.demo_staff import seed_demo_staff
from app.domain import roles as R
from app.models import BranchContact, ContactRole, Department
from app.seed import seed_demo_branches
from app.services import masterdata
from app.services.actor import Actor
from app.services.users import create_user

PASSWORD_FILE = "demo_password"  # noqa: S105  (a file name)

# username, family name, given name, role, branch code, department name
DEMO_USERS = [
    ("admin", "系统", "管理员", R.ADMIN, None, None),
    ("csd", "王", "芳", R.CSD, None, None),
    ("csd_head", "陈", "立新", R.CSD_HEAD, None, None),
    ("agent", "刘", "佳", R.AGENT, None, None),
    ("leader", "赵", "国强", R.LEADER, None, None),
    ("committee", "孙", "明", R.COMMITTEE, None, None),
    ("risk", "周", "涛", R.RISK, None, None),
    ("press", "吴", "静", R.PRESS, None, None),
    ("liaison_hankou", "李", "娜", R.LIAISON, "hankou", "客户服务科"),
    ("handler_hankou", "张", "伟", R.HANDLER, "hankou", "运行维修科"),
    ("head_hankou", "黄", "建军", R.HEAD, "hankou", None),
    ("liaison_wuchang", "杨", "洋", R.LIAISON, "wuchang", "客户服务科"),
    ("handler_wuchang", "马", "超", R.HANDLER, "wuchang", "运行维修科"),
    ("head_wuchang", "何", "勇", R.HEAD, "wuchang", None),
]
DEMO_CONTACTS = [
    ("hankou", ContactRole.RESPONSIBLE_LEADER, "head_hankou", "13907100001", "027-82830001"),
    ("hankou", ContactRole.LIAISON, "liaison_hankou", "13907100002", "027-82830002"),
    ("wuchang", ContactRole.RESPONSIBLE_LEADER, "head_wuchang", "13907100003", "027-88860001"),
    ("wuchang", ContactRole.LIAISON, "liaison_wuchang", "13907100004", "027-88860002"),
]


def generate_password() -> str:
    """A random password that satisfies the policy (upper, lower, digit, symbol, 12 chars)."""
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"Sq{core}7#"


def demo_password(instance: Path, from_env: str | None) -> str:
    if from_env:
        return from_env
    stored = instance / PASSWORD_FILE
    if stored.exists():
        return stored.read_text().strip()
    password = generate_password()
    stored.write_text(password)
    stored.chmod(0o600)
    return password


def seed_demo(sm, session, password: str) -> list[tuple[str, str, str, str, bool]]:
    """Create the demo organisation and accounts.

    Returns (username, name, role, unit, created) rows for the login table.
    """
    branches = seed_demo_branches(session)
    rows = []
    for username, family, given, role, branch_code, department_name in DEMO_USERS:
        branch = branches.get(branch_code) if branch_code else None
        department = None
        if branch is not None and department_name:
            department = session.scalar(
                select(Department).where(
                    Department.branch_id == branch.id, Department.name == department_name
                )
            )
        _, created = create_user(
            sm,
            username=username,
            last_name=family,
            first_name=given,
            email=f"{username}@demo.suqiu.local",
            role_names=[role.name],
            password=password,
            branch=branch,
            department=department,
        )
        unit = branch.name if branch else ("全公司" if role.all_branches else "—")
        rows.append((username, family + given, role.name, unit, created))
    actor = Actor.system()
    for branch_code, role, username, mobile, landline in DEMO_CONTACTS:
        branch = branches[branch_code]
        exists = session.scalar(
            select(BranchContact).where(
                BranchContact.branch_id == branch.id, BranchContact.role == role
            )
        )
        if exists is None:
            user = sm.find_user(username=username)
            contact = BranchContact(
                branch=branch,
                role=role,
                name=user.display_name,
                mobile=mobile,
                landline=landline,
                user=user,
            )
            masterdata.save(session, actor, contact, is_new=True)
    seed_demo_cases(session)
    seed_demo_complaints(session)
    seed_demo_staff(session)
    seed_demo_bulletins(session)
    seed_demo_major_matters(session)
    return rows
