"""The work queues (design §2): a role sees only the queues it can act on — in the menu, on 我的
工作台 and at the queue's address — and a queue lists exactly the cases on which the user can act
(case_permissions.may_act_on, Art.35 callbacks included)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.domain.clock import now as clock_now
from app.domain.deadlines import overdue_state
from app.domain.lifecycle import OPEN_STATUSES, CaseStatus
from app.domain.roles import CASE_ACTIONS
from app.models import Case, SuqiuUser
from app.services.case_queries import NEAR, QUEUE_NAMES, QUEUES, queue_counts, queue_filters
from app.services.case_workflow import available_actions
from tests.case_helpers import act, actor, branch_id, case_in_status, gen_case

CSD_QUEUES = {"to_dispatch", "to_review", "to_callback", "due_soon", "overdue", "first_contact"}
BRANCH_DEADLINES = {"due_soon", "overdue"}


def _registers(role: str) -> set[str]:
    # Branch staff registering at their counter (Art.18/27) follow what they received first.
    return {"first_contact"} if "register" in CASE_ACTIONS[role] else set()


EXPECTED = {
    "admin": CSD_QUEUES,
    "csd": CSD_QUEUES,
    "csd_head": CSD_QUEUES,
    "agent": {"to_dispatch", "to_callback", "due_soon", "overdue", "first_contact"},
    "liaison_hankou": {"to_sign", "to_handle", "to_callback", *BRANCH_DEADLINES}
    | _registers("liaison"),
    "handler_hankou": {"to_handle", *BRANCH_DEADLINES} | _registers("handler"),
    "head_hankou": {"to_handle", *BRANCH_DEADLINES} | _registers("head"),
    # Leaders and the committee read every case and act on none: no work queue, no 我的工作台.
    "leader": set(),
    "committee": set(),
    "risk": set(),
    "press": set(),
}


@pytest.mark.parametrize("username", EXPECTED)
def test_each_role_sees_exactly_the_queues_it_can_act_on(app, login_as, username):
    expected = EXPECTED[username]
    client = login_as(username)
    menu = client.get("/").get_data(as_text=True)
    assert set(re.findall(r'href="/queues/(\w+)"', menu)) == expected
    assert ('href="/queues/"' in menu) == bool(expected)  # 我的工作台 itself

    overview = client.get("/queues/")
    if username in ("risk", "press"):  # no case pages at all
        assert overview.status_code == 403
    else:
        html = overview.get_data(as_text=True)
        assert overview.status_code == 200
        assert set(re.findall(r'id="queue-(\w+)"', html)) == expected
        assert ('id="no-queues"' in html) == (not expected)
    for name in QUEUE_NAMES:
        status = client.get(f"/queues/{name}").status_code
        assert status == 200 if name in expected else status in (403, 404), name


def test_leaders_see_why_they_have_no_work_queue(app, login_as):
    html = login_as("leader").get("/queues/").get_data(as_text=True)
    assert "您的角色不办理诉求" in html and "全部诉求" in html


def _user_id(session, username):
    return session.scalar(select(SuqiuUser.id).where(SuqiuUser.username == username))


def _case(session, by, channel, unit, *steps):
    """A case registered by ``by`` and moved through ``steps`` in ``unit``."""
    case = gen_case(session, by=by, channel=channel)
    liaison = f"liaison_{unit}"
    script = {
        "dispatch": ("agent" if by == "agent" else "csd", "dispatch"),
        "sign": (liaison, "sign_for"),
        "assign": (liaison, "assign"),
        "reply": (liaison, "reply"),
        "approve": ("csd", "approve"),
        "answer": ("csd", "answer_government"),
    }
    inputs = {
        "dispatch": {"branch_id": branch_id(session, unit)},
        "assign": {"handler_id": _user_id(session, f"handler_{unit}")},
        "reply": {"result": "已上门处理。"},
        "answer": {"note": "已在政务平台答复。"},
    }
    for step in steps:
        who, action = script[step]
        act(session, who, case, action, **inputs.get(step, {}))
    return case.id


@pytest.fixture
def varied(db_session):
    """Cases in every queue's states, of every channel category, for both units and both
    registrars, assigned and not (on top of the demo cases)."""
    s = db_session
    return {
        "assigned": _case(s, "csd", "citizen_hotline", "hankou", "dispatch", "sign", "assign"),
        "unassigned": _case(s, "csd", "citizen_hotline", "hankou", "dispatch", "sign"),
        "agent_callback": _case(
            s, "agent", "hotline_96511", "hankou", "dispatch", "sign", "reply", "approve"
        ),
        "csd_company_callback": _case(
            s, "csd", "wechat", "hankou", "dispatch", "sign", "reply", "approve"
        ),
        "government_callback": _case(
            s, "csd", "citizen_hotline", "hankou", "dispatch", "sign", "reply", "approve", "answer"
        ),
        "online_callback_wuchang": _case(
            s, "csd", "ehuiban", "wuchang", "dispatch", "sign", "reply", "approve"
        ),
        "review": _case(s, "csd", "citizen_hotline", "hankou", "dispatch", "sign", "reply"),
        "government_reply": _case(
            s, "csd", "citizen_hotline", "hankou", "dispatch", "sign", "reply", "approve"
        ),
        "agent_undispatched": _case(s, "agent", "wechat", "hankou"),
        "csd_undispatched": _case(s, "csd", "wechat", "hankou"),
        "to_sign_wuchang": _case(s, "csd", "citizen_hotline", "wuchang", "dispatch"),
    }


def listed(session, who, name, now):
    query = select(Case.id).where(*queue_filters(who, now)[name])
    return set(session.scalars(who.scope.apply(query, Case)))


def _in_window(queue, case, now) -> bool:
    if queue.window == "due_soon":
        return now <= case.finish_due < now + NEAR
    if queue.window == "overdue":
        return overdue_state(case, now) is not None
    return True


WORKERS = [u for u, queues in EXPECTED.items() if queues] + ["liaison_wuchang", "handler_wuchang"]


@pytest.mark.parametrize("username", WORKERS)
def test_every_case_in_a_queue_offers_its_user_an_action_and_none_is_missing(
    db_session, varied, username
):
    """Each queue lists exactly the open cases of the user's scope, in its states and deadline
    window, to which available_actions offers the user one of the queue's actions."""
    who, now = actor(db_session, username), clock_now()
    visible = db_session.scalars(
        who.scope.apply(select(Case).where(Case.status.in_(OPEN_STATUSES)), Case)
    ).all()
    offered = {case.id: {a.value for a in available_actions(who, case)} for case in visible}
    counts = queue_counts(db_session, who, now)
    assert set(counts) == EXPECTED.get(username, set(counts))
    for name in counts:
        ids = listed(db_session, who, name, now)
        assert counts[name] == len(ids), name
        queue = QUEUES[name]
        if not queue.statuses:  # 我首接的诉求 (Art.18): a follow-up list of the open cases
            received_first = set(
                db_session.scalars(
                    select(Case.id).where(
                        Case.first_contact_id == who.user_id, Case.status.in_(OPEN_STATUSES)
                    )
                )
            )
            assert ids == received_first, name
            continue
        workable = {
            case.id
            for case in visible
            if case.status in queue.statuses
            and _in_window(queue, case, now)
            and offered[case.id] & set(queue.actions)
        }
        assert ids == workable, name


