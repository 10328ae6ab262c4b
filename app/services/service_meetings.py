"""服务例会 (Art.40): CSD records a meeting's minutes and the measures decided, each with its owner
unit and due date; the owner unit reports it done. The quarter's report shows them
(app.services.quarterly_report_figures). A unit sees the minutes and its own measures only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain import quarterly_reports as qr
from app.domain.clock import now as clock_now
from app.domain.i18n import _l
from app.domain.quarterly_reports import ReportError
from app.domain.roles import CSD_ROLE_NAMES
from app.models import Branch, MeetingMeasure, ServiceMeeting, ServiceMeetingEvent
from app.services.actor import Actor
from app.services.errors import OutOfScopeError, PermissionDeniedError
from app.services.notifications import send
from app.services.quarterly_reports import (
    ANSWER,
    DENIED,
    EDIT,
    READ,
    _duplicate_submission,
    _unit_people,
    _users,
    form_key,
    once,
)
from app.services.uow import transaction


@dataclass(frozen=True)
class MeasureDraft:
    text: str | None
    branch_id: int | None
    due_on: date | None


def meeting_link(meeting_id: int) -> str:
    return f"/quarterly-reports/meetings/show/{meeting_id}"


def load_meeting(session: Session, actor: Actor, meeting_id: int) -> ServiceMeeting:
    if not actor.may(READ):
        raise PermissionDeniedError(DENIED)
    meeting = session.get(ServiceMeeting, meeting_id)
    if meeting is None:
        raise OutOfScopeError(_l("The meeting does not exist."))
    return meeting


def visible_measures(session: Session, actor: Actor, meeting_id: int | None = None):
    """The measures the actor sees (a unit: its own), of one meeting or all, newest first."""
    query = select(MeetingMeasure).order_by(MeetingMeasure.due_on.desc(), MeetingMeasure.id)
    if meeting_id is not None:
        query = query.where(MeetingMeasure.meeting_id == meeting_id)
    return list(session.scalars(actor.scope.apply(query, MeetingMeasure)))


def _add_measure(
    session: Session, meeting: ServiceMeeting, draft: MeasureDraft, key: str | None = None
) -> MeetingMeasure:
    text = qr.check_measure(draft.text, draft.branch_id, draft.due_on)
    due_on = draft.due_on
    if due_on is None:  # (check_measure refused it already)
        raise ReportError(_l("Please give the measure's due date."))
    unit = session.get(Branch, draft.branch_id) if draft.branch_id is not None else None
    if unit is None or not unit.active:
        raise ReportError(_l("Please choose the unit responsible for the measure."))
    if due_on < meeting.held_on:
        raise ReportError(_l("A measure cannot be due before its meeting."))
    measure = MeetingMeasure(
        meeting=meeting, text=text, branch_id=unit.id, due_on=due_on, submission_key=key
    )
    session.add(measure)
    session.flush()
    send(
        session,
        sorted(_unit_people(session, unit.id)),
        category="service_meeting",
        title=str(_l("service meeting measure for your unit, due %(due)s (Art.40)",
                     due=due_on.isoformat())),
        body=text[:500],
        link=meeting_link(meeting.id),
    )  # fmt: skip
    return measure


def record_meeting(
    session: Session,
    actor: Actor,
    *,
    held_on: date | None,
    title: str | None,
    minutes: str | None,
    measures: list[MeasureDraft],
    submission_key: str | None,
    now: datetime | None = None,
) -> ServiceMeeting:
    """Art.40: the meeting's minutes and the measures decided (blank measure rows ignored). The
    form submitted twice (its one-time key) gives the first meeting: no second meeting, no
    second notice."""
    if not actor.may(EDIT):
        raise PermissionDeniedError(DENIED)
    key = form_key(submission_key)

    def find():
        return session.scalar(
            select(ServiceMeeting).where(
                ServiceMeeting.submission_key == key,
                ServiceMeeting.recorded_by_id == actor.user_id,
            )
        )

    return once(
        find,
        lambda: _record_meeting(session, actor, held_on, title, minutes, measures, key, now),
    )


@transaction(_duplicate_submission)
def _record_meeting(session, actor, held_on, title, minutes, measures, key, now) -> ServiceMeeting:
    if not actor.may(EDIT):
        raise PermissionDeniedError(DENIED)
    now = now or clock_now()
    if held_on is None:
        raise ReportError(_l("Please give the meeting's date."))
    if held_on > now.date():
        raise ReportError(_l("A meeting cannot be recorded before it is held."))
    subject = qr.clean_text(title, _l("Please give the meeting's subject."))[:200]
    text = qr.clean_text(minutes, _l("Please write the minutes."))
    meeting = ServiceMeeting(
        held_on=held_on,
        title=subject,
        minutes=text,
        recorded_by_id=actor.user_id,
        recorded_at=now,
        submission_key=key,
    )
    session.add(meeting)
    session.flush()
    for draft in measures:
        if (draft.text or "").strip() or draft.branch_id is not None or draft.due_on is not None:
            _add_measure(session, meeting, draft)
    return meeting


def add_measure(
    session: Session,
    actor: Actor,
    meeting_id: int,
    draft: MeasureDraft,
    *,
    submission_key: str | None,
) -> MeetingMeasure:
    """Art.40: one more measure of a meeting. The form submitted twice (its one-time key) gives
    the first measure: no second measure, no second notice."""
    if not actor.may(EDIT):
        raise PermissionDeniedError(DENIED)
    key = form_key(submission_key)

    def find():
        return session.scalar(
            select(MeetingMeasure).where(
                MeetingMeasure.submission_key == key, MeetingMeasure.meeting_id == meeting_id
            )
        )

    return once(find, lambda: _add_one(session, actor, meeting_id, draft, key))


@transaction(_duplicate_submission)
def _add_one(session, actor, meeting_id: int, draft: MeasureDraft, key: str) -> MeetingMeasure:
    if not actor.may(EDIT):
        raise PermissionDeniedError(DENIED)
    return _add_measure(session, load_meeting(session, actor, meeting_id), draft, key)


@transaction()
def mark_done(
    session: Session,
    actor: Actor,
    measure_id: int,
    note: str | None,
    *,
    now: datetime | None = None,
) -> MeetingMeasure:
    """Art.40: the owner unit reports its measure done, once, with what was done: the meeting's
    history records it and the customer-service department hears of it (once: the UPDATE
    re-checks that the measure is not done yet)."""
    now = now or clock_now()
    if not actor.may(ANSWER):
        raise PermissionDeniedError(DENIED)
    query = select(MeetingMeasure).where(MeetingMeasure.id == measure_id)
    measure = session.scalar(actor.scope.apply(query, MeetingMeasure))
    if measure is None:
        raise OutOfScopeError(_l("You may only report your own unit's measures done."))
    text = qr.check_done(measure.done_at, note)
    saved = session.execute(
        update(MeetingMeasure)
        .where(MeetingMeasure.id == measure.id, MeetingMeasure.done_at.is_(None))
        .values(done_at=now, done_note=text, done_by_id=actor.user_id)
        .returning(MeetingMeasure.id)
        .execution_options(synchronize_session=False)
    ).first()
    if saved is None:
        raise ReportError(_l("This measure has already been reported done."))
    session.refresh(measure)
    session.add(
        ServiceMeetingEvent(
            meeting_id=measure.meeting_id,
            measure_id=measure.id,
            branch_id=measure.branch_id,
            kind="measure_done",
            text=text,
            actor_id=actor.user_id,
            at=now,
        )
    )
    csd = _users(session, set(CSD_ROLE_NAMES))
    csd.discard(actor.user_id)
    send(
        session,
        sorted(csd),
        category="service_meeting",
        title=str(_l("%(unit)s reported a service meeting measure done (Art.40)",
                     unit=measure.branch.name)),
        body=f"{measure.text[:200]}\n{text}"[:500],
        link=meeting_link(measure.meeting_id),
    )  # fmt: skip
    return measure
