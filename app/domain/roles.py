"""Every role of design.md §1 and the FAB permissions it holds, declared as data in one place.

``suqiu init`` (``app.security.sync.sync_roles``) makes the database match this module exactly.
Grants name a view's stable English ``class_permission_name`` and the access level ("read",
"write" or a named permission); menus follow from what a role may read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

READ = ("read",)
WRITE = ("read", "write")


@dataclass(frozen=True)
class RoleSpec:
    code: str
    name: str  # the role's name in the UI and in ab_role
    all_branches: bool  # sees every branch; otherwise only the user's unit and its sub-units
    grants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    is_admin: bool = False


# What every signed-in person may do: see and edit their own profile and password, read their
# notifications.
SELF_SERVICE: dict[str, tuple[str, ...]] = {
    "User": ("userinfo",),
    "MyProfile": ("write",),
    "MyPassword": ("write",),
    "Notification": WRITE,
}

_ORG_READ = {
    "Branch": READ,
    "Department": READ,
    "Vendor": READ,
    "BranchContact": READ,
    "BranchContactChange": READ,
}
_CATALOG_READ = {
    "ChannelCategory": READ,
    "Channel": READ,
    "ContentClass": READ,
    "CaseKind": READ,
    "BusinessCategory": READ,
}

_CASE_READ = {"Case": READ, "CaseQueue": READ}
_CASE_WORK = {"Case": ("read", "act"), "CaseQueue": READ}
_REGISTER = {"CaseRegistration": ("write",)}
# CSD publishes business changes and emergencies (Art.37/38) and spot-checks callbacks (Art.35).
_BULLETINS = {"Bulletin": WRITE, "SpotCheck": WRITE, "Survey": ("write",)}

ADMIN = RoleSpec("admin", "系统管理员", all_branches=True, is_admin=True)
CSD = RoleSpec(
    "csd", "客服部", True, {**_ORG_READ, **_CATALOG_READ, **_CASE_WORK, **_REGISTER, **_BULLETINS}
)
CSD_HEAD = RoleSpec(
    "csd_head",
    "客服部主管",
    True,
    {**_ORG_READ, **_CATALOG_READ, **_CASE_WORK, **_REGISTER, **_BULLETINS},
)
AGENT = RoleSpec("agent", "一线受理员", False, {**_CATALOG_READ, **_CASE_WORK, **_REGISTER})
LIAISON = RoleSpec(
    "liaison",
    "分子公司联络员",
    False,
    {
        "Branch": READ,
        "Department": WRITE,
        "Vendor": WRITE,
        "BranchContact": WRITE,
        "BranchContactChange": READ,
        **_CASE_WORK,
        **_REGISTER,
    },
)
# Branch staff register what customers bring to their counter or telephone (Art.18/27).
HANDLER = RoleSpec(
    "handler",
    "分子公司办理人",
    False,
    {"Branch": READ, "Department": READ, **_CASE_WORK, **_REGISTER},
)
HEAD = RoleSpec(
    "head",
    "分子公司责任人",
    False,
    {**_ORG_READ, "BranchContact": WRITE, **_CASE_WORK, **_REGISTER},
)
LEADER = RoleSpec("leader", "公司服务分管领导", True, {**_ORG_READ, **_CATALOG_READ, **_CASE_READ})
COMMITTEE = RoleSpec(
    "committee", "服务管理委员会", True, {**_ORG_READ, **_CATALOG_READ, **_CASE_READ}
)
RISK = RoleSpec("risk", "风险管理部", False)
PRESS = RoleSpec("press", "党委工作部传讯组", False)

ROLES: tuple[RoleSpec, ...] = (
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
ROLES_BY_CODE = {role.code: role for role in ROLES}
ROLES_BY_NAME = {role.name: role for role in ROLES}
# Roles whose members are told when a branch's 责任人 or 联络员 changes (Art.25).
CSD_ROLE_NAMES = frozenset({CSD.name, CSD_HEAD.name})
PUBLIC_ROLE_NAME = "匿名访客"


def roles_see_all_branches(role_names: set[str]) -> bool:
    return any(ROLES_BY_NAME[n].all_branches for n in role_names if n in ROLES_BY_NAME)


def grants_for(spec: RoleSpec) -> set[tuple[str, str]]:
    """(FAB permission name, view name) pairs of a non-admin role, self-service included."""
    pairs = set()
    for source in (SELF_SERVICE, spec.grants):
        for view, levels in source.items():
            pairs.update((f"can_{level}", view) for level in levels)
    return pairs


# What each role may do to a case (design §1 and §2). The service checks this and the case's
# branch scope; "own" refinements (a handler only on cases assigned to them, an agent only on
# company-channel cases they registered) live in app.services.case_workflow.
_CSD_CASE_ACTIONS = frozenset(
    {
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
    }
)
CASE_ACTIONS: dict[str, frozenset[str]] = {
    "admin": _CSD_CASE_ACTIONS,
    "csd": _CSD_CASE_ACTIONS,
    "csd_head": _CSD_CASE_ACTIONS,
    "agent": frozenset({"register", "resolve_on_spot", "dispatch", "callback"}),
    "liaison": frozenset(
        {
            "register",
            "sign_for",
            "return_case",
            "assign",
            "progress",
            "reply",
            "request_extension",
            "callback",
        }
    ),
    "handler": frozenset({"register", "progress", "reply"}),
    "head": frozenset({"register", "progress"}),
    "leader": frozenset(),
    "committee": frozenset(),
    "risk": frozenset(),
    "press": frozenset(),
}


def case_actions_for(role_names: set[str]) -> frozenset[str]:
    actions: set[str] = set()
    for name in role_names:
        spec = ROLES_BY_NAME.get(name)
        if spec is not None:
            actions |= CASE_ACTIONS[spec.code]
    return frozenset(actions)
