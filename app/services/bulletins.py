"""Branch bulletins (Art.37/38): a unit submits its business-change or emergency notice, CSD
publishes it to the registration screen or sends it back, the unit corrects and resubmits; CSD
still publishes its own bulletins directly; a notice that came after cases about it arrived can
be recorded once as an Art.37/38 breach in the violation register. One transaction per use
case, each writing one history event; the rules are app.domain.bulletins'."""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.bulletins import (
    BulletinAction,
    BulletinStatus,
    Notice,
    NoticeDraft,
    breach_cause,
    check_breach,
    check_notice,
    check_send_back_reason,
    check_unit_notified_at,
    lateness_window,
    next_status,
)
from app.domain.clock import format_datetime
from app.domain.clock import now as clock_now
from app.domain.i18n import _l
from app.domain.lifecycle import CaseStatus
from app.domain.roles import CSD_ROLE_NAMES, HEAD, LIAISON
from app.domain.violations import CAUSE_LABELS
from app.models import Branch, Bulletin, BulletinEvent, BusinessCategory, Case, SuqiuUser
from app.services import violations
from app.services.actor import Actor
from app.services.errors import (
    ConflictError,
    InvalidRecordError,
    OutOfScopeError,
    PermissionDeniedError,
)
from app.services.notifications import send
from app.services.uow import transaction

SUBMIT = "submit.bulletins"
REVIEW = "edit.bulletins"
EARLY_CASES_SHOWN = 50
NOTIFICATION_TITLE_MAX = 200
STALE_BULLETIN = _l(
    "Someone else acted on this notice a moment ago; your action was not saved. The page now "
    "shows the current state."
)
FORM_INCOMPLETE = _l("The form is incomplete; please reload the page.")


def bulletin_link(bulletin_id: int) -> str:
    """The bulletin's page: CSD and the unit's own people may open it."""
    return f"/bulletinview/show/{bulletin_id}"


# -- Who may act -----------------------------------------------------------------------------


def _ensure_submitter(actor: Actor) -> None:
    if not actor.may(SUBMIT):
        raise PermissionDeniedError(_l("Your role may not do this."))


def _ensure_csd(actor: Actor) -> None:
    """Art.10: the customer-service department reviews and publishes, no unit itself."""
    if not actor.may(REVIEW) or not actor.scope.all_branches:
        raise PermissionDeniedError(
            _l("Notices are reviewed and published by the customer-service department.")
        )


def visible_bulletin(session: Session, actor: Actor, bulletin_id: int) -> Bulletin:
    """The bulletin if the actor may read bulletins and its unit is in their scope."""
    if not (actor.may(SUBMIT) or actor.may(REVIEW)):
        raise PermissionDeniedError(_l("Your role may not do this."))
    query = select(Bulletin).where(Bulletin.id == bulletin_id)
    bulletin = session.scalar(actor.scope.apply(query, Bulletin))
    if bulletin is None:
        raise OutOfScopeError(_l("The notice does not exist or you may not see it."))
    return bulletin


def _check_version(bulletin: Bulletin, version: int | None) -> None:
    """Every change after creation says which version of the notice its form showed: a form
    without it is refused (it could silently undo someone else's change), as is a stale one."""
    if version is None:
        raise InvalidRecordError(FORM_INCOMPLETE)
    if version != bulletin.version:
        raise ConflictError(STALE_BULLETIN)


def _own_unit(session: Session, actor: Actor, branch_id: int | None) -> Branch:
    """Art.37/38: a unit notifies about itself (and its sub-units), never for another unit."""
    branch = session.get(Branch, branch_id) if branch_id else None
    if branch is None:
        raise InvalidRecordError(_l("Please choose the unit the notice is about."))
    if not actor.scope.covers_branch(session, branch.id):
        raise OutOfScopeError(_l("A unit may submit notices only for itself and its sub-units."))
    return branch


def _category(session: Session, category_id: int | None) -> BusinessCategory | None:
    if not category_id:
        return None
    category = session.get(BusinessCategory, category_id)
    if category is None:
        raise InvalidRecordError(_l("Please choose a business category from the list."))
    return category


# -- History and notifications ---------------------------------------------------------------


def _event(bulletin: Bulletin, action: BulletinAction, actor: Actor, at: datetime, note=None):
    return BulletinEvent(
        bulletin=bulletin,
        branch_id=bulletin.branch_id,
        action=action.value,
        actor_id=actor.user_id,
        at=at,
        note=note,
    )


