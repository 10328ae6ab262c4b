"""重复诉求 (issue 11 item 4): the caller's open cases shown while a case is registered, and
linking a case to its 主单 as a 关联单 (or undoing it), under the actor's branch scope.

The rules are app.domain.repeats; here the rows are read (one index range per key, under
``actor.scope``), the capability ``link.repeats`` checked, the history written on both cases
and the change committed once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from app.domain import repeats as rules
from app.domain.clock import now as clock_now
from app.domain.i18n import _l
from app.models import Case
from app.services import privacy
from app.services.actor import Actor
from app.services.case_events import case_event
from app.services.case_permissions import STALE_CASE, load_visible_case
from app.services.errors import ConflictError, PermissionDeniedError
from app.services.settings import repeat_window
from app.services.uow import transaction

LINK = "link.repeats"
MOST_CANDIDATES = 20
SUMMARY_LENGTH = 60

# History actions (app.views.case_labels.ACTION_LABELS): on the 关联单 and on its 主单.
LINKED, UNLINKED = "link_repeat", "unlink_repeat"
GOT_REPEAT, LOST_REPEAT = "repeat_linked", "repeat_unlinked"


def ensure_may_link(actor: Actor) -> None:
    if not actor.may(LINK):
        raise PermissionDeniedError(_l("Your role may not link repeat requests."))


@dataclass(frozen=True)
class Candidate:
    """One of the caller's earlier cases as the registration page shows it."""

    case: Case
    matched: tuple[str, ...]  # "phone", "account", "address"
    primary_number: str | None  # the 主单 of a 关联单: a new case is linked to it instead

    @property
    def summary(self) -> str:
        text = " ".join(self.case.content.split())
        return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1] + "…"


def facts_of(session: Session, case: Case) -> rules.CaseFacts:
    """The facts a link checks, with whether the case already has 关联单 of its own."""
    has_repeats = bool(session.scalar(select(exists().where(Case.primary_case_id == case.id))))
    return replace(facts_of_row(case), has_repeats=has_repeats)


def customer_cases(
    session: Session,
    actor: Actor,
    customer: rules.Customer,
    *,
    now: datetime | None = None,
    received: datetime | None = None,
    exclude_id: int | None = None,
) -> list[Candidate]:
    """The caller's cases a new case received at ``received`` (now) may repeat: open, in the
    window, the same phone number, gas account or address (app.domain.repeats.is_candidate),
    newest first; only cases the actor may read (a branch agent never sees another branch's),
    and never a 举报 whose reporter is hidden from the actor."""
    ensure_may_link(actor)
    if not customer.known:
        return []
    at = received or now or clock_now()
    window = repeat_window()
    start = rules.window_start(at, window)
    keys = (
        (Case.customer_phone, customer.phone),
        (Case.gas_account, customer.account),
        (Case.customer_address, customer.address),
    )
    # One index range per key (column, received_at): ix_case_*_received.
    matching = or_(*(column == value for column, value in keys if value is not None))
    query = (
        select(Case)
        .where(
            matching,
            Case.received_at >= start,
            Case.received_at <= at,
            Case.status.not_in([str(s) for s in rules.CLOSED]) | (Case.closed_at > at),
        )
        .order_by(Case.received_at.desc(), Case.id.desc())
        .limit(MOST_CANDIDATES)
    )
    if exclude_id is not None:
        query = query.where(Case.id != exclude_id)
    found = []
    for case in session.scalars(actor.scope.apply(query, Case)).unique():
        facts = facts_of_row(case)
        if not rules.is_candidate(customer, at, facts, window):
            continue
        if privacy.contact_visibility(actor, case) == "hidden":
            continue  # a 举报 reporter hidden from this unit is not revealed by a lookup
        found.append(Candidate(case, rules.same_customer(customer, facts.customer), None))
    primaries = _numbers(session, actor, {c.case.primary_case_id for c in found} - {None})
    return [
        Candidate(c.case, c.matched, primaries.get(c.case.primary_case_id))
        if c.case.primary_case_id
        else c
        for c in found
    ]


def facts_of_row(case: Case) -> rules.CaseFacts:
    """The facts a candidate check reads (without asking whether it has 关联单)."""
    return rules.CaseFacts(
        id=case.id,
        received_at=case.received_at,
        status=case.status,
        closed_at=case.closed_at,
        customer=rules.Customer.of(case.customer_phone, case.gas_account, case.customer_address),
        primary_id=case.primary_case_id,
    )


