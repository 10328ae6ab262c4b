"""Time-limit rules (administrator-edited table, design §2 defaults) and case deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.calendar import WorkCalendar
from app.domain.deadlines import Clock, Deadline, LimitUnit, deadline_for
from app.models import CaseKind, ChannelCategory, TimeLimitRule

W, H = LimitUnit.WORKING_DAYS, LimitUnit.HOURS
# (channel category code, kind code, urgent, business category code) -> sign, finish limits
DEFAULT_RULES = [
    (None, None, None, None, (1, W), (5, W), "默认：1个工作日内签收，5个工作日内办结"),
    (None, "consultation", None, None, (1, W), (3, W), "咨询：3个工作日"),
    (None, "complaint", None, None, (1, W), (10, W), "投诉：10个工作日"),
    (None, "report", None, None, (1, W), (10, W), "举报：10个工作日"),
    (None, None, True, None, (2, H), (5, W), "紧急：2小时内签收（全天候计时）"),
    (None, None, True, "gas_leak", (2, H), (3, W), "紧急水电气类：3个工作日"),
    (None, None, True, "supply_stop", (2, H), (3, W), "紧急水电气类：3个工作日"),
]


def seed_default_rules(session: Session) -> int:
    if session.scalar(select(TimeLimitRule.id).limit(1)) is not None:
        return 0
    kinds = {k.code: k for k in session.scalars(select(CaseKind))}
    categories = {c.code: c for c in session.scalars(select(ChannelCategory))}
    for category, kind, urgent, business, sign, finish, note in DEFAULT_RULES:
        session.add(
            TimeLimitRule(
                channel_category=categories.get(category) if category else None,
                kind=kinds.get(kind) if kind else None,
                urgent=urgent,
                business_category_code=business,
                sign_amount=sign[0],
                sign_unit=sign[1],
                sign_clock=Clock.ALWAYS,
                finish_amount=finish[0],
                finish_unit=finish[1],
                finish_clock=Clock.ALWAYS,
                note=note,
                active=True,
            )
        )
    session.commit()
    return len(DEFAULT_RULES)


def _matches(rule: TimeLimitRule, category_id, kind_id, urgent, business_code) -> int | None:
    """-1 if the rule does not apply, else how specific it is."""
    score = 0
    for wanted, actual, weight in (
        (rule.channel_category_id, category_id, 1),
        (rule.kind_id, kind_id, 2),
        (rule.urgent, urgent, 4),
        (rule.business_category_code, business_code, 8),
    ):
        if wanted is None:
            continue
        if wanted != actual:
            return None
        score += weight
    return score


def find_rule(session: Session, *, category_id, kind_id, urgent, business_code) -> TimeLimitRule:
    candidates = []
    for rule in session.scalars(select(TimeLimitRule).where(TimeLimitRule.active.is_(True))):
        score = _matches(rule, category_id, kind_id, urgent, business_code)
        if score is not None:
            candidates.append((score, -rule.id, rule))
    if not candidates:
        raise LookupError("no time-limit rule applies")
    return max(candidates, key=lambda c: c[:2])[2]


@dataclass(frozen=True)
class CaseDeadlines:
    sign: Deadline
    finish: Deadline


def deadlines_for(rule: TimeLimitRule, received: datetime, calendar: WorkCalendar):
    return CaseDeadlines(
        sign=deadline_for(
            received, rule.sign_amount, LimitUnit(rule.sign_unit), calendar, Clock(rule.sign_clock)
        ),
        finish=deadline_for(
            received,
            rule.finish_amount,
            LimitUnit(rule.finish_unit),
            calendar,
            Clock(rule.finish_clock),
        ),
    )
