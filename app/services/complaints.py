"""投诉认定 (Art.8/9/32; design §3): CSD investigates a 投诉 case and saves its determination
with the evidence, submits it; 客服部主管 approves (never their own work: four eyes) or sends it
back; the responsible unit objects once within the window; CSD upholds it or proposes a change,
which 客服部主管 approves (then it counts) or sends back. One transaction per use case, each
writing one history event; every rule is app.domain.complaints'. An approved valid complaint
makes its entry of the violation register (Art.41) and a 重大 one opens the committee's review
(Art.22) in the same transaction; an approved change moves them.

The row always holds the determination that counts (or the draft before approval): a proposed
change waits in its "change" event's snapshot until approved."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.domain.clock import now as clock_now
from app.domain.complaints import (
    COUNTING_STATUSES,
    DETERMINATION_STATUS_LABELS,
    EDITABLE_STATUSES,
    OBJECTION_WORKING_DAYS,
    BreachCategory,
    Determination,
    DeterminationAction,
    DeterminationDraft,
    DeterminationStatus,
    FieldError,
    Grade,
    InvalidReason,
    MajorCriterion,
    Responsibility,
    ensure_first_objection,
    ensure_four_eyes,
    ensure_may_object,
    evidence_errors,
    next_determination_status,
    objection_deadline,
    validate_determination,
)
from app.domain.complaints import DeterminationStatus as DS
from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.domain.lifecycle import CaseStatus
from app.models import (
    Branch,
    Case,
    ComplaintDetermination,
    ComplaintDeterminationEvent,
    ComplaintObjection,
    SuqiuUser,
)
from app.services import complaint_files as files
from app.services import complaint_notify as notify
from app.services import major_matters, violations
from app.services.actor import Actor
from app.services.calendar import load_calendar
from app.services.case_permissions import load_visible_case
from app.services.complaint_files import NO_UPLOADS, Uploads
from app.services.errors import (
    ConflictError,
    InvalidRecordError,
    OutOfScopeError,
    PermissionDeniedError,
)
from app.services.uow import transaction

READ = "read.complaints"
EDIT = "edit.complaints"
APPROVE = "approve.complaints"
OBJECT = "object.complaints"
COMPLAINT_KIND = "complaint"  # the 投诉 kind's code (app.seed.CASE_KINDS, Art.5)
MAJOR_TRIGGER = "major_complaint"  # app.domain.major_matters.Trigger

STALE = _l(
    "Someone else changed this determination a moment ago; your action was not saved. The "
    "page now shows the current state."
)
ALREADY = _l(
    "This case already has a complaint determination (someone started it a moment ago); your "
    "form was not saved. The page now shows the determination."
)
NOT_NOW = _l("This is not possible while the determination is “%(status)s”.")


def _already(_exc: IntegrityError) -> DomainError:
    return ConflictError(ALREADY)


@dataclass(frozen=True)
class DeterminationForm:
    """What the determination form sends, as typed: codes and ids are checked here."""

    determination: str | None = None
    findings: str | None = None
    breach_category: str | None = None
    grade: str | None = None
    criteria: tuple[str, ...] = ()
    invalid_reason: str | None = None
    branch_id: int | None = None
    responsibility: str | None = None
    employee_id: int | None = None
    personal_cause: str | None = None


# -- Reading and guards -----------------------------------------------------------------------


def is_complaint(case: Case) -> bool:
    return case.kind is not None and case.kind.code == COMPLAINT_KIND


def unit_sees(determination: ComplaintDetermination) -> bool:
    """A unit sees the result, not the investigation: approved (counting) determinations."""
    return determination.status in COUNTING_STATUSES


def visible_determination(
    session: Session, actor: Actor, determination_id: int
) -> ComplaintDetermination:
    """The determination if the actor may read complaints and see it: CSD, leaders and the
    committee all; a unit those naming it as responsible, once approved (design §1)."""
    if not actor.may(READ):
        raise PermissionDeniedError(_l("Your role may not do this."))
    query = select(ComplaintDetermination).where(ComplaintDetermination.id == determination_id)
    found = session.scalar(actor.scope.apply(query, ComplaintDetermination))
    if found is None or not (actor.scope.all_branches or unit_sees(found)):
        raise OutOfScopeError(
            _l("The complaint determination does not exist or you may not see it.")
        )
    return found


def determination_of_case(session: Session, case_id: int) -> ComplaintDetermination | None:
    query = select(ComplaintDetermination).where(ComplaintDetermination.case_id == case_id)
    return session.scalar(query)


def _ensure_csd(actor: Actor, capability: str) -> None:
    """Art.10/32: the customer-service department investigates and determines; no unit does."""
    if not actor.may(capability):
        raise PermissionDeniedError(_l("Your role may not do this."))
    if not actor.scope.all_branches:
        raise PermissionDeniedError(
            _l("Complaints are determined by the customer-service department.")
        )


def _complaint_case(session: Session, actor: Actor, case_id: int) -> Case:
    case = load_visible_case(session, actor, case_id)
    if not is_complaint(case):
        raise InvalidRecordError(_l("Only complaint cases (投诉) are determined (Art.8)."))
    if case.status == CaseStatus.VOIDED:
        raise InvalidRecordError(_l("A voided case is not determined."))
    return case


def _for_action(
    session: Session, actor: Actor, determination_id: int, version: int | None
) -> ComplaintDetermination:
    found = visible_determination(session, actor, determination_id)
    if version is None or version != found.version:
        raise ConflictError(STALE)
    return found


def _move(found: ComplaintDetermination, action: DeterminationAction) -> tuple[str, str]:
    before = found.status
    found.status = next_determination_status(DeterminationStatus(before), action).value
    return before, found.status


# -- The form, the draft, the snapshot ---------------------------------------------------------

_BAD_VALUE = _l("The action or a value of the form is not valid.")


def _code(kind, raw: str | None):
    value = (raw or "").strip()
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        raise InvalidRecordError(_BAD_VALUE) from None


def _text(raw: str | None) -> str | None:
    value = (raw or "").strip()
    return value or None


@dataclass(frozen=True)
class _Parsed:
    draft: DeterminationDraft
    personal_cause: str | None


def _parse(session: Session, form: DeterminationForm) -> _Parsed:
    criteria = frozenset(_code(MajorCriterion, c) for c in form.criteria if (c or "").strip())
    draft = DeterminationDraft(
        determination=_code(Determination, form.determination),
        findings=(form.findings or "").strip(),
        breach_category=_code(BreachCategory, form.breach_category),
        grade=_code(Grade, form.grade),
        criteria=criteria,
        invalid_reason=_code(InvalidReason, form.invalid_reason),
        branch_id=form.branch_id,
        responsibility=_code(Responsibility, form.responsibility),
        employee_id=form.employee_id,
    )
    unit = session.get(Branch, draft.branch_id) if draft.branch_id is not None else None
    if draft.branch_id is not None and (unit is None or not unit.active):
        raise InvalidRecordError(_l("Please choose the responsible unit."))
    if draft.employee_id is not None:
        employee = session.get(SuqiuUser, draft.employee_id)
        if employee is None or unit is None or not _belongs(session, employee, unit):
            raise InvalidRecordError(_l("The employee must be a member of the responsible unit."))
    cause = _text(form.personal_cause) if draft.responsibility is Responsibility.PERSONAL else None
    return _Parsed(draft, cause)


def _belongs(session: Session, employee: SuqiuUser, unit: Branch) -> bool:
    if employee.branch_id is None:
        return False
    own = session.get(Branch, employee.branch_id)
    return own is not None and own.path.startswith(unit.path)


def _apply(found: ComplaintDetermination, parsed: _Parsed) -> None:
    draft = parsed.draft
    found.determination = draft.determination.value if draft.determination else None
    found.findings = draft.findings or None
    found.breach_category = draft.breach_category.value if draft.breach_category else None
    found.grade = draft.grade.value if draft.grade else None
    found.criteria = ",".join(sorted(c.value for c in draft.criteria)) or None
    found.invalid_reason = draft.invalid_reason.value if draft.invalid_reason else None
    found.branch_id = draft.branch_id
    found.responsibility = draft.responsibility.value if draft.responsibility else None
    found.employee_id = draft.employee_id
    found.personal_cause = parsed.personal_cause


def draft_of(found: ComplaintDetermination) -> DeterminationDraft:
    """The stored determination as the domain reads it."""
    return DeterminationDraft(
        determination=Determination(found.determination) if found.determination else None,
        findings=found.findings or "",
        breach_category=BreachCategory(found.breach_category) if found.breach_category else None,
        grade=Grade(found.grade) if found.grade else None,
        criteria=found.criteria_set,
        invalid_reason=InvalidReason(found.invalid_reason) if found.invalid_reason else None,
        branch_id=found.branch_id,
        responsibility=Responsibility(found.responsibility) if found.responsibility else None,
        employee_id=found.employee_id,
    )


SNAPSHOT_FIELDS = (
    "determination",
    "findings",
    "breach_category",
    "grade",
    "criteria",
    "invalid_reason",
    "branch_id",
    "responsibility",
    "employee_id",
    "personal_cause",
    "status",
)


def snapshot(found: ComplaintDetermination) -> dict:
    return {name: getattr(found, name) for name in SNAPSHOT_FIELDS}


class IncompleteDeterminationError(InvalidRecordError):
    """The determination breaks rules of Art.8/9/32: ``problems`` maps each field of the form to
    its message; the message lists them all."""

    def __init__(self, problems: list[FieldError]):
        self.problems = {p.field: str(p.message) for p in problems}
        super().__init__("；".join(self.problems.values()))


def _check(session: Session, found: ComplaintDetermination) -> None:
    """Art.8/9/32 and the evidence (Art.10): every problem at once, nothing saved."""
    problems = validate_determination(draft_of(found))
    problems += evidence_errors(files.count(session, found.id))
    if problems:
        raise IncompleteDeterminationError(problems)


def _event(found, action, actor: Actor, now, *, before=None, note=None, snap=None) -> None:
    found.events.append(
        ComplaintDeterminationEvent(
            action=str(action),
            from_status=before,
            to_status=found.status,
            actor_id=actor.user_id,
            at=now,
            note=note,
            snapshot=json.dumps(snap, ensure_ascii=False, default=str) if snap else None,
        )
    )
    found.updated_at = now


# -- CSD: the investigation and its submission -------------------------------------------------


@transaction(_already, conflict_message=STALE)
def save_draft(
    session: Session,
    actor: Actor,
    case_id: int,
    form: DeterminationForm,
    *,
    version: int | None,
    uploads: Uploads = NO_UPLOADS,
    submit: bool = False,
    now: datetime | None = None,
) -> ComplaintDetermination:
    """Art.32: CSD records the investigation of a 投诉 case — the first save opens the
    determination (one per case: of two people starting it at once, one gets ALREADY), later
    saves need the version the form showed. ``submit``: and send it to 客服部主管 for approval,
    complete (validate_determination) and with its evidence, or nothing is saved."""
    _ensure_csd(actor, EDIT)
    now = now or clock_now()
    case = _complaint_case(session, actor, case_id)
    parsed = _parse(session, form)
    found = determination_of_case(session, case.id)
    if found is None:
        found = ComplaintDetermination(
            case=case,
            status=DeterminationStatus.DRAFT.value,
            investigated_by_id=actor.user_id,
            created_at=now,
            updated_at=now,
        )
        session.add(found)
        _event(found, "open", actor, now)
        session.flush()  # a second determination of the case fails here (ALREADY)
    elif version is None:
        raise ConflictError(ALREADY)
    elif version != found.version:
        raise ConflictError(STALE)
    elif found.status not in EDITABLE_STATUSES:
        raise InvalidRecordError(NOT_NOW, status=_status_label(found.status))
    previous = snapshot(found)
    _apply(found, parsed)
    found.investigated_by_id = actor.user_id
    stored = files.store(session, actor, found, uploads, files.INVESTIGATION, now)
    try:
        changed = snapshot(found) != previous
        if changed or stored:
            names = "、".join(row.original_name for row in stored) or None
            _event(found, "save", actor, now, before=found.status, note=names, snap=previous)
        if submit:
            session.flush()
            _check(session, found)
            before, _ = _move(found, DeterminationAction.SUBMIT)
            found.submitted_at = now
            _event(found, DeterminationAction.SUBMIT, actor, now, before=before)
            notify.submitted(session, found)
        session.flush()
    except BaseException:
        files.discard(stored, uploads.folder)
        raise
    return found


def _status_label(status: str) -> str:
    return str(DETERMINATION_STATUS_LABELS[DeterminationStatus(status)])


# -- 客服部主管: approval ---------------------------------------------------------------------


def _ensure_approver(actor: Actor) -> None:
    if not actor.may(APPROVE) or not actor.scope.all_branches:
        raise PermissionDeniedError(
            _l(
                "Complaint determinations are approved by the head of the customer-service "
                "department."
            )
        )


def objections_of(session: Session, determination_id: int) -> list[ComplaintObjection]:
    """Every unit's objection to the determination, oldest first."""
    query = select(ComplaintObjection).where(
        ComplaintObjection.determination_id == determination_id
    )
    return list(session.scalars(query.order_by(ComplaintObjection.id)))