def _numbers(session: Session, actor: Actor, ids) -> dict[int, str]:
    if not ids:
        return {}
    query = actor.scope.apply(select(Case.id, Case.number).where(Case.id.in_(ids)), Case)
    return dict(session.execute(query).all())


@dataclass(frozen=True)
class Links:
    """The case page's 主单 / 关联单 panel: the 主单 of a 关联单, the 关联单 of a 主单 (those the
    reader may see), and what the reader may do."""

    primary: Case | None
    repeats: list[Case]
    may_link: bool
    candidates: list[Candidate]


def links_of(session: Session, actor: Actor, case: Case) -> Links:
    """Anyone who may read the case sees its links (as far as their scope reaches); a reader
    with ``link.repeats`` also gets the customer's earlier cases to link it to."""
    primary = None
    if case.primary_case_id is not None:
        query = select(Case).where(Case.id == case.primary_case_id)
        primary = session.scalar(actor.scope.apply(query, Case))
    query = select(Case).where(Case.primary_case_id == case.id).order_by(Case.received_at)
    repeats = list(session.scalars(actor.scope.apply(query, Case)).unique())
    may_link = actor.may(LINK)
    candidates: list[Candidate] = []
    if may_link and case.primary_case_id is None and not repeats:
        customer = rules.Customer.of(case.customer_phone, case.gas_account, case.customer_address)
        candidates = [
            c
            for c in customer_cases(
                session, actor, customer, received=case.received_at, exclude_id=case.id
            )
            if c.case.received_at <= case.received_at
        ]
    return Links(primary, repeats, may_link, candidates)


def _visible(session: Session, actor: Actor, case_id: int | None, number: str | None) -> Case:
    """The 主单 named by id or number, if the actor may read it: a case of another unit is
    refused with the words of a case that does not exist (the same-scope rule)."""
    query = select(Case)
    if case_id is not None:
        query = query.where(Case.id == case_id)
    else:
        text = (number or "").strip().upper()
        if not text:
            raise rules.RepeatLinkError(_l("Please enter the number of the 主单."))
        query = query.where(Case.number == text[:20])
    found = session.scalar(actor.scope.apply(query, Case))
    if found is None:
        raise rules.RepeatLinkError(_l("The 主单 does not exist or you may not see it."))
    return found


def _claim(primary: Case) -> None:
    """Write the 主单's row too (its version moves on): two links racing on one case — one
    making it a 主单, the other a 关联单 — cannot both win and make a chain."""
    flag_modified(primary, "primary_case_id")


@transaction()
def link_repeat(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    primary_id: int | None = None,
    primary_number: str | None = None,
    version: int | None,
    now: datetime | None = None,
) -> Case:
    """Link the case as a 关联单 of the 主单 (by id or number; a 关联单 chosen as 主单 stands for
    its own 主单), both in the actor's scope. Submitted twice, the second changes nothing."""
    ensure_may_link(actor)
    at = now or clock_now()
    case = load_visible_case(session, actor, case_id)
    primary = _visible(session, actor, primary_id, primary_number)
    if primary.primary_case_id is not None and primary.primary_case_id != case.id:
        primary = _visible(session, actor, primary.primary_case_id, None)
    if case.primary_case_id == primary.id:
        return case  # already done: a double submit
    if version != case.version:  # the form's version: required, a missing one is stale
        raise ConflictError(STALE_CASE)
    rules.check_link(facts_of(session, case), facts_of(session, primary), repeat_window())
    case.primary_case_id = primary.id
    _claim(primary)
    session.add(case_event(case, LINKED, actor, at, detail={"primary_case": primary.number}))
    session.add(case_event(primary, GOT_REPEAT, actor, at, detail={"repeat_case": case.number}))
    session.flush()
    return case


@transaction()
def unlink_repeat(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    version: int | None,
    now: datetime | None = None,
) -> Case:
    """Undo the link of a 关联单 to its 主单 (both in the actor's scope). Submitted twice, the
    second changes nothing."""
    ensure_may_link(actor)
    at = now or clock_now()
    case = load_visible_case(session, actor, case_id)
    if case.primary_case_id is None:
        return case  # already undone
    if version != case.version:  # the form's version: required, a missing one is stale
        raise ConflictError(STALE_CASE)
    primary = _visible(session, actor, case.primary_case_id, None)
    rules.check_unlink(facts_of(session, case))
    case.primary_case_id = None
    _claim(primary)
    session.add(case_event(case, UNLINKED, actor, at, detail={"primary_case": primary.number}))
    session.add(case_event(primary, LOST_REPEAT, actor, at, detail={"repeat_case": case.number}))
    session.flush()
    return case