def _users(session: Session, roles, branch_id: int | None = None) -> set[int]:
    query = select(SuqiuUser.id).where(
        SuqiuUser.active.is_(True), SuqiuUser.roles.any(Role.name.in_(roles))
    )
    if branch_id is not None:
        query = query.where(SuqiuUser.branch_id == branch_id)
    return set(session.scalars(query))


def _headline(bulletin: Bulletin, what: str) -> str:
    """A notification's title (200 characters at most): the notice's subject, shortened if
    need be, and what happened to it."""
    room = NOTIFICATION_TITLE_MAX - len(what) - 1
    subject = bulletin.title if len(bulletin.title) <= room else bulletin.title[: room - 1] + "…"
    return f"{subject}：{what}"


def _tell_csd(session: Session, bulletin: Bulletin, title) -> None:
    send(
        session,
        sorted(_users(session, CSD_ROLE_NAMES)),
        category="bulletin_submitted",
        title=_headline(bulletin, title),
        link=bulletin_link(bulletin.id),
    )


def _tell_unit(session: Session, bulletin: Bulletin, category: str, title, body=None) -> None:
    recipients = _users(session, {LIAISON.name, HEAD.name}, bulletin.branch_id)
    if bulletin.submitted_by_id is not None:
        recipients.add(bulletin.submitted_by_id)
    send(
        session,
        sorted(recipients),
        category=category,
        title=_headline(bulletin, title),
        body=body,
        link=bulletin_link(bulletin.id),
    )


def _fill(bulletin: Bulletin, notice: Notice) -> None:
    bulletin.kind = notice.kind.value
    bulletin.title = notice.title
    bulletin.talking_points = notice.talking_points
    bulletin.starts_at = notice.starts_at
    bulletin.expected_recovery_at = notice.expected_recovery_at
    bulletin.ends_at = notice.ends_at
    bulletin.area = notice.area


# -- The unit: submit, correct and resubmit --------------------------------------------------


class DuplicateSubmissionError(InvalidRecordError):
    """The submission form was sent twice."""


def submit_bulletin(
    session: Session,
    actor: Actor,
    draft: NoticeDraft,
    *,
    branch_id: int | None,
    business_category_id: int | None = None,
    submission_key: str | None = None,
    now: datetime | None = None,
) -> Bulletin:
    """Art.37/38: a unit's liaison or head notifies CSD of a business change or an emergency of
    its own unit; it awaits CSD's review (待审核) and CSD is told at once. A form sent twice — a
    double click, a resent page, two requests racing (its one-time ``submission_key``), or the
    same notice sent again from a second tab while the first awaits review — gives the notice
    of the first submission: one notice, CSD told once."""
    existing = _submitted_with_key(session, actor, submission_key)
    if existing is not None:
        return existing
    try:
        return _submit(
            session,
            actor,
            draft,
            branch_id=branch_id,
            business_category_id=business_category_id,
            submission_key=submission_key or None,
            now=now or clock_now(),
        )
    except DuplicateSubmissionError:
        existing = _submitted_with_key(session, actor, submission_key)
        if existing is None:
            raise
        return existing


def _submitted_with_key(session: Session, actor: Actor, key: str | None) -> Bulletin | None:
    if not key:
        return None
    query = select(Bulletin).where(Bulletin.submission_key == key)
    return session.scalar(actor.scope.apply(query, Bulletin))


def _pending_twin(
    session: Session, branch_id: int, category_id: int | None, notice: Notice
) -> Bulletin | None:
    """The same notice of the same unit (type, subject, start, business category), still
    awaiting review: the form sent again from another tab."""
    return session.scalar(
        select(Bulletin)
        .where(
            Bulletin.branch_id == branch_id,
            Bulletin.business_category_id.is_(None)
            if category_id is None
            else Bulletin.business_category_id == category_id,
            Bulletin.status == BulletinStatus.SUBMITTED.value,
            Bulletin.kind == notice.kind.value,
            Bulletin.title == notice.title,
            Bulletin.starts_at == notice.starts_at,
        )
        .order_by(Bulletin.id)
        .limit(1)
    )