def former_objection(
    session: Session, actor: Actor, found: ComplaintDetermination
) -> ComplaintObjection | None:
    """A unit that objected to a determination which an approved change no longer names: its
    objection — the unit keeps seeing the history of its own objection (app.services.
    complaint_page decides what of it). None for anyone else."""
    if actor.scope.all_branches or found.branch_id in actor.scope.branch_ids:
        return None
    for objection in objections_of(session, found.id):
        if objection.branch_id in actor.scope.branch_ids:
            return objection
    return None


def _last_event(found: ComplaintDetermination, action: str) -> ComplaintDeterminationEvent | None:
    for event in reversed(found.events):
        if event.action == action:
            return event
    return None


def submitter_of(found: ComplaintDetermination) -> int | None:
    """Who last submitted what awaits approval: the determination, or the proposed change."""
    action = "change" if found.status == DS.CHANGE_PENDING else DeterminationAction.SUBMIT
    event = _last_event(found, str(action))
    return event.actor_id if event is not None else None


def proposal_of(found: ComplaintDetermination) -> dict | None:
    """The change awaiting 客服部主管's approval (the snapshot's fields), else None."""
    if found.status != DS.CHANGE_PENDING:
        return None
    event = _last_event(found, "change")
    return json.loads(event.snapshot) if event is not None and event.snapshot else None


