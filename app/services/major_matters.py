"""重大事项审核 (Art.22/33/34) and media cases (Art.29): a flagged case (or an approved 重大
complaint) opens the committee's review at once and tells the committee, the service leader,
CSD, the unit's 责任人 and 联络员 and, for casualties or property loss, 风险管理部; the unit
writes its plan and progress, the leader and committee their 批示, CSD its notes and the close.
The rules are app.domain.major_matters'."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.clock import now as clock_now
from app.domain.i18n import _l
from app.domain.lifecycle import Action
from app.domain.major_matters import (
    ENTRY_AUDIENCE,
    ENTRY_CAPABILITY,
    FLAG_TRIGGERS,
    TRIGGER_LABELS,
    Audience,
    EntryKind,
    MatterStatus,
    MediaAudience,
    Trigger,
    check_entry,
    flag_triggers,
    media_audience,
    merge_triggers,
    parse_triggers,
    review_audience,
    store_triggers,
)
from app.domain.roles import COMMITTEE, CSD_ROLE_NAMES, HEAD, LEADER, LIAISON, PRESS, RISK
from app.models import (
    Case,
    MajorMatter,
    MajorMatterEntry,
    Notification,
    NotificationArchive,
    SuqiuUser,
)
from app.services.actor import Actor
from app.services.errors import ConflictError, OutOfScopeError, PermissionDeniedError
from app.services.notifications import case_link, send
from app.services.uow import transaction

READ = "read.major_matters"
STALE_MATTER = _l(
    "Someone else changed this review a moment ago; your entry was not saved. The page now "
    "shows the current state."
)
_ROLE_NAMES = {
    Audience.COMMITTEE: {COMMITTEE.name},
    Audience.LEADER: {LEADER.name},
    Audience.CSD: set(CSD_ROLE_NAMES),
    Audience.RISK: {RISK.name},
}


def matter_link(matter_id: int) -> str:
    """The review's page (app.views.major_matters)."""
    return f"/major-matters/show/{matter_id}"


# -- Opening ----------------------------------------------------------------------------------


def open_review_for_case(
    session: Session, case: Case, *, trigger: str, actor: Actor, now: datetime
) -> MajorMatter:
    """Open the review of ``case`` for ``trigger`` (a Trigger value, e.g. "major_complaint"), or
    add the trigger to the case's review; one review per case. A step of the caller's use case:
    it never commits (the caller's transaction saves it with the rest or not at all)."""
    return _open(session, case, (Trigger(trigger),), actor, now)


def on_registration(session: Session, case: Case, actor: Actor, now: datetime) -> None:
    """Art.22/29/33/34 at registration (the case is flushed): its flags open the review at once
    (with the unit's people when it has one), and media involvement goes to 党委工作部传讯组. The
    unit's head hears of a media case at its dispatch (``follow_case_unit``), also when the
    dispatch is part of the registration. No flag: no query."""
    triggers = flag_triggers({t.value: bool(getattr(case, t.value)) for t in FLAG_TRIGGERS})
    if triggers:
        _open(session, case, triggers, actor, now)
    if case.media_involved:
        _notify_media(session, case, None)


def follow_case_unit(session: Session, case: Case, action: Action) -> None:
    """A case dispatched to a unit or returned from it (called with the case's notifications):
    the review follows the case's unit, whose 责任人 and 联络员 hear of it at once; a media case's
    new unit head hears of it too (Art.29), once per case: a head already told of this case (it
    was returned and dispatched to the unit again) is not told again. A dispatch made by the
    registration itself comes before the review exists: on_registration opens it with the unit."""
    if action not in (Action.DISPATCH, Action.RETURN_CASE):
        return
    if case.id is None:
        session.flush()  # registered in this transaction: the notices link to the case
    unit_id = _unit_id(case)
    if action is Action.DISPATCH and case.media_involved and unit_id is not None:
        heads = _unit_people(session, unit_id, {HEAD.name})
        _send(session, heads - _told_of_media(session, case, heads), case, "media", _MEDIA_TITLE)
    matter = session.scalar(select(MajorMatter).where(MajorMatter.case_id == case.id))
    if matter is None or matter.branch_id == unit_id:
        return
    before = matter.branch.name if matter.branch is not None else None
    matter.branch = case.branch
    at = case.dispatched_at if action is Action.DISPATCH and case.dispatched_at else clock_now()
    matter.updated_at = at
    _entry(
        session,
        matter,
        EntryKind.UNIT_CHANGED,
        None,
        at=at,
        detail={"from": before, "to": case.branch.name if case.branch is not None else None},
    )
    if unit_id is not None and matter.status == MatterStatus.OPEN:
        _send_matter(session, _audience_ids(session, {Audience.UNIT}, unit_id), matter, _UNIT_TITLE)


