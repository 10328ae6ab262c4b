"""重大事项 (Art.22/33/34) and media cases (Art.29): which flags of a case open the committee's
review, who hears about it at once, who reads which flagged cases, and what may be added to a
review by whom. Pure: the service layer loads the rows and sends the notices."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from app.domain.errors import DomainError
from app.domain.i18n import _l


class Trigger(StrEnum):
    """Why a review was opened; the value is stored (comma-separated, in this order)."""

    ADVERSE_IMPACT = "adverse_impact"  # Art.33 可能造成不良影响
    MAJOR_INTEREST = "major_interest"  # Art.34 涉及重大利益
    PROPERTY_LOSS = "property_loss"  # Art.34 财产损失
    CASUALTIES = "casualties"  # Art.34 人员伤亡
    MAJOR_COMPLAINT = "major_complaint"  # Art.9 重大有效投诉 (an approved determination)


TRIGGER_LABELS = {
    Trigger.ADVERSE_IMPACT: _l("Liable to adverse impact (Art.33)"),
    Trigger.MAJOR_INTEREST: _l("Major interests (Art.34)"),
    Trigger.PROPERTY_LOSS: _l("Property loss (Art.34)"),
    Trigger.CASUALTIES: _l("Casualties (Art.34)"),
    Trigger.MAJOR_COMPLAINT: _l("Major valid complaint (Art.9)"),
}
# The case flags (columns of app.models.Case) that open a review at registration (Art.22/33/34).
FLAG_TRIGGERS: tuple[Trigger, ...] = (
    Trigger.ADVERSE_IMPACT,
    Trigger.MAJOR_INTEREST,
    Trigger.PROPERTY_LOSS,
    Trigger.CASUALTIES,
)
# Art.34: casualties or property loss are handed to 风险管理部.
RISK_TRIGGERS = frozenset({Trigger.PROPERTY_LOSS, Trigger.CASUALTIES})

# Capabilities that read cases by their flags, company-wide, instead of by unit (Art.29/34):
# the case columns each one opens (app.services.scope ORs them into the case filter).
FLAG_READS: dict[str, tuple[str, ...]] = {
    "read.media_cases": ("media_involved",),  # Art.29 党委工作部传讯组
    "read.loss_cases": ("casualties", "property_loss"),  # Art.34 风险管理部
}
# What a flag-reading role may also hold without reaching any unit: the reviews of its cases.
_FLAG_COMPANIONS = frozenset({"read.major_matters"})
# What each flag read reaches, as the start page says it (Art.29/34).
FLAG_READ_LABELS = {
    "read.media_cases": _l("media-involved requests of the whole company (Art.29)"),
    "read.loss_cases": _l(
        "requests of the whole company involving casualties or property loss (Art.34)"
    ),
}


def case_flag_columns(capabilities: Iterable[str]) -> tuple[str, ...]:
    """The case flag columns the capabilities open, in a stable order (Art.29/34)."""
    held = set(capabilities)
    columns: dict[str, None] = {}
    for code, flags in FLAG_READS.items():
        if code in held:
            columns.update(dict.fromkeys(flags))
    return tuple(columns)


def flag_read_labels(columns: Iterable[str]) -> list:
    """What a scope's case flag columns (``case_flag_columns``) reach, one description per flag
    read they hold in full, in FLAG_READS's order (Art.29/34)."""
    held = set(columns)
    return [FLAG_READ_LABELS[code] for code, flags in FLAG_READS.items() if set(flags) <= held]


def reads_by_flags_only(capabilities: Iterable[str]) -> bool:
    """Art.29/34: a role that holds a flag read and nothing else of a unit (风险管理部,
    党委工作部传讯组) reaches the flagged cases of every unit and no unit's other records."""
    held = set(capabilities)
    return bool(held & set(FLAG_READS)) and held <= set(FLAG_READS) | _FLAG_COMPANIONS


def flag_triggers(flags: dict[str, bool]) -> tuple[Trigger, ...]:
    """The triggers a case's flags give (Art.22/33/34): ``flags`` maps a flag to its value."""
    return tuple(t for t in FLAG_TRIGGERS if flags.get(t.value))


def merge_triggers(current: Iterable[str], added: Iterable[str]) -> tuple[Trigger, ...]:
    """The union of two trigger lists in the declared order; unknown codes are refused."""
    held = {Trigger(code) for code in (*current, *added)}
    return tuple(t for t in Trigger if t in held)


def parse_triggers(stored: str | None) -> tuple[Trigger, ...]:
    return merge_triggers((code for code in (stored or "").split(",") if code), ())


def store_triggers(triggers: Iterable[Trigger]) -> str:
    return ",".join(t.value for t in merge_triggers((), (t.value for t in triggers)))


def goes_to_risk(triggers: Iterable[str]) -> bool:
    """Art.34: casualties or property loss are handed to 风险管理部."""
    return any(Trigger(t) in RISK_TRIGGERS for t in triggers)