def test_queues_hold_what_the_user_may_act_on(db_session, varied):
    """A handler handles the cases assigned to them; an agent calls back the company-channel
    cases they registered; a branch calls back its 政务/网办 cases (Art.35); the liaison signs for
    and handles the branch's cases; CSD reviews, dispatches and answers the government."""
    now = clock_now()

    def queue(username, name):
        return listed(db_session, actor(db_session, username), name, now)

    v = varied
    assert v["assigned"] in queue("handler_hankou", "to_handle")
    assert v["unassigned"] not in queue("handler_hankou", "to_handle")
    assert {v["assigned"], v["unassigned"]} <= queue("liaison_hankou", "to_handle")
    assert v["agent_callback"] in queue("agent", "to_callback")
    assert v["csd_company_callback"] not in queue("agent", "to_callback")
    branch_callbacks = queue("liaison_hankou", "to_callback")
    assert v["government_callback"] in branch_callbacks
    assert not {v["agent_callback"], v["csd_company_callback"]} & branch_callbacks
    assert v["online_callback_wuchang"] in queue("liaison_wuchang", "to_callback")
    assert v["online_callback_wuchang"] not in branch_callbacks
    assert {v["review"], v["government_reply"]} <= queue("csd", "to_review")
    assert {v["agent_undispatched"], v["csd_undispatched"]} <= queue("csd", "to_dispatch")
    assert v["agent_undispatched"] in queue("agent", "to_dispatch")
    assert v["csd_undispatched"] not in queue("agent", "to_dispatch")
    assert v["to_sign_wuchang"] in queue("liaison_wuchang", "to_sign")
    assert v["to_sign_wuchang"] not in queue("liaison_hankou", "to_sign")


