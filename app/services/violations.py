"""The violation register (违规记录, Art.41; design §3): the system proposes the breaches it
detects, CSD confirms or waives each with its reason and records the others by hand, approved
complaint determinations add theirs. One transaction per use case, each writing one history
event; the rules are app.domain.violations'."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.domain.clock import now as clock_now
from app.domain.complaints import Grade
from app.domain.i18n import _l
from app.domain.violations import (
    DEDUCTIONS,
    EntryAction,
    EntryStatus,
    ProposedBreach,
    check_occurred_on,
    complaint_cause,
    complaint_dedupe_key,
    decide_entry,
    deduction_for,
    detect_art26_unreachable_contacts,
    detect_art27_unaccepted_return,
    detect_art30_overdue,
    detect_art35_missing_callback,
    detect_art36_rehandle_not_done,
    manual_cause,
)
from app.models import (
    Assessment,
    AssessmentDeduction,
    Branch,
    Case,
    ViolationEntry,
    ViolationEntryEvent,
)
from app.services import assessment_late as late
from app.services import violation_snapshots as snapshots
from app.services.actor import Actor
from app.services.errors import (
    ConflictError,
    InvalidRecordError,
    OutOfScopeError,
    PermissionDeniedError,
)
from app.services.uow import transaction

READ = "read.violations"
DECIDE = "edit.violations"
# How far back a run looks (app.services.violation_snapshots): generous against missed runs.
DETECTION_WINDOW = timedelta(days=31)
INSERT_CHUNK = 200
# The Art.41 table an entry takes its deduction from, by the day the breach occurred; a revision
# of the regulation (Art.43) is a rule with a later effective date in app.domain.violations.
DEDUCTION_TABLE = DEDUCTIONS
STALE_ENTRY = _l(
    "Someone else decided this violation a moment ago; your decision was not saved. The page "
    "now shows the current state."
)


# -- Detection -------------------------------------------------------------------------------


@transaction()
def detect_violations(
    session: Session, now: datetime | None = None, *, window: timedelta = DETECTION_WINDOW
) -> int:
    """Propose every breach the system can detect (Art.26, 27, 30, 35, 36; not Art.25, see
    app.services.violation_snapshots) exactly once, even when several instances run at the same
    moment; returns how many were newly proposed."""
    now = now or clock_now()
    since = now - window
    found: list[ProposedBreach | None] = []
    found += (detect_art30_overdue(c, now) for c in snapshots.timeliness(session, now, since))
    found += (detect_art35_missing_callback(c) for c in snapshots.callbacks(session, since))
    found += (detect_art36_rehandle_not_done(c) for c in snapshots.rehandles(session, since))
    found += (detect_art27_unaccepted_return(r) for r in snapshots.returns(session, since))
    for unit in snapshots.unit_contacts(session):
        found += detect_art26_unreachable_contacts(unit, now.date())
    return len(_propose(session, (b for b in found if b is not None), now))


def _propose(session: Session, breaches: Iterable[ProposedBreach], now: datetime) -> list[int]:
    """Insert the breaches as proposed entries, skipping keys already present (INSERT … ON
    CONFLICT DO NOTHING: a concurrent run's rows included, committed or not), and write the
    history of those inserted. Sorted by key, so two runs lock the same rows in the same order."""
    unique = {b.dedupe_key: b for b in breaches}
    rows = [
        _row(breach, EntryStatus.PROPOSED, now, proposed_by_id=None)
        for _, breach in sorted(unique.items())
    ]
    inserted: list[tuple[int, int]] = []
    for start in range(0, len(rows), INSERT_CHUNK):
        inserted += _insert_new(session, rows[start : start + INSERT_CHUNK])
    _history(session, inserted, EntryAction.PROPOSED, None, now, None)
    return [entry_id for entry_id, _ in inserted]


def _row(breach: ProposedBreach, status: EntryStatus, now: datetime, **extra) -> dict:
    return {
        "cause": breach.cause.value,
        "branch_id": breach.branch_id,
        "case_id": breach.case_id,
        "status": status.value,
        "deduction_bp": deduction_for(breach.cause, breach.occurred_on, DEDUCTION_TABLE),
        "occurred_on": breach.occurred_on,
        "dedupe_key": breach.dedupe_key,
        "created_at": now,
        "version": 1,
        **extra,
    }


def _insert_new(session: Session, rows: list[dict]) -> list[tuple[int, int]]:
    """(id, branch) of the rows actually inserted; the others' keys were taken."""
    if not rows:
        return []
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(ViolationEntry)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(ViolationEntry.id, ViolationEntry.branch_id)
    )
    return [(entry_id, branch_id) for entry_id, branch_id in session.execute(statement)]


def _history(
    session: Session,
    entries: list[tuple[int, int]],
    action: EntryAction,
    actor_id: int | None,
    at: datetime,
    note: str | None,
) -> None:
    if entries:
        session.execute(
            ViolationEntryEvent.__table__.insert(),
            [
                {
                    "entry_id": entry_id,
                    "branch_id": branch_id,
                    "action": action.value,
                    "actor_id": actor_id,
                    "at": at,
                    "note": note,
                }
                for entry_id, branch_id in entries
            ],
        )


