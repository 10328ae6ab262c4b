"""What the major-matter pages read (Art.22/33/34): the list of reviews (open first), one review
with its case, flags, timeline and entries and the forms the reader may use, the count of open
reviews for the menu and the case page's summary. Every read through the branch scope."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.i18n import _l
from app.domain.major_matters import (
    RISK_TRIGGERS,
    STATUS_LABELS,
    TRIGGER_LABELS,
    EntryKind,
    MatterStatus,
    Trigger,
    goes_to_risk,
    parse_triggers,
)
from app.models import Case, CaseEvent, MajorMatter, MajorMatterEntry
from app.services import counting, privacy
from app.services.actor import Actor
from app.services.errors import PermissionDeniedError
from app.services.major_matters import READ, load_visible_matter, may_write

PAGE_SIZE = 20
# The sections of a review's page, each a kind of entry people write (Art.22/33).
SECTIONS = (EntryKind.PLAN, EntryKind.PROGRESS, EntryKind.COMMENT, EntryKind.NOTE)


@dataclass(frozen=True)
class MatterRow:
    matter: MajorMatter
    triggers: tuple[Trigger, ...]


@dataclass(frozen=True)
class MatterList:
    rows: list[MatterRow]
    page: int
    has_next: bool
    status: str | None  # None: every review


def matter_list(session: Session, actor: Actor, *, status: str | None, page: int) -> MatterList:
    """The reviews the actor may see, open ones first, newest first; a page reads ``PAGE_SIZE``
    + 1 rows (its next page known without a count). Needs read.major_matters."""
    if not actor.may(READ):
        raise PermissionDeniedError(_l("Your role may not do this."))
    query = actor.scope.apply(select(MajorMatter), MajorMatter)
    if status in (MatterStatus.OPEN, MatterStatus.CLOSED):
        query = query.where(MajorMatter.status == status)
    else:
        status = None
    open_first = sql_case((MajorMatter.status == MatterStatus.OPEN, 0), else_=1)
    rows = list(
        session.scalars(
            query.order_by(open_first, MajorMatter.opened_at.desc(), MajorMatter.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        )
    )
    return MatterList(
        [MatterRow(m, parse_triggers(m.triggers)) for m in rows[:PAGE_SIZE]],
        page,
        len(rows) > PAGE_SIZE,
        status,
    )


def open_count(session: Session, actor: Actor) -> int:
    """The open reviews the actor may see, up to the menu's cap (999+)."""
    if not actor.may(READ):
        return 0
    query = actor.scope.apply(
        select(MajorMatter.id).where(MajorMatter.status == MatterStatus.OPEN), MajorMatter
    )
    limited = query.limit(counting.MENU_CAP + 1).subquery()
    return counting.MenuCount(session.scalar(select(func.count()).select_from(limited)) or 0)


@dataclass(frozen=True)
class MatterPage:
    matter: MajorMatter
    case: Case
    triggers: tuple[Trigger, ...]
    entries: list[MajorMatterEntry]  # the whole history, oldest first
    sections: dict[EntryKind, list[MajorMatterEntry]]  # what people wrote, newest first
    events: list[CaseEvent]  # the case's timeline
    hidden_notes: set[int]
    may: dict[EntryKind, bool]  # the forms shown: plan, progress, comment, note, closed
    to_risk: bool  # Art.34: the review's reasons hand it to 风险管理部 (goes_to_risk)


def matter_page(session: Session, actor: Actor, matter_id: int) -> MatterPage:
    matter = load_visible_matter(session, actor, matter_id)
    case = matter.case
    entries = list(
        session.scalars(
            actor.scope.apply(
                select(MajorMatterEntry)
                .where(MajorMatterEntry.matter_id == matter.id)
                .order_by(MajorMatterEntry.id),
                MajorMatterEntry,
            )
        )
    )
    events = list(
        session.scalars(
            actor.scope.apply(
                select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id),
                CaseEvent,
            )
        )
    )
    sections = {kind: [e for e in reversed(entries) if e.kind == kind.value] for kind in SECTIONS}
    triggers = parse_triggers(matter.triggers)
    return MatterPage(
        matter=matter,
        case=case,
        triggers=triggers,
        entries=entries,
        sections=sections,
        events=events,
        hidden_notes={e.id for e in events if not privacy.event_note_visible(actor, case, e)},
        may={
            kind: may_write(session, actor, matter, kind) for kind in (*SECTIONS, EntryKind.CLOSED)
        },
        to_risk=goes_to_risk(triggers),
    )


@dataclass(frozen=True)
class CaseMatterSummary:
    """The case page's panel: the review's state and its latest 批示 and report."""

    matter: MajorMatter
    triggers: tuple[Trigger, ...]
    latest_comment: MajorMatterEntry | None
    latest_report: MajorMatterEntry | None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[MatterStatus(self.matter.status)])

    @property
    def risk_triggers(self) -> frozenset[Trigger]:
        """Art.34: the reasons handed to 风险管理部 (shown in red)."""
        return RISK_TRIGGERS

    @property
    def trigger_labels(self) -> list[tuple[str, str]]:
        return [(t.value, str(TRIGGER_LABELS[t])) for t in self.triggers]


def case_matter_summary(session: Session, actor: Actor, case_id: int) -> CaseMatterSummary | None:
    """The case's review if the reader may read reviews and see this one; None otherwise (no
    query for a reader without the capability)."""
    if not actor.may(READ):
        return None
    query = actor.scope.apply(
        select(MajorMatter).where(MajorMatter.case_id == case_id), MajorMatter
    )
    matter = session.scalar(query)
    if matter is None:
        return None

    def latest(*kinds: EntryKind) -> MajorMatterEntry | None:
        return session.scalar(
            select(MajorMatterEntry)
            .where(
                MajorMatterEntry.matter_id == matter.id,
                MajorMatterEntry.kind.in_([k.value for k in kinds]),
            )
            .order_by(MajorMatterEntry.id.desc())
            .limit(1)
        )

    return CaseMatterSummary(
        matter,
        parse_triggers(matter.triggers),
        latest(EntryKind.COMMENT),
        latest(EntryKind.PLAN, EntryKind.PROGRESS),
    )
