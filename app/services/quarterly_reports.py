"""季度分析报告 (Art.39): one function per state change — generate (an ended quarter's figures,
frozen), edit the analysis and measures, submit to the committee, 批示, distribute (each unit with
valid complaints in the quarter owes its handling opinion within 5 working days), a unit's
answer (late answers accepted and flagged) — and the sweep's flag of answers still missing past
their deadline, once each however many instances sweep. Rules: app.domain.quarterly_reports.

Who reads what: CSD every report; leaders and the committee the submitted and distributed ones;
a unit the distributed ones (the company-wide figures and the 批示) and only its own answers."""

from __future__ import annotations

import json
from datetime import datetime

from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain import quarterly_reports as qr
from app.domain.clock import format_datetime
from app.domain.clock import now as clock_now
from app.domain.i18n import _l
from app.domain.quarterly_reports import ReportAction, ReportError, ReportStatus
from app.domain.roles import COMMITTEE, CSD_ROLE_NAMES, HEAD, LEADER, LIAISON
from app.models import Branch, QuarterlyReport, QuarterlyReportEvent, ReportAnswer, SuqiuUser
from app.services import quarterly_report_figures as figures
from app.services.actor import Actor
from app.services.calendar import load_calendar
from app.services.errors import ConflictError, OutOfScopeError, PermissionDeniedError
from app.services.notifications import send
from app.services.uow import transaction

READ, EDIT = "read.quarterly_reports", "edit.quarterly_reports"
COMMENT, ANSWER = "comment.quarterly_reports", "answer.quarterly_reports"
STALE_REPORT = _l(
    "Someone else changed this report a moment ago; your action was not saved. The page now "
    "shows the current state."
)
DENIED = _l("Your role may not do this.")
FORM_INCOMPLETE = _l("The form is incomplete; please reload the page.")
SUBMISSION_KEY_LENGTH = 64  # the submission_key columns


def report_link(report_id: int) -> str:
    return f"/quarterly-reports/show/{report_id}"


def _duplicate(exc) -> ReportError:
    return ReportError(_l("A report for this quarter already exists."))


class DuplicateSubmissionError(ReportError):
    """A form with a one-time key was submitted twice at the same moment."""


def _duplicate_submission(exc) -> ReportError:
    return DuplicateSubmissionError(_l("This form was already submitted."))


def form_key(submission_key: str | None) -> str:
    """A form's one-time key (a hidden field): without one the form is refused, saving nothing."""
    key = (submission_key or "").strip()
    if not key or len(key) > SUBMISSION_KEY_LENGTH:
        raise ReportError(FORM_INCOMPLETE)
    return key


def once(find, make):
    """What a form with a one-time key records, once: ``find()`` the row its key already made
    (a double click, a resent page) else ``make()`` it; of two submissions racing, the loser's
    unique-key violation (DuplicateSubmissionError) gives the winner's row — never a second row
    nor a second notice."""
    existing = find()
    if existing is not None:
        return existing
    try:
        return make()
    except DuplicateSubmissionError:
        existing = find()
        if existing is None:
            raise
        return existing


# -- Reading ----------------------------------------------------------------------------------


def readable_statuses(actor: Actor) -> tuple[ReportStatus, ...]:
    """CSD every report; leaders and the committee once submitted; a unit once distributed."""
    if actor.may(EDIT) or actor.is_admin:
        return tuple(ReportStatus)
    if actor.scope.all_branches:
        return (ReportStatus.SUBMITTED, ReportStatus.DISTRIBUTED)
    return (ReportStatus.DISTRIBUTED,)


def load_report(session: Session, actor: Actor, report_id: int) -> QuarterlyReport:
    if not actor.may(READ):
        raise PermissionDeniedError(DENIED)
    report = session.scalar(
        select(QuarterlyReport).where(
            QuarterlyReport.id == report_id,
            QuarterlyReport.status.in_([s.value for s in readable_statuses(actor)]),
        )
    )
    if report is None:
        raise OutOfScopeError(_l("The report does not exist or you may not see it."))
    return report


def _checked(session, actor, report_id, capability, action, version=None) -> QuarterlyReport:
    report = load_report(session, actor, report_id)
    if not actor.may(capability):
        raise PermissionDeniedError(DENIED)
    if version is not None and version != report.version:
        raise ConflictError(STALE_REPORT)
    report.status = qr.transition(report.status, action).value
    return report


def _event(session, report, kind: str, actor: Actor | None, now, text: str | None = None):
    session.add(
        QuarterlyReportEvent(
            report_id=report.id,
            kind=kind,
            text=text,
            author_id=actor.user_id if actor else None,
            at=now,
        )
    )


# -- State changes ----------------------------------------------------------------------------