def _event(entry: ViolationEntry, action: EntryAction, actor: Actor, at: datetime, note=None):
    return ViolationEntryEvent(
        entry=entry,
        branch_id=entry.branch_id,
        action=action.value,
        actor_id=actor.user_id,
        at=at,
        note=note,
    )


# -- The annual assessment's lock (Art.41) ---------------------------------------------------

FINALISED = "finalised"  # app.domain.assessments.AssessmentStatus.FINALISED (no import cycle)


def ensure_not_finalised(session: Session, entry: ViolationEntry) -> None:
    """An entry a finalised annual assessment counted is frozen: no decision, waiver or
    withdrawal changes it until the committee reopens that assessment. Every change of an entry
    passes here."""
    query = (
        select(Assessment.year)
        .join(AssessmentDeduction, AssessmentDeduction.assessment_id == Assessment.id)
        .where(AssessmentDeduction.entry_id == entry.id, Assessment.status == FINALISED)
        .limit(1)
    )
    year = session.scalar(query)
    if year is not None:
        raise InvalidRecordError(
            _l(
                "The finalised annual assessment of %(year)d counts this deduction; it cannot be "
                "changed unless the committee reopens that assessment."
            ),
            year=year,
        )


# -- CSD's decisions and manual entries ------------------------------------------------------


def _ensure_csd(actor: Actor) -> None:
    """Art.10: the customer-service department rates the units, no unit itself."""
    if not actor.may(DECIDE):
        raise PermissionDeniedError(_l("Your role may not do this."))
    if not actor.scope.all_branches:
        raise PermissionDeniedError(
            _l("Violations are confirmed, waived and recorded by the customer-service department.")
        )


def visible_entry(session: Session, actor: Actor, entry_id: int) -> ViolationEntry:
    """The entry if the actor may read the register and the entry's unit is in their scope."""
    if not actor.may(READ):
        raise PermissionDeniedError(_l("Your role may not do this."))
    query = select(ViolationEntry).where(ViolationEntry.id == entry_id)
    entry = session.scalar(actor.scope.apply(query, ViolationEntry))
    if entry is None:
        raise OutOfScopeError(_l("The violation does not exist or you may not see it."))
    return entry


def _decide(
    session: Session,
    actor: Actor,
    entry_id: int,
    *,
    confirm: bool,
    version: int | None,
    reason: str | None,
    now: datetime | None,
) -> ViolationEntry:
    _ensure_csd(actor)
    now = now or clock_now()
    entry = visible_entry(session, actor, entry_id)
    if version is not None and version != entry.version:
        raise ConflictError(STALE_ENTRY)
    ensure_not_finalised(session, entry)
    reason = (reason or "").strip() or None
    entry.status = decide_entry(EntryStatus(entry.status), confirm, reason)
    entry.reason, entry.decided_by_id, entry.decided_at = reason, actor.user_id, now
    action = EntryAction.CONFIRMED if confirm else EntryAction.WAIVED
    session.add(_event(entry, action, actor, now, reason))
    if confirm:
        late.notify_if_after_finalisation(session, entry)
    return entry


@transaction(conflict_message=STALE_ENTRY)
def confirm_entry(
    session: Session,
    actor: Actor,
    entry_id: int,
    *,
    version: int | None,
    reason: str | None = None,
    now: datetime | None = None,
) -> ViolationEntry:
    """Design §3: CSD confirms a proposed entry (the reason is optional); it then counts."""
    return _decide(session, actor, entry_id, confirm=True, version=version, reason=reason, now=now)


@transaction(conflict_message=STALE_ENTRY)
def waive_entry(
    session: Session,
    actor: Actor,
    entry_id: int,
    *,
    version: int | None,
    reason: str | None,
    now: datetime | None = None,
) -> ViolationEntry:
    """Design §3: CSD waives a proposed entry with its reason; it is kept and counts nothing."""
    return _decide(session, actor, entry_id, confirm=False, version=version, reason=reason, now=now)


@transaction()
def record_entry(
    session: Session,
    actor: Actor,
    *,
    cause: str | None,
    branch_id: int | None,
    occurred_on: date | None,
    evidence: str | None,
    case_number: str | None = None,
    now: datetime | None = None,
) -> ViolationEntry:
    """CSD enters a breach by hand (Art.25–38 but the complaints, obstruction): proposed, with
    the deduction the table gives on ``occurred_on``, then confirmed or waived like any other."""
    _ensure_csd(actor)
    now = now or clock_now()
    breach = manual_cause(cause)
    day = check_occurred_on(occurred_on, now.date())
    branch = session.get(Branch, branch_id) if branch_id else None
    if branch is None:
        raise InvalidRecordError(_l("Please choose the unit that committed the violation."))
    actor.scope.ensure_branch(session, branch.id)
    text = (evidence or "").strip()
    if not text:
        raise InvalidRecordError(_l("Please describe the evidence of the violation."))
    case_id = None
    number = (case_number or "").strip().upper()
    if number:
        query = actor.scope.apply(select(Case.id).where(Case.number == number), Case)
        case_id = session.scalar(query)
        if case_id is None:
            raise InvalidRecordError(_l("There is no case numbered %(number)s."), number=number)
    entry = ViolationEntry(
        cause=breach.value,
        branch_id=branch.id,
        case_id=case_id,
        status=EntryStatus.PROPOSED.value,
        deduction_bp=deduction_for(breach, day, DEDUCTION_TABLE),
        occurred_on=day,
        evidence=text,
        proposed_by_id=actor.user_id,
        created_at=now,
    )
    session.add(entry)
    session.add(_event(entry, EntryAction.RECORDED, actor, now))
    return entry