class Audience(StrEnum):
    """Who is told of a review at once (Art.22/34)."""

    COMMITTEE = "committee"
    LEADER = "leader"
    CSD = "csd"
    UNIT = "unit"  # the responsible unit's 责任人 and 联络员
    RISK = "risk"


def review_audience(triggers: Iterable[str], *, has_unit: bool) -> frozenset[Audience]:
    """Art.22/34: the committee, the service leader and CSD at once; the unit's head and liaison
    when the case has a unit (else at dispatch); 风险管理部 for casualties or property loss."""
    audience = {Audience.COMMITTEE, Audience.LEADER, Audience.CSD}
    if has_unit:
        audience.add(Audience.UNIT)
    if goes_to_risk(triggers):
        audience.add(Audience.RISK)
    return frozenset(audience)


class MediaAudience(StrEnum):
    HEAD = "head"  # 分子公司责任人 of the responsible unit
    PRESS = "press"  # 党委工作部传讯组


def media_audience(*, has_unit: bool) -> frozenset[MediaAudience]:
    """Art.29: media involvement goes at once to the responsible unit's head (once the case has
    a unit) and to 党委工作部传讯组."""
    return frozenset({MediaAudience.PRESS, *((MediaAudience.HEAD,) if has_unit else ())})


# -- A review's entries -----------------------------------------------------------------------


class MatterStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


STATUS_LABELS = {MatterStatus.OPEN: _l("Under review"), MatterStatus.CLOSED: _l("Concluded")}


class EntryKind(StrEnum):
    """One line of a review's history; the value is stored."""

    OPENED = "opened"
    TRIGGER_ADDED = "trigger_added"
    REOPENED = "reopened"  # a new reason arrived after the review was closed
    UNIT_CHANGED = "unit_changed"
    PLAN = "plan"  # 处置方案 (Art.22)
    PROGRESS = "progress"  # 进展报告 (Art.33)
    COMMENT = "comment"  # 批示 of the leader or the committee
    NOTE = "note"  # 客服部意见
    CLOSED = "closed"


ENTRY_LABELS = {
    EntryKind.OPENED: _l("Review opened"),
    EntryKind.TRIGGER_ADDED: _l("Reason added"),
    EntryKind.REOPENED: _l("Review reopened"),
    EntryKind.UNIT_CHANGED: _l("Responsible unit changed"),
    EntryKind.PLAN: _l("Handling plan"),
    EntryKind.PROGRESS: _l("Progress report"),
    EntryKind.COMMENT: _l("Instruction"),
    EntryKind.NOTE: _l("Customer-service department note"),
    EntryKind.CLOSED: _l("Review closed"),
}
# The capability each written entry needs (app.domain.capabilities).
ENTRY_CAPABILITY = {
    EntryKind.PLAN: "report.major_matters",
    EntryKind.PROGRESS: "report.major_matters",
    EntryKind.COMMENT: "comment.major_matters",
    EntryKind.NOTE: "edit.major_matters",
    EntryKind.CLOSED: "edit.major_matters",
}
TEXT_LIMIT = 4000


class MajorMatterError(DomainError):
    """A review entry that breaks a rule; nothing is saved."""


@dataclass(frozen=True)
class EntryCheck:
    kind: EntryKind
    text: str


def check_entry(kind: EntryKind, text: str | None, *, status: str) -> EntryCheck:
    """An entry written by a person: the review must be open and the text given (Art.22/33)."""
    if kind not in ENTRY_CAPABILITY:
        raise MajorMatterError(_l("This kind of entry is written by the system."))
    if MatterStatus(status) is MatterStatus.CLOSED:
        raise MajorMatterError(_l("This review is closed; nothing more can be added."))
    cleaned = (text or "").strip()
    if not cleaned:
        raise MajorMatterError(_l("Please write the text."))
    if len(cleaned) > TEXT_LIMIT:
        raise MajorMatterError(_l("The text is too long (at most 4000 characters)."))
    return EntryCheck(kind, cleaned)


# Who hears of a new entry at once: the unit for 批示 and CSD's notes; CSD, the leader and
# the committee for the unit's plan and progress (Art.22/33: "reported as it goes").
ENTRY_AUDIENCE: dict[EntryKind, frozenset[Audience]] = {
    EntryKind.PLAN: frozenset({Audience.COMMITTEE, Audience.LEADER, Audience.CSD}),
    EntryKind.PROGRESS: frozenset({Audience.COMMITTEE, Audience.LEADER, Audience.CSD}),
    EntryKind.COMMENT: frozenset({Audience.UNIT, Audience.CSD}),
    EntryKind.NOTE: frozenset({Audience.UNIT}),
    EntryKind.CLOSED: frozenset({Audience.UNIT, Audience.COMMITTEE, Audience.LEADER}),
}
