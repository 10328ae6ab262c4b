"""/api/v1 for the external systems of Art.13: every endpoint, token authentication and scope,
idempotent intake (channel × external reference), JSON errors in Chinese, limits."""

from __future__ import annotations

from datetime import datetime

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from app.domain.lifecycle import CaseStatus
from app.models import ApiCallLog, ApiClient, Case, CaseEvent
from app.services.actor import Actor
from app.services.api_auth import authenticate
from app.services.api_clients import revoke_token, set_client_active
from app.services.api_intake import create_case
from tests.api_helpers import bearer, case_body, system_token
from tests.case_helpers import case_in_status, company_case_awaiting_callback, gen_case
from tests.racing import at_once
from tests.test_scope_matrix import api_token


def _cases(session, external_ref: str | None = None) -> int:
    """Every case, or those of one external reference, as the database has them now."""
    session.expire_all()
    query = select(func.count()).select_from(Case)
    if external_ref is not None:
        query = query.where(Case.external_ref == external_ref)
    return session.scalar(query)


# --- intake -----------------------------------------------------------------------------------


def test_art13_a_system_delivers_a_case_and_a_retry_returns_the_same_case(app, db_session):
    _, _, token = system_token(db_session)
    client = app.test_client()
    first = client.post("/api/v1/cases", headers=bearer(token), json=case_body())
    assert first.status_code == 201, first.get_data(as_text=True)
    body = first.get_json()
    assert body["created"] is True and body["number"].startswith("SQ")
    assert body["status"] == {"code": "pending_dispatch", "label": "待派发"}
    assert body["finish_due"] and body["sign_due"]
    again = client.post(
        "/api/v1/cases", headers=bearer(token), json=case_body(content="重复推送的内容")
    )
    assert again.status_code == 200 and again.get_json()["created"] is False
    assert again.get_json()["number"] == body["number"]
    db_session.expire_all()
    case = db_session.scalar(select(Case).where(Case.number == body["number"]))
    assert case.external_ref == "KF-0001" and case.api_client_id is not None
    assert case.first_contact.username == "api:kefu"  # the system's service account
    assert _cases(db_session, "KF-0001") == 1


def test_the_same_reference_on_another_channel_is_another_case(app, db_session):
    _, _, token = system_token(db_session)
    client = app.test_client()
    one = client.post("/api/v1/cases", headers=bearer(token), json=case_body())
    two = client.post("/api/v1/cases", headers=bearer(token), json=case_body(channel="wechat"))
    assert (one.status_code, two.status_code) == (201, 201)
    assert one.get_json()["number"] != two.get_json()["number"]


def test_art13_government_channel_cases_are_received_centrally(app, db_session):
    _, _, token = system_token(db_session)
    response = app.test_client().post(
        "/api/v1/cases",
        headers=bearer(token),
        json=case_body(channel="citizen_hotline", external_ref="12345-88", kind="business"),
    )
    assert response.status_code == 201
    assert response.get_json()["status"]["code"] == "pending_dispatch"


def test_concurrent_retries_make_one_case(app, db_session):
    """Eight deliveries of one case at the same moment: one case, every caller gets it (on
    PostgreSQL the unique index decides the race; SQLite serialises the writers)."""
    _, _, token = system_token(db_session)
    machine = authenticate(db_session, token)
    values = {k: v for k, v in case_body(external_ref="RACE-1").items()}
    results = at_once(
        app, *[(lambda session: create_case(session, machine, dict(values))[0].number)] * 8
    )
    assert len(set(results)) == 1
    assert _cases(db_session, "RACE-1") == 1


# --- reading ----------------------------------------------------------------------------------


def test_a_system_reads_status_deadline_and_timeline_of_its_case(app, db_session):
    _, _, token = system_token(db_session)
    client = app.test_client()
    number = client.post("/api/v1/cases", headers=bearer(token), json=case_body()).get_json()[
        "number"
    ]
    response = client.get(f"/api/v1/cases/{number}", headers=bearer(token))
    assert response.status_code == 200
    body = response.get_json()
    assert body["number"] == number and body["finish_due"]
    assert [e["action"] for e in body["timeline"]] == ["register"]
    assert body["timeline"][0]["action_label"] == "登记诉求"


def test_a_system_does_not_read_cases_outside_its_channels(app, db_session):
    other = gen_case(db_session, channel="sunshine_petition")  # not among the token's channels
    _, _, token = system_token(db_session)
    client = app.test_client()
    response = client.get(f"/api/v1/cases/{other.number}", headers=bearer(token))
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found" and "不存在" in response.get_json()["message"]
    assert client.get("/api/v1/cases/SQ000", headers=bearer(token)).status_code == 404


