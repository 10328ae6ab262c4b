"""Scope.arms: the scope's OR as disjoint terms (issue 12), which the list counts add up with
UNION ALL and the queues distribute their conditions over. The terms must select exactly the
cases the scope's clause selects, each once, or a branch would see another's cases, or a
count would be wrong."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import or_, select

from app.models import Case
from tests.case_helpers import act, actor, branch_id, gen_case


@pytest.fixture
def spread(db_session):
    """Cases in 汉口, in 武昌, undispatched, and two handler_hankou received first: one that
    went to 汉口 (in both halves of the OR) and one that went to 武昌 (Art.18: it follows its
    first contact)."""
    hankou = gen_case(db_session)
    act(db_session, "csd", hankou, "dispatch", branch_id=branch_id(db_session, "hankou"))
    wuchang = gen_case(db_session)
    act(db_session, "csd", wuchang, "dispatch", branch_id=branch_id(db_session, "wuchang"))
    gen_case(db_session)  # no unit yet
    at_home = gen_case(db_session, by="handler_hankou", channel="service_window")
    act(db_session, "csd", at_home, "dispatch", branch_id=branch_id(db_session, "hankou"))
    counter = gen_case(db_session, by="handler_hankou", channel="service_window")
    act(db_session, "csd", counter, "dispatch", branch_id=branch_id(db_session, "wuchang"))
    return counter


@pytest.mark.parametrize("username", ["liaison_hankou", "handler_hankou", "csd", "agent"])
def test_the_arms_select_what_the_clause_selects_each_case_once(db_session, spread, username):
    scope = actor(db_session, username).scope
    clause = scope.clause(Case)
    whole = set(db_session.scalars(select(Case.id).where(clause) if clause is not None
                                   else select(Case.id)))  # fmt: skip
    arms = scope.arms(Case)
    if arms is None:
        assert clause is None
        return
    per_arm = [set(db_session.scalars(select(Case.id).where(arm))) for arm in arms]
    assert set().union(*per_arm) == whole
    assert sum(len(ids) for ids in per_arm) == len(whole), "the terms overlap"
    assert set(db_session.scalars(select(Case.id).where(or_(*arms)))) == whole


def test_a_branch_list_counts_its_unit_and_the_cases_received_first_once(
    db_session, spread, login_as
):
    """The list's count (UNION ALL of the terms) equals the rows the list pages through."""
    page = login_as("handler_hankou").get("/cases/list/?psize_CaseView=100").get_data(True)
    count = int(re.search(r"记录数目:</strong>\s*(\d+)", page).group(1))
    assert count == len(set(re.findall(r"/cases/show/(\d+)", page)))
    assert str(spread.id) in re.findall(r"/cases/show/(\d+)", page)