def test_the_queue_page_lists_the_same_cases_as_its_count(db_session, varied, login_as):
    client = login_as("liaison_hankou")
    html = client.get("/queues/to_callback").get_data(as_text=True)
    numbers = set(re.findall(r"SQ\d{12}", html))
    expected = {
        db_session.get(Case, pk).number
        for pk in listed(
            db_session, actor(db_session, "liaison_hankou"), "to_callback", clock_now()
        )
    }
    assert numbers == expected and expected


def test_art18_cases_received_first_show_the_open_ones_and_the_finished_one_click_away(
    app, db_session, login_as
):
    """我首接的诉求 follows every case the user received first (Art.18); by default the open ones
    (issue 12: it listed every case of years), the finished ones behind one link."""
    now = clock_now().replace(microsecond=0)
    open_case = case_in_status(db_session, CaseStatus.IN_PROGRESS, now - timedelta(days=2))
    closed = case_in_status(db_session, CaseStatus.CLOSED, now - timedelta(days=2))
    client = login_as("csd")
    page = client.get("/queues/first_contact").get_data(as_text=True)
    assert open_case.number in page and closed.number not in page
    assert 'id="include-closed"' in page
    everything = client.get("/queues/first_contact?closed=1").get_data(as_text=True)
    assert open_case.number in everything and closed.number in everything


@pytest.mark.parametrize(
    "username", ["csd", "liaison_hankou", "handler_hankou", "head_hankou", "agent"]
)
def test_queue_pages_walk_every_case_once_in_deadline_order(db_session, varied, username):
    """queue_page unites its terms (scope × statuses × deadline limits, which may overlap: a
    case waiting to be signed for past both its deadlines is in two overdue terms); paging two
    at a time lists each case of the queue exactly once, in deadline order, and the count
    agrees (issue 12)."""
    from app.services.case_queries import queue_page

    who = actor(db_session, username)
    now = clock_now() + timedelta(days=60)  # every open case overdue on every limit it has
    for name in queue_counts(db_session, who, now):
        expected = listed(db_session, who, name, now)
        walked, page = [], 1
        while True:
            found = queue_page(db_session, who, name, now, page, size=2)
            walked += [case.id for case in found.cases]
            assert found.total == len(expected), name
            if not found.has_next:
                break
            page += 1
        assert sorted(walked) == sorted(expected) and len(walked) == len(set(walked)), name
        dues = [db_session.get(Case, i).finish_due for i in walked]
        assert dues == sorted(dues), name