def test_the_change_feed_pages_by_cursor_and_stays_in_scope(app, db_session):
    start = db_session.scalar(select(func.max(CaseEvent.id))) or 0  # the template's cases
    _, _, token = system_token(db_session)
    client = app.test_client()
    numbers = [
        client.post(
            "/api/v1/cases", headers=bearer(token), json=case_body(external_ref=f"F-{i}")
        ).get_json()["number"]
        for i in range(3)
        if gen_case(db_session, channel="sunshine_petition") is not None
    ]
    seen, cursor = [], start
    for _ in range(3):
        page = client.get(f"/api/v1/changes?cursor={cursor}&limit=2", headers=bearer(token))
        assert page.status_code == 200
        body = page.get_json()
        seen += [item["case_number"] for item in body["items"]]
        assert body["next_cursor"] >= cursor
        cursor = body["next_cursor"]
    assert seen == numbers  # a case of another channel registered in between is not listed
    last = client.get(f"/api/v1/changes?cursor={cursor}", headers=bearer(token)).get_json()
    assert last == {"items": [], "next_cursor": cursor}
    bad = client.get("/api/v1/changes?cursor=-1&limit=9999", headers=bearer(token))
    assert bad.status_code == 422 and set(bad.get_json()["fields"]) == {"cursor", "limit"}


# --- survey (Art.35) --------------------------------------------------------------------------


def test_art35_a_survey_result_closes_a_company_case(app, db_session):
    case = company_case_awaiting_callback(db_session)
    _, _, token = system_token(db_session)
    response = app.test_client().post(
        f"/api/v1/cases/{case.number}/survey", headers=bearer(token), json={"result": "satisfied"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Case, case.id).status == CaseStatus.CLOSED


def test_art35_a_survey_result_without_the_operation_is_refused(app, db_session):
    case = company_case_awaiting_callback(db_session)
    _, _, token = system_token(db_session, operations=["cases.read"])
    response = app.test_client().post(
        f"/api/v1/cases/{case.number}/survey", headers=bearer(token), json={"result": "satisfied"}
    )
    assert response.status_code == 403 and response.get_json()["code"] == "forbidden_scope"
    db_session.expire_all()
    assert db_session.get(Case, case.id).status == CaseStatus.PENDING_CALLBACK


# --- government replies (Art.13-2) ------------------------------------------------------------


def test_art13_the_approved_reply_is_fetched_and_marked_delivered(app, db_session):
    case = case_in_status(
        db_session, CaseStatus.PENDING_GOVERNMENT_REPLY, datetime(2026, 10, 12, 9)
    )
    _, _, token = system_token(db_session, code="zhengwu", channels=["citizen_hotline"])
    client = app.test_client()
    listed = client.get("/api/v1/government-replies", headers=bearer(token)).get_json()["items"]
    assert [(i["number"], i["reply"]) for i in listed] == [(case.number, "已上门处理")]
    done = client.post(
        f"/api/v1/cases/{case.number}/government-reply/delivered", headers=bearer(token)
    )
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json()["status"]["code"] == "pending_callback"
    again = client.post(
        f"/api/v1/cases/{case.number}/government-reply/delivered", headers=bearer(token)
    )
    assert again.status_code == 200 and again.get_json()["changed"] is False
    db_session.expire_all()
    event = db_session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id.desc())
    ).first()
    assert event.action == "answer_government" and event.note.startswith("已上门处理")
    assert event.actor.username == "api:zhengwu"
    assert client.get("/api/v1/government-replies", headers=bearer(token)).get_json() == {
        "items": []
    }


def test_a_case_not_awaiting_the_government_reply_is_a_conflict(app, db_session):
    case = gen_case(db_session)  # 政务渠道, still 待派发
    _, _, token = system_token(db_session)
    response = app.test_client().post(
        f"/api/v1/cases/{case.number}/government-reply/delivered", headers=bearer(token)
    )
    assert response.status_code == 409 and response.get_json()["code"] == "conflict"


# --- authentication and scope -----------------------------------------------------------------


def test_calls_without_a_valid_token_are_refused_in_chinese(app, db_session, login_as):
    client = app.test_client()
    missing = client.post("/api/v1/cases", json=case_body())
    assert missing.status_code == 401 and missing.get_json()["code"] == "token_missing"
    assert "令牌" in missing.get_json()["message"]
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = client.post("/api/v1/cases", headers=bearer("sqk_" + "x" * 43), json=case_body())
    assert wrong.status_code == 401 and wrong.get_json()["code"] == "token_invalid"
    # A user's password-issued JWT and a signed-in session are not machine credentials.
    jwt = client.post("/api/v1/cases", headers=api_token(client, "csd"), json=case_body())
    assert jwt.status_code == 401
    session_client = login_as("admin")
    assert session_client.post("/api/v1/cases", json=case_body()).status_code == 401
    assert _cases(db_session, "KF-0001") == 0


