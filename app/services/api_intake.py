"""What external systems do through /api/v1 (Art.13, Art.35): deliver a case (idempotent on
channel × external reference), read its status, deadline and timeline, post a 公司渠道
satisfaction result, fetch and confirm CSD's approved reply to a government department, and
follow the change feed. One path for cases: registration and workflow are the web's services,
acting as the system's machine actor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.domain.api_tokens import Operation
from app.domain.capabilities import _ACTION_LABELS
from app.domain.channels import ChannelCategoryCode
from app.domain.clock import now as clock_now
from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.domain.lifecycle import STATUS_LABELS, Action, CaseStatus
from app.models import ApiCallLog, BusinessCategory, Case, CaseEvent, CaseKind, Channel
from app.services import reference_data
from app.services.api_auth import Machine
from app.services.case_registration import (
    DuplicateSubmissionError,
    Registration,
    check_registration,
    register_case,
    register_cases,
)
from app.services.case_workflow import perform, record_survey
from app.services.errors import ConflictError, InvalidRecordError, OutOfScopeError
from app.services.external_refs import existing_case_id, existing_case_ids
from app.services.uow import transaction


class ApiScopeError(Exception):
    """The token does not allow this operation or channel (403)."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class FieldErrors(Exception):
    """Per-field refusals of a request body (422)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


def require(machine: Machine, operation: Operation, channel: str | None = None) -> None:
    if not machine.allows(operation):
        raise ApiScopeError(_l("This token may not do this."))
    if channel is not None and not machine.allows(operation, channel):
        raise ApiScopeError(_l("This token may not work on this channel."))


def vocabulary(session: Session) -> dict[str, list[str]]:
    """The codes a delivered case may name today (active channels, kinds, business categories),
    for the OpenAPI document's enums: an integrator reads what the administrator keeps."""
    return {
        "channel": list(
            session.scalars(select(Channel.code).where(Channel.active).order_by(Channel.code))
        ),
        "kind": list(
            session.scalars(select(CaseKind.code).where(CaseKind.active).order_by(CaseKind.code))
        ),
        "business_category": list(
            session.scalars(
                select(BusinessCategory.code)
                .where(BusinessCategory.active)
                .order_by(BusinessCategory.code)
            )
        ),
    }


def _parse_received(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace(" ", "T"))
    except ValueError as exc:
        raise FieldErrors({"received_at": str(_l("Not a valid date and time."))}) from exc


def _existing(session: Session, channel_id: int, external_ref: str) -> Case | None:
    # The id only (most deliveries are new: no case to load); the case when there is one.
    case_id = existing_case_id(session, channel_id, external_ref)
    return None if case_id is None else session.get(Case, case_id)


def _registration(machine: Machine, reference, values: dict) -> Registration:
    """The registration a delivery asks for, its codes read as ids (FieldErrors, 422), its
    channel within the token's (ApiScopeError, 403)."""
    channel_id, active = reference.channel_codes.get(values["channel"], (None, False))
    if channel_id is None or not active:
        raise FieldErrors({"channel": str(_l("Unknown channel."))})
    require(machine, Operation.CREATE_CASE, values["channel"])
    errors: dict[str, str] = {}
    kind_id = reference.kind_codes.get(values["kind"])
    if kind_id is None:
        errors["kind"] = str(_l("Unknown kind of case."))
    business_id = None
    if values.get("business_category"):
        business_id = reference.business_ids.get(values["business_category"])
        if business_id is None:
            errors["business_category"] = str(_l("Unknown business category."))
    if errors or kind_id is None:
        raise FieldErrors(errors)
    return Registration(
        channel_id=channel_id,
        kind_id=kind_id,
        customer_name=values["customer_name"],
        content=values["content"],
        business_category_id=business_id,
        customer_phone=values.get("customer_phone"),
        customer_address=values.get("customer_address"),
        gas_account=values.get("gas_account"),
        external_ref=values["external_ref"],
        urgent=values.get("urgent", False),
        media_involved=values.get("media_involved", False),
        adverse_impact=values.get("adverse_impact", False),
        major_interest=values.get("major_interest", False),
        property_loss=values.get("property_loss", False),
        casualties=values.get("casualties", False),
        received_at=_parse_received(values.get("received_at")),
        api_client_id=machine.client_id,
    )


def create_case(
    session: Session,
    machine: Machine,
    values: dict,
    log: Callable[[int, int], dict] | None = None,
) -> tuple[Case, bool]:
    """The delivered case and whether this call created it: a retried or duplicated delivery
    (same channel and external reference) returns the existing case, also when two deliveries
    race (the partial unique index uq_case_api_channel_ref decides; the loser rolls back and
    reads the winner's case). ``log(status, case_id)``: the call's log line, written in the
    new case's transaction (one commit for both)."""
    require(machine, Operation.CREATE_CASE)
    # Channels, kinds and business categories by code: the reference data read with the token.
    reference = machine.reference or reference_data.current(session, None)
    registration = _registration(machine, reference, values)
    existing = _existing(session, registration.channel_id, values["external_ref"])
    if existing is not None:
        return existing, False
    try:
        return _register_logged(session, machine, registration, log), True
    except DuplicateSubmissionError:  # rolled back by _register_logged's transaction
        existing = _existing(session, registration.channel_id, values["external_ref"])
        if existing is None:
            raise
        return existing, False


