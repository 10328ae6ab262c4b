"""Regressions found in review: cross-branch extension requests, 举报 reporters in lists and
attachments, decisions on finished cases, and malformed input that must not give HTTP 500."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from sqlalchemy import select

from app.domain.lifecycle import ForbiddenTransitionError
from app.models import Case, ExtensionRequest, Notification
from app.services.errors import ConflictError
from app.services.extensions import decide_extension, request_extension
from app.services.spot_checks import draw_spot_check, record_spot_check
from tests.case_helpers import act, actor, branch_id, company_case_awaiting_callback, gen_case
from tests.conftest import csrf_token
from tests.test_spot_checks import closed_government_case


def dispatched(db_session, kind="complaint", to="hankou"):
    case = gen_case(
        db_session, kind=kind, received=datetime(2026, 9, 29, 10), now=datetime(2026, 9, 29, 10, 5)
    )
    act(
        db_session,
        "csd",
        case,
        "dispatch",
        branch_id=branch_id(db_session, to),
        now=datetime(2026, 9, 29, 11),
    )
    return case


def ask(db_session, username, case, now, reason):
    db_session.expire_all()
    return request_extension(
        db_session,
        actor(db_session, username),
        case.id,
        version=None,
        requested_due=datetime(2026, 12, 26, 23, 59, 59),
        reason=reason,
        now=now,
    )


def test_art30_a_returned_case_withdraws_the_units_extension_request(db_session, login_as):
    case = dispatched(db_session)
    request = ask(db_session, "liaison_hankou", case, datetime(2026, 9, 29, 12), "汉口的理由")
    act(
        db_session,
        "liaison_hankou",
        case,
        "return_case",
        reason="不属于我方",
        now=datetime(2026, 9, 29, 13),
    )
    act(
        db_session,
        "csd",
        case,
        "dispatch",
        branch_id=branch_id(db_session, "wuchang"),
        now=datetime(2026, 9, 29, 14),
    )
    act(db_session, "liaison_wuchang", case, "sign_for", now=datetime(2026, 9, 29, 15))
    db_session.expire_all()
    assert db_session.get(ExtensionRequest, request.id).status == "cancelled"
    ask(db_session, "liaison_wuchang", case, datetime(2026, 10, 1), "武昌的理由")  # accepted
    with pytest.raises(ConflictError):
        decide_extension(db_session, actor(db_session, "csd"), request.id, approve=True)
    page = login_as("liaison_wuchang").get(f"/cases/show/{case.id}").get_data(as_text=True)
    requests_table = page.split("处理过程")[0]  # the timeline below keeps the whole history
    assert "汉口的理由" not in requests_table and "武昌的理由" in requests_table


def test_art30_no_extension_decision_on_a_voided_case(db_session):
    case = dispatched(db_session)
    request = ask(db_session, "liaison_hankou", case, datetime(2026, 9, 29, 12), "理由")
    act(db_session, "csd", case, "void", reason="重复", now=datetime(2026, 9, 30))
    with pytest.raises(ForbiddenTransitionError):
        decide_extension(db_session, actor(db_session, "csd"), request.id, approve=True)
    db_session.expire_all()
    assert db_session.get(Case, case.id).extension_count == 0
    assert (
        db_session.scalar(
            select(Notification).where(
                Notification.category == "extension_decided",
                Notification.link == f"/cases/show/{case.id}",
            )
        )
        is None
    )


def test_a_reporters_phone_and_name_stay_out_of_the_reported_branchs_lists(
    app, db_session, login_as
):
    case = dispatched(db_session, kind="report")
    client = login_as("liaison_hankou")
    for url in ("/cases/list/?psize_CaseView=100", "/queues/to_sign"):
        html = client.get(url).get_data(as_text=True)
        assert case.number in html and "139****5678" not in html and "王先生" not in html
    assert client.get("/cases/list/?_flt_0_customer_name=王").status_code == 200  # ignored


def test_a_reporters_files_stay_hidden_from_the_reported_branch(app, db_session, login_as):
    case = dispatched(db_session, kind="report")
    csd = login_as("csd")
    token = csrf_token(csd, f"/cases/show/{case.id}")
    csd.post(
        f"/cases/attach/{case.id}",
        data={"csrf_token": token, "file": (io.BytesIO(b"%PDF-1.4 x"), "王先生的举报录音说明.pdf")},
        content_type="multipart/form-data",
    )
    from app.models import Attachment

    attachment = db_session.scalar(select(Attachment).where(Attachment.case_id == case.id))
    branch = login_as("liaison_hankou")
    assert branch.get(f"/cases/attachment/{attachment.id}").status_code == 404
    assert "王先生" not in branch.get(f"/cases/show/{case.id}").get_data(as_text=True)
    assert csd.get(f"/cases/attachment/{attachment.id}").status_code == 200


def test_a_spot_check_result_is_not_overwritten(db_session):
    closed_government_case(db_session, 12)
    check = draw_spot_check(
        db_session, actor(db_session, "csd"), datetime(2026, 10, 1), datetime(2026, 11, 1), "100"
    )
    item = check.items[0]
    record_spot_check(db_session, actor(db_session, "csd"), item.id, "satisfied", "满意")
    with pytest.raises(ConflictError):
        record_spot_check(db_session, actor(db_session, "csd"), item.id, "dissatisfied", "x")


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("assign", {"handler_id": "abc"}),
        ("supervise", {"note": "督办", "reply_due": "2026-13-01"}),
        ("decide_extension", {}),
        ("resolve_on_spot", {}),
        ("no_such_action", {}),
        ("sign_for", {"note": "多余的字段"}),
    ],
)
def test_malformed_action_forms_get_a_message_not_a_server_error(
    app, db_session, login_as, action, data
):
    case = dispatched(db_session)
    for username in ("csd", "liaison_hankou", "agent"):
        client = login_as(username)
        token = csrf_token(client, "/myprofileview/form")
        response = client.post(f"/cases/act/{case.id}/{action}", data={"csrf_token": token, **data})
        assert response.status_code in (302, 403, 404), (username, action)


@pytest.mark.parametrize(
    "url",
    [
        "/cases/show/99999999999999999999",
        "/cases/attachment/99999999999999999999",
        "/spotchecks/99999999999999999999",
        "/queues/to_review?page=abc",
        "/queues/to_review?page=99999999999999999999",
        "/departmentview/show/99999999999999999999",
    ],
)
def test_absurd_ids_and_pages_are_not_server_errors(app, login_as, url):
    assert login_as("csd").get(url).status_code in (200, 404)


@pytest.mark.parametrize(
    ("start", "end", "rate"),
    [
        ("2026-10-01", "9999-12-31", "10"),
        ("2026-10-01", "2026-10-31", "sNaN"),
        ("2026-10-01", "2026-10-31", "Infinity"),
        ("x", "y", "10"),
    ],
)
def test_bad_spot_check_input_gets_a_message(app, login_as, start, end, rate):
    client = login_as("csd")
    token = csrf_token(client, "/spotchecks/")
    response = client.post(
        "/spotchecks/draw",
        data={"csrf_token": token, "start": start, "end": end, "rate": rate},
        follow_redirects=True,
    )
    assert response.status_code == 200 and "alert-danger" in response.get_data(as_text=True)


@pytest.mark.parametrize("body", [[1], "text", 3])
def test_the_survey_api_refuses_a_body_that_is_not_an_object(app, db_session, body):
    from tests.api_helpers import bearer, system_token

    client = app.test_client()
    case = company_case_awaiting_callback(db_session)
    response = client.post(
        f"/api/v1/cases/{case.number}/survey",
        headers=bearer(system_token(db_session)[2]),
        json=body,
    )
    assert response.status_code == 422 and response.get_json()["fields"] == {
        "": "请求体须为 JSON 对象。"
    }
