"""公司渠道 callbacks come from the satisfaction survey (Art.35), entered or pushed by API."""

from __future__ import annotations

from app.domain.lifecycle import CaseStatus
from app.models import Case
from tests.api_helpers import bearer, system_token
from tests.case_helpers import company_case_awaiting_callback, gen_case
from tests.test_scope_matrix import api_token


def test_art35_a_survey_result_by_api_closes_a_company_case(app, db_session):
    case = company_case_awaiting_callback(db_session)
    client = app.test_client()
    response = client.post(
        f"/api/v1/cases/{case.number}/survey",
        headers=bearer(system_token(db_session)[2]),
        json={"result": "satisfied"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Case, case.id).status == CaseStatus.CLOSED


def test_art35_a_dissatisfied_survey_opens_the_rehandle(app, db_session):
    """Art.21/36: the case was resolved on the spot, so no unit holds it: its 重办 waits at
    待派发 for CSD to dispatch (design §2)."""
    case = company_case_awaiting_callback(db_session)
    client = app.test_client()
    client.post(
        f"/api/v1/cases/{case.number}/survey",
        headers=bearer(system_token(db_session)[2]),
        json={"result": "dissatisfied", "note": "回复不清楚"},
    )
    db_session.expire_all()
    rehandled = db_session.get(Case, case.id)
    assert rehandled.status == CaseStatus.PENDING_DISPATCH and rehandled.rehandle_count == 1


def test_art35_government_cases_are_not_closed_by_the_survey(app, db_session):
    case = gen_case(db_session)
    client = app.test_client()
    response = client.post(
        f"/api/v1/cases/{case.number}/survey",
        headers=bearer(system_token(db_session)[2]),
        json={"result": "satisfied"},
    )
    assert response.status_code == 422 and "分子公司" in response.get_json()["message"]


def test_survey_api_needs_a_machine_token_and_a_known_case(app, db_session):
    """A person's account (password-issued JWT) is no machine credential (issue 11)."""
    case = company_case_awaiting_callback(db_session)
    client = app.test_client()
    url = f"/api/v1/cases/{case.number}/survey"
    body = {"result": "satisfied"}
    assert client.post(url, headers=api_token(client, "csd"), json=body).status_code == 401
    token = system_token(db_session)[2]
    assert (
        client.post("/api/v1/cases/SQ000/survey", headers=bearer(token), json=body).status_code
        == 404
    )
    assert client.post(url, json=body).status_code == 401
    db_session.expire_all()
    assert db_session.get(Case, case.id).status == CaseStatus.PENDING_CALLBACK
