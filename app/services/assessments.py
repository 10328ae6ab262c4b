"""The annual assessment (年终考核, Art.41; design §3): CSD opens the live draft for objections
with a deadline, a unit objects to an entry of its own draft, CSD answers (an accepted objection
waives the entry through the register's own audited path), the committee finalises — the lines
and deductions are copied into a snapshot no later change touches — and may reopen it, which
keeps the old version and starts the next. One transaction per use case, one history event each;
the rules are app.domain.assessments'. Figures come from SQL aggregates over the register."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.domain import assessments as rules
from app.domain.assessments import (
    AssessmentAction,
    AssessmentError,
    AssessmentStatus,
    ObjectionStatus,
)
from app.domain.clock import now as clock_now
from app.domain.i18n import _l
from app.domain.violations import EntryStatus
from app.models import (
    Assessment,
    AssessmentDeduction,
    AssessmentEvent,
    AssessmentLine,
    AssessmentObjection,
    Branch,
    Case,
    ViolationEntry,
)
from app.services import violations
from app.services.actor import Actor
from app.services.assessment_figures import (
    in_year,
    pending_objections,
    proposed_count,
    ranked_live,
)
from app.services.errors import ConflictError, OutOfScopeError, PermissionDeniedError
from app.services.uow import transaction

READ = "read.assessments"
PREPARE = "prepare.assessments"
OBJECT = "object.assessments"
FINALISE = "finalise.assessments"
STALE = _l(
    "Someone else changed this assessment a moment ago; your action was not saved. The page "
    "now shows the current state."
)


def _ensure(actor: Actor, capability: str, *, company: bool = False) -> None:
    if not actor.may(capability):
        raise PermissionDeniedError(_l("Your role may not do this."))
    if company and not actor.scope.all_branches:
        raise PermissionDeniedError(_l("Your role may not do this."))


def _check_version(found: Assessment | None, token: int | None) -> None:
    """The form's version token: a form shown before someone else's change is refused."""
    current = found.lock_version if found is not None else 0
    if token is None or token != current:
        raise ConflictError(STALE)


def stored_years(session: Session) -> list[int]:
    """The years with a stored version (assessments are company-wide: no unit's data)."""
    return list(session.scalars(select(Assessment.year).distinct()))


def versions_of(session: Session, year: int) -> list[Assessment]:
    query = select(Assessment).where(Assessment.year == year).order_by(Assessment.version)
    return list(session.scalars(query))


def current_of(session: Session, year: int) -> Assessment | None:
    """The latest version of ``year`` (None: nothing stored yet; the draft is still live)."""
    query = (
        select(Assessment)
        .where(Assessment.year == year)
        .order_by(Assessment.version.desc())
        .limit(1)
    )
    return session.scalar(query)


def _status(found: Assessment | None) -> AssessmentStatus | None:
    return AssessmentStatus(found.status) if found is not None else None


def _event(session, found: Assessment, action, actor: Actor, at, note=None, branch_id=None):
    session.add(
        AssessmentEvent(
            assessment_id=found.id,
            branch_id=branch_id,
            action=action.value,
            actor_id=actor.user_id,
            at=at,
            note=note,
        )
    )


# -- CSD opens the draft for objections ----------------------------------------------------------


@transaction(conflict_message=STALE)
def open_for_objections(
    session: Session,
    actor: Actor,
    year: int | None,
    *,
    deadline: date | None,
    lock_version: int | None,
    now: datetime | None = None,
) -> Assessment:
    """CSD opens the year's draft to the units until ``deadline`` (or moves the deadline)."""
    _ensure(actor, PREPARE, company=True)
    now = now or clock_now()
    year = rules.check_year(year)
    found = current_of(session, year)
    _check_version(found, lock_version)
    rules.check_may_open(_status(found), year=year, now=now)
    day = rules.check_deadline(deadline, now.date())
    if found is None:
        found = Assessment(year=year, version=1, created_at=now)
        session.add(found)
    action = (
        AssessmentAction.DEADLINE
        if found.status == AssessmentStatus.OPEN
        else AssessmentAction.OPENED
    )
    found.status = AssessmentStatus.OPEN.value
    found.objection_deadline = day
    found.opened_by_id, found.opened_at = actor.user_id, now
    session.flush()
    note = str(_l("Deadline for objections")) + "：" + day.isoformat()
    _event(session, found, action, actor, now, note)
    return found


# -- A unit objects, CSD answers -----------------------------------------------------------------


def _duplicate_objection(_exc: IntegrityError) -> AssessmentError:
    return AssessmentError(_l("This objection has already been submitted."))


@transaction(_duplicate_objection, conflict_message=STALE)
def lodge_objection(
    session: Session,
    actor: Actor,
    year: int | None,
    *,
    entry_id: int | None,
    reason: str | None,
    evidence: str | None,
    submission_key: str | None = None,
    now: datetime | None = None,
) -> AssessmentObjection:
    """A unit objects to a deduction of its own draft, with its reason and evidence, before the
    deadline; another unit's entry is refused as unknown."""
    _ensure(actor, OBJECT)
    now = now or clock_now()
    year = rules.check_year(year)
    query = select(ViolationEntry).where(ViolationEntry.id == (entry_id or 0), *in_year(year))
    entry = session.scalar(actor.scope.apply(query, ViolationEntry))
    if entry is None:
        raise OutOfScopeError(
            _l("You may only object to a deduction of your own unit in this year's assessment.")
        )
    found = current_of(session, year)
    rules.check_may_object(
        _status(found),
        found.objection_deadline if found else None,
        now,
        counted=entry.status == EntryStatus.CONFIRMED,
        complaint=rules.is_complaint(entry.cause),
    )
    assert found is not None
    text = rules.check_reason(reason, _l("Please give the reason for your objection."))
    already = select(AssessmentObjection.id).where(
        AssessmentObjection.assessment_id == found.id,
        AssessmentObjection.entry_id == entry.id,
        AssessmentObjection.status == ObjectionStatus.PENDING.value,
    )
    if session.scalar(already) is not None:
        raise AssessmentError(_l("An objection to this deduction is already awaiting an answer."))
    objection = AssessmentObjection(
        assessment_id=found.id,
        entry_id=entry.id,
        branch_id=entry.branch_id,
        reason=text,
        evidence=(evidence or "").strip() or None,
        lodged_by_id=actor.user_id,
        lodged_at=now,
        submission_key=(submission_key or "").strip()[:64] or None,
        status=ObjectionStatus.PENDING.value,
    )
    session.add(objection)
    _event(session, found, AssessmentAction.OBJECTED, actor, now, text, entry.branch_id)
    session.flush()
    return objection


def visible_objection(session: Session, actor: Actor, objection_id: int) -> AssessmentObjection:
    _ensure(actor, READ)
    query = select(AssessmentObjection).where(AssessmentObjection.id == objection_id)
    found = session.scalar(actor.scope.apply(query, AssessmentObjection))
    if found is None:
        raise OutOfScopeError(_l("The objection does not exist or you may not see it."))
    return found


@transaction(conflict_message=STALE)
def answer_objection(
    session: Session,
    actor: Actor,
    objection_id: int,
    *,
    decision: str | None,
    answer: str | None,
    version: int | None,
    now: datetime | None = None,
) -> AssessmentObjection:
    """CSD answers an objection with its reasons; accepted, the entry is waived in the register
    (its own audited path) with the answer, so the draft no longer counts it."""
    _ensure(actor, PREPARE, company=True)
    now = now or clock_now()
    objection = visible_objection(session, actor, objection_id)
    accept = rules.check_decision(decision)
    if version is None or version != objection.version:
        raise ConflictError(STALE)
    found = session.get(Assessment, objection.assessment_id)
    rules.check_may_answer(ObjectionStatus(objection.status), _status(found))
    assert found is not None
    text = rules.check_reason(answer, _l("Please give the answer to the objection."))
    if accept:
        violations.waive_after_objection(session, actor, objection.entry_id, reason=text, now=now)
    objection.status = (ObjectionStatus.ACCEPTED if accept else ObjectionStatus.REJECTED).value
    objection.answer, objection.answered_by_id, objection.answered_at = text, actor.user_id, now
    _event(session, found, AssessmentAction.ANSWERED, actor, now, text, objection.branch_id)
    return objection


# -- The committee finalises and reopens ---------------------------------------------------------


@transaction(conflict_message=STALE)
def finalise(
    session: Session,
    actor: Actor,
    year: int | None,
    *,
    lock_version: int | None,
    now: datetime | None = None,
) -> Assessment:
    """The committee finalises the year: every unit's line and every counted entry are copied
    into the version, which from then on is what the assessment says."""
    _ensure(actor, FINALISE, company=True)
    now = now or clock_now()
    year = rules.check_year(year)
    found = current_of(session, year)
    _check_version(found, lock_version)
    rules.check_may_finalise(
        _status(found),
        found.objection_deadline if found else None,
        now,
        year=year,
        proposed=proposed_count(session, year),
        pending_objections=pending_objections(session, found),
    )
    assert found is not None
    ranked, _units = ranked_live(session, year)
    names = dict(session.execute(select(Branch.id, Branch.name)).all())
    session.execute(
        insert(AssessmentLine),
        [
            {
                "assessment_id": found.id,
                "branch_id": r.totals.branch_id,
                "branch_name": names.get(r.totals.branch_id, ""),
                "rank": r.rank,
                "general": r.totals.general,
                "major": r.totals.major,
                "violations": r.totals.violations,
                "deduction_bp": r.totals.deduction_bp,
                "score_bp": r.totals.score_bp,
            }
            for r in ranked
        ],
    )
    copied = (
        select(
            literal(found.id),
            ViolationEntry.branch_id,
            ViolationEntry.id,
            ViolationEntry.case_id,
            Case.number,
            ViolationEntry.cause,
            ViolationEntry.occurred_on,
            ViolationEntry.deduction_bp,
            ViolationEntry.evidence,
        )
        .outerjoin(Case, Case.id == ViolationEntry.case_id)
        .where(ViolationEntry.status == EntryStatus.CONFIRMED.value, *in_year(year))
    )
    session.execute(
        insert(AssessmentDeduction).from_select(
            [
                "assessment_id",
                "branch_id",
                "entry_id",
                "case_id",
                "case_number",
                "cause",
                "occurred_on",
                "deduction_bp",
                "evidence",
            ],
            copied,
        )
    )
    found.status = AssessmentStatus.FINALISED.value
    found.finalised_by_id, found.finalised_at = actor.user_id, now
    _event(session, found, AssessmentAction.FINALISED, actor, now)
    return found


@transaction(conflict_message=STALE)
def reopen(
    session: Session,
    actor: Actor,
    year: int | None,
    *,
    reason: str | None,
    lock_version: int | None,
    now: datetime | None = None,
) -> Assessment:
    """The committee reopens a finalised year with its reason: that version is kept (marked
    reopened) and the next version starts as a draft, live again."""
    _ensure(actor, FINALISE, company=True)
    now = now or clock_now()
    year = rules.check_year(year)
    found = current_of(session, year)
    _check_version(found, lock_version)
    rules.check_may_reopen(_status(found))
    assert found is not None
    text = rules.check_reason(reason, _l("Please give the reason for reopening."))
    found.status = AssessmentStatus.REOPENED.value
    found.reopened_by_id, found.reopened_at, found.reopen_reason = actor.user_id, now, text
    _event(session, found, AssessmentAction.REOPENED, actor, now, text)
    successor = Assessment(
        year=year, version=found.version + 1, status=AssessmentStatus.DRAFT.value, created_at=now
    )
    session.add(successor)
    session.flush()
    _event(
        session,
        successor,
        AssessmentAction.REOPENED,
        actor,
        now,
        str(_l("Version %(version)d reopened: %(reason)s", version=found.version, reason=text)),
    )
    return successor
