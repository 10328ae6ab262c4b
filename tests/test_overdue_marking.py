"""Overdue (超期, Art.30) has one definition (app.domain.deadlines.overdue_state, with its SQL twin
app.services.case_search.overdue), and every place that marks or lists overdue cases agrees
with it case by case: the 已超期 work queue, the case list's overdue filter, and the red 已超期
badge on the case list, on the queue rows and on the case page.

Both time limits bind (Art.30; design §2 "a limit to sign for and a limit to finish"): a case
not signed for by its sign-for deadline (待派发/待签收) is overdue, and so is a case whose finish
clock runs past the (possibly extended) finish deadline; a case whose clock stopped at the
unit's reply (Art.19) or that is finished is not."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from itertools import product

import pytest
from sqlalchemy import select, update

from app.domain import deadlines
from app.domain.clock import now as clock_now
from app.domain.deadlines import Overdue, overdue_state
from app.domain.lifecycle import CaseStatus
from app.models import Case
from app.services import case_search, sweep
from app.services.case_queries import DEADLINE_ACTIONS, queue_filters
from app.services.case_workflow import available_actions
from tests.case_helpers import STATUS_PATHS, actor, case_in_status

S = CaseStatus


def reach(session, status: CaseStatus, now: datetime) -> Case:
    return case_in_status(session, status, now - timedelta(hours=6))


def place_deadlines(session, case: Case, sign_due, finish_due) -> None:
    session.execute(
        update(Case).where(Case.id == case.id).values(sign_due=sign_due, finish_due=finish_due)
    )
    session.commit()


def overdue_ids(session, now) -> set[int]:
    return set(session.scalars(select(Case.id).where(case_search.overdue(now))))


def not_overdue_ids(session, now) -> set[int]:
    return set(session.scalars(select(Case.id).where(case_search.not_overdue(now))))


def queue_ids(session, username, now) -> set[int]:
    who = actor(session, username)
    query = select(Case.id).where(*queue_filters(who, now)["overdue"])
    return set(session.scalars(who.scope.apply(query, Case)))


# ---- the one definition, in Python and in SQL, to the second ----


def test_art30_overdue_is_one_rule_in_python_and_sql_to_the_second(db_session):
    now = datetime(2026, 10, 20, 12, 0, 0)
    edges = (now - timedelta(seconds=1), now, now + timedelta(seconds=1), None)
    checked = 0
    for status in STATUS_PATHS:
        case = reach(db_session, status, datetime(2026, 10, 12, 12, 0))
        for sign_due, finish_due in product(edges, edges):
            place_deadlines(db_session, case, sign_due, finish_due)
            db_session.refresh(case)
            state = overdue_state(case, now)
            expected = None
            if status in deadlines.FINISH_OPEN and finish_due is not None and finish_due < now:
                expected = Overdue.FINISH
            elif status in deadlines.SIGN_OPEN and sign_due is not None and sign_due < now:
                expected = Overdue.SIGN
            assert state == expected, (status, sign_due, finish_due)
            in_sql = case.id in overdue_ids(db_session, now)
            assert in_sql == (state is not None), (status, sign_due, finish_due)
            assert (case.id in not_overdue_ids(db_session, now)) != in_sql
            assert (case.id in queue_ids(db_session, "csd", now)) == in_sql
            checked += 1
    assert checked == len(STATUS_PATHS) * 16


def test_art30_the_sweep_flags_exactly_the_cases_overdue_now(db_session):
    """The sweep's flags (kept for figures and notices) follow the same rule."""
    now = datetime(2026, 10, 20, 12, 0, 0)
    cases = []
    for status, (sign, finish) in product(STATUS_PATHS, product((-1, 1), (-1, 1))):
        case = reach(db_session, status, datetime(2026, 10, 12, 12, 0))
        place_deadlines(
            db_session, case, now + timedelta(hours=sign), now + timedelta(hours=finish)
        )
        cases.append(case)
    assert set(sweep.SIGN_OPEN) == deadlines.SIGN_OPEN
    assert set(sweep.FINISH_OPEN) == deadlines.FINISH_OPEN
    sweep.sweep_overdue(db_session, now=now)
    db_session.expire_all()
    for case in cases:
        case = db_session.get(Case, case.id)
        flagged = case.sign_overdue or case.finish_overdue
        assert flagged == (overdue_state(case, now) is not None), case.status