def _open(
    session: Session, case: Case, triggers: Iterable[Trigger], actor: Actor, now: datetime
) -> MajorMatter:
    triggers = merge_triggers((), triggers)
    matter = session.scalar(select(MajorMatter).where(MajorMatter.case_id == case.id))
    if matter is None:
        matter = MajorMatter(
            case=case,
            branch=case.branch,
            triggers=store_triggers(triggers),
            status=MatterStatus.OPEN,
            opened_at=now,
            updated_at=now,
            opened_by_id=actor.user_id,
        )
        session.add(matter)
        _entry(session, matter, EntryKind.OPENED, None, actor, now, {"triggers": triggers})
        session.flush()  # the notices link to the review's page
        _notify_opened(session, matter, triggers, _OPENED_TITLE)
        return matter
    held = parse_triggers(matter.triggers)
    added = [t for t in triggers if t not in held]
    if not added:
        return matter
    matter.triggers = store_triggers(merge_triggers(held, added))
    matter.updated_at = now
    _entry(session, matter, EntryKind.TRIGGER_ADDED, None, actor, now, {"triggers": added})
    if matter.status == MatterStatus.CLOSED:
        matter.status, matter.closed_at, matter.closed_by_id = MatterStatus.OPEN, None, None
        _entry(session, matter, EntryKind.REOPENED, None, actor, now)
    _notify_opened(session, matter, added, _REASON_TITLE)
    return matter


# -- Entries ----------------------------------------------------------------------------------


def load_visible_matter(session: Session, actor: Actor, matter_id: int) -> MajorMatter:
    """The review if the actor may read reviews and see this one (branch scope; 风险管理部: the
    casualty and property-loss cases)."""
    if not actor.may(READ):
        raise PermissionDeniedError(_l("Your role may not do this."))
    query = actor.scope.apply(select(MajorMatter).where(MajorMatter.id == matter_id), MajorMatter)
    matter = session.scalar(query)
    if matter is None:
        raise OutOfScopeError(_l("The review does not exist or you may not see it."))
    return matter


def may_write(session: Session, actor: Actor, matter: MajorMatter, kind: EntryKind) -> bool:
    """Whether the actor's role writes ``kind`` on this review: the unit its plan and progress
    (its own unit's review only), the leader and committee 批示, CSD notes and the close."""
    capability = ENTRY_CAPABILITY.get(kind)
    if capability is None or not actor.may(capability) or matter.status != MatterStatus.OPEN:
        return False
    if capability == "report.major_matters":
        return actor.scope.covers_branch(session, matter.branch_id)
    return True


@transaction(conflict_message=STALE_MATTER)
def add_entry(
    session: Session,
    actor: Actor,
    matter_id: int,
    kind: EntryKind | str,
    text: str | None,
    *,
    now: datetime | None = None,
) -> MajorMatterEntry:
    """Add a plan or progress report (Art.22/33), a 批示 or a CSD note to an open review; the
    people concerned hear of it at once. Closing is ``close_review``."""
    kind = EntryKind(kind)
    if kind is EntryKind.CLOSED:
        raise PermissionDeniedError(_l("Your role may not do this."))
    return _write(session, actor, matter_id, kind, text, now or clock_now())


@transaction(conflict_message=STALE_MATTER)
def close_review(
    session: Session,
    actor: Actor,
    matter_id: int,
    text: str | None,
    *,
    version: int | None,
    now: datetime | None = None,
) -> MajorMatter:
    """CSD closes the review with its conclusion, as the page showed it (``version``, required:
    a close that does not name the version it saw is refused as stale)."""
    now = now or clock_now()
    matter = load_visible_matter(session, actor, matter_id)
    if version is None or version != matter.version:
        raise ConflictError(STALE_MATTER)
    _write(session, actor, matter_id, EntryKind.CLOSED, text, now)
    matter.status, matter.closed_at, matter.closed_by_id = MatterStatus.CLOSED, now, actor.user_id
    return matter


def _write(
    session: Session, actor: Actor, matter_id: int, kind: EntryKind, text: str | None, now
) -> MajorMatterEntry:
    matter = load_visible_matter(session, actor, matter_id)
    if not actor.may(ENTRY_CAPABILITY.get(kind, "")):
        raise PermissionDeniedError(_l("Your role may not do this."))
    checked = check_entry(kind, text, status=matter.status)
    if not may_write(session, actor, matter, kind):
        raise PermissionDeniedError(_l("Your role may not do this."))
    matter.updated_at = now  # touches the review: a close racing this entry loses (version)
    entry = _entry(session, matter, kind, checked.text, actor, now)
    recipients = _audience_ids(session, ENTRY_AUDIENCE[kind], matter.branch_id)
    recipients.discard(actor.user_id)
    _send_matter(session, recipients, matter, _ENTRY_TITLES[kind], checked.text)
    return entry