@transaction(_duplicate)
def generate_report(
    session: Session, actor: Actor, quarter_text: str | None, *, now: datetime | None = None
) -> QuarterlyReport:
    """Art.39: the report of a quarter that has ended, its figures frozen now."""
    if not actor.may(EDIT):
        raise PermissionDeniedError(DENIED)
    now = now or clock_now()
    quarter = qr.parse_quarter(quarter_text)
    qr.ensure_ended(quarter, now)
    exists = select(QuarterlyReport.id).where(
        QuarterlyReport.year == quarter.year, QuarterlyReport.quarter == quarter.number
    )
    if session.scalar(exists) is not None:
        raise _duplicate(None)
    report = QuarterlyReport(
        year=quarter.year,
        quarter=quarter.number,
        status=ReportStatus.DRAFT.value,
        snapshot=figures.dumps(figures.snapshot(session, quarter, now)),
        generated_at=now,
        generated_by_id=actor.user_id,
    )
    session.add(report)
    session.flush()
    _event(session, report, "generated", actor, now)
    return report


@transaction(conflict_message=STALE_REPORT)
def edit_report(
    session: Session,
    actor: Actor,
    report_id: int,
    *,
    analysis: str | None,
    measures: str | None,
    version: int | None,
    now: datetime | None = None,
) -> QuarterlyReport:
    """CSD's analysis and improvement measures, while the report is a draft."""
    report = _checked(session, actor, report_id, EDIT, ReportAction.EDIT, version)
    analysis, measures = (analysis or "").strip(), (measures or "").strip()
    if len(analysis) > qr.MAX_TEXT or len(measures) > qr.MAX_TEXT:
        raise ReportError(_l("The text is too long (at most 20000 characters)."))
    report.analysis, report.measures = analysis or None, measures or None
    _event(session, report, "edited", actor, now or clock_now())
    return report


@transaction(conflict_message=STALE_REPORT)
def submit_report(
    session: Session, actor: Actor, report_id: int, *, version: int | None, now=None
) -> QuarterlyReport:
    """Art.39: to the committee, with the analysis and the measures; the leaders and the
    committee hear of it."""
    now = now or clock_now()
    report = _checked(session, actor, report_id, EDIT, ReportAction.SUBMIT, version)
    qr.check_submittable(report.analysis, report.measures)
    report.submitted_at = now
    _event(session, report, "submitted", actor, now)
    _notify(session, _users(session, {COMMITTEE.name, LEADER.name}), report,
            _l("quarterly report submitted for your instructions (Art.39)"))  # fmt: skip
    return report


def comment_report(
    session: Session,
    actor: Actor,
    report_id: int,
    text: str | None,
    *,
    submission_key: str | None,
    now=None,
) -> QuarterlyReportEvent:
    """批示 of a leader or the committee on a submitted or distributed report; CSD hears of it,
    and the units too once the report is theirs. The form submitted twice (its one-time key)
    gives the first 批示: no second one, no second notice."""
    key = form_key(submission_key)

    def find():
        return session.scalar(
            select(QuarterlyReportEvent).where(
                QuarterlyReportEvent.submission_key == key,
                QuarterlyReportEvent.report_id == report_id,
                QuarterlyReportEvent.author_id == actor.user_id,
            )
        )

    return once(find, lambda: _comment(session, actor, report_id, text, key, now or clock_now()))


@transaction(_duplicate_submission, conflict_message=STALE_REPORT)
def _comment(session, actor, report_id, text, key: str, now) -> QuarterlyReportEvent:
    report = _checked(session, actor, report_id, COMMENT, ReportAction.COMMENT)
    body = qr.clean_text(text, _l("Please write the instruction."))
    entry = QuarterlyReportEvent(
        report_id=report.id,
        kind="comment",
        text=body,
        author_id=actor.user_id,
        at=now,
        submission_key=key,
    )
    session.add(entry)
    session.flush()
    recipients = _users(session, set(CSD_ROLE_NAMES))
    if report.status == ReportStatus.DISTRIBUTED:
        recipients |= _users(session, {LIAISON.name, HEAD.name})
    recipients.discard(actor.user_id)
    _notify(session, recipients, report, _l("new instruction on the quarterly report"), body)
    return entry


@transaction(conflict_message=STALE_REPORT)
def distribute_report(
    session: Session, actor: Actor, report_id: int, *, version: int | None, now=None
) -> list[ReportAnswer]:
    """Art.39: to the units; each unit with valid complaints in the quarter owes its handling
    opinion by 23:59:59 of the 5th working day after now (provisional in a year not loaded)."""
    now = now or clock_now()
    report = _checked(session, actor, report_id, EDIT, ReportAction.DISTRIBUTE, version)
    report.distributed_at = now
    due = qr.answer_due(now, load_calendar(session))
    answers = []
    for unit_id, count in figures.answering_units(json.loads(report.snapshot)).items():
        answer = ReportAnswer(
            report_id=report.id,
            branch_id=unit_id,
            valid_complaints=count,
            due=due.due,
            due_provisional=due.provisional,
            late=False,
        )
        session.add(answer)
        answers.append(answer)
    _event(session, report, "distributed", actor, now)
    told: set[int] = set()
    for answer in answers:
        people = _unit_people(session, answer.branch_id)
        _notify(
            session,
            people,
            report,
            _l("quarterly report distributed: your unit's handling opinion is due by %(due)s "
               "(Art.39)", due=format_datetime(due.due)),
        )  # fmt: skip
        told |= people
    others = _users(session, {LIAISON.name, HEAD.name}) - told
    _notify(session, others, report, _l("quarterly report distributed to the units (Art.39)"))
    return answers


