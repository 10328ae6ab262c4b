"""/api/v1/cases/batch (Art.13): a platform catching up delivers its cases in batches; each case
is answered as the single delivery would answer it, the new ones are registered together in one
transaction, and nothing of a refused batch is written."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.domain.api_tokens import MAX_BATCH_CASES, MAX_BODY_BYTES
from app.domain.clock import now as clock_now
from app.models import ApiCallLog, Case, CaseEvent, MajorMatter
from app.services.api_auth import authenticate
from app.services.api_intake import Delivery, create_cases
from tests.api_helpers import bearer, case_body, system_token
from tests.racing import at_once

BATCH = "/api/v1/cases/batch"


def _cases(session, *refs: str) -> int:
    session.expire_all()
    query = select(func.count()).select_from(Case)
    if refs:
        query = query.where(Case.external_ref.in_(refs))
    return session.scalar(query)


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_art13_a_batch_registers_each_case_as_a_single_delivery_would(app, db_session):
    """Art.13/19: the same numbers' form, deadlines, history event and system as /cases."""
    _, _, token = system_token(db_session)
    client = app.test_client()
    received = "2026-11-27T10:00:00"
    single = client.post(
        "/api/v1/cases",
        headers=bearer(token),
        json=case_body(external_ref="ONE", received_at=received),
    ).get_json()
    response = client.post(
        BATCH,
        headers=bearer(token),
        json={"cases": [case_body(external_ref=f"B-{i}", received_at=received) for i in range(5)]},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    items = response.get_json()["items"]
    assert [item["status"] for item in items] == [201] * 5
    assert all(item["created"] is True for item in items)
    assert [item["case"]["external_ref"] for item in items] == [f"B-{i}" for i in range(5)]
    numbers = [item["case"]["number"] for item in items]
    sequence = int(single["number"][-4:])
    assert numbers == [f"SQ20261127{sequence + i:04d}" for i in range(1, 6)]
    assert {(item["case"]["sign_due"], item["case"]["finish_due"]) for item in items} == {
        (single["sign_due"], single["finish_due"])
    }
    db_session.expire_all()
    cases = db_session.scalars(select(Case).where(Case.number.in_(numbers))).all()
    assert len(cases) == 5
    assert {case.first_contact.username for case in cases} == {"api:kefu"}
    assert all(case.api_client_id is not None for case in cases)
    events = db_session.scalars(
        select(CaseEvent.action).where(CaseEvent.case_id.in_([c.id for c in cases]))
    ).all()
    assert events == ["register"] * 5


def test_art13_a_batch_answers_each_case_and_writes_only_the_valid_ones(app, db_session):
    _, _, token = system_token(db_session, channels=("hotline_96511",))
    client = app.test_client()
    client.post("/api/v1/cases", headers=bearer(token), json=case_body(external_ref="OLD"))
    cases = [
        case_body(external_ref="NEW-1"),
        case_body(external_ref="BAD-1", customer_name=None),
        case_body(external_ref="BAD-2", channel="no_such_channel"),
        case_body(external_ref="BAD-3", channel="wechat"),  # not the token's channel
        case_body(external_ref="BAD-4", received_at="2099-01-01T10:00:00"),
        case_body(external_ref="NEW-1", content="同一批次里重复的一件"),
        case_body(external_ref="OLD"),
        "不是对象",
    ]
    response = client.post(BATCH, headers=bearer(token), json={"cases": cases})
    assert response.status_code == 200, response.get_data(as_text=True)
    items = response.get_json()["items"]
    assert [item["status"] for item in items] == [201, 422, 422, 403, 422, 200, 200, 422]
    assert items[1]["fields"].keys() == {"customer_name"}
    assert items[2]["fields"].keys() == {"channel"}
    assert items[3]["code"] == "forbidden_scope"
    assert items[4]["code"] == "invalid"
    assert items[5]["case"]["number"] == items[0]["case"]["number"]
    assert items[5]["created"] is False
    assert items[6]["created"] is False
    for item in items[1:5] + items[7:]:
        assert _chinese(item["message"]) and "case" not in item
    assert _cases(db_session, "NEW-1", "BAD-1", "BAD-2", "BAD-3", "BAD-4", "OLD") == 2


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ([case_body()], {""}),
        ({}, {"cases"}),
        ({"cases": []}, {"cases"}),
        ({"cases": case_body()}, {"cases"}),
        ({"cases": [case_body(external_ref=f"X{i}") for i in range(MAX_BATCH_CASES + 1)]}, None),
        ({"cases": [case_body()], "extra": 1}, {"extra"}),
    ],
)
def test_a_malformed_batch_is_refused_whole_in_chinese(app, db_session, body, fields):
    _, _, token = system_token(db_session)
    before = _cases(db_session)
    response = app.test_client().post(BATCH, headers=bearer(token), json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    answer = response.get_json()
    assert answer["code"] == "invalid_fields" and _chinese(answer["message"])
    assert set(answer["fields"]) == (fields or {"cases"})
    assert all(_chinese(message) for message in answer["fields"].values())
    assert _cases(db_session) == before


def test_a_batch_that_is_not_json_or_too_large_is_refused(app, db_session):
    _, _, token = system_token(db_session)
    client = app.test_client()
    headers = {**bearer(token), "Content-Type": "application/json"}
    broken = client.post(BATCH, headers=headers, data="{not json")
    assert broken.status_code == 400 and broken.get_json()["code"] == "malformed_json"
    huge = json.dumps({"cases": [case_body(content="x" * 4000)] * 1100})
    too_large = client.post(BATCH, headers=headers, data=huge)
    assert too_large.status_code == 413 and _chinese(too_large.get_json()["message"])
    # A batch over the single delivery's limit fits: the batch has its own.
    cases = [case_body(external_ref=f"R{i}", content="内" * 1000) for i in range(100)]
    roomy = json.dumps({"cases": cases})
    assert len(roomy) > MAX_BODY_BYTES
    assert client.post(BATCH, headers=headers, data=roomy).status_code == 200


def test_each_case_of_a_batch_counts_against_the_tokens_rate(app, db_session):
    """A batch uses one unit of the token's minute per case; a refused batch uses none."""
    _, _, token = system_token(db_session, rate=10)
    client = app.test_client()

    def batch(prefix, count):
        body = {"cases": [case_body(external_ref=f"{prefix}-{i}") for i in range(count)]}
        return client.post(BATCH, headers=bearer(token), json=body)

    assert batch("A", 8).status_code == 200  # 8 of 10
    refused = batch("B", 5)  # would make 13
    assert refused.status_code == 429 and refused.get_json()["code"] == "rate_limited"
    assert _cases(db_session, *[f"B-{i}" for i in range(5)]) == 0
    assert batch("C", 2).status_code == 200  # 10 of 10: the refused batch used nothing
    assert batch("D", 1).status_code == 429


def test_a_batch_larger_than_the_tokens_minute_is_refused_not_throttled(app, db_session):
    _, _, token = system_token(db_session, rate=5)
    body = {"cases": [case_body(external_ref=f"BIG-{i}") for i in range(6)]}
    response = app.test_client().post(BATCH, headers=bearer(token), json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    answer = response.get_json()
    assert set(answer["fields"]) == {"cases"} and "5" in answer["fields"]["cases"]
    assert _chinese(answer["fields"]["cases"])
    assert _cases(db_session, *[f"BIG-{i}" for i in range(6)]) == 0


def test_a_known_reference_is_found_whatever_its_repeat_says_as_on_cases(app, db_session):
    """A repeated delivery is answered with its case (200) before its contents are judged,
    on /cases and in a batch alike; a refused delivery does not make its reference's case."""
    _, _, token = system_token(db_session)
    client = app.test_client()
    future = "2099-01-01T10:00:00"
    client.post("/api/v1/cases", headers=bearer(token), json=case_body(external_ref="K0"))
    single = client.post(
        "/api/v1/cases",
        headers=bearer(token),
        json=case_body(external_ref="K0", received_at=future),
    )
    assert single.status_code == 200
    cases = [
        case_body(external_ref="K0", received_at=future),
        case_body(external_ref="K1"),
        case_body(external_ref="K1", received_at=future),
        case_body(external_ref="K2", received_at=future),
        case_body(external_ref="K2"),
    ]
    items = client.post(BATCH, headers=bearer(token), json={"cases": cases}).get_json()["items"]
    assert [item["status"] for item in items] == [200, 201, 200, 422, 201]
    assert items[2]["case"]["number"] == items[1]["case"]["number"]
    assert items[3]["code"] == "invalid" and _chinese(items[3]["message"])
    assert _cases(db_session, "K0", "K1", "K2") == 3


def test_a_batch_that_keeps_losing_races_is_a_conflict_to_retry(app, db_session, monkeypatch):
    from app.services import api_intake
    from app.services.case_registration import DuplicateSubmissionError

    calls = []

    def always_beaten(*args, **kwargs):
        calls.append(1)
        raise DuplicateSubmissionError("已提交")

    monkeypatch.setattr(api_intake, "register_cases", always_beaten)
    _, _, token = system_token(db_session)
    body = {"cases": [case_body(external_ref="LOSER")]}
    response = app.test_client().post(BATCH, headers=bearer(token), json=body)
    assert response.status_code == 409, response.get_data(as_text=True)
    assert response.get_json()["code"] == "conflict" and _chinese(response.get_json()["message"])
    assert len(calls) == api_intake.BATCH_ATTEMPTS


def test_a_batch_that_loses_a_race_is_judged_again_on_what_is_there(app, db_session, monkeypatch):
    """The first attempt loses to another delivery of R1 (made here just before it fails); the
    second finds R1 (200) and registers the rest."""
    from app.services import api_intake
    from app.services.case_registration import DuplicateSubmissionError

    _, _, token = system_token(db_session)
    client = app.test_client()
    real, attempts = api_intake.register_cases, []

    def beaten_once(session, actor, registrations, *, now):
        attempts.append([r.external_ref for r in registrations])
        if len(attempts) == 1:
            other = client.post(
                "/api/v1/cases", headers=bearer(token), json=case_body(external_ref="R1")
            )
            assert other.status_code == 201
            raise DuplicateSubmissionError("已提交")
        return real(session, actor, registrations, now=now)

    monkeypatch.setattr(api_intake, "register_cases", beaten_once)
    body = {"cases": [case_body(external_ref=ref) for ref in ("R2", "R1", "R3", "R2")]}
    items = client.post(BATCH, headers=bearer(token), json=body).get_json()["items"]
    assert attempts == [["R2", "R1", "R3"], ["R2", "R3"]]
    assert [item["status"] for item in items] == [201, 200, 201, 200]
    assert items[3]["case"]["number"] == items[0]["case"]["number"]
    assert _cases(db_session, "R1", "R2", "R3") == 3


def test_text_no_database_can_store_is_a_field_error_not_a_server_error(app, db_session):
    _, _, token = system_token(db_session)
    client = app.test_client()
    headers = {**bearer(token), "Content-Type": "application/json"}
    raw = json.dumps(case_body(customer_name="\ud800"))  # the escape, as a platform sends it
    assert "\\ud800" in raw
    single = client.post("/api/v1/cases", headers=headers, data=raw)
    assert single.status_code == 422 and set(single.get_json()["fields"]) == {"customer_name"}
    batch = client.post(
        BATCH,
        headers=headers,
        data=f'{{"cases": [{raw}, {json.dumps(case_body(external_ref="FINE"))}]}}',
    )
    assert batch.status_code == 200
    assert [item["status"] for item in batch.get_json()["items"]] == [422, 201]


def test_a_batch_needs_the_create_operation(app, db_session):
    _, _, token = system_token(db_session, code="reader", operations=["cases.read"])
    response = app.test_client().post(BATCH, headers=bearer(token), json={"cases": [case_body()]})
    assert response.status_code == 403 and response.get_json()["code"] == "forbidden_scope"
    assert _cases(db_session, "KF-0001") == 0


def test_a_batch_is_one_logged_call(app, db_session):
    _, token_id, token = system_token(db_session)
    body = {"cases": [case_body(external_ref=f"LOG-{i}") for i in range(3)]}
    app.test_client().post(BATCH, headers=bearer(token), json=body)
    db_session.expire_all()
    lines = db_session.scalars(
        select(ApiCallLog).where(ApiCallLog.token_id == token_id, ApiCallLog.path == BATCH)
    ).all()
    assert [(line.method, line.status) for line in lines] == [("POST", 200)]


def test_art34_a_batched_case_with_casualties_opens_its_major_matter_review(app, db_session):
    """Art.22/34: registration's consequences are the same in a batch."""
    _, _, token = system_token(db_session)
    body = {"cases": [case_body(external_ref="HURT", casualties=True), case_body()]}
    items = app.test_client().post(BATCH, headers=bearer(token), json=body).get_json()["items"]
    db_session.expire_all()
    case = db_session.scalar(select(Case).where(Case.number == items[0]["case"]["number"]))
    plain = db_session.scalar(select(Case).where(Case.number == items[1]["case"]["number"]))
    matters = db_session.scalars(select(MajorMatter.case_id)).all()
    assert case.id in matters and plain.id not in matters


def test_a_batchs_numbers_follow_the_order_sent(app, db_session):
    """The references arrive in the platform's order (here not alphabetical): the numbers
    follow it, whatever order the rows are written in."""
    _, _, token = system_token(db_session)
    refs = ["Z-9", "A-1", "M-5", "B-2"]
    body = {"cases": [case_body(external_ref=ref) for ref in refs]}
    items = app.test_client().post(BATCH, headers=bearer(token), json=body).get_json()["items"]
    numbers = [item["case"]["number"] for item in items]
    assert numbers == sorted(numbers) and len(set(numbers)) == 4
    assert [item["case"]["external_ref"] for item in items] == refs
    db_session.expire_all()
    rows = db_session.execute(
        select(Case.external_ref, Case.number).where(Case.external_ref.in_(refs))
    ).all()
    stored = {ref: number for ref, number in rows}
    assert [stored[ref] for ref in refs] == numbers


def test_a_batch_spanning_two_days_numbers_each_day_in_turn(app, db_session):
    _, _, token = system_token(db_session)
    body = {
        "cases": [
            case_body(external_ref="D1", received_at="2026-11-26T09:00:00"),
            case_body(external_ref="D2", received_at="2026-11-27T09:00:00"),
            case_body(external_ref="D3", received_at="2026-11-26T10:00:00"),
        ]
    }
    items = app.test_client().post(BATCH, headers=bearer(token), json=body).get_json()["items"]
    numbers = [item["case"]["number"] for item in items]
    assert [n[:10] for n in numbers] == ["SQ20261126", "SQ20261127", "SQ20261126"]
    assert int(numbers[2][-4:]) == int(numbers[0][-4:]) + 1
    assert len(set(numbers)) == 3


def test_concurrent_overlapping_batches_make_one_case_per_reference(app, db_session):
    """Two platforms' retries racing with overlapping references: one case each, both callers
    told the same numbers (PostgreSQL: the unique index decides, the loser tries again)."""
    _, _, token = system_token(db_session)
    machine = authenticate(db_session, token)

    def batch(refs):
        def run(session):
            deliveries = [Delivery(case_body(external_ref=ref)) for ref in refs]
            create_cases(session, machine, deliveries)
            return {d.values["external_ref"]: (d.status, d.case.number) for d in deliveries}

        return run

    first, second, third = at_once(
        app,
        batch(["C1", "C2", "C3"]),
        batch(["C3", "C2", "C4"]),
        batch(["C4", "C1"]),
    )
    numbers: dict[str, str] = {}
    for answer in (first, second, third):
        for ref, (status, number) in answer.items():
            assert status in (200, 201)
            assert numbers.setdefault(ref, number) == number
    assert _cases(db_session, "C1", "C2", "C3", "C4") == 4
    created = [s for answer in (first, second, third) for s, _ in answer.values() if s == 201]
    assert len(created) == 4


def test_concurrent_batches_of_other_days_with_shared_references_make_one_case_each(
    app, db_session
):
    """Batches received on different days take no common number counter: on PostgreSQL they
    meet only on the unique index, where reference order keeps them from deadlocking."""
    _, _, token = system_token(db_session)
    machine = authenticate(db_session, token)

    def batch(refs, day):
        def run(session):
            deliveries = [
                Delivery(case_body(external_ref=ref, received_at=f"2026-11-{day}T09:00:00"))
                for ref in refs
            ]
            create_cases(session, machine, deliveries)
            return {d.values["external_ref"]: d.case.number for d in deliveries}

        return run

    answers = at_once(
        app,
        batch(["E1", "E2", "E3", "E4"], 24),
        batch(["E4", "E3", "E2", "E1"], 25),
        batch(["E2", "E4"], 26),
    )
    for ref in ("E1", "E2", "E3", "E4"):
        assert len({answer[ref] for answer in answers if ref in answer}) == 1
    assert _cases(db_session, "E1", "E2", "E3", "E4") == 4


def test_the_received_time_of_a_batch_defaults_to_now(app, db_session):
    _, _, token = system_token(db_session)
    before = clock_now().replace(microsecond=0)
    body = {"cases": [case_body(external_ref="NOW")]}
    item = app.test_client().post(BATCH, headers=bearer(token), json=body).get_json()["items"][0]
    assert datetime.fromisoformat(item["case"]["received_at"]) >= before