def _entry(
    session: Session,
    matter: MajorMatter,
    kind: EntryKind,
    text: str | None,
    actor: Actor | None = None,
    at: datetime | None = None,
    detail: dict | None = None,
) -> MajorMatterEntry:
    entry = MajorMatterEntry(
        matter=matter,
        kind=kind.value,
        text=text,
        author_id=actor.user_id if actor is not None else None,
        at=at or clock_now(),
        detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
    )
    session.add(entry)
    return entry


# -- Who hears of it --------------------------------------------------------------------------

_OPENED_TITLE = _l("major matter: review opened for the committee (Art.22/34)")
_REASON_TITLE = _l("major matter: a new reason was added to the review")
_UNIT_TITLE = _l("major matter of your unit: please submit the handling plan (Art.22/33)")
_RISK_TITLE = _l("casualties or property loss: handed to risk management (Art.34)")
_MEDIA_TITLE = _l("media involved: please follow it at once (Art.29)")
_ENTRY_TITLES = {
    EntryKind.PLAN: _l("major matter: handling plan submitted by the unit"),
    EntryKind.PROGRESS: _l("major matter: progress reported by the unit (Art.33)"),
    EntryKind.COMMENT: _l("major matter: new instruction"),
    EntryKind.NOTE: _l("major matter: note from the customer-service department"),
    EntryKind.CLOSED: _l("major matter: review closed"),
}


def _unit_id(case: Case) -> int | None:
    return case.branch.id if case.branch is not None else None  # may not be flushed yet


def _users(session: Session, role_names: set[str]) -> set[int]:
    query = select(SuqiuUser.id).where(
        SuqiuUser.active.is_(True), SuqiuUser.roles.any(Role.name.in_(role_names))
    )
    return set(session.scalars(query))


def _unit_people(session: Session, unit_id: int, role_names: set[str]) -> set[int]:
    query = select(SuqiuUser.id).where(
        SuqiuUser.active.is_(True),
        SuqiuUser.branch_id == unit_id,
        SuqiuUser.roles.any(Role.name.in_(role_names)),
    )
    return set(session.scalars(query))


def _audience_ids(session: Session, audience: Iterable[Audience], unit_id: int | None) -> set[int]:
    audience = set(audience)
    names = set().union(*(_ROLE_NAMES[a] for a in audience if a in _ROLE_NAMES))
    ids = _users(session, names) if names else set()
    if Audience.UNIT in audience and unit_id is not None:
        ids |= _unit_people(session, unit_id, {HEAD.name, LIAISON.name})
    return ids


def _reasons(triggers: Iterable[Trigger]) -> str:
    return "、".join(str(TRIGGER_LABELS[t]) for t in triggers)


def _notify_opened(session: Session, matter: MajorMatter, triggers, title) -> None:
    all_triggers = parse_triggers(matter.triggers)
    audience = review_audience(all_triggers, has_unit=matter.branch_id is not None)
    body = f"{_reasons(triggers)}：{matter.case.content[:200]}"
    _send_matter(
        session, _audience_ids(session, audience - {Audience.RISK}, matter.branch_id), matter,
        title, body,
    )  # fmt: skip
    if Audience.RISK in audience:
        _send_matter(session, _users(session, {RISK.name}), matter, _RISK_TITLE, body)


def _notify_media(session: Session, case: Case, unit_id: int | None) -> None:
    audience = media_audience(has_unit=unit_id is not None)
    recipients = _users(session, {PRESS.name}) if MediaAudience.PRESS in audience else set()
    if MediaAudience.HEAD in audience and unit_id is not None:
        recipients |= _unit_people(session, unit_id, {HEAD.name})
    _send(session, recipients, case, "media", _MEDIA_TITLE)


def _told_of_media(session: Session, case: Case, candidates: set[int]) -> set[int]:
    """Those of ``candidates`` already told of this media case (Art.29), their notice in the
    inbox or archived: one notice per case and head."""
    if not candidates:
        return set()
    told: set[int] = set()
    for model in (Notification, NotificationArchive):
        told |= set(
            session.scalars(
                select(model.recipient_id).where(
                    model.recipient_id.in_(candidates),
                    model.category == "media",
                    model.link == case_link(case.id),
                )
            )
        )
    return told


def _send(session: Session, recipients: set[int], case: Case, category: str, title) -> None:
    send(
        session,
        sorted(recipients),
        category=category,
        title=f"{case.number} {title}",
        body=case.content[:200],
        link=case_link(case.id),
    )


def _send_matter(
    session: Session, recipients: set[int], matter: MajorMatter, title, body: str | None = None
) -> None:
    send(
        session,
        sorted(recipients),
        category="major_matter",
        title=f"{matter.case.number} {title}",
        body=(body or matter.case.content)[:500],
        link=matter_link(matter.id),
    )