@transaction()
def record_complaint_entry(
    session: Session,
    *,
    branch_id: int,
    case_id: int | None,
    grade: Grade | str,
    occurred_on: date,
    determination_key: str,
    decided_by_id: int | None = None,
    now: datetime | None = None,
    evidence: str | None = None,
    note: str | None = None,
) -> ViolationEntry:
    """Art.32/41: the entry of an approved valid complaint, called by the determination service
    on approval (which checks its own actor): confirmed at once — the approval is what counts —
    and made once per determination, however often it is reported (its dedupe key). Returns
    the entry, new or already there. ``occurred_on``: the day the complaint's case was received;
    ``evidence``: the determination's findings; ``note``: the history's (else the key)."""
    now = now or clock_now()
    cause = complaint_cause(grade)
    key = complaint_dedupe_key(determination_key)
    if session.get(Branch, branch_id) is None:
        raise InvalidRecordError(_l("Please choose the unit that committed the violation."))
    if case_id is not None and session.get(Case, case_id) is None:
        raise InvalidRecordError(_l("The case does not exist or you may not see it."))
    breach = ProposedBreach(cause, branch_id, case_id, key, occurred_on)
    row = _row(
        breach,
        EntryStatus.CONFIRMED,
        now,
        decided_by_id=decided_by_id,
        decided_at=now,
        evidence=evidence,
    )
    inserted = _insert_new(session, [row])
    note = note or determination_key
    _history(session, inserted, EntryAction.FROM_COMPLAINT, decided_by_id, now, note)
    entry = session.scalar(select(ViolationEntry).where(ViolationEntry.dedupe_key == key))
    assert entry is not None
    if inserted:  # made now, not by another instance or an earlier report
        late.notify_if_after_finalisation(session, entry)
    return entry


@transaction()
def withdraw_complaint_entry(
    session: Session,
    *,
    determination_key: str,
    reason: str,
    decided_by_id: int | None = None,
    now: datetime | None = None,
) -> ViolationEntry | None:
    """Art.32/41: the determination service, answering a unit's objection, changed the
    complaint so that this entry no longer stands (no longer valid, another grade or another
    unit): the entry is waived with the reason — kept, counting nothing — and the changed
    determination makes its own entry (record_complaint_entry with another key). None when the
    determination made no entry."""
    now = now or clock_now()
    key = complaint_dedupe_key(determination_key)
    entry = session.scalar(select(ViolationEntry).where(ViolationEntry.dedupe_key == key))
    if entry is None or entry.status == EntryStatus.WAIVED:
        return entry
    ensure_not_finalised(session, entry)
    entry.status = EntryStatus.WAIVED.value
    entry.reason, entry.decided_by_id, entry.decided_at = reason, decided_by_id, now
    session.add(
        ViolationEntryEvent(
            entry=entry,
            branch_id=entry.branch_id,
            action=EntryAction.WAIVED.value,
            actor_id=decided_by_id,
            at=now,
            note=reason,
        )
    )
    return entry


@transaction(conflict_message=STALE_ENTRY)
def waive_after_objection(
    session: Session,
    actor: Actor,
    entry_id: int,
    *,
    reason: str,
    now: datetime | None = None,
) -> ViolationEntry:
    """Art.41: CSD accepted a unit's objection to this entry in the annual assessment: the
    entry, confirmed or proposed, is waived with CSD's answer as the reason (kept, counting
    nothing), its history saying so. Refused once a finalised assessment counted it."""
    _ensure_csd(actor)
    now = now or clock_now()
    entry = visible_entry(session, actor, entry_id)
    if entry.status == EntryStatus.WAIVED:
        raise InvalidRecordError(_l("This violation has already been waived."))
    ensure_not_finalised(session, entry)
    note = (reason or "").strip()
    if not note:
        raise InvalidRecordError(_l("Please give the reason for waiving the violation."))
    entry.status = EntryStatus.WAIVED.value
    entry.reason, entry.decided_by_id, entry.decided_at = note, actor.user_id, now
    session.add(
        _event(
            entry,
            EntryAction.WAIVED,
            actor,
            now,
            str(_l("Objection to the annual assessment accepted: %(answer)s", answer=note)),
        )
    )
    return entry
