"""What the bulletin pages read: a notice with its history, the cases that arrived before it
(Art.37/38), what the reader may do with it, and the choices of the submission form. Every read
through the branch scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.bulletins import BulletinStatus, breach_cause, is_current, lateness_window
from app.domain.clock import now as clock_now
from app.domain.violations import BreachCause
from app.models import Branch, Bulletin, BulletinEvent, BusinessCategory, Case
from app.services.actor import Actor
from app.services.bulletins import REVIEW, SUBMIT, early_cases, visible_bulletin


@dataclass(frozen=True)
class BulletinPage:
    bulletin: Bulletin
    events: list[BulletinEvent]
    window: tuple[datetime, datetime] | None  # None: notified in time, or time unknown
    # A unit's bulletin whose notification time nobody recorded (CSD's own, or one there
    # before units submitted theirs): no lateness can be judged (Art.37/38/41).
    notified_unknown: bool
    early_cases: list[Case]
    early_count: int
    cause: BreachCause  # the article a late notice breaks
    may_review: bool  # publish or send back
    may_record_breach: bool
    may_resubmit: bool
    shown_now: bool  # agents see it beside the registration form at this moment


def bulletin_page(
    session: Session, actor: Actor, bulletin_id: int, now: datetime | None = None
) -> BulletinPage:
    bulletin = visible_bulletin(session, actor, bulletin_id)
    events = session.scalars(
        actor.scope.apply(
            select(BulletinEvent)
            .where(BulletinEvent.bulletin_id == bulletin.id)
            .order_by(BulletinEvent.id),
            BulletinEvent,
        )
    ).all()
    cases, count = early_cases(session, actor, bulletin)
    csd = actor.may(REVIEW) and actor.scope.all_branches
    status = BulletinStatus(bulletin.status)
    return BulletinPage(
        bulletin=bulletin,
        events=list(events),
        window=lateness_window(bulletin.starts_at, bulletin.notified_at),
        notified_unknown=bulletin.branch_id is not None and bulletin.notified_at is None,
        early_cases=cases,
        early_count=count,
        cause=breach_cause(bulletin.kind),
        may_review=csd and status is BulletinStatus.SUBMITTED,
        may_record_breach=(
            csd
            and count > 0
            and bulletin.branch_id is not None
            and bulletin.violation_entry_id is None
        ),
        may_resubmit=actor.may(SUBMIT) and status is BulletinStatus.RETURNED,
        shown_now=is_current(
            status, bulletin.active, bulletin.starts_at, bulletin.ends_at, now or clock_now()
        ),
    )


def submitting_units(session: Session, actor: Actor) -> list[Branch]:
    """The units the actor may submit notices for (their scope), in tree order."""
    query = actor.scope.apply(
        select(Branch).where(Branch.active.is_(True)).order_by(Branch.path), Branch
    )
    return list(session.scalars(query))


def business_categories(session: Session) -> list[BusinessCategory]:
    query = (
        select(BusinessCategory)
        .where(BusinessCategory.active.is_(True))
        .order_by(BusinessCategory.sort_order, BusinessCategory.id)
    )
    return list(session.scalars(query))