# ---- the pages agree, case by case ----


@pytest.fixture
def spread(db_session):
    """Four cases in every status: sign-for and finish deadlines an hour before or after now
    (the requests run at the real time, as users see the pages)."""
    now = clock_now()
    made = {}
    for status, (sign, finish) in product(STATUS_PATHS, product((-1, 1), (-1, 1))):
        case = reach(db_session, status, now)
        place_deadlines(
            db_session, case, now + timedelta(hours=sign), now + timedelta(hours=finish)
        )
        made[case.number] = case.id
    db_session.expire_all()
    return made


ROW = re.compile(r"<tr\b.*?</tr>", re.S)
NUMBER = re.compile(r"SQ\d{12}")
BADGE = re.compile(r'data-overdue="(\w+)"')


def badges_by_row(html: str) -> dict[str, str | None]:
    """Case number → the badge on its row ('finish', 'sign' or None)."""
    rows = {}
    for row in ROW.findall(html):
        numbers = set(NUMBER.findall(row))
        if len(numbers) == 1:
            found = BADGE.findall(row)
            assert len(found) <= 1, row
            rows[numbers.pop()] = found[0] if found else None
    return rows


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.mark.parametrize("username", ["csd", "liaison_hankou"])
def test_art30_queue_filter_and_badges_agree_case_by_case(
    app, db_session, login_as, spread, username
):
    client = login_as(username)
    who = actor(db_session, username)
    now = clock_now()
    visible = set(db_session.scalars(who.scope.apply(select(Case), Case)))
    truth = {c.number: overdue_state(c, now) for c in visible}
    overdue = {number for number, state in truth.items() if state}
    assert {number for number in spread if truth.get(number)}, "no overdue case made"
    assert any(truth.get(n) == "sign" for n in spread) and any(
        truth.get(n) == "finish" for n in spread
    )

    # (c) the badge on the case list, for every case listed
    listed = badges_by_row(page(client, "/cases/list/?psize_CaseView=100"))
    assert set(listed) == set(truth)
    assert listed == {number: (str(s) if s else None) for number, s in truth.items()}

    # (b) the case list's overdue filter, both ways
    filtered = "/cases/list/?psize_CaseView=100&_flt_0_finish_overdue="
    assert set(badges_by_row(page(client, filtered + "y"))) == overdue
    assert set(badges_by_row(page(client, filtered + "n"))) == set(truth) - overdue

    # (a) the 已超期 queue: the overdue cases the user may act on (CSD: all of them, by 催办/督办)
    actionable = {
        c.number
        for c in visible
        if truth[c.number] and {a.value for a in available_actions(who, c)} & set(DEADLINE_ACTIONS)
    }
    queued = badges_by_row(page(client, "/queues/overdue"))
    assert set(queued) == actionable
    if username == "csd":
        assert actionable == overdue
    assert all(state == str(truth[number]) for number, state in queued.items())
    sign_late_to_sign = {
        c.number for c in visible if truth[c.number] == "sign" and c.status == S.PENDING_SIGN
    }
    if username == "liaison_hankou":
        assert sign_late_to_sign and sign_late_to_sign <= set(queued)

    # the other queues' rows carry the same badge
    for name in ("to_dispatch", "to_sign", "to_handle", "to_review", "to_callback", "due_soon"):
        response = client.get(f"/queues/{name}")
        if response.status_code == 404:
            continue
        for number, state in badges_by_row(response.get_data(as_text=True)).items():
            assert state == (str(truth[number]) if truth[number] else None), (name, number)

    # the case page
    for number, case_id in spread.items():
        if number not in truth:  # out of the user's scope
            continue
        html = page(client, f"/cases/show/{case_id}")
        start = html.index('class="panel-title"')
        heading = html[start : html.index("</h4>", start)]
        found = BADGE.findall(heading)
        assert found == ([str(truth[number])] if truth[number] else []), number