def _proposal(parsed: _Parsed) -> dict:
    probe = ComplaintDetermination()  # transient: never added to the session
    _apply(probe, parsed)
    return {name: getattr(probe, name) for name in SNAPSHOT_FIELDS if name != "status"}


def _restore(found: ComplaintDetermination, values: dict) -> None:
    for name in SNAPSHOT_FIELDS:
        if name != "status":
            setattr(found, name, values.get(name))


def _without_status(values: dict) -> dict:
    return {k: v for k, v in values.items() if k != "status"}


@transaction(conflict_message=STALE)
def approve(
    session: Session,
    actor: Actor,
    determination_id: int,
    *,
    version: int | None,
    note: str | None = None,
    now: datetime | None = None,
) -> ComplaintDetermination:
    """Design §3: 客服部主管 approves — never a determination they investigated or submitted
    (four eyes); from now on it counts. A valid complaint makes its entry of the violation
    register (Art.41), a major one opens the committee's review (Art.22), and the unit hears of
    it with the end of its objection window. A change awaiting approval: see _approve_change."""
    _ensure_approver(actor)
    now = now or clock_now()
    found = _for_action(session, actor, determination_id, version)
    if found.status == DS.CHANGE_PENDING:
        return _approve_change(session, actor, found, _text(note), now)
    ensure_four_eyes(actor.user_id, found.investigated_by_id, submitter_of(found))
    _check(session, found)
    before, _ = _move(found, DeterminationAction.APPROVE)
    found.approved_by_id, found.approved_at = actor.user_id, now
    if found.determination == Determination.VALID and found.branch_id is not None:
        calendar = load_calendar(session, range(now.year, now.year + 2))
        found.objection_due = objection_deadline(now, OBJECTION_WORKING_DAYS, calendar).due
    _event(found, DeterminationAction.APPROVE, actor, now, before=before, note=_text(note))
    session.flush()
    _follow_register(session, found, None, actor, now, changes=0)
    if found.grade == Grade.MAJOR:
        major_matters.open_review_for_case(
            session, found.case, trigger=MAJOR_TRIGGER, actor=actor, now=now
        )
    notify.approved(session, found)
    return found


