"""Which time-limit rule gives a case its deadlines, and what a rule table must not contain
(Art.19; design §2: channel category × kind × urgency, plus the business category). Pure: rules
arrive as values, the calendar and the receipt time are parameters.

Matching. An empty selector matches anything, whether the form stored NULL or '' (both exist in
real databases). Among the active rules that match, the one naming more of the case's features
wins; between rules naming as many, the business category counts before the kind, the kind
before the channel category; a rule for "not urgent" beats one for either; then the oldest rule.

Urgency. An urgent case looks at two rules: the most specific rule written for urgent cases and
the rule the same case would get if it were not urgent. For each deadline (sign, finish) it takes
the earlier due date, computed on the calendar from the receipt time. Due dates, not amounts,
are compared because units do not order the same way for every receipt: 2 natural days against
1 working day is shorter on a Friday and longer on a Monday; 30 hours against 1 working day
depends on the hour of receipt. So an urgent case never gets a longer limit than a normal one.

Saving. Two active rules with the same selectors, an urgent rule that is longer than its normal
counterpart whatever the receipt time, and non-positive amounts are refused; one active rule
without selectors (not only for urgent cases) must remain, or a case could find no rule.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from app.domain.calendar import WorkCalendar
from app.domain.deadlines import Clock, Deadline, LimitUnit, deadline_for
from app.domain.errors import DomainError
from app.domain.i18n import _l

DAY_MINUTES = 24 * 60


class TimeLimitRuleError(DomainError):
    """The rule table would be ambiguous, contradictory or incomplete."""


class NoApplicableRuleError(DomainError):
    """No active rule matches a case (the general rule was removed outside the portal)."""


def blank_to_none(value):
    """'' and whitespace from a form mean "any", exactly like NULL."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: LimitUnit
    clock: Clock = Clock.ALWAYS

    def due(self, received: datetime, calendar: WorkCalendar) -> Deadline:
        return deadline_for(received, self.amount, self.unit, calendar, self.clock)

    def span_bounds(self) -> tuple[float, float]:
        """Shortest and longest time in minutes from receipt to the due moment, on any
        calendar and at any receipt time (day limits end at 23:59:59 of their last day)."""
        if self.unit in (LimitUnit.MINUTES, LimitUnit.HOURS):
            minutes = self.amount * (1 if self.unit is LimitUnit.MINUTES else 60)
            # A working-day clock stops over holidays of unknown length.
            return (minutes, minutes if self.clock is Clock.ALWAYS else math.inf)
        if self.unit is LimitUnit.NATURAL_DAYS:
            return (self.amount * DAY_MINUTES, (self.amount + 1) * DAY_MINUTES)
        return (self.amount * DAY_MINUTES, math.inf)  # working days: at least as many days

    def surely_longer_than(self, other: Limit) -> bool:
        """Later than ``other`` (or as late, being a different limit) for every receipt time."""
        same_kind = self.unit is other.unit and (
            self.unit in (LimitUnit.NATURAL_DAYS, LimitUnit.WORKING_DAYS)
            or self.clock is other.clock
        )
        if same_kind:
            return self.amount > other.amount
        return self.span_bounds()[0] >= other.span_bounds()[1]


@dataclass(frozen=True)
class Rule:
    """One row of the table as values; ``urgent`` None means "urgent or not"."""

    sign: Limit
    finish: Limit
    channel_category_id: int | None = None
    kind_id: int | None = None
    urgent: bool | None = None
    business_code: str | None = None
    note: str = ""
    active: bool = True
    id: int | None = None

    def __post_init__(self):
        for name in ("channel_category_id", "kind_id", "urgent", "business_code"):
            object.__setattr__(self, name, blank_to_none(getattr(self, name)))

    @property
    def selectors(self) -> tuple:
        return (self.channel_category_id, self.kind_id, self.urgent, self.business_code)

    @property
    def is_general(self) -> bool:
        """Matches every case that is not urgent, hence is the fallback of every case."""
        return (
            self.channel_category_id is None
            and self.kind_id is None
            and self.business_code is None
            and self.urgent is not True
        )


@dataclass(frozen=True)
class CaseFacts:
    channel_category_id: int | None
    kind_id: int | None
    urgent: bool
    business_code: str | None = None


def _matches(rule: Rule, facts: CaseFacts) -> bool:
    return (
        rule.active
        and rule.channel_category_id in (None, facts.channel_category_id)
        and rule.kind_id in (None, facts.kind_id)
        and rule.business_code in (None, facts.business_code)
        and rule.urgent in (None, facts.urgent)
    )