def test_a_revoked_token_and_a_deactivated_system_are_refused(app, db_session):
    client_id, token_id, token = system_token(db_session)
    _, _, second = system_token(db_session)
    revoke_token(db_session, Actor.system(), client_id, token_id)
    client = app.test_client()
    response = client.get("/api/v1/changes", headers=bearer(token))
    assert response.status_code == 401 and response.get_json()["code"] == "token_revoked"
    assert client.get("/api/v1/changes", headers=bearer(second)).status_code == 200
    set_client_active(db_session, Actor.system(), client_id, False)
    response = client.get("/api/v1/changes", headers=bearer(second))
    assert response.status_code == 401 and response.get_json()["code"] == "client_inactive"


def test_a_token_works_only_on_its_channels_and_operations(app, db_session):
    _, _, token = system_token(db_session, channels=["hotline_96511"], operations=["cases.create"])
    client = app.test_client()
    other = client.post(
        "/api/v1/cases", headers=bearer(token), json=case_body(channel="citizen_hotline")
    )
    assert other.status_code == 403 and other.get_json()["code"] == "forbidden_scope"
    assert "渠道" in other.get_json()["message"]
    created = client.post("/api/v1/cases", headers=bearer(token), json=case_body())
    assert created.status_code == 201
    read = client.get(f"/api/v1/cases/{created.get_json()['number']}", headers=bearer(token))
    assert read.status_code == 403
    assert _cases(db_session, "KF-0001") == 1


def test_every_call_is_logged_with_its_system_and_token(app, db_session):
    client_id, token_id, token = system_token(db_session)
    client = app.test_client()
    number = client.post("/api/v1/cases", headers=bearer(token), json=case_body()).get_json()[
        "number"
    ]
    client.get("/api/v1/cases/SQ000", headers=bearer(token))
    db_session.expire_all()
    rows = db_session.scalars(select(ApiCallLog).order_by(ApiCallLog.id)).all()
    assert [(r.client_id, r.token_id, r.method, r.status) for r in rows] == [
        (client_id, token_id, "POST", 201),
        (client_id, token_id, "GET", 404),
    ]
    case_id = db_session.scalar(select(Case.id).where(Case.number == number))
    assert rows[0].case_id == case_id
    assert db_session.get(ApiClient, client_id).tokens[0].last_used_at is not None


