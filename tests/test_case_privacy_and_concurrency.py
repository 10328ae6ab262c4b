"""Privacy (design §5, PIPL) and two people acting on one case at once (design §2)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.domain.lifecycle import CaseStatus
from app.models import Case, CaseEvent
from app.services.case_workflow import perform
from app.services.errors import ConflictError, InvalidRecordError, PermissionDeniedError
from app.services.privacy import contact_visibility, reveal_contact
from tests.case_helpers import T0, act, actor, branch_id, gen_case
from tests.conftest import csrf_token
from tests.racing import at_once


@pytest.fixture
def dispatched(db_session):
    case = gen_case(db_session)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    return case


def test_lists_mask_phone_numbers(app, db_session, dispatched, login_as):
    html = login_as("csd").get("/cases/list/?psize_CaseView=100").get_data(as_text=True)
    assert "139****5678" in html and "13912345678" not in html
    queue = login_as("liaison_hankou").get("/queues/to_sign").get_data(as_text=True)
    assert "139****5678" in queue and "13912345678" not in queue


def test_a_leader_sees_masked_details_and_revealing_them_is_logged(
    app, db_session, dispatched, login_as
):
    client = login_as("leader")
    page = client.get(f"/cases/show/{dispatched.id}").get_data(as_text=True)
    assert "139****5678" in page and "13912345678" not in page
    token = csrf_token(client, f"/cases/show/{dispatched.id}")
    refused = client.post(
        f"/cases/reveal/{dispatched.id}",
        data={"csrf_token": token, "reason": ""},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "请填写查看联系方式的原因" in refused
    shown = client.post(
        f"/cases/reveal/{dispatched.id}",
        data={"csrf_token": token, "reason": "核实重大投诉"},
        follow_redirects=True,
    )
    assert "13912345678" in shown.get_data(as_text=True)
    event = db_session.scalar(
        select(CaseEvent).where(
            CaseEvent.case_id == dispatched.id, CaseEvent.action == "reveal_contact"
        )
    )
    assert event.note == "核实重大投诉" and event.actor.username == "leader"


def test_the_reporter_of_a_report_is_hidden_from_the_branch_reported_on(app, db_session, login_as):
    case = gen_case(db_session, kind="report")
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    assert contact_visibility(actor(db_session, "liaison_hankou"), case) == "hidden"
    assert contact_visibility(actor(db_session, "csd"), case) == "full"
    page = login_as("liaison_hankou").get(f"/cases/show/{case.id}").get_data(as_text=True)
    assert "王先生" not in page and "13912345678" not in page and "举报人信息" in page
    listing = login_as("liaison_hankou").get("/queues/to_sign").get_data(as_text=True)
    assert case.number in listing and "王先生" not in listing
    with pytest.raises(PermissionDeniedError):
        reveal_contact(db_session, actor(db_session, "liaison_hankou"), case.id, "想知道")


def test_reveal_needs_a_reason(db_session, dispatched):
    with pytest.raises(InvalidRecordError):
        reveal_contact(db_session, actor(db_session, "leader"), dispatched.id, " ")


def test_two_people_acting_on_one_case_at_once_exactly_one_wins(app, db_session, dispatched):
    """The liaison signs for the case while CSD voids it: one succeeds, the other gets a
    conflict, and the timeline has exactly one of the two."""
    version = dispatched.version
    outcomes: dict[str, str] = {}

    def attempt(username, action, **inputs):
        def run(session):
            try:
                who = actor(session, username)
                perform(session, who, dispatched.id, action, version=version, now=T0, **inputs)
                outcomes[username] = "ok"
            except ConflictError as exc:
                outcomes[username] = str(exc)

        return run

    at_once(app, attempt("liaison_hankou", "sign_for"), attempt("csd", "void", reason="重复登记"))
    assert sorted(v == "ok" for v in outcomes.values()) == [False, True], outcomes
    loser = next(v for v in outcomes.values() if v != "ok")
    assert "其他人刚刚处理了这条诉求" in loser
    db_session.expire_all()
    case = db_session.get(Case, dispatched.id)
    assert case.status in (CaseStatus.IN_PROGRESS, CaseStatus.VOIDED)
    late_events = db_session.scalar(
        select(func.count())
        .select_from(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.action.in_(("sign_for", "void")))
    )
    assert late_events == 1


def test_a_stale_form_in_the_browser_shows_the_conflict_message(
    app, db_session, dispatched, login_as
):
    client = login_as("liaison_hankou")
    token = csrf_token(client, f"/cases/show/{dispatched.id}")
    stale = dispatched.version
    act(db_session, "csd", dispatched, "remind", note="请尽快签收")
    act(db_session, "csd", dispatched, "void", reason="客户撤回")
    page = client.post(
        f"/cases/act/{dispatched.id}/sign_for",
        data={"csrf_token": token, "version": str(stale)},
        follow_redirects=True,
    )
    assert "其他人刚刚处理了这条诉求" in page.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Case, dispatched.id).status == CaseStatus.VOIDED
