"""Conditions on a case's recorded facts, written once and read two ways: evaluated on plain
values (the KPI tests' hand-made cases) and compiled to SQL by app.services.kpi_queries (the
dashboards' GROUP BY). One definition of each figure, so the chart, its drill-down list and the
tests cannot drift apart (issue 9).

Evaluation follows SQL's three-valued logic: a comparison with a missing value is unknown
(None), ``Not`` of unknown stays unknown, and a condition holds only when it is True, as a
WHERE clause keeps a row only when its condition is true.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class Cond:
    """A condition on one case; combine with ``&``, ``|`` and ``~``."""

    def __and__(self, other: Cond) -> Cond:
        return All((self, other))

    def __or__(self, other: Cond) -> Cond:
        return AnyOf((self, other))

    def __invert__(self) -> Cond:
        return Not(self)

    def holds(self, facts: Mapping[str, Any], params: Mapping[str, Any]) -> bool:
        return self.truth(facts, params) is True

    def truth(self, facts: Mapping[str, Any], params: Mapping[str, Any]) -> bool | None:
        raise NotImplementedError


@dataclass(frozen=True)
class Col:
    """A recorded fact of the case: a column of ``service_case``."""

    name: str

    def value(self, facts: Mapping[str, Any], params: Mapping[str, Any]) -> Any:
        return facts[self.name]


@dataclass(frozen=True)
class Param:
    """A value of the query: the period's start and end, the time the figures are taken."""

    name: str

    def value(self, facts: Mapping[str, Any], params: Mapping[str, Any]) -> Any:
        return params[self.name]


@dataclass(frozen=True)
class Lit:
    """A constant."""

    literal: Any

    def value(self, facts: Mapping[str, Any], params: Mapping[str, Any]) -> Any:
        return self.literal


Operand = Col | Param | Lit

_COMPARE = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "=": lambda a, b: a == b,
}


@dataclass(frozen=True)
class Compare(Cond):
    left: Operand
    op: str  # one of _COMPARE
    right: Operand

    def truth(self, facts, params):
        left, right = self.left.value(facts, params), self.right.value(facts, params)
        if left is None or right is None:
            return None
        return _COMPARE[self.op](left, right)


@dataclass(frozen=True)
class OneOf(Cond):
    column: Col
    values: frozenset[str]

    def truth(self, facts, params):
        value = self.column.value(facts, params)
        return None if value is None else value in self.values


@dataclass(frozen=True)
class Present(Cond):
    """The fact is recorded (IS NOT NULL)."""

    column: Col

    def truth(self, facts, params):
        return self.column.value(facts, params) is not None


@dataclass(frozen=True)
class All(Cond):
    parts: tuple[Cond, ...]

    def truth(self, facts, params):
        values = [part.truth(facts, params) for part in self.parts]
        if any(v is False for v in values):
            return False
        return None if any(v is None for v in values) else True


@dataclass(frozen=True)
class AnyOf(Cond):
    parts: tuple[Cond, ...]

    def truth(self, facts, params):
        values = [part.truth(facts, params) for part in self.parts]
        if any(v is True for v in values):
            return True
        return None if any(v is None for v in values) else False


@dataclass(frozen=True)
class Not(Cond):
    part: Cond

    def truth(self, facts, params):
        value = self.part.truth(facts, params)
        return None if value is None else not value


def lt(left: Operand, right: Operand) -> Compare:
    return Compare(left, "<", right)


def le(left: Operand, right: Operand) -> Compare:
    return Compare(left, "<=", right)


def ge(left: Operand, right: Operand) -> Compare:
    return Compare(left, ">=", right)


def positive(column: Col) -> Compare:
    return Compare(column, ">=", Lit(1))


def within(column: Col) -> Cond:
    """The fact fell in the period [start, end)."""
    return ge(column, Param("start")) & lt(column, Param("end"))