@transaction(lambda exc: DuplicateSubmissionError(_l("This form was already submitted.")))
def _submit(
    session: Session,
    actor: Actor,
    draft: NoticeDraft,
    *,
    branch_id: int | None,
    business_category_id: int | None,
    submission_key: str | None,
    now: datetime,
) -> Bulletin:
    _ensure_submitter(actor)
    notice = check_notice(draft)
    branch = _own_unit(session, actor, branch_id)
    category = _category(session, business_category_id)
    twin = _pending_twin(session, branch.id, category.id if category else None, notice)
    if twin is not None:
        return twin
    bulletin = Bulletin(
        submission_key=submission_key,
        status=next_status(None, BulletinAction.SUBMIT).value,
        branch_id=branch.id,
        business_category_id=category.id if category else None,
        active=True,
        created_at=now,
        notified_at=now,
        submitted_by_id=actor.user_id,
        submitted_at=now,
    )
    _fill(bulletin, notice)
    session.add(bulletin)
    session.flush()
    session.add(_event(bulletin, BulletinAction.SUBMIT, actor, now))
    _tell_csd(session, bulletin, str(_l("submitted by the unit: awaiting review")))
    return bulletin


@transaction(conflict_message=STALE_BULLETIN)
def resubmit_bulletin(
    session: Session,
    actor: Actor,
    bulletin_id: int,
    draft: NoticeDraft,
    *,
    version: int | None,
    branch_id: int | None,
    business_category_id: int | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Bulletin:
    """The unit corrects a notice CSD sent back and submits it again. Its lateness is still
    judged from the first submission: that is when CSD was first notified."""
    _ensure_submitter(actor)
    now = now or clock_now()
    bulletin = visible_bulletin(session, actor, bulletin_id)
    _check_version(bulletin, version)
    status = next_status(bulletin.status, BulletinAction.RESUBMIT)
    notice = check_notice(draft)
    branch = _own_unit(session, actor, branch_id)
    category = _category(session, business_category_id)
    _fill(bulletin, notice)
    bulletin.status = status.value
    bulletin.branch_id = branch.id
    bulletin.business_category_id = category.id if category else None
    bulletin.submitted_by_id, bulletin.submitted_at = actor.user_id, now
    session.add(_event(bulletin, BulletinAction.RESUBMIT, actor, now, (note or "").strip() or None))
    _tell_csd(session, bulletin, str(_l("corrected and submitted again: awaiting review")))
    return bulletin


# -- CSD: review, publish directly, correct --------------------------------------------------


@transaction(conflict_message=STALE_BULLETIN)
def publish_bulletin(
    session: Session,
    actor: Actor,
    bulletin_id: int,
    *,
    version: int | None,
    note: str | None = None,
    now: datetime | None = None,
) -> Bulletin:
    """CSD publishes a unit's notice: from now on agents see it beside the registration form
    while it is current (Art.28); the unit is told."""
    _ensure_csd(actor)
    now = now or clock_now()
    bulletin = visible_bulletin(session, actor, bulletin_id)
    _check_version(bulletin, version)
    bulletin.status = next_status(bulletin.status, BulletinAction.PUBLISH).value
    bulletin.published_by_id, bulletin.published_at = actor.user_id, now
    note = (note or "").strip() or None
    session.add(_event(bulletin, BulletinAction.PUBLISH, actor, now, note))
    _tell_unit(
        session, bulletin, "bulletin_published", str(_l("published to the registration screen"))
    )
    return bulletin


@transaction(conflict_message=STALE_BULLETIN)
def send_back_bulletin(
    session: Session,
    actor: Actor,
    bulletin_id: int,
    *,
    version: int | None,
    reason: str | None,
    now: datetime | None = None,
) -> Bulletin:
    """CSD sends a unit's notice back with the reason; the unit corrects it and submits again."""
    _ensure_csd(actor)
    now = now or clock_now()
    bulletin = visible_bulletin(session, actor, bulletin_id)
    _check_version(bulletin, version)
    status = next_status(bulletin.status, BulletinAction.SEND_BACK)
    text = check_send_back_reason(reason)
    bulletin.status, bulletin.return_reason = status.value, text
    session.add(_event(bulletin, BulletinAction.SEND_BACK, actor, now, text))
    _tell_unit(
        session, bulletin, "bulletin_returned", str(_l("sent back: please correct it")), text
    )
    return bulletin


def _draft_of(bulletin: Bulletin) -> NoticeDraft:
    return NoticeDraft(
        kind=bulletin.kind,
        title=bulletin.title,
        talking_points=bulletin.talking_points,
        starts_at=bulletin.starts_at,
        expected_recovery_at=bulletin.expected_recovery_at,
        ends_at=bulletin.ends_at,
        area=bulletin.area,
    )


def _names_unit(bulletin: Bulletin) -> bool:
    return bulletin.branch_id is not None or bulletin.branch is not None


@transaction()
def post_bulletin(
    session: Session, actor: Actor, bulletin: Bulletin, *, now: datetime | None = None
) -> Bulletin:
    """CSD publishes a bulletin of its own (company-wide or about a unit) without a unit's
    submission, as before units submitted theirs; the same rules as a unit's notice. Its
    ``notified_at`` is the time the unit actually notified CSD if CSD records it, else None: CSD
    publishing is not the unit notifying, so without it no lateness is judged (Art.37/38/41)."""
    _ensure_csd(actor)
    now = now or clock_now()
    with session.no_autoflush:
        notice = check_notice(_draft_of(bulletin))
        notified = check_unit_notified_at(
            bulletin.notified_at, has_unit=_names_unit(bulletin), now=now
        )
    _fill(bulletin, notice)
    bulletin.status = next_status(None, BulletinAction.POST).value
    bulletin.created_at, bulletin.notified_at = now, notified
    bulletin.published_by_id, bulletin.published_at = actor.user_id, now
    if bulletin.active is None:
        bulletin.active = True
    session.add(bulletin)
    session.flush()
    session.add(_event(bulletin, BulletinAction.POST, actor, now))
    return bulletin


@transaction(conflict_message=STALE_BULLETIN)
def edit_bulletin(
    session: Session,
    actor: Actor,
    bulletin: Bulletin,
    *,
    version: int | None,
    now: datetime | None = None,
) -> Bulletin:
    """CSD corrects a notice awaiting review or a published bulletin (its wording, its end,
    whether it is shown, for its own bulletin the time the unit notified it); a notice sent back
    is the unit's to correct. ``version``: the one the edit form showed."""
    now = now or clock_now()
    with session.no_autoflush:  # the form's changes are not saved before they are checked
        _ensure_csd(actor)
        _check_version(bulletin, version)
        stored = session.execute(
            select(
                Bulletin.status,
                Bulletin.notified_at,
                Bulletin.submitted_at,
                Bulletin.violation_entry_id,
            ).where(Bulletin.id == bulletin.id)
        ).one()
        status = next_status(stored.status, BulletinAction.EDIT)
        notice = check_notice(_draft_of(bulletin))
        notified = _edited_notified_at(bulletin, stored, now)
    _fill(bulletin, notice)
    bulletin.status, bulletin.notified_at = status.value, notified
    session.add(_event(bulletin, BulletinAction.EDIT, actor, now))
    return bulletin


def _same_minute(a: datetime | None, b: datetime | None) -> bool:
    """The form shows times to the minute (or second): equal at that precision."""
    if a is None or b is None:
        return a is b
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def _edited_notified_at(bulletin: Bulletin, stored, now: datetime) -> datetime | None:
    """A unit's own notice was notified when it was first submitted: that time stays. CSD's own
    bulletin takes the unit's notification time CSD records (or none), until a late notice was
    recorded on it: the breach's evidence rests on it."""
    typed = bulletin.notified_at
    if _same_minute(typed, stored.notified_at):
        return stored.notified_at
    if stored.submitted_at is not None:
        if typed is None:  # the edit form does not show it for a unit's notice
            return stored.notified_at
        raise InvalidRecordError(
            _l(
                "The unit notified us when it first submitted this notice: that time cannot "
                "be changed."
            )
        )
    if stored.violation_entry_id is not None:
        raise InvalidRecordError(
            _l(
                "The late notice of this bulletin has been recorded as a violation: the time "
                "the unit notified us can no longer be changed."
            )
        )
    return check_unit_notified_at(typed, has_unit=_names_unit(bulletin), now=now)


# -- Late notice: the cases that arrived first, the Art.37/38 breach -------------------------


def early_cases_query(session: Session, bulletin: Bulletin):
    """The cases that show a notice came late (app.domain.bulletins.lateness_window): received
    by its unit or a sub-unit between the change beginning and CSD being notified, of its
    business category when it names one, voided ones left out. None: nothing can be late."""
    window = lateness_window(bulletin.starts_at, bulletin.notified_at)
    if window is None or bulletin.branch_id is None:
        return None
    path = session.scalar(select(Branch.path).where(Branch.id == bulletin.branch_id))
    units = select(Branch.id).where(Branch.path.startswith(path or "", autoescape=True))
    query = select(Case).where(
        Case.branch_id.in_(units),
        Case.received_at >= window[0],
        Case.received_at < window[1],
        Case.status != CaseStatus.VOIDED.value,
    )
    if bulletin.business_category_id is not None:
        query = query.where(Case.business_category_id == bulletin.business_category_id)
    return query


def early_cases(
    session: Session, actor: Actor, bulletin: Bulletin, *, limit: int = EARLY_CASES_SHOWN
) -> tuple[list[Case], int]:
    """The first ``limit`` early cases the actor may see, by receipt, and how many there are."""
    query = early_cases_query(session, bulletin)
    if query is None:
        return [], 0
    query = actor.scope.apply(query, Case)
    count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Case.received_at, Case.id).limit(limit)).all()
    return list(rows), count


