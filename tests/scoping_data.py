"""Records in two sibling branches (汉口, 武昌) and a sub-unit of 汉口: ``build`` for the
master-data scoping matrix (tests/test_scope_matrix.py), ``build_matrix`` for the route matrix
over the whole URL map (tests/test_route_matrix.py)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select, update

from app.domain.clock import now as clock_now
from app.domain.roles import ROLES_BY_NAME, Reach
from app.models import (
    Branch,
    BranchContact,
    BranchContactChange,
    BusinessCategory,
    CalendarDay,
    CalendarYear,
    Case,
    CaseKind,
    Channel,
    ChannelCategory,
    ComposedRole,
    ContentClass,
    Department,
    Notification,
    SuqiuUser,
    TimeLimitRule,
    Vendor,
)
from app.services import masterdata
from app.services import roles as role_service
from app.services.actor import Actor
from app.services.attachments import add_attachment
from app.services.extensions import request_extension
from app.services.spot_checks import draw_spot_check
from app.services.users import create_user
from tests import scoping_bulletins, scoping_complaints, scoping_quarterly_reports
from tests.case_helpers import act, actor, gen_case
from tests.conftest import TEST_PASSWORD


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


# --- The route matrix (tests/test_route_matrix.py): one record of each kind per side --------


@dataclass(frozen=True)
class Ref:
    """One record a route is called with. ``text`` identifies it on a page; ``branch_id`` (unit
    records), ``case_id`` (records of a case) or ``owner_id`` (personal records) say who may
    see it. ``label`` names the side: hankou / wuchang, or agent / csd for undispatched cases."""

    kind: str
    label: str
    id: int
    text: str | None
    branch_id: int | None = None
    case_id: int | None = None
    owner_id: int | None = None


@dataclass(frozen=True)
class MatrixUser:
    id: int
    paths: tuple[str, ...]  # the units whose subtrees the user covers (not all_branches)
    all_branches: bool
    profiles: tuple  # the RoleProfiles of app.domain.roles and of composed roles they hold


@dataclass
class Matrix:
    refs: dict[str, dict[str, Ref]]
    users: dict[str, MatrixUser]


MATRIX_PDF = b"%PDF-1.4\n"
AUDITOR_ROLE = "汉口只读审计员"
# Cases per side, each in the state the actions of that state need (design §2).
MATRIX_FLAGS = {"hankou": "media_involved", "wuchang": "casualties"}
CASE_PATHS = {
    "pending_sign": ["dispatch"],
    "in_progress": ["dispatch", "sign_for", "assign"],
    "extension": ["dispatch", "sign_for"],
    "pending_review": ["dispatch", "sign_for", "reply"],
    "pending_government_reply": ["dispatch", "sign_for", "reply", "approve"],
    "pending_callback": ["dispatch", "sign_for", "reply", "approve", "answer_government"],
    "closed": ["dispatch", "sign_for", "reply", "approve", "answer_government", "callback"],
}
_INPUTS = {
    "reply": {"result": "已上门处理。"},
    "answer_government": {"note": "已答复政务部门。"},
    "callback": {"result": "satisfied", "note": "满意"},
}


def build_matrix(session, sm, upload_folder: str) -> Matrix:
    """Add the route matrix's records to the demo data: per side (汉口 / 武昌) a department, a
    vendor, an account, cases in every workable state, a pending extension request, an
    attachment, a notification and a spot-check item; two undispatched cases; a sub-unit of
    武昌 like 汉口北营业所 of 汉口."""
    system = Actor.system()
    now = clock_now().replace(microsecond=0)
    refs: dict[str, dict[str, Ref]] = {}

    def put(kind, label, item_id, text, **extra):
        refs.setdefault(kind, {})[label] = Ref(kind, label, item_id, text, **extra)

    def branch(code):
        return session.scalar(select(Branch).where(Branch.code == code))

    wuchang = branch("wuchang")
    if branch("wuchang_south") is None:
        masterdata.save(
            session,
            system,
            Branch(code="wuchang_south", name="武昌南营业所", unit_type="station", parent=wuchang),
            is_new=True,
        )
    sides = {"hankou": "汉口", "wuchang": "武昌"}
    for side, name in sides.items():
        unit = branch(side)
        put("branch", side, unit.id, unit.name, branch_id=unit.id)
        sub = branch("hankou_north" if side == "hankou" else "wuchang_south")
        put("subunit", side, sub.id, sub.name, branch_id=sub.id)
        first = session.scalar(
            select(Department).where(Department.branch_id == unit.id).order_by(Department.id)
        )
        department = Department(branch=unit, name=f"{name}矩阵科", active=True)
        masterdata.save(session, system, department, is_new=True)
        put("department", side, department.id, department.name, branch_id=unit.id)
        vendor = Vendor(
            name=f"{name}矩阵施工队",
            vendor_type="outsourced_crew",
            department=first,
            contact_name="施工负责人",
            phone="13800000000",
            active=True,
        )
        masterdata.save(session, system, vendor, is_new=True)
        put("vendor", side, vendor.id, vendor.name, branch_id=unit.id)
        contact = session.scalar(
            select(BranchContact)
            .where(BranchContact.branch_id == unit.id)
            .order_by(BranchContact.id)
        )
        put("contact", side, contact.id, contact.mobile, branch_id=unit.id)
        change = session.scalar(
            select(BranchContactChange)
            .where(
                BranchContactChange.branch_id == unit.id,
                BranchContactChange.after.contains(contact.mobile),
            )
            .order_by(BranchContactChange.id)
        )
        put("contact_change", side, change.id, contact.mobile, branch_id=unit.id)
        user, _ = create_user(
            sm,
            username=f"matrix_{side}",
            last_name=name,
            first_name="矩阵",
            email=f"matrix_{side}@demo.suqiu.local",
            role_names=["分子公司办理人"],
            password=TEST_PASSWORD,
            branch=unit,
        )
        put("user", side, user.id, user.username, branch_id=unit.id)
        recipient = sm.find_user(username=f"liaison_{side}")
        notice = Notification(
            recipient_id=recipient.id, category="matrix", title=f"{name}矩阵通知", body="矩阵"
        )
        session.add(notice)
        session.commit()
        put("notification", side, notice.id, notice.title, owner_id=recipient.id)

        liaison, handler = f"liaison_{side}", f"handler_{side}"
        handler_id = sm.find_user(username=handler).id
        for state, steps in CASE_PATHS.items():
            case = gen_case(session, received=now - timedelta(hours=1), now=now)
            for step in steps:
                who = liaison if step in ("sign_for", "reply", "callback", "assign") else "csd"
                inputs = dict(_INPUTS.get(step, {}))
                if step == "dispatch":
                    inputs["branch_id"] = unit.id
                if step == "assign":
                    inputs["handler_id"] = handler_id
                act(session, who, case, step, now=now, **inputs)
            put(f"case:{state}", side, case.id, case.number, case_id=case.id)
        company = gen_case(
            session,
            by="agent",
            channel="hotline_96511",
            received=now - timedelta(hours=1),
            now=now,
        )
        act(session, "agent", company, "dispatch", now=now, branch_id=unit.id)
        act(session, liaison, company, "sign_for", now=now)
        act(session, liaison, company, "reply", now=now, result="已处理。")
        act(session, "csd", company, "approve", now=now)
        put("case:company_callback", side, company.id, company.number, case_id=company.id)

        extended = refs["case:extension"][side]
        pending = request_extension(
            session,
            actor(session, liaison),
            extended.id,
            version=None,
            requested_due=datetime.combine(now.date() + timedelta(days=60), time(23, 59, 59)),
            reason=f"{name}矩阵延期理由",
        )
        put("extension", side, pending.id, pending.reason, case_id=extended.id)

        marker = f"MATRIX-FILE-{side.upper()}".encode()
        attachment = add_attachment(
            session,
            actor(session, liaison),
            refs["case:in_progress"][side].id,
            f"{name}矩阵证据.pdf",
            io.BytesIO(MATRIX_PDF + marker),
            upload_folder,
            10 * 1024 * 1024,
        )
        put("attachment", side, attachment.id, attachment.original_name, case_id=attachment.case_id)
        # Art.29/34: 汉口's case in progress involves the media (党委工作部传讯组 reads it), 武昌's
        # a casualty (风险管理部 reads it); set directly, without the notices registration sends.
        session.execute(
            update(Case)
            .where(Case.id == refs["case:in_progress"][side].id)
            .values({MATRIX_FLAGS[side]: True})
        )
        session.commit()
        scoping_complaints.build(session, put, unit, side, name, upload_folder, now)
        scoping_bulletins.build(session, put, unit, side, name, now)

    # Art.39/40: a distributed report owing an answer of each side's unit, a draft, a meeting.
    scoping_quarterly_reports.build(session, put, {s: branch(s) for s in sides}, now)
    for label, by, channel in (
        ("agent", "agent", "hotline_96511"),
        ("csd", "csd", "citizen_hotline"),
    ):
        case = gen_case(session, by=by, channel=channel, received=now - timedelta(hours=1), now=now)
        put("case:pending_dispatch", label, case.id, case.number, case_id=case.id)

    check = draw_spot_check(
        session,
        actor(session, "csd"),
        datetime.combine(now.date() - timedelta(days=1), time.min),
        datetime.combine(now.date() + timedelta(days=2), time.min),
        "100",
        "matrix",
    )
    put("spot_check", "all", check.id, None)
    for side in sides:
        closed = refs["case:closed"][side]
        item = next(i for i in check.items if i.case_id == closed.id)
        put("spot_item", side, item.id, closed.text, case_id=closed.id)

    # Master data every unit shares: the first row of each kind.
    shared = {
        "channel_category": (ChannelCategory, "name"),
        "channel": (Channel, "name"),
        "content_class": (ContentClass, "name"),
        "case_kind": (CaseKind, "name"),
        "business_category": (BusinessCategory, "name"),
        "calendar_day": (CalendarDay, None),
        "calendar_year": (CalendarYear, None),
        "time_limit_rule": (TimeLimitRule, None),
    }
    for kind, (model, attr) in shared.items():
        row = session.scalars(select(model).order_by(*model.__table__.primary_key)).first()
        pk = getattr(row, model.__table__.primary_key.columns.keys()[0])
        put(kind, "shared", pk, getattr(row, attr) if attr else None)
    role = sm.find_role("客服部")
    put("role", "shared", role.id, role.name)
    # A composed role (issue 7): a read-only auditor of 汉口, held by someone of 武昌.
    auditor = role_service.compose_role(
        session,
        actor(session, "admin"),
        role_service.RoleDraft(
            AUDITOR_ROLE,
            Reach.UNIT,
            branch("hankou").id,
            frozenset({"read.cases", "read.units", "read.contacts", "read.catalog"}),
        ),
    )
    put("composed_role", "shared", auditor.id, AUDITOR_ROLE)
    create_user(
        sm,
        username="auditor_hankou",
        last_name="审计",
        first_name="员",
        email="auditor_hankou@demo.suqiu.local",
        role_names=[AUDITOR_ROLE],
        password=TEST_PASSWORD,
        branch=wuchang,
    )

    composed = {c.role.name: c.profile() for c in session.scalars(select(ComposedRole))}
    paths = dict(session.execute(select(Branch.id, Branch.path)).all())
    users = {}
    for user in session.scalars(select(SuqiuUser)):
        profiles = tuple(
            ROLES_BY_NAME.get(r.name) or composed[r.name]
            for r in user.roles
            if r.name in ROLES_BY_NAME or r.name in composed
        )
        every = any(p.all_branches for p in profiles)
        roots = []
        for profile in profiles:
            if profile.reach is Reach.OWN_UNIT and user.branch_id:
                roots.append(paths[user.branch_id])
            elif profile.reach is Reach.UNIT:
                roots.append(paths[profile.unit_id])
        users[user.username] = MatrixUser(user.id, tuple(roots), every, profiles)
    return Matrix(refs, users)