@dataclass
class Delivery:
    """One case of a batch: what it asked (``values``, or the refusal of its fields) and what
    became of it."""

    values: dict | None
    status: int = 0  # 201 created, 200 already there, 403/422 refused
    case: Case | None = None
    code: str = ""
    message: str = ""
    fields: dict[str, str] | None = None
    registration: Registration | None = None

    def refuse(self, status: int, code: str, message, fields=None) -> None:
        self.status, self.code, self.message, self.fields = status, code, str(message), fields

    def reset(self) -> None:
        """Undecided again (a batch tried anew after a lost race)."""
        self.refuse(0, "", "")
        self.case = None


BATCH_ATTEMPTS = 3


def create_cases(session: Session, machine: Machine, deliveries: list[Delivery]) -> None:
    """A batch of deliveries (/api/v1/cases/batch): each is refused, found or created as
    ``create_case`` would do it alone, in the batch's order, and the new cases are registered
    together in one transaction (``register_cases``). A reference twice in the batch is one
    case; a batch that races another delivery of one of its references is tried again on what
    is then there (ConflictError, 409, when it keeps losing)."""
    require(machine, Operation.CREATE_CASE)
    reference = machine.reference or reference_data.current(session, None)
    for delivery in deliveries:
        if delivery.values is None:
            continue
        try:
            delivery.registration = _registration(machine, reference, delivery.values)
        except FieldErrors as exc:
            delivery.refuse(422, "invalid_fields", _l("Some fields are not valid."), exc.errors)
        except ApiScopeError as exc:
            delivery.refuse(403, "forbidden_scope", exc.message)
    wanted = [d for d in deliveries if d.registration is not None]
    now = clock_now()
    for _attempt in range(BATCH_ATTEMPTS):
        try:
            _register_new(session, machine, wanted, now)
            return
        except DuplicateSubmissionError:  # rolled back: someone delivered one meanwhile
            continue
    raise ConflictError(_l("Other deliveries of these cases are arriving; please try again."))


def _registration_of(delivery: Delivery) -> Registration:
    assert delivery.registration is not None  # only deliveries whose fields were accepted
    return delivery.registration


def _key(delivery: Delivery) -> tuple[int, str]:
    registration = _registration_of(delivery)
    assert registration.external_ref is not None  # a required field of a delivery
    return registration.channel_id, registration.external_ref


def _register_new(session: Session, machine: Machine, wanted: list[Delivery], now) -> None:
    """One attempt: a known reference is found (200) whatever else it says, as on /cases; the
    first acceptable delivery of each new reference is registered (201), a later one in the
    batch gets that case (200)."""
    found = existing_case_ids(session, [_key(d) for d in wanted])
    cases = {case.id: case for case in _load_cases(session, set(found.values()))}
    first: dict[tuple[int, str], Delivery] = {}
    for delivery in wanted:
        delivery.reset()
        key = _key(delivery)
        if key in found:
            delivery.status, delivery.case = 200, cases[found[key]]
        elif key not in first:
            try:
                check_registration(_registration_of(delivery), now)
            except DomainError as exc:
                delivery.refuse(422, "invalid", exc)
                continue
            first[key] = delivery
    new = list(first.values())  # in the order sent: their numbers follow it
    if new:
        registrations = [_registration_of(d) for d in new]
        created = register_cases(session, machine.actor, registrations, now=now)
        for delivery, case in zip(new, created, strict=True):
            delivery.status, delivery.case = 201, case
    for delivery in wanted:  # the same reference again in this batch: the case just made
        if delivery.status == 0:
            delivery.status, delivery.case = 200, first[_key(delivery)].case


def _load_cases(session: Session, ids: set[int]) -> list[Case]:
    if not ids:
        return []
    return list(session.scalars(select(Case).where(Case.id.in_(sorted(ids)))))


@transaction(lambda exc: DuplicateSubmissionError(_l("This form was already submitted.")))
def _register_logged(
    session: Session,
    machine: Machine,
    registration: Registration,
    log: Callable[[int, int], dict] | None,
) -> Case:
    case = register_case(session, machine.actor, registration)  # joins this transaction
    if log is not None:
        # Core, in the case's transaction: no second flush of the unit of work for one line.
        session.connection().execute(_LOG_LINE, log(201, case.id))
    return case


_LOG_LINE = insert(ApiCallLog)


def find_case(session: Session, machine: Machine, number: str, operation: Operation) -> Case:
    """The case by number if the token may do ``operation`` on it (404 otherwise: a system
    does not learn which numbers exist outside its channels)."""
    require(machine, operation)
    query = machine.actor.scope.apply(select(Case).where(Case.number == number[:20]), Case)
    case = session.scalar(query)
    if case is None:
        raise OutOfScopeError(_l("The case does not exist or you may not see it."))
    return case


