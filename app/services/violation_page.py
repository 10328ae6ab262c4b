"""What the violation register's pages read: an entry with its history, the choices of the
form CSD records an entry with. Every read through the branch scope."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.violations import MANUAL_CAUSES, BreachCause, EntryStatus
from app.models import Branch, Case, ViolationEntry, ViolationEntryEvent
from app.services.actor import Actor
from app.services.violations import DECIDE, visible_entry


@dataclass(frozen=True)
class EntryPage:
    entry: ViolationEntry
    events: list[ViolationEntryEvent]
    case_number: str | None  # None: no case, or one the reader may not see (moved elsewhere)
    may_decide: bool


def entry_page(session: Session, actor: Actor, entry_id: int) -> EntryPage:
    entry = visible_entry(session, actor, entry_id)
    events = session.scalars(
        actor.scope.apply(
            select(ViolationEntryEvent)
            .where(ViolationEntryEvent.entry_id == entry.id)
            .order_by(ViolationEntryEvent.id),
            ViolationEntryEvent,
        )
    ).all()
    number = None
    if entry.case_id is not None:
        query = select(Case.number).where(Case.id == entry.case_id)
        number = session.scalar(actor.scope.apply(query, Case))
    may_decide = (
        actor.may(DECIDE) and actor.scope.all_branches and entry.status == EntryStatus.PROPOSED
    )
    return EntryPage(entry, list(events), number, may_decide)


def recordable_causes() -> list[BreachCause]:
    """The causes CSD may record by hand, in the order of the regulation."""
    return [cause for cause in BreachCause if cause in MANUAL_CAUSES]


def recording_units(session: Session, actor: Actor) -> list[Branch]:
    """The units the actor may record a violation against (their scope), in tree order."""
    query = actor.scope.apply(select(Branch).order_by(Branch.path), Branch)
    return list(session.scalars(query))