def _approve_change(
    session: Session, actor: Actor, found: ComplaintDetermination, note: str | None, now: datetime
) -> ComplaintDetermination:
    """The change proposed after an objection counts from its approval (CHANGED): the row takes
    the proposed values (the earlier determination stays in this event's snapshot), the answer
    of the objection is final, the violation register and the committee's review follow — once
    — and a newly named responsible unit gets its own objection window from now."""
    proposed = _last_event(found, "change")
    if proposed is None or not proposed.snapshot:
        raise InvalidRecordError(NOT_NOW, status=_status_label(found.status))
    ensure_four_eyes(actor.user_id, found.investigated_by_id, proposed.actor_id)
    previous = snapshot(found)
    _restore(found, json.loads(proposed.snapshot))
    found.investigated_by_id = proposed.actor_id  # the changed findings are the proposer's
    _check(session, found)
    before, _ = _move(found, DeterminationAction.APPROVE)
    found.approved_by_id, found.approved_at = actor.user_id, now
    objections = objections_of(session, found.id)
    answered = next((o for o in reversed(objections) if o.outcome is None), None)
    if answered is not None:
        answered.outcome = DeterminationAction.CHANGE.value
        answered.answer, answered.answered_by_id = proposed.note, proposed.actor_id
        answered.answered_at = proposed.at
    objected_units = {o.branch_id for o in objections}
    if (
        found.determination == Determination.VALID
        and found.branch_id is not None
        and found.branch_id != previous.get("branch_id")
        and found.branch_id not in objected_units
    ):
        calendar = load_calendar(session, range(now.year, now.year + 2))
        found.objection_due = objection_deadline(now, OBJECTION_WORKING_DAYS, calendar).due
    _event(found, "approve_change", actor, now, before=before, note=note, snap=previous)
    session.flush()
    changes = sum(e.action == "approve_change" for e in found.events)
    _follow_register(session, found, previous, actor, now, changes=changes)
    if found.grade == Grade.MAJOR and previous.get("grade") != Grade.MAJOR:
        major_matters.open_review_for_case(
            session, found.case, trigger=MAJOR_TRIGGER, actor=actor, now=now
        )
    notify.answered(session, found, previous, True, proposed.note or "")
    return found


