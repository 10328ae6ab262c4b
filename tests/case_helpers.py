"""Factories for case tests: actors by username and registrations with sensible defaults."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.models import Branch, CaseKind, Channel, SuqiuUser
from app.services.actor import Actor
from app.services.case_registration import Registration, register_case


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