@transaction(conflict_message=STALE_REPORT)
def answer_report(
    session: Session,
    actor: Actor,
    report_id: int,
    branch_id: int | None,
    opinion: str | None,
    *,
    now: datetime | None = None,
) -> ReportAnswer:
    """Art.39: a unit's handling opinion, once, for its own unit; after the deadline it is
    accepted and flagged late (CSD hears of it)."""
    now = now or clock_now()
    if not actor.may(ANSWER):
        raise PermissionDeniedError(DENIED)
    report = load_report(session, actor, report_id)
    if branch_id is None:
        branch_id = actor.user.branch_id if actor.user is not None else None
    if not actor.scope.covers_branch(session, branch_id):
        raise OutOfScopeError(_l("You may only answer for your own unit."))
    answer = session.scalar(
        select(ReportAnswer).where(
            ReportAnswer.report_id == report.id, ReportAnswer.branch_id == branch_id
        )
    )
    text = qr.check_answer(
        status=report.status,
        has_obligation=answer is not None,
        answered=answer is not None and answer.answered_at is not None,
        opinion=opinion,
    )
    assert answer is not None
    late = now > answer.due
    # Of two answers sent at once, one is saved: the UPDATE re-checks that none is there yet.
    saved = session.execute(
        update(ReportAnswer)
        .where(ReportAnswer.id == answer.id, ReportAnswer.answered_at.is_(None))
        .values(opinion=text, answered_at=now, answered_by_id=actor.user_id, late=late)
        .returning(ReportAnswer.id)
        .execution_options(synchronize_session=False)
    ).first()
    if saved is None:
        raise ReportError(
            _l("Your unit has already submitted its handling opinion on this report.")
        )
    session.refresh(answer)
    name = answer.branch.name
    _event(session, report, "answered_late" if late else "answered", actor, now, name)
    title = (
        _l("%(unit)s answered the quarterly report late (Art.39)", unit=name)
        if late
        else _l("%(unit)s answered the quarterly report", unit=name)
    )
    _notify(session, _users(session, set(CSD_ROLE_NAMES)), report, title, text)
    return answer


@transaction()
def flag_missing_answers(session: Session, now: datetime | None = None) -> int:
    """Art.39: the handling opinions still missing past their deadline are flagged, and the unit
    and CSD told, once each: the UPDATE re-checks the flag, so concurrent sweeps cannot both."""
    now = now or clock_now()
    rows = session.execute(
        update(ReportAnswer)
        .where(
            ReportAnswer.answered_at.is_(None),
            ReportAnswer.flagged_at.is_(None),
            ReportAnswer.due < now,
        )
        .values(flagged_at=now)
        .returning(ReportAnswer.report_id, ReportAnswer.branch_id)
        .execution_options(synchronize_session=False)
    ).all()
    if not rows:
        return 0
    csd = _users(session, set(CSD_ROLE_NAMES))
    for report_id, branch_id in rows:
        report = session.get(QuarterlyReport, report_id)
        unit = session.get(Branch, branch_id)
        if report is None:
            continue
        title = _l("%(unit)s has not answered the quarterly report in time (Art.39)",
                   unit=unit.name if unit else "")  # fmt: skip
        _notify(session, csd | _unit_people(session, branch_id), report, title)
    return len(rows)


# -- Who hears of it --------------------------------------------------------------------------


def _users(session: Session, role_names: set[str]) -> set[int]:
    query = select(SuqiuUser.id).where(
        SuqiuUser.active.is_(True), SuqiuUser.roles.any(Role.name.in_(role_names))
    )
    return set(session.scalars(query))


def _unit_people(session: Session, unit_id: int) -> set[int]:
    """The 联络员 and 责任人 of the unit and of the units above it (a station's answer or measure
    is its parent's business too, and a station may have no liaison of its own)."""
    unit = session.get(Branch, unit_id)
    ids = [int(part) for part in unit.path.strip("/").split("/") if part] if unit else []
    query = select(SuqiuUser.id).where(
        SuqiuUser.active.is_(True),
        SuqiuUser.branch_id.in_(ids or [unit_id]),
        SuqiuUser.roles.any(Role.name.in_({LIAISON.name, HEAD.name})),
    )
    return set(session.scalars(query))


def _notify(session, recipients, report: QuarterlyReport, title, body: str | None = None):
    send(
        session,
        sorted(recipients),
        category="quarterly_report",
        title=f"{report.token} {title}",
        body=(body or "")[:500] or None,
        link=report_link(report.id),
    )