@transaction(conflict_message=STALE)
def send_back(
    session: Session,
    actor: Actor,
    determination_id: int,
    *,
    version: int | None,
    reason: str | None,
    now: datetime | None = None,
) -> ComplaintDetermination:
    """Design §3: 客服部主管 sends it back to CSD with the reason, to be corrected. A change sent
    back is dropped: the objection is open again (CSD upholds or proposes a corrected change)
    and the earlier determination keeps counting."""
    _ensure_approver(actor)
    now = now or clock_now()
    found = _for_action(session, actor, determination_id, version)
    text = _text(reason)
    if text is None:
        raise InvalidRecordError(_l("Please give the reason for sending it back."))
    if found.status == DS.CHANGE_PENDING:
        proposed = _last_event(found, "change")
        before, _ = _move(found, DeterminationAction.SEND_BACK)
        _event(found, "send_back_change", actor, now, before=before, note=text)
        notify.change_sent_back(session, found, proposed.actor_id if proposed else None, text)
        return found
    before, _ = _move(found, DeterminationAction.SEND_BACK)
    _event(found, DeterminationAction.SEND_BACK, actor, now, before=before, note=text)
    notify.sent_back(session, found, text)
    return found


# -- The unit's objection and CSD's answer ------------------------------------------------------


@transaction(conflict_message=STALE)
def lodge_objection(
    session: Session,
    actor: Actor,
    determination_id: int,
    *,
    version: int | None,
    reason: str | None,
    evidence: str | None = None,
    uploads: Uploads = NO_UPLOADS,
    now: datetime | None = None,
) -> ComplaintObjection:
    """The responsible unit's 联络员 or 责任人 objects once, with its reason and evidence, until
    the end of the objection window (OBJECTION_WORKING_DAYS working days after approval — of
    the change, for a unit an approved change named)."""
    if not actor.may(OBJECT):
        raise PermissionDeniedError(_l("Your role may not do this."))
    now = now or clock_now()
    found = _for_action(session, actor, determination_id, version)
    if found.branch_id is None or not actor.scope.covers_branch(session, found.branch_id):
        raise OutOfScopeError(_l("Only the responsible unit may object to the determination."))
    if found.determination != Determination.VALID or found.objection_due is None:
        raise InvalidRecordError(_l("Only a valid complaint can be objected to."))
    ensure_first_objection(found.branch_id, (o.branch_id for o in objections_of(session, found.id)))
    ensure_may_object(now, found.objection_due)
    text = _text(reason)
    if text is None:
        raise InvalidRecordError(_l("Please give the reason for the objection."))
    before, _ = _move(found, DeterminationAction.OBJECT)
    objection = ComplaintObjection(
        determination=found,
        branch_id=found.branch_id,
        reason=text,
        evidence=_text(evidence),
        lodged_by_id=actor.user_id,
        lodged_at=now,
    )
    session.add(objection)
    stored = files.store(session, actor, found, uploads, files.OBJECTION, now, objection=objection)
    try:
        _event(found, DeterminationAction.OBJECT, actor, now, before=before, note=text)
        session.flush()  # a second objection of the unit fails on its unique index
        notify.objected(session, found, text)
    except BaseException:
        files.discard(stored, uploads.folder)
        raise
    return objection