def specificity(rule: Rule) -> tuple:
    """Larger is more specific: how many features it names, then which (see the module doc)."""
    named = (rule.business_code, rule.kind_id, rule.channel_category_id)
    return (
        sum(value is not None for value in named),
        *(value is not None for value in named),
        rule.urgent is not None,
        -(rule.id if rule.id is not None else math.inf),  # the oldest rule of equals
    )


def most_specific(rules: Iterable[Rule], facts: CaseFacts) -> Rule | None:
    matching = [rule for rule in rules if _matches(rule, facts)]
    return max(matching, key=specificity, default=None)


@dataclass(frozen=True)
class RuleChoice:
    """The rule a case gets if it were not urgent and, for an urgent case, the urgent rule."""

    normal: Rule
    urgent: Rule | None = None

    @property
    def note(self) -> str:
        notes = [r.note for r in (self.urgent, self.normal) if r is not None and r.note]
        return "；".join(dict.fromkeys(notes))


def choose_rules(rules: Iterable[Rule], facts: CaseFacts) -> RuleChoice:
    rules = list(rules)
    normal_facts = CaseFacts(facts.channel_category_id, facts.kind_id, False, facts.business_code)
    normal = most_specific(rules, normal_facts)
    if normal is None:
        raise NoApplicableRuleError(
            _l(
                "No time-limit rule applies to this case; the administrator must keep a "
                "general rule (all selectors empty)."
            )
        )
    urgent = None
    if facts.urgent:
        urgent = most_specific((r for r in rules if r.urgent is True), facts)
    return RuleChoice(normal, urgent)


@dataclass(frozen=True)
class CaseDeadlines:
    sign: Deadline
    finish: Deadline


def _earlier(limits: Iterable[Limit], received: datetime, calendar: WorkCalendar) -> Deadline:
    # min() keeps the first of equal due dates: the urgent rule, listed first.
    return min((limit.due(received, calendar) for limit in limits), key=lambda d: d.due)


def case_deadlines(choice: RuleChoice, received: datetime, calendar: WorkCalendar):
    rules = [r for r in (choice.urgent, choice.normal) if r is not None]
    return CaseDeadlines(
        sign=_earlier((r.sign for r in rules), received, calendar),
        finish=_earlier((r.finish for r in rules), received, calendar),
    )


# -- Checks on save -------------------------------------------------------------------------


def check_limits(rule: Rule) -> None:
    for limit in (rule.sign, rule.finish):
        if limit.amount is None or limit.amount <= 0:
            raise TimeLimitRuleError(_l("Time limits must be positive whole numbers."))


def _same_features(a: Rule, b: Rule) -> bool:
    return (a.channel_category_id, a.kind_id, a.business_code) == (
        b.channel_category_id,
        b.kind_id,
        b.business_code,
    )


def check_table(rule: Rule, others: Iterable[Rule]) -> None:
    """``rule`` (new or edited) against the other rules of the table: no twin, no urgent rule
    longer than its normal counterpart, a general rule left."""
    check_limits(rule)
    others = [o for o in others if o.active and (rule.id is None or o.id != rule.id)]
    if not any(r.is_general for r in [*others, rule] if r.active):
        raise TimeLimitRuleError(
            _l(
                "At least one active rule must leave channel category, kind and business "
                "category empty and not be limited to urgent cases: it applies when no other "
                "rule does."
            )
        )
    if not rule.active:
        return
    for other in others:
        if other.selectors == rule.selectors:
            raise TimeLimitRuleError(
                _l(
                    "An active rule with the same channel category, kind, urgency and business "
                    "category already exists (“%(note)s”); edit that rule instead."
                ),
                note=other.note or other.id,
            )
    for other in others:
        if not _same_features(rule, other) or (rule.urgent is True) == (other.urgent is True):
            continue
        urgent, normal = (rule, other) if rule.urgent is True else (other, rule)
        for part, label in (("sign", _l("sign-for")), ("finish", _l("finish"))):
            if getattr(urgent, part).surely_longer_than(getattr(normal, part)):
                raise TimeLimitRuleError(
                    _l(
                        "The %(part)s limit for urgent cases would be longer than for the same "
                        "cases when not urgent (“%(note)s”); urgent cases never get more time."
                    ),
                    part=label,
                    note=(other.note or other.id),
                )


def check_removal(rule: Rule, others: Iterable[Rule]) -> None:
    """Deleting or deactivating ``rule`` must leave a general rule."""
    remaining = [o for o in others if o.active and o.id != rule.id]
    if rule.is_general and rule.active and not any(o.is_general for o in remaining):
        raise TimeLimitRuleError(
            _l(
                "This is the last general rule: it applies when no other rule does and cannot "
                "be removed or deactivated."
            )
        )
