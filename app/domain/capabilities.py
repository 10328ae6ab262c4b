"""What a role may do, as capabilities an administrator can read and compose (design §1).

A capability is one thing a person does in the portal: a case action, reading the cases, keeping
a unit's departments... Each names the FAB permissions it needs (view ``class_permission_name``
→ access levels) and, for a case action, the action the workflow checks. Built-in roles
(app.domain.roles) and the roles an administrator composes are both sets of these codes, so the
role matrix, the permission sync, the scope and the workflow read one declaration.

Queues are not composed: a role has the queues of the actions it holds
(app.services.case_queries.QUEUES). The codes are stored in the database: never rename one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from app.domain.i18n import _l
from app.domain.lifecycle import Action

READ = ("read",)
WRITE = ("read", "write")
Grants = Mapping[str, tuple[str, ...]]


class Group(StrEnum):
    CASE_ACTIONS = "case_actions"
    VIEWS = "views"
    EXPORTS = "exports"


GROUP_LABELS = {
    Group.CASE_ACTIONS: _l("Case actions"),
    Group.VIEWS: _l("Pages and records"),
    Group.EXPORTS: _l("Exports and downloads"),
}


@dataclass(frozen=True)
class Capability:
    code: str
    group: Group
    label: object  # a lazy Chinese string
    grants: Grants = field(default_factory=dict)
    case_action: str | None = None


_CASE_READ: Grants = {"Case": READ, "CaseQueue": READ}
_CASE_WORK: Grants = {"Case": ("read", "act"), "CaseQueue": READ}

_ACTION_LABELS = {
    "register": _l("Register cases"),
    Action.RESOLVE_ON_SPOT: _l("Resolve on the spot"),
    Action.DISPATCH: _l("Dispatch"),
    Action.RETURN_CASE: _l("Return"),
    Action.SIGN_FOR: _l("Sign for"),
    Action.ASSIGN: _l("Assign"),
    Action.PROGRESS: _l("Record progress"),
    Action.REPLY: _l("Reply with the result"),
    Action.APPROVE: _l("Approve"),
    Action.REJECT: _l("Send back"),
    Action.ANSWER_GOVERNMENT: _l("Reply to the government department"),
    Action.CALLBACK: _l("Callback"),
    Action.REMIND: _l("Remind"),
    Action.SUPERVISE: _l("Supervise"),
    Action.REQUEST_EXTENSION: _l("Request an extension"),
    Action.DECIDE_EXTENSION: _l("Decide the extension"),
    Action.VOID: _l("Void"),
}


def _case_action(action: str) -> Capability:
    grants = dict(_CASE_WORK)
    if action == "register":
        grants["CaseRegistration"] = ("write",)
    return Capability(f"case.{action}", Group.CASE_ACTIONS, _ACTION_LABELS[action], grants, action)


CAPABILITIES: tuple[Capability, ...] = (
    Capability("read.cases", Group.VIEWS, _l("Read cases and their history"), _CASE_READ),
    *(_case_action(str(action)) for action in _ACTION_LABELS),
    Capability(
        "read.contact_details",
        Group.VIEWS,
        _l("See customers' contact details unmasked (PIPL)"),
    ),
    Capability(
        "read.units",
        Group.VIEWS,
        _l("Read units and departments"),
        {"Branch": READ, "Department": READ},
    ),
    Capability(
        "read.contacts",
        Group.VIEWS,
        _l("Read vendors, responsible persons and liaisons"),
        {"Vendor": READ, "BranchContact": READ, "BranchContactChange": READ},
    ),
    Capability(
        "edit.departments",
        Group.VIEWS,
        _l("Keep the unit's departments and vendors"),
        {"Department": WRITE, "Vendor": WRITE},
    ),
    Capability(
        "edit.contacts",
        Group.VIEWS,
        _l("Keep the unit's responsible person and liaisons"),
        {"BranchContact": WRITE},
    ),
    Capability(
        "read.catalog",
        Group.VIEWS,
        _l("Read channels and the classification catalogue"),
        {
            "ChannelCategory": READ,
            "Channel": READ,
            "ContentClass": READ,
            "CaseKind": READ,
            "BusinessCategory": READ,
        },
    ),
    Capability(
        "edit.bulletins",
        Group.VIEWS,
        _l("Publish business changes and emergencies (Art.37/38)"),
        {"Bulletin": WRITE},
    ),
    Capability(
        "edit.spot_checks", Group.VIEWS, _l("Spot-check callbacks (Art.35)"), {"SpotCheck": WRITE}
    ),
    Capability(
        "edit.calendar",
        Group.VIEWS,
        _l("Keep the working-day calendar and the time limits"),
        {"WorkCalendar": WRITE, "TimeLimitRule": WRITE},
    ),
    Capability(
        "read.violations",
        Group.VIEWS,
        _l("Read the violation register (Art.41)"),
        {"Violation": READ},
    ),
    Capability(
        "edit.violations",
        Group.VIEWS,
        _l("Confirm, waive and record violations (Art.41)"),
        {"Violation": WRITE},
    ),
    # Complaint determination (Art.8/9/32, design §3): CSD investigates and determines, 客服部主管
    # approves or sends back, the responsible unit reads the result and may object once.
    Capability(
        "read.complaints",
        Group.VIEWS,
        _l("Read complaint determinations"),
        {"ComplaintDetermination": READ},
    ),
    Capability(
        "edit.complaints",
        Group.VIEWS,
        _l("Investigate and determine complaints, answer objections (Art.8/9)"),
        {"ComplaintDetermination": WRITE},
    ),
    Capability(
        "approve.complaints",
        Group.VIEWS,
        _l("Approve or send back complaint determinations"),
        {"ComplaintDetermination": ("read", "approve")},
    ),
    Capability(
        "object.complaints",
        Group.VIEWS,
        _l("Object to a complaint determination of the unit"),
        {"ComplaintDetermination": ("read", "object")},
    ),
    # Major matters (Art.22/33/34): the committee's review of a case, the unit's plan and
    # progress reports, the leaders' and committee's comments (批示).
    Capability(
        "read.major_matters",
        Group.VIEWS,
        _l("Read major matters and their reviews"),
        {"MajorMatter": READ},
    ),
    Capability(
        "edit.major_matters",
        Group.VIEWS,
        _l("Open and close major-matter reviews"),
        {"MajorMatter": WRITE},
    ),
    Capability(
        "report.major_matters",
        Group.VIEWS,
        _l("Report the handling plan and progress of a major matter (Art.33)"),
        {"MajorMatter": ("read", "report")},
    ),
    Capability(
        "comment.major_matters",
        Group.VIEWS,
        _l("Comment on major matters (批示)"),
        {"MajorMatter": ("read", "comment")},
    ),
    # 风险管理部 and 党委工作部传讯组 read only the cases flagged for them, company-wide
    # (Art.29/34); app.services.scope turns these into the case filter.
    Capability(
        "read.loss_cases",
        Group.VIEWS,
        _l("Read cases with casualties or property loss (Art.34)"),
        {"Case": READ},
    ),
    Capability(
        "read.media_cases",
        Group.VIEWS,
        _l("Read cases with media involvement (Art.29)"),
        {"Case": READ},
    ),
    # Branch bulletins (Art.37/38): a unit submits, CSD reviews and publishes (edit.bulletins).
    Capability(
        "submit.bulletins",
        Group.VIEWS,
        _l("Submit business-change and emergency notices of the unit (Art.37/38)"),
        {"Bulletin": ("read", "submit")},
    ),
    # Staff accountability (Art.23/27/28/29/42).
    Capability(
        "read.staff_ratings",
        Group.VIEWS,
        _l("Read staff ratings from valid complaints (Art.42)"),
        {"StaffAccountability": READ},
    ),
    Capability(
        "edit.handling_opinions",
        Group.VIEWS,
        _l("Record the unit's handling opinion on a person's breach (Art.23)"),
        {"StaffAccountability": ("read", "opinion")},
    ),
    # Dashboards and exports (Art.10/11/39; design §4): figures under the reader's scope.
    Capability(
        "read.dashboards",
        Group.VIEWS,
        _l("Read dashboards and scorecards"),
        {"Dashboard": READ},
    ),
    Capability(
        "export.cases",
        Group.EXPORTS,
        _l("Export case lists to Excel"),
        {"Case": ("export",)},
    ),
    Capability(
        "export.dashboards",
        Group.EXPORTS,
        _l("Export dashboard tables and scorecards to Excel"),
        {"Dashboard": ("export",)},
    ),
    # Annual assessment (Art.41): CSD prepares it and answers objections, a unit objects to an
    # entry of its own draft, the committee finalises it and reopens a finalised one.
    Capability(
        "read.assessments",
        Group.VIEWS,
        _l("Read annual assessments"),
        {"AnnualAssessment": READ},
    ),
    Capability(
        "prepare.assessments",
        Group.VIEWS,
        _l("Prepare annual assessments and answer objections (Art.41)"),
        {"AnnualAssessment": ("read", "prepare")},
    ),
    Capability(
        "object.assessments",
        Group.VIEWS,
        _l("Object to an entry of the unit's annual assessment"),
        {"AnnualAssessment": ("read", "object")},
    ),
    Capability(
        "finalise.assessments",
        Group.VIEWS,
        _l("Finalise and reopen annual assessments"),
        {"AnnualAssessment": ("read", "finalise")},
    ),
    # Quarterly analysis report (Art.39) and service meetings (Art.40): CSD generates, analyses,
    # submits and distributes the report and records the meetings; leaders and the committee
    # comment (批示); a unit answers with its handling opinion and reports its measures done.
    Capability(
        "read.quarterly_reports",
        Group.VIEWS,
        _l("Read quarterly analysis reports and service meetings"),
        {"QuarterlyReport": READ},
    ),
    Capability(
        "edit.quarterly_reports",
        Group.VIEWS,
        _l("Prepare and distribute quarterly reports, record service meetings (Art.39/40)"),
        {"QuarterlyReport": WRITE},
    ),
    Capability(
        "comment.quarterly_reports",
        Group.VIEWS,
        _l("Comment on quarterly reports (批示)"),
        {"QuarterlyReport": ("read", "comment")},
    ),
    Capability(
        "answer.quarterly_reports",
        Group.VIEWS,
        _l("Answer quarterly reports and report meeting measures done for the unit"),
        {"QuarterlyReport": ("read", "answer")},
    ),
    # Repeat requests (重复诉求): link a case to the customer's open case as 主单 / 关联单.
    Capability(
        "link.repeats",
        Group.VIEWS,
        _l("Link repeat requests (主单 / 关联单)"),
        {"RepeatRequest": ("read", "link")},
    ),
    # Batches of cases from the government platforms' Excel exports (Art.13).
    Capability(
        "import.cases",
        Group.EXPORTS,
        _l("Import cases from Excel workbooks (Art.13)"),
        {"CaseImport": ("read", "import")},
    ),
    # Machine clients of Art.13's systems: their registration and API tokens.
    Capability(
        "edit.api_clients",
        Group.VIEWS,
        _l("Register external systems and issue their API tokens (Art.13)"),
        {"ApiClient": WRITE},
    ),
    Capability(
        "export.attachments",
        Group.EXPORTS,
        _l("Download the files attached to cases"),
        {"Case": ("download",)},
    ),
)
CAPABILITIES_BY_CODE = {capability.code: capability for capability in CAPABILITIES}
CASE_ACTION_CAPABILITIES = {c.case_action: c.code for c in CAPABILITIES if c.case_action}


class UnknownCapabilityError(ValueError):
    pass


def ensure_known(codes) -> frozenset[str]:
    unknown = set(codes) - set(CAPABILITIES_BY_CODE)
    if unknown:
        raise UnknownCapabilityError(", ".join(sorted(unknown)))
    return frozenset(codes)


def grants_of(codes) -> set[tuple[str, str]]:
    """The (FAB permission, view) pairs the capabilities need."""
    pairs: set[tuple[str, str]] = set()
    for code in codes:
        for view, levels in CAPABILITIES_BY_CODE[code].grants.items():
            pairs.update((f"can_{level}", view) for level in levels)
    return pairs


def case_actions_of(codes) -> frozenset[str]:
    return frozenset(
        action for code in codes if (action := CAPABILITIES_BY_CODE[code].case_action) is not None
    )