@transaction(conflict_message=STALE)
def answer_objection(
    session: Session,
    actor: Actor,
    determination_id: int,
    *,
    version: int | None,
    change: bool,
    answer: str | None,
    form: DeterminationForm | None = None,
    now: datetime | None = None,
) -> ComplaintDetermination:
    """CSD answers the objection: upholds the determination (final), or proposes a change —
    checked like any determination — that goes to 客服部主管 for approval (变更待审批); until
    approved the earlier determination counts and nothing else follows (approve)."""
    _ensure_csd(actor, EDIT)
    now = now or clock_now()
    found = _for_action(session, actor, determination_id, version)
    text = _text(answer)
    if text is None:
        raise InvalidRecordError(_l("Please write the answer to the objection."))
    action = DeterminationAction.CHANGE if change else DeterminationAction.UPHOLD
    next_determination_status(DeterminationStatus(found.status), action)  # refused first
    if change:
        if form is None:
            raise InvalidRecordError(_BAD_VALUE)
        parsed = _parse(session, form)
        proposal = _proposal(parsed)
        if proposal == _without_status(snapshot(found)):
            raise InvalidRecordError(
                _l("The changed determination is the same as before: uphold it instead.")
            )
        problems = validate_determination(parsed.draft)
        problems += evidence_errors(files.count(session, found.id))
        if problems:
            raise IncompleteDeterminationError(problems)
        before, _ = _move(found, action)
        _event(found, action, actor, now, before=before, note=text, snap=proposal)
        session.flush()
        notify.change_submitted(session, found)
        return found
    before, _ = _move(found, action)
    objection = next((o for o in reversed(objections_of(session, found.id)) if not o.outcome), None)
    if objection is not None:
        objection.outcome = action.value
        objection.answer, objection.answered_by_id, objection.answered_at = text, actor.user_id, now
    _event(found, action, actor, now, before=before, note=text)
    session.flush()
    notify.answered(session, found, snapshot(found), False, text)
    return found


# -- The violation register follows (Art.41) ----------------------------------------------------


def _counted(state: dict | None) -> tuple[int, str] | None:
    """(unit, grade) of a determination that makes an entry, else None."""
    if state is None or state.get("determination") != Determination.VALID:
        return None
    if state.get("branch_id") is None or state.get("grade") is None:
        return None
    return state["branch_id"], state["grade"]


def _entry_key(determination_id: int, changes: int) -> str:
    """The register's key of the determination as approved (0) or after its n-th change."""
    if changes == 0:
        return str(determination_id)
    return (
        f"{determination_id}:changed" if changes == 1 else f"{determination_id}:changed:{changes}"
    )


def _follow_register(
    session: Session,
    found: ComplaintDetermination,
    previous: dict | None,
    actor: Actor,
    now: datetime,
    *,
    changes: int,
) -> None:
    """Approval: a valid complaint's entry (confirmed: the approval is what counts). An approved
    change (the ``changes``-th): the earlier entries are withdrawn when the complaint no longer
    counts for that unit and grade, and the changed one makes its own entry."""
    old, new = _counted(previous), _counted(snapshot(found))
    if previous is not None and old == new:
        return
    if old is not None:
        for earlier in range(changes):  # whichever earlier entry still stands (idempotent)
            violations.withdraw_complaint_entry(
                session,
                determination_key=_entry_key(found.id, earlier),
                reason=str(
                    _l("The complaint determination was changed after the unit's objection.")
                ),
                decided_by_id=actor.user_id,
                now=now,
            )
    if new is not None:
        violations.record_complaint_entry(
            session,
            branch_id=new[0],
            case_id=found.case_id,
            grade=new[1],
            occurred_on=found.case.received_at.date(),
            determination_key=_entry_key(found.id, changes),
            decided_by_id=actor.user_id,
            now=now,
            evidence=found.findings,
            note=str(
                _l("Complaint determination of case %(number)s", number=found.case.number)
                if previous is None
                else _l(
                    "Complaint determination of case %(number)s, changed after the objection",
                    number=found.case.number,
                )
            ),
        )
