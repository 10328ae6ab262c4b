"""Time-limit rules (administrator-edited table, design §2 defaults) and case deadlines: loading
the rules as values for ``app.domain.time_limit_rules`` and checking a rule before it is saved."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.calendar import WorkCalendar
from app.domain.deadlines import Clock, LimitUnit
from app.domain.i18n import _l
from app.domain.time_limit_rules import (
    CaseDeadlines,
    CaseFacts,
    Limit,
    Rule,
    RuleChoice,
    TimeLimitRuleError,
    blank_to_none,
    case_deadlines,
    check_removal,
    check_table,
    choose_rules,
)
from app.models import BusinessCategory, Case, CaseKind, ChannelCategory, TimeLimitRule
from app.services.uow import transaction

__all__ = ["CaseDeadlines", "choose_rule", "deadlines_for", "RuleChoice"]

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


@transaction()
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
    return len(DEFAULT_RULES)


def _related_id(row: TimeLimitRule, relation: str):
    # A form sets the relationship; the foreign-key column follows only at the flush.
    related = getattr(row, relation)
    return related.id if related is not None else getattr(row, f"{relation}_id")


def rule_of(row: TimeLimitRule) -> Rule:
    """The row as a domain value ('' selectors read as "any")."""
    return Rule(
        sign=Limit(row.sign_amount, LimitUnit(row.sign_unit), Clock(row.sign_clock or "24x7")),
        finish=Limit(
            row.finish_amount, LimitUnit(row.finish_unit), Clock(row.finish_clock or "24x7")
        ),
        channel_category_id=_related_id(row, "channel_category"),
        kind_id=_related_id(row, "kind"),
        urgent=row.urgent,
        business_code=row.business_category_code,
        note=row.note or "",
        active=bool(row.active),
        id=row.id,
    )


def load_rules(session: Session, *, active_only: bool = True) -> list[Rule]:
    query = select(TimeLimitRule).order_by(TimeLimitRule.id)
    if active_only:
        query = query.where(TimeLimitRule.active.is_(True))
    return [rule_of(row) for row in session.scalars(query)]


def choose_rule(rules, *, category_id, kind_id, urgent, business_code) -> RuleChoice:
    """The rules that give a case its deadlines (see ``app.domain.time_limit_rules``), among
    rules already loaded (app.services.reference_data)."""
    facts = CaseFacts(category_id, kind_id, bool(urgent), blank_to_none(business_code))
    return choose_rules(list(rules), facts)


def facts_of(case: Case) -> CaseFacts:
    business = case.business_category.code if case.business_category is not None else None
    return CaseFacts(case.channel.category_id, case.kind_id, bool(case.urgent), business)


def deadlines_for(choice: RuleChoice, received: datetime, calendar: WorkCalendar) -> CaseDeadlines:
    return case_deadlines(choice, received, calendar)


def prepare_rule(session: Session, row: TimeLimitRule) -> None:
    """Before a rule is saved: blank selectors stored as NULL, then the table checks."""
    row.business_category_code = blank_to_none(row.business_category_code)
    if isinstance(row.business_category_code, str):
        row.business_category_code = row.business_category_code.strip()
    row.note = (row.note or "").strip() or None
    try:
        LimitUnit(row.sign_unit), LimitUnit(row.finish_unit)
        Clock(row.sign_clock or "24x7"), Clock(row.finish_clock or "24x7")
    except ValueError as exc:
        raise TimeLimitRuleError(_l("Please choose the units and clocks from the lists.")) from exc
    code = row.business_category_code
    if (
        code is not None
        and session.scalar(select(BusinessCategory.id).where(BusinessCategory.code == code)) is None
    ):
        raise TimeLimitRuleError(_l("Please choose the business category from the list."))
    others = [r for r in load_rules(session, active_only=True) if r.id != row.id]
    check_table(rule_of(row), others)


def check_rule_removal(session: Session, row: TimeLimitRule) -> None:
    check_removal(rule_of(row), load_rules(session, active_only=True))
