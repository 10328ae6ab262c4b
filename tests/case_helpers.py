"""Factories for case tests: actors by username and registrations with sensible defaults."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.domain.lifecycle import CaseStatus
from app.models import Branch, Case, CaseKind, Channel, SuqiuUser
from app.services.actor import Actor
from app.services.case_registration import Registration, register_case
from app.services.case_workflow import perform

T0 = datetime(2026, 10, 12, 10, 0)


def actor(session, username: str) -> Actor:
    return Actor.of(session.scalar(select(SuqiuUser).where(SuqiuUser.username == username)))


def channel_id(session, code: str) -> int:
    return session.scalar(select(Channel.id).where(Channel.code == code))


def kind_id(session, code: str) -> int:
    return session.scalar(select(CaseKind.id).where(CaseKind.code == code))


def branch_id(session, code: str) -> int:
    return session.scalar(select(Branch.id).where(Branch.code == code))


def gen_case(
    session,
    *,
    by="csd",
    channel="citizen_hotline",
    kind="business",
    received=datetime(2026, 10, 12, 9, 0),
    now=datetime(2026, 10, 12, 9, 5),
    **extra,
):
    data = Registration(
        channel_id=channel_id(session, channel),
        kind_id=kind_id(session, kind),
        customer_name="王先生",
        customer_phone="13912345678",
        customer_address="江岸区黄浦大街1号",
        content="燃气表走字异常，请上门检查。",
        received_at=received,
        **extra,
    )
    return register_case(session, actor(session, by), data, now=now)


def act(session, username, case, action, **inputs):
    """``username`` takes ``action`` on the case as its current version (at T0 unless now=)."""
    session.expire_all()
    current = session.get(Case, case.id)
    return perform(
        session,
        actor(session, username),
        case.id,
        action,
        version=current.version,
        now=inputs.pop("now", T0),
        **inputs,
    )


def to_callback(session, case, now=None):
    """A government case dispatched to 汉口, handled, approved and answered: awaiting callback."""
    timing = {"now": now} if now else {}
    act(session, "csd", case, "dispatch", branch_id=branch_id(session, "hankou"), **timing)
    act(session, "liaison_hankou", case, "sign_for", **timing)
    act(session, "liaison_hankou", case, "reply", result="已办", **timing)
    act(session, "csd", case, "approve", **timing)
    act(session, "csd", case, "answer_government", note="已答复", **timing)
    return case


def company_case_awaiting_callback(session):
    """A company-channel consultation the agent resolved on the spot: awaiting its callback."""
    return gen_case(
        session,
        by="agent",
        channel="hotline_96511",
        kind="consultation",
        resolve_on_spot=True,
        result="已答复",
    )


# How to bring a fresh government-channel case (registered by CSD, routed to 汉口) to each status.
_HANDLED = ("dispatch", "sign_for", "reply", "approve", "answer")
STATUS_PATHS = {
    CaseStatus.PENDING_DISPATCH: (),
    CaseStatus.PENDING_SIGN: ("dispatch",),
    CaseStatus.IN_PROGRESS: ("dispatch", "sign_for"),
    CaseStatus.PENDING_REVIEW: ("dispatch", "sign_for", "reply"),
    CaseStatus.PENDING_GOVERNMENT_REPLY: ("dispatch", "sign_for", "reply", "approve"),
    CaseStatus.PENDING_CALLBACK: _HANDLED,
    CaseStatus.CLOSED: (*_HANDLED, "satisfied"),
    CaseStatus.REHANDLING: (*_HANDLED, "dissatisfied"),
    CaseStatus.CLOSED_DISSATISFIED: (
        *(*_HANDLED, "dissatisfied"),
        *("reply", "approve", "answer", "dissatisfied"),
    ),
    CaseStatus.VOIDED: ("dispatch", "void"),
}
_STEPS = {
    "dispatch": ("csd", "dispatch", {}),
    "sign_for": ("liaison_hankou", "sign_for", {}),
    "reply": ("liaison_hankou", "reply", {"result": "已上门处理"}),
    "approve": ("csd", "approve", {}),
    "answer": ("csd", "answer_government", {"note": "已答复政务平台"}),
    "satisfied": ("liaison_hankou", "callback", {"result": "satisfied"}),
    "dissatisfied": ("liaison_hankou", "callback", {"result": "dissatisfied", "note": "不满意"}),
    "void": ("csd", "void", {"reason": "重复登记"}),
}


def case_in_status(session, status: CaseStatus, received: datetime) -> Case:
    """A case registered at ``received`` and moved, ten minutes a step from an hour later, to
    ``status`` along STATUS_PATHS."""
    case = gen_case(session, received=received, now=received)
    moment = received + timedelta(hours=1)
    for step in STATUS_PATHS[status]:
        username, action, inputs = _STEPS[step]
        if action == "dispatch":
            inputs = {"branch_id": branch_id(session, "hankou")}
        act(session, username, case, action, now=moment, **inputs)
        moment += timedelta(minutes=10)
    session.expire_all()
    case = session.get(Case, case.id)
    assert case.status == status
    return case
