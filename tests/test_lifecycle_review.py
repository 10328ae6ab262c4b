"""Findings of the lifecycle review (issue 6) in the workflow itself: dispatch to another unit,
branch registration, 联系不上 spacing, racing extension decisions, double submissions, clean
sessions after a failed service, logged reveals and what the case page offers."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.domain.lifecycle import MAX_UNREACHABLE_ATTEMPTS, CallbackTooSoonError, CaseStatus
from app.domain.registration import ImplausibleReceiptTimeError
from app.models import Case, CaseEvent, Department, ExtensionRequest, Notification
from app.services.case_registration import Registration, register_case
from app.services.errors import ConflictError, InvalidRecordError
from app.services.extensions import decide_extension, request_extension
from tests.case_helpers import (
    T0,
    act,
    actor,
    branch_id,
    channel_id,
    company_case_awaiting_callback,
    gen_case,
    kind_id,
)
from tests.conftest import csrf_token
from tests.racing import at_once


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def form_fields(html: str, form_id: str) -> dict[str, str]:
    """What a browser submits for the form as rendered: inputs and the selected options."""
    form = re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S).group(0)
    data = {
        m.group(1): m.group(2)
        for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    }
    for select_match in re.finditer(r'<select name="([^"]+)".*?</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select_match.group(0))
        first = re.search(r'<option value="([^"]*)"', select_match.group(0))
        # Without a selected option a browser submits the first one.
        data[select_match.group(1)] = (chosen or first).group(1) if (chosen or first) else ""
    return data


# Item 5 -------------------------------------------------------------------------------------


def test_art24_dispatch_to_another_unit_than_the_suggested_one(app, db_session, login_as):
    """Art.24: the suggestion helps, CSD decides. The dispatch form as rendered, with only the
    unit changed, must work (it used to post the suggested unit's department along)."""
    case = gen_case(db_session, kind="business")  # 江岸区 → 汉口 is suggested
    client = login_as("csd")
    html = client.get(f"/cases/show/{case.id}").get_data(as_text=True)
    data = form_fields(html, "form-dispatch")
    wuchang = branch_id(db_session, "wuchang")
    assert data["target"].split(":")[0] == str(branch_id(db_session, "hankou"))
    assert f'value="{wuchang}"' in html
    data["target"] = str(wuchang)
    client.post(f"/cases/act/{case.id}/dispatch", data=data)
    db_session.expire_all()
    dispatched = db_session.get(Case, case.id)
    assert dispatched.status == CaseStatus.PENDING_SIGN
    assert dispatched.branch_id == wuchang and dispatched.department_id is None


def test_art24_dispatch_to_a_department_of_the_chosen_unit(app, db_session, login_as):
    case = gen_case(db_session)
    wuchang = branch_id(db_session, "wuchang")
    department = db_session.scalar(select(Department).where(Department.branch_id == wuchang))
    client = login_as("csd")
    data = form_fields(client.get(f"/cases/show/{case.id}").get_data(as_text=True), "form-dispatch")
    data["target"] = f"{wuchang}:{department.id}"
    client.post(f"/cases/act/{case.id}/dispatch", data=data)
    db_session.expire_all()
    assert db_session.get(Case, case.id).department_id == department.id


# Item 6 -------------------------------------------------------------------------------------


def counter_case(session, username: str, **extra):
    return register_case(
        session,
        actor(session, username),
        Registration(
            channel_id=channel_id(session, "service_window"),
            kind_id=kind_id(session, "consultation"),
            customer_name="柜台客户",
            content="来营业厅咨询过户手续。",
            received_at=T0,
            **extra,
        ),
        now=T0 + timedelta(minutes=5),
    )


@pytest.mark.parametrize("username", ["liaison_hankou", "handler_hankou", "head_hankou"])
def test_art18_art27_branch_staff_register_a_counter_case_for_their_own_unit(
    app, db_session, username
):
    case = counter_case(db_session, username, to_own_unit=True)
    assert case.status == CaseStatus.PENDING_SIGN
    assert case.branch_id == branch_id(db_session, "hankou")
    assert case.first_contact.username == username
    liaison = actor(db_session, "liaison_hankou").user_id
    assert count(
        db_session,
        Notification,
        Notification.recipient_id == liaison,
        Notification.link == f"/cases/show/{case.id}",
    )


def test_art18_art27_branch_staff_may_leave_the_case_to_csd_and_still_follow_it(
    app, db_session, login_as
):
    case = counter_case(db_session, "handler_hankou")
    assert case.status == CaseStatus.PENDING_DISPATCH and case.branch_id is None
    page = login_as("handler_hankou").get(f"/cases/show/{case.id}")
    assert page.status_code == 200  # Art.18: the first contact follows the case


def test_art18_branch_staff_register_through_the_form(app, db_session, login_as):
    client = login_as("liaison_hankou")
    html = client.get("/register/").get_data(as_text=True)
    assert 'name="to_own_unit"' in html
    assert 'name="resolve_on_spot"' not in html  # not a liaison's action
    assert "市民热线" not in html  # government channels are CSD's (Art.13)
    data = {
        "csrf_token": csrf_token(client, "/register/"),
        "registration_key": re.search(r'name="registration_key"[^>]*value="([^"]+)"', html).group(
            1
        ),
        "channel_id": channel_id(db_session, "service_window"),
        "kind_id": kind_id(db_session, "consultation"),
        "business_category_id": 0,
        "customer_name": "柜台客户",
        "content": "咨询过户。",
        "to_own_unit": "y",
    }
    response = client.post("/register/", data=data)
    assert response.status_code == 302
    case = db_session.scalar(select(Case).where(Case.customer_name == "柜台客户"))
    assert case.status == CaseStatus.PENDING_SIGN


def test_art13_branch_staff_cannot_register_government_channel_cases(app, db_session):
    with pytest.raises(InvalidRecordError, match="Art.13|第13条|客户服务部"):
        gen_case(db_session, by="liaison_hankou", channel="citizen_hotline")


def test_agents_see_no_own_unit_choice(app, login_as):
    assert 'name="to_own_unit"' not in login_as("agent").get("/register/").get_data(as_text=True)


# Item 2 (registration part) -----------------------------------------------------------------


@pytest.mark.parametrize(
    "received",
    [datetime(1, 1, 1, 0, 0), datetime(2020, 1, 1, 9, 0), T0 + timedelta(hours=1)],
    ids=["year-0001", "years-ago", "future"],
)
def test_art19_an_absurd_time_of_receipt_is_refused(app, db_session, received):
    before = count(db_session, Case)
    with pytest.raises(ImplausibleReceiptTimeError):
        gen_case(db_session, received=received, now=T0)
    assert count(db_session, Case) == before


def test_an_absurd_time_of_receipt_in_the_form_gets_a_message(app, db_session, login_as):
    before = count(db_session, Case)
    client = login_as("csd")
    response = client.post(
        "/register/",
        data={
            "csrf_token": csrf_token(client, "/register/"),
            "channel_id": channel_id(db_session, "citizen_hotline"),
            "kind_id": kind_id(db_session, "consultation"),
            "business_category_id": 0,
            "customer_name": "王先生",
            "content": "咨询。",
            "received_at": "0001-01-01T00:00",
        },
    )
    assert response.status_code == 200
    assert "受理时间不能早于" in response.get_data(as_text=True)
    assert count(db_session, Case) == before


# Item 9 -------------------------------------------------------------------------------------


def test_art20_unreachable_attempts_are_spaced(app, db_session):
    case = company_case_awaiting_callback(db_session)
    act(db_session, "agent", case, "callback", result="unreachable", now=T0)
    with pytest.raises(CallbackTooSoonError, match="联系不上"):
        act(
            db_session,
            "agent",
            case,
            "callback",
            result="unreachable",
            now=T0 + timedelta(minutes=5),
        )
    db_session.expire_all()
    assert db_session.get(Case, case.id).unreachable_attempts == 1
    # a real answer is always recorded at once
    act(db_session, "agent", case, "callback", result="satisfied", now=T0 + timedelta(minutes=6))
    assert db_session.get(Case, case.id).status == CaseStatus.CLOSED


def test_art20_the_spacing_is_configurable(app, db_session):
    from flask import current_app

    case = company_case_awaiting_callback(db_session)
    act(db_session, "agent", case, "callback", result="unreachable", now=T0)
    current_app.config["SUQIU_CALLBACK_RETRY_MINUTES"] = 1
    try:
        act(
            db_session,
            "agent",
            case,
            "callback",
            result="unreachable",
            now=T0 + timedelta(minutes=2),
        )
    finally:
        current_app.config.pop("SUQIU_CALLBACK_RETRY_MINUTES")
    db_session.expire_all()
    assert db_session.get(Case, case.id).unreachable_attempts == 2


def test_art20_the_last_unreachable_attempt_closes_the_case_and_tells_csd(
    app, db_session, login_as
):
    case = company_case_awaiting_callback(db_session)
    for attempt in range(MAX_UNREACHABLE_ATTEMPTS):
        act(
            db_session,
            "agent",
            case,
            "callback",
            result="unreachable",
            now=T0 + timedelta(hours=3 * attempt),
        )
    db_session.expire_all()
    closed = db_session.get(Case, case.id)
    assert closed.status == CaseStatus.CLOSED and closed.callback_result == "unreachable"
    assert closed.unreachable_attempts == MAX_UNREACHABLE_ATTEMPTS
    csd = actor(db_session, "csd").user_id
    assert (
        count(
            db_session,
            Notification,
            Notification.recipient_id == csd,
            Notification.category == "closed_unreachable",
            Notification.link == f"/cases/show/{case.id}",
        )
        == 1
    )
    page = login_as("csd").get(f"/cases/show/{case.id}").get_data(as_text=True)
    assert f"联系不上 {MAX_UNREACHABLE_ATTEMPTS}/{MAX_UNREACHABLE_ATTEMPTS} 次" in page


def test_art20_the_attempt_count_is_shown_while_retrying(app, db_session, login_as):
    case = company_case_awaiting_callback(db_session)
    act(db_session, "agent", case, "callback", result="unreachable", now=T0)
    page = login_as("agent").get(f"/cases/show/{case.id}").get_data(as_text=True)
    assert f"联系不上 1/{MAX_UNREACHABLE_ATTEMPTS} 次" in page


# Item 10 ------------------------------------------------------------------------------------


@pytest.fixture
def pending_request(db_session):
    case = gen_case(db_session, received=datetime(2026, 9, 29, 10), now=datetime(2026, 9, 29, 10))
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    act(db_session, "liaison_hankou", case, "sign_for", now=datetime(2026, 9, 29, 14))
    return request_extension(
        db_session,
        actor(db_session, "liaison_hankou"),
        case.id,
        version=None,
        requested_due=datetime(2026, 10, 26, 23, 59, 59),
        reason="等待材料",
        now=datetime(2026, 10, 9, 9),
    )


def test_art30_two_csd_staff_deciding_one_extension_at_once_record_one_decision(
    app, db_session, pending_request
):
    request_id, case_id = pending_request.id, pending_request.case_id
    notices = count(db_session, Notification, Notification.category == "extension_decided")
    outcomes: dict[str, str] = {}

    def decide(username, approve):
        def run(session):
            try:
                who = actor(session, username)
                decide_extension(
                    session,
                    who,
                    request_id,
                    approve=approve,
                    note="决定",
                    now=datetime(2026, 10, 9, 10),
                )
                outcomes[username] = "ok"
            except ConflictError as exc:
                outcomes[username] = str(exc)

        return run

    at_once(app, decide("csd", True), decide("csd_head", False))
    assert sorted(v == "ok" for v in outcomes.values()) == [False, True], outcomes
    db_session.expire_all()
    request = db_session.get(ExtensionRequest, request_id)
    case = db_session.get(Case, case_id)
    winner = "csd" if outcomes["csd"] == "ok" else "csd_head"
    assert request.status == ("approved" if winner == "csd" else "rejected")
    assert (case.finish_due == request.requested_due) == (request.status == "approved")
    assert (
        count(
            db_session,
            CaseEvent,
            CaseEvent.case_id == case_id,
            CaseEvent.action == "decide_extension",
        )
        == 1
    )
    assert (
        count(db_session, Notification, Notification.category == "extension_decided") == notices + 1
    )


# Item 11 ------------------------------------------------------------------------------------


def registration_data(db_session, key):
    return Registration(
        channel_id=channel_id(db_session, "citizen_hotline"),
        kind_id=kind_id(db_session, "consultation"),
        customer_name="王先生",
        content="咨询。",
        received_at=T0,
        registration_key=key,
    )


def test_a_registration_form_submitted_twice_makes_one_case(app, db_session, login_as):
    before = count(db_session, Case)
    client = login_as("csd")
    html = client.get("/register/").get_data(as_text=True)
    key = re.search(r'name="registration_key"[^>]*value="([^"]+)"', html).group(1)
    data = {
        "csrf_token": csrf_token(client, "/register/"),
        "registration_key": key,
        "channel_id": channel_id(db_session, "citizen_hotline"),
        "kind_id": kind_id(db_session, "consultation"),
        "business_category_id": 0,
        "customer_name": "王先生",
        "content": "咨询。",
    }
    first = client.post("/register/", data=data)
    second = client.post("/register/", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(db_session, Case) == before + 1


def test_two_submissions_racing_make_one_case(app, db_session):
    before = count(db_session, Case)

    def submit(session):
        who = actor(session, "csd")
        data = registration_data(session, "k" * 32)
        return register_case(session, who, data, now=T0 + timedelta(minutes=1)).number

    numbers = at_once(app, submit, submit)
    assert len(numbers) == 2 and len(set(numbers)) == 1
    assert count(db_session, Case) == before + 1


# Item 12 ------------------------------------------------------------------------------------


def test_a_failing_registration_leaves_the_session_clean(app, db_session):
    """register_case failing its late checks must not leave the case for the next commit."""
    cases, events = count(db_session, Case), count(db_session, CaseEvent)
    with pytest.raises(InvalidRecordError):
        gen_case(db_session, by="agent", channel="hotline_96511", resolve_on_spot=True)
    assert not db_session.new and not db_session.dirty
    db_session.commit()  # whatever commits next on this session
    assert count(db_session, Case) == cases and count(db_session, CaseEvent) == events


def test_a_failing_move_leaves_the_session_clean(app, db_session):
    case = gen_case(db_session)
    with pytest.raises(InvalidRecordError):
        act(
            db_session,
            "csd",
            case,
            "dispatch",
            branch_id=branch_id(db_session, "hankou"),
            department_id=999999,
        )
    assert not db_session.new and not db_session.dirty
    db_session.commit()
    db_session.expire_all()
    assert db_session.get(Case, case.id).status == CaseStatus.PENDING_DISPATCH


def test_services_never_commit_themselves():
    """One transaction mechanism (app/services/uow.py): a service that commits or rolls back
    by hand can leave half a change behind when it raises."""
    from pathlib import Path

    services = Path(__file__).resolve().parent.parent / "app" / "services"
    offenders = [
        f"{path.name}:{number}"
        for path in sorted(services.glob("*.py"))
        if path.name != "uow.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if ".commit()" in line or ".rollback()" in line
    ]
    assert offenders == []


# Item 3 -------------------------------------------------------------------------------------


def test_a_revealed_phone_is_shown_once_per_logged_reason(app, db_session, login_as):
    case = gen_case(db_session)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    client = login_as("leader")
    token = csrf_token(client, f"/cases/show/{case.id}")
    shown = client.post(f"/cases/reveal/{case.id}", data={"csrf_token": token, "reason": "核实"})
    assert shown.status_code == 200 and "13912345678" in shown.get_data(as_text=True)
    for again in (f"/cases/show/{case.id}?revealed=1", f"/cases/show/{case.id}"):
        assert "13912345678" not in client.get(again).get_data(as_text=True)
    assert count(db_session, CaseEvent, CaseEvent.action == "reveal_contact") == 1


# Item 14 (the case page) ---------------------------------------------------------------------


def test_the_callback_result_has_no_default_and_required_fields_are_marked(
    app, db_session, login_as
):
    case = company_case_awaiting_callback(db_session)
    html = login_as("agent").get(f"/cases/show/{case.id}").get_data(as_text=True)
    assert form_fields(html, "form-callback")["result"] == ""
    callback_form = re.search(r'<form[^>]*id="form-callback".*?</form>', html, re.S).group(0)
    assert 'class="required"' in callback_form and "required>" in callback_form


def test_the_timeline_says_to_whom_a_case_was_assigned(app, db_session, login_as):
    case = gen_case(db_session)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    act(db_session, "liaison_hankou", case, "sign_for")
    handler = actor(db_session, "handler_hankou").user
    act(db_session, "liaison_hankou", case, "assign", handler_id=handler.id)
    html = login_as("liaison_hankou").get(f"/cases/show/{case.id}").get_data(as_text=True)
    timeline = re.search(r'<table[^>]*id="timeline".*?</table>', html, re.S).group(0)
    assert f"指派给：{handler.display_name}" in timeline
    assert "单位：汉口" in timeline
