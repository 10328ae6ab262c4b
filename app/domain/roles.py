"""Every role of design.md §1, declared as data in one place: how far it reaches (every unit,
or the person's own unit and its sub-units) and its capabilities (app.domain.capabilities).

Roles an administrator composes (app.models.roles.ComposedRole) are the same ``RoleProfile``
read from the database: the scope, the workflow and the permission sync treat both alike.
``suqiu sync-roles`` (app.security.sync) makes the database's FAB permissions match.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from app.domain.capabilities import CAPABILITIES, case_actions_of, grants_of


class Reach(StrEnum):
    """Whose records a role covers."""

    ALL = "all"  # every unit
    OWN_UNIT = "own_unit"  # the person's unit and its sub-units
    UNIT = "unit"  # one named unit and its sub-units, whoever holds the role


@dataclass(frozen=True)
class RoleProfile:
    name: str  # the role's name in the UI and in ab_role
    reach: Reach
    capabilities: frozenset[str] = frozenset()
    code: str | None = None  # built-in roles only
    is_admin: bool = False
    unit_id: int | None = None  # Reach.UNIT only
    # Works only on the cases assigned to the person (the 办理人's 记录进展 and 回复办理结果).
    assigned_only: bool = False

    @property
    def all_branches(self) -> bool:
        return self.reach is Reach.ALL

    @property
    def case_actions(self) -> frozenset[str]:
        return case_actions_of(self.capabilities)


def _role(code, name, reach, *capabilities, is_admin=False, assigned_only=False) -> RoleProfile:
    return RoleProfile(
        name, reach, frozenset(capabilities), code, is_admin, assigned_only=assigned_only
    )


# What every signed-in person may do: see and edit their own profile and password, read their
# notifications.
SELF_SERVICE: dict[str, tuple[str, ...]] = {
    "User": ("userinfo",),
    "MyProfile": ("write",),
    "MyPassword": ("write",),
    "Notification": ("read", "write"),
}

_ORG_READ = ("read.units", "read.contacts")
_CATALOG_READ = ("read.catalog",)
_CASE_READ = ("read.cases", "export.attachments")
# CSD publishes business changes and emergencies (Art.37/38) and spot-checks callbacks (Art.35).
# (Survey systems post their results with their own API token: app.views.api_v1, issue 11.)
_BULLETINS = ("edit.bulletins", "edit.spot_checks")
_CSD_ACTIONS = tuple(
    f"case.{action}"
    for action in (
        "register",
        "dispatch",
        "approve",
        "reject",
        "answer_government",
        "callback",
        "remind",
        "supervise",
        "void",
        "decide_extension",
    )
)
# The violation register (Art.41): CSD confirms, waives and records; leaders, the committee and
# the units themselves read it (a unit its own entries only: the branch scope).
_VIOLATIONS_READ = ("read.violations",)
_VIOLATIONS = (*_VIOLATIONS_READ, "edit.violations")
# Complaints, major matters and staff ratings (Art.8/9/22/33/34/42): CSD determines and keeps
# the reviews; a unit reads its own, objects, reports progress and records handling opinions.
_CSD_OVERSIGHT = (
    "read.complaints",
    "edit.complaints",
    "read.major_matters",
    "edit.major_matters",
    "read.staff_ratings",
    "read.assessments",
    "prepare.assessments",
    "read.quarterly_reports",
    "edit.quarterly_reports",
    "link.repeats",
    "import.cases",
)
_UNIT_OVERSIGHT = (
    "read.complaints",
    "object.complaints",
    "read.major_matters",
    "report.major_matters",
    "read.staff_ratings",
    "edit.handling_opinions",
    "submit.bulletins",
    "read.assessments",
    "object.assessments",
    "read.quarterly_reports",
    "answer.quarterly_reports",
)
_LEADERSHIP = (
    "read.complaints",
    "read.major_matters",
    "comment.major_matters",
    "read.staff_ratings",
    "read.assessments",
    "read.quarterly_reports",
    "comment.quarterly_reports",
)
# Dashboards and exports: leaders, the committee, CSD and the units' liaisons and heads (a unit
# its own figures only: the branch scope).
_FIGURES = ("read.dashboards", "export.cases", "export.dashboards")
_CSD = (
    *_ORG_READ,
    *_CATALOG_READ,
    *_CASE_READ,
    *_CSD_ACTIONS,
    *_BULLETINS,
    *_VIOLATIONS,
    *_CSD_OVERSIGHT,
    *_FIGURES,
)
# Roles that call customers back or handle their request see the contact details (PIPL).
_CONTACTS = ("read.contact_details",)

# The administrator holds every FAB permission (the sync gives it all); on cases it does what CSD
# does, not the branches' own steps.
_NOT_CASE_ACTIONS = tuple(c.code for c in CAPABILITIES if c.case_action is None)
ADMIN = _role("admin", "系统管理员", Reach.ALL, *_CSD, *_NOT_CASE_ACTIONS, is_admin=True)
CSD = _role("csd", "客服部", Reach.ALL, *_CSD, *_CONTACTS)
CSD_HEAD = _role("csd_head", "客服部主管", Reach.ALL, *_CSD, *_CONTACTS, "approve.complaints")
AGENT = _role(
    "agent",
    "一线受理员",
    Reach.OWN_UNIT,
    *_CATALOG_READ,
    *_CASE_READ,
    *_CONTACTS,
    "case.register",
    "case.resolve_on_spot",
    "case.dispatch",
    "case.callback",
    "link.repeats",
)
_BRANCH_WORK = ("case.register", "case.progress")
LIAISON = _role(
    "liaison",
    "分子公司联络员",
    Reach.OWN_UNIT,
    *_ORG_READ,
    "edit.departments",
    "edit.contacts",
    *_CASE_READ,
    *_CONTACTS,
    *_BRANCH_WORK,
    *_VIOLATIONS_READ,
    "case.sign_for",
    "case.return_case",
    "case.assign",
    "case.reply",
    "case.request_extension",
    "case.callback",
    *_UNIT_OVERSIGHT,
    *_FIGURES,
)
# Branch staff register what customers bring to their counter or telephone (Art.18/27).
HANDLER = _role(
    "handler",
    "分子公司办理人",
    Reach.OWN_UNIT,
    "read.units",
    *_CASE_READ,
    *_CONTACTS,
    *_BRANCH_WORK,
    "case.reply",
    assigned_only=True,
)
HEAD = _role(
    "head",
    "分子公司责任人",
    Reach.OWN_UNIT,
    *_ORG_READ,
    "edit.contacts",
    *_CASE_READ,
    *_BRANCH_WORK,
    *_VIOLATIONS_READ,
    *_UNIT_OVERSIGHT,
    *_FIGURES,
)
LEADER = _role(
    "leader",
    "公司服务分管领导",
    Reach.ALL,
    *_ORG_READ,
    *_CATALOG_READ,
    *_CASE_READ,
    *_VIOLATIONS_READ,
    *_LEADERSHIP,
    *_FIGURES,
)
COMMITTEE = _role(
    "committee",
    "服务管理委员会",
    Reach.ALL,
    *_ORG_READ,
    *_CATALOG_READ,
    *_CASE_READ,
    *_VIOLATIONS_READ,
    *_LEADERSHIP,
    *_FIGURES,
    "finalise.assessments",
)
# They read the flagged cases of every unit and nothing else (Art.29/34; app.services.scope).
RISK = _role("risk", "风险管理部", Reach.OWN_UNIT, "read.loss_cases", "read.major_matters")
PRESS = _role("press", "党委工作部传讯组", Reach.OWN_UNIT, "read.media_cases")

ROLES: tuple[RoleProfile, ...] = (
    ADMIN,
    CSD,
    CSD_HEAD,
    AGENT,
    LIAISON,
    HANDLER,
    HEAD,
    LEADER,
    COMMITTEE,
    RISK,
    PRESS,
)
ROLES_BY_CODE: dict[str, RoleProfile] = {str(role.code): role for role in ROLES}
ROLES_BY_NAME = {role.name: role for role in ROLES}
# Roles whose members are told when a branch's 责任人 or 联络员 changes (Art.25).
CSD_ROLE_NAMES = frozenset({CSD.name, CSD_HEAD.name})
PUBLIC_ROLE_NAME = "匿名访客"
# Names an administrator may not give a composed role.
RESERVED_NAMES = frozenset({*ROLES_BY_NAME, PUBLIC_ROLE_NAME})


def same_name(name: str) -> str:
    """A role name as people read it: what looks alike compares alike (full-width forms,
    invisible format characters, inner spaces, letter case)."""
    folded = unicodedata.normalize("NFKC", name)
    kept = "".join(ch for ch in folded if unicodedata.category(ch)[0] not in ("C", "Z"))
    return kept.casefold()


RESERVED_KEYS = frozenset(same_name(name) for name in RESERVED_NAMES)


def mixed_reach(profiles: Iterable[RoleProfile]) -> bool:
    """Whether roles of different reach are combined. A person's capabilities apply across
    the reach of all their roles together, so combining, say, a 汉口 auditor's reading with a
    武昌 liaison's signing would let them sign for 汉口's cases: one person, one reach."""
    return len({(p.reach, p.unit_id) for p in profiles}) > 1


def works_only_on_assigned_cases(profiles: Iterable[RoleProfile]) -> bool:
    """Whether every role of the person with 记录进展 or 回复办理结果 is limited to assigned cases
    (a 办理人 who is not also the unit's 联络员)."""
    handling = [p for p in profiles if p.case_actions & {"progress", "reply"}]
    return bool(handling) and all(p.assigned_only for p in handling)


def grants_for(role: RoleProfile) -> set[tuple[str, str]]:
    """(FAB permission name, view name) pairs of a non-admin role, self-service included."""
    pairs = {(f"can_{level}", view) for view, levels in SELF_SERVICE.items() for level in levels}
    return pairs | grants_of(role.capabilities)


# What each built-in role may do to a case (design §1 and §2); "own" refinements (a handler
# only on cases assigned to them, an agent only on company-channel cases they registered) live
# in app.services.case_permissions.
CASE_ACTIONS: dict[str, frozenset[str]] = {str(role.code): role.case_actions for role in ROLES}
