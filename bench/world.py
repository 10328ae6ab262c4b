"""The organisation the generated cases live in: the demo's units and accounts plus the extra
units of ``shape.EXTRA_UNITS`` (22 in all, made through ``app.services.masterdata`` so that
``Branch.path`` is the service's), their departments and staff (a liaison, a head and
handlers per unit, made through ``app.services.users``), then read back as plain values for the
generator: no ORM object is touched while millions of rows are produced."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.domain import roles as R
from app.models import (
    Branch,
    BusinessCategory,
    CaseKind,
    CaseNumberCounter,
    Channel,
    Department,
    SuqiuUser,
)
from app.seed import DEMO_DEPARTMENTS
from app.services import masterdata
from app.services.actor import Actor
from app.services.calendar import load_calendar
from app.services.time_limits import load_rules
from bench.shape import (
    CHANNEL_WEIGHTS,
    EXTRA_UNITS,
    HANDLERS_PER_UNIT,
    KIND_WEIGHTS,
    UNIT_WEIGHTS,
    Chooser,
)

DEPARTMENTS = DEMO_DEPARTMENTS["hankou"]


def add_units_and_staff(app, password: str) -> int:
    """Idempotent: units, departments and accounts that exist already are kept."""
    from app.extensions import db
    from app.services.users import create_user

    session, actor, added = db.session, Actor.system(), 0
    codes = {b.code: b for b in session.scalars(select(Branch))}
    categories = {c.code: c for c in session.scalars(select(BusinessCategory))}
    for order, (code, name, parent) in enumerate(EXTRA_UNITS, start=10):
        if code in codes:
            continue
        unit = Branch(
            code=code,
            name=name,
            unit_type="station" if parent else "branch",
            active=True,
            sort_order=order,
            parent=codes[parent] if parent else None,
        )
        masterdata.save(session, actor, unit, is_new=True)
        codes[code] = unit
        for department_name, business in DEPARTMENTS:
            department = Department(
                branch=unit,
                name=department_name,
                active=True,
                business_categories=[categories[c] for c in business if c in categories],
            )
            masterdata.save(session, actor, department, is_new=True)
        added += 1
    sm = app.appbuilder.sm
    for code, unit in codes.items():
        staff = [(f"liaison_{code}", R.LIAISON, "联络员"), (f"head_{code}", R.HEAD, "责任人")]
        staff += [
            (f"handler_{code}_{i}", R.HANDLER, f"办理人{i}") for i in range(1, HANDLERS_PER_UNIT)
        ]
        for username, role, title in staff:
            create_user(
                sm,
                username=username,
                last_name=unit.name[:4],
                first_name=title,
                role_names=[role.name],
                password=password,
                branch=unit,
            )
    return added


@dataclass
class Unit:
    id: int
    code: str
    name: str
    liaisons: list[int] = field(default_factory=list)
    handlers: list[int] = field(default_factory=list)
    staff: list[int] = field(default_factory=list)  # everyone who may register at the counter
    departments: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class World:
    channels: Chooser  # of (id, code, category code, category id)
    kinds: Chooser  # of (id, code)
    businesses: list[tuple[int, str] | None]
    units: Chooser  # of Unit
    unit_by_id: dict[int, Unit]
    csd: list[int]  # CSD staff (csd, csd_head): dispatch, review, decide, notified
    agents: list[int]
    names: dict[int, str]
    unit_of_user: dict[int, Unit]
    counters: dict[str, int]
    rules: list
    calendar: object


def load_world(session) -> World:
    users = list(session.scalars(select(SuqiuUser).where(SuqiuUser.active.is_(True))))
    role_names = {u.id: {r.name for r in u.roles} for u in users}
    units: dict[int, Unit] = {
        b.id: Unit(b.id, b.code, b.name)
        for b in session.scalars(select(Branch).where(Branch.active.is_(True)).order_by(Branch.id))
    }
    for department in session.scalars(select(Department).where(Department.active.is_(True))):
        if department.branch_id in units:
            units[department.branch_id].departments.append((department.id, department.name))
    unit_of_user = {}
    for user in users:
        unit = units.get(user.branch_id) if user.branch_id else None
        if unit is None:
            continue
        names = role_names[user.id]
        if R.LIAISON.name in names:
            unit.liaisons.append(user.id)
        elif R.HANDLER.name in names:
            unit.handlers.append(user.id)
        if names & {R.LIAISON.name, R.HANDLER.name, R.HEAD.name}:
            unit.staff.append(user.id)
            unit_of_user[user.id] = unit
    staffed = [u for u in units.values() if u.liaisons and u.handlers]
    channels = [
        (c.id, c.code, c.category.code, c.category_id)
        for c in session.scalars(select(Channel).where(Channel.active.is_(True)))
    ]
    kinds = [(k.id, k.code) for k in session.scalars(select(CaseKind).where(CaseKind.active))]
    businesses: list[tuple[int, str] | None] = [
        (b.id, b.code) for b in session.scalars(select(BusinessCategory))
    ]
    csd = [u.id for u in users if role_names[u.id] & {R.CSD.name, R.CSD_HEAD.name}]
    agents = [u.id for u in users if R.AGENT.name in role_names[u.id]]
    return World(
        channels=Chooser(channels, [CHANNEL_WEIGHTS.get(c[1], 1) for c in channels]),
        kinds=Chooser(kinds, [KIND_WEIGHTS.get(k[1], 1) for k in kinds]),
        businesses=[*businesses, None],
        units=Chooser(staffed, [UNIT_WEIGHTS.get(u.code, 4) for u in staffed]),
        unit_by_id=units,
        csd=sorted(csd),
        agents=sorted(agents) or sorted(csd),
        names={u.id: u.display_name for u in users},
        unit_of_user=unit_of_user,
        counters=dict(session.execute(select(CaseNumberCounter.day, CaseNumberCounter.last)).all()),
        rules=load_rules(session),
        calendar=load_calendar(session),
    )