# --- bad input and limits ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "status", "code", "fields"),
    [
        ({"data": "{not json", "content_type": "application/json"}, 400, "malformed_json", None),
        ({"data": "channel=x", "content_type": "text/plain"}, 415, "unsupported_media_type", None),
        ({"json": [1, 2]}, 422, "invalid_fields", {""}),
        (
            {"json": {}},
            422,
            "invalid_fields",
            {"channel", "external_ref", "kind", "customer_name", "content"},
        ),
        ({"json": case_body(channel="fax")}, 422, "invalid_fields", {"channel"}),
        ({"json": case_body(kind="gossip")}, 422, "invalid_fields", {"kind"}),
        (
            {"json": case_body(urgent="yes", customer_name=5)},
            422,
            "invalid_fields",
            {"urgent", "customer_name"},
        ),
        ({"json": case_body(colour="red")}, 422, "invalid_fields", {"colour"}),
        ({"json": case_body(customer_name="名" * 51)}, 422, "invalid_fields", {"customer_name"}),
        ({"json": case_body(received_at="yesterday")}, 422, "invalid_fields", {"received_at"}),
        (
            {"json": case_body(received_at="2026-13-45T10:00")},
            422,
            "invalid_fields",
            {"received_at"},
        ),
        ({"json": case_body(content="x" * 70000)}, 413, "payload_too_large", None),
    ],
)
def test_bad_input_gets_per_field_chinese_errors_and_writes_nothing(
    app, db_session, kwargs, status, code, fields
):
    _, _, token = system_token(db_session)
    before = _cases(db_session)
    response = app.test_client().post("/api/v1/cases", headers=bearer(token), **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == status and body["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])
    if fields is not None:
        assert set(body["fields"]) == fields
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in body["fields"].values())
    assert _cases(db_session) == before


def test_a_receipt_time_in_the_future_is_refused(app, db_session):
    _, _, token = system_token(db_session)
    response = app.test_client().post(
        "/api/v1/cases", headers=bearer(token), json=case_body(received_at="2099-01-01T10:00:00")
    )
    assert response.status_code == 422 and response.get_json()["code"] == "invalid"


def test_a_token_over_its_rate_gets_429(app, db_session):
    _, _, token = system_token(db_session, rate=2)
    client = app.test_client()
    statuses = [client.get("/api/v1/changes", headers=bearer(token)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    body = client.get("/api/v1/changes", headers=bearer(token)).get_json()
    assert body["code"] == "rate_limited" and "频繁" in body["message"]


def test_unknown_routes_and_methods_answer_json_errors(app):
    client = app.test_client()
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.get_json()["code"] == "not_found"
    wrong = client.get("/api/v1/cases")
    assert wrong.status_code == 405 and wrong.get_json()["code"] == "method_not_allowed"


def test_the_openapi_document_is_served_and_valid(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    assert set(document["paths"]) == {
        "/api/v1/cases",
        "/api/v1/cases/batch",
        "/api/v1/cases/{number}",
        "/api/v1/cases/{number}/survey",
        "/api/v1/government-replies",
        "/api/v1/cases/{number}/government-reply/delivered",
        "/api/v1/changes",
    }
    rules = {
        r.rule.replace("<number>", "{number}")
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("api_v1.") and r.endpoint != "api_v1.openapi"
    }
    assert rules == set(document["paths"])


def test_the_openapi_document_lists_the_codes_a_new_case_may_name_today(app, db_session):
    """The channel, kind and business category of a new case are enums of the codes the
    administrator keeps: a deactivated channel or kind leaves the document at once."""
    from app.models import CaseKind, Channel

    def case_create():
        document = app.test_client().get("/api/v1/openapi.json").get_json()
        validate(document)
        return document["components"]["schemas"]["CaseCreate"]["properties"]

    properties = case_create()
    assert {"hotline_96511", "wechat", "citizen_hotline"} <= set(properties["channel"]["enum"])
    assert {"consultation", "complaint"} <= set(properties["kind"]["enum"])
    assert "gas_leak" in properties["business_category"]["enum"]
    db_session.query(Channel).filter_by(code="wechat").one().active = False
    db_session.query(CaseKind).filter_by(code="suggestion").one().active = False
    db_session.commit()
    properties = case_create()
    assert "wechat" not in properties["channel"]["enum"]
    assert "suggestion" not in properties["kind"]["enum"]


def test_channels_and_kinds_by_code_follow_the_reference_data_at_once(app, db_session):
    """The API reads channels and kinds by code from the process's kept reference data (one
    statement fewer each): a channel the administrator deactivates is refused on the next call,
    a kind added is accepted on the next call, and each delivered case costs one commit."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from app.models import CaseKind, Channel

    _, _, token = system_token(db_session)
    client = app.test_client()
    assert client.post("/api/v1/cases", headers=bearer(token), json=case_body()).status_code == 201
    commits = []
    listener = lambda session: commits.append(1)  # noqa: E731
    event.listen(Session, "after_commit", listener)
    try:
        second = client.post(
            "/api/v1/cases", headers=bearer(token), json=case_body(external_ref="KF-0002")
        )
    finally:
        event.remove(Session, "after_commit", listener)
    assert second.status_code == 201
    assert len(commits) == 1  # the case, its event and the call's log line together
    db_session.expire_all()
    log = db_session.scalars(select(ApiCallLog).order_by(ApiCallLog.id.desc())).first()
    assert log.status == 201 and log.case_id is not None and log.path == "/api/v1/cases"

    wechat = db_session.scalar(select(Channel).where(Channel.code == "wechat"))
    wechat.active = False
    consultation = db_session.scalar(select(CaseKind).where(CaseKind.code == "consultation"))
    db_session.add(
        CaseKind(
            code="meter_check", name="表具检测", content_class_id=consultation.content_class_id
        )
    )
    db_session.commit()
    refused = client.post(
        "/api/v1/cases",
        headers=bearer(token),
        json=case_body(channel="wechat", external_ref="WX-1"),
    )
    assert refused.status_code == 422 and "channel" in refused.get_json()["fields"]
    accepted = client.post(
        "/api/v1/cases",
        headers=bearer(token),
        json=case_body(kind="meter_check", external_ref="KF-0003"),
    )
    assert accepted.status_code == 201, accepted.get_data(as_text=True)


def test_a_machine_call_gets_no_session_cookie(app, db_session):
    """FAB's locale selector wrote the default language into a new session on every request,
    so each API answer set a session cookie (app.locale reads the choice, never writes it)."""
    _, _, token = system_token(db_session)
    client = app.test_client()
    response = client.post("/api/v1/cases", headers=bearer(token), json=case_body())
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers
    status = client.get(f"/api/v1/cases/{response.get_json()['number']}", headers=bearer(token))
    assert "Set-Cookie" not in status.headers
    assert status.get_json()["status"]["label"] == "待派发"  # still Chinese


def test_pages_stay_chinese_without_a_language_in_the_session(app):
    page = app.test_client().get("/login/")
    assert page.status_code == 200 and "登录" in page.get_data(as_text=True)
