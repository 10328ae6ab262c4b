"""The case-number "starts with" filter is an index range on both databases (issue 12): the
plan searches the number's unique index instead of scanning every case."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select, text

from app.models import Case
from app.views.list_filters import UpperStartsWith
from tests.case_helpers import gen_case


def _clause(value):
    return UpperStartsWith("number", SimpleNamespace(obj=Case)).clause(value)


def _plan(session, query) -> str:
    dialect = session.get_bind().dialect.name
    compiled = query.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
    )
    if dialect == "sqlite":
        rows = session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        return " ".join(str(r[-1]) for r in rows)
    session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: ask what can serve it
    return " ".join(r[0] for r in session.execute(text(f"EXPLAIN {compiled}")))


def test_a_number_prefix_is_an_index_search(db_session):
    query = select(Case.id).where(_clause("sq2026"))
    plan = _plan(db_session, query)
    assert "INDEX" in plan.upper() and "SCAN service_case" not in plan, plan
    db_session.rollback()


@pytest.mark.parametrize(
    "prefix", ["", "sq", "SQ2026", "sq20261", "SQ2026%", "S_", "汉口", "\U0010ffff"]
)
def test_the_range_finds_exactly_the_numbers_that_start_with_the_prefix(db_session, prefix):
    for _ in range(3):
        gen_case(db_session)
    numbers = list(db_session.scalars(select(Case.number)))
    clause = _clause(prefix)
    found = (
        set(db_session.scalars(select(Case.number).where(clause)))
        if clause is not None
        else set(numbers)
    )
    assert found == {n for n in numbers if n.startswith(prefix.strip().upper())}