def _evidence(bulletin: Bulletin, cases: list[Case], count: int, note: str | None) -> str:
    numbers = "、".join(case.number for case in cases)
    if count > len(cases):
        numbers += str(_l(" and %(n)d more", n=count - len(cases)))
    text = str(
        _l(
            "Late notice (%(article)s): “%(title)s” of %(unit)s began at %(start)s; the "
            "customer-service department was notified at %(notified)s. %(count)d case(s) of "
            "the unit arrived in between: %(numbers)s.",
            article=CAUSE_LABELS[breach_cause(bulletin.kind)],
            title=bulletin.title,
            unit=bulletin.branch.name if bulletin.branch else "",
            start=format_datetime(bulletin.starts_at),
            notified=format_datetime(bulletin.notified_at),
            count=count,
            numbers=numbers,
        )
    )
    return f"{text}\n{note}" if note else text


@transaction(conflict_message=STALE_BULLETIN)
def record_late_notice(
    session: Session,
    actor: Actor,
    bulletin_id: int,
    *,
    version: int | None,
    case_id: int | None,
    note: str | None = None,
    now: datetime | None = None,
):
    """Art.37/38 → Art.41: CSD records a notice that came after cases about it arrived as one
    breach of its unit (Art.37 for a business change, Art.38 for an emergency), dated the day
    the change or emergency began, with the chosen early case, through the violation register
    (app.services.violations.record_entry: proposed, then confirmed or waived there). Once per
    bulletin: a second attempt, or one racing the first, is refused."""
    _ensure_csd(actor)
    now = now or clock_now()
    bulletin = visible_bulletin(session, actor, bulletin_id)
    _check_version(bulletin, version)
    query = early_cases_query(session, bulletin)
    count = 0
    if query is not None:
        count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    check_breach(
        has_unit=bulletin.branch_id is not None,
        notified_known=bulletin.notified_at is not None,
        already_recorded=bulletin.violation_entry_id is not None,
        early_cases=count,
    )
    assert query is not None
    case = session.scalar(query.where(Case.id == case_id)) if case_id else None
    if case is None:
        raise InvalidRecordError(
            _l("Please choose one of the cases that arrived before the notice.")
        )
    shown = list(session.scalars(query.order_by(Case.received_at, Case.id).limit(10)))
    note = (note or "").strip() or None
    entry = violations.record_entry(
        session,
        actor,
        cause=breach_cause(bulletin.kind).value,
        branch_id=bulletin.branch_id,
        occurred_on=bulletin.starts_at.date(),
        evidence=_evidence(bulletin, shown, count, note),
        case_number=case.number,
        now=now,
    )
    session.flush()
    bulletin.violation_entry_id = entry.id
    session.add(_event(bulletin, BulletinAction.RECORD_BREACH, actor, now, note))
    return entry


def pending_review_count(session: Session, actor: Actor, cap: int = 999) -> int | None:
    """待审核 for CSD's menu: the notices awaiting review, counted up to ``cap``; None for
    those who do not review."""
    if not actor.may(REVIEW) or not actor.scope.all_branches:
        return None
    pending = (
        select(Bulletin.id)
        .where(Bulletin.status == BulletinStatus.SUBMITTED.value)
        .limit(cap + 1)
        .subquery()
    )
    return session.scalar(select(func.count()).select_from(pending)) or 0