def _time(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _status(value: str | None) -> dict | None:
    if value is None:
        return None
    try:
        label = STATUS_LABELS[CaseStatus(value)]
    except ValueError:
        label = value
    return {"code": value, "label": str(label)}


def _action_label(action: str) -> str:
    try:
        return str(_ACTION_LABELS[action])
    except KeyError:
        return action


def case_summary(case: Case, channel_code: str | None = None) -> dict:
    """``channel_code``: the case's channel when the caller knows it (no statement to read it)."""
    return {
        "number": case.number,
        "channel": channel_code or case.channel.code,
        "external_ref": case.external_ref,
        "status": _status(case.status),
        "received_at": _time(case.received_at),
        "sign_due": _time(case.sign_due),
        "finish_due": _time(case.finish_due),
        "due_provisional": bool(case.due_provisional),
        "overdue": bool(case.finish_overdue),
        "closed_at": _time(case.closed_at),
    }


def case_status(session: Session, machine: Machine, number: str) -> dict:
    """Status, deadline and timeline (actions and status changes, not internal notes)."""
    case = find_case(session, machine, number, Operation.READ_CASE)
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    ).all()
    return {
        **case_summary(case),
        "timeline": [
            {
                "id": event.id,
                "at": _time(event.at),
                "action": event.action,
                "action_label": _action_label(event.action),
                "from_status": event.from_status,
                "to_status": event.to_status,
            }
            for event in events
        ],
    }


def post_survey(session: Session, machine: Machine, number: str, values: dict) -> Case:
    """Art.35: the 公司渠道 survey result is the callback."""
    case = find_case(session, machine, number, Operation.SURVEY)
    require(machine, Operation.SURVEY, case.channel.code)
    return record_survey(session, machine.actor, case.id, values["result"], values.get("note"))


def government_replies(session: Session, machine: Machine, limit: int) -> list[dict]:
    """Art.13-2: the 政务渠道 cases of the token's channels whose result CSD approved and
    which await the reply to the government department; the reply is the approved result."""
    require(machine, Operation.GOVERNMENT_REPLY)
    reply = Operation.GOVERNMENT_REPLY
    channel_ids = [cid for code, cid in machine.channel_ids.items() if machine.allows(reply, code)]
    cases = session.scalars(
        select(Case)
        .where(
            Case.status == CaseStatus.PENDING_GOVERNMENT_REPLY,
            Case.channel_category_code == ChannelCategoryCode.GOVERNMENT,
            Case.channel_id.in_(channel_ids),
        )
        .order_by(Case.id)
        .limit(limit)
    ).all()
    return [{**case_summary(case), "reply": case.result or ""} for case in cases]


def mark_delivered(
    session: Session, machine: Machine, number: str, note: str | None
) -> tuple[Case, bool]:
    """The government department has the reply: 回复政务部门 on the case, with the reply as
    its note. Repeated after success it changes nothing (returns False)."""
    case = find_case(session, machine, number, Operation.GOVERNMENT_REPLY)
    require(machine, Operation.GOVERNMENT_REPLY, case.channel.code)
    if case.channel_category_code != ChannelCategoryCode.GOVERNMENT:
        raise InvalidRecordError(_l("Only government-channel cases are answered to a department."))
    if case.status != CaseStatus.PENDING_GOVERNMENT_REPLY:
        delivered = session.scalar(
            select(CaseEvent.id).where(
                CaseEvent.case_id == case.id,
                CaseEvent.action == Action.ANSWER_GOVERNMENT,
                CaseEvent.actor_id == machine.actor.user_id,
            )
        )
        if delivered is not None:
            return case, False
        raise ConflictError(_l("The case is not awaiting a reply to the government department."))
    text = case.result or ""
    if note and note.strip():
        text = f"{text}\n{_l('Delivery note')}: {note.strip()}"
    return perform(
        session,
        machine.actor,
        case.id,
        Action.ANSWER_GOVERNMENT,
        version=None,
        note=text or str(_l("delivered")),
    ), True


def changes(session: Session, machine: Machine, cursor: int, limit: int) -> dict:
    """The events after ``cursor`` (an event id) on the cases the token reads, oldest first;
    ``next_cursor`` is the last id returned (the same cursor when nothing is new)."""
    require(machine, Operation.CHANGES)
    scope = machine.actor.scope
    query = (
        select(CaseEvent, Case.number, Case.external_ref, Case.status)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.id > cursor)
    )
    rows = session.execute(scope.apply(query, Case).order_by(CaseEvent.id).limit(limit)).all()
    items = [
        {
            "event_id": event.id,
            "case_number": number,
            "external_ref": external_ref,
            "at": _time(event.at),
            "action": event.action,
            "action_label": _action_label(event.action),
            "to_status": event.to_status,
            "case_status": status,
        }
        for event, number, external_ref, status in rows
    ]
    return {"items": items, "next_cursor": items[-1]["event_id"] if items else cursor}
