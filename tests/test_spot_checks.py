"""抽查回访 (Art.35): a reproducible random sample at a configurable, exact rate."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from app.domain.sampling import draw_sample, sample_size
from app.models import CaseEvent
from app.services.errors import InvalidRecordError
from app.services.spot_checks import draw_spot_check, rate_to_bp, record_spot_check
from tests.case_helpers import act, actor, gen_case, to_callback


def test_art35_the_sample_is_reproducible_and_of_the_right_size():
    ids = list(range(1, 201))
    first = draw_sample(ids, 1000, "2026Q4")
    assert len(first) == 20 and first == draw_sample(list(reversed(ids)), 1000, "2026Q4")
    assert first != draw_sample(ids, 1000, "another seed")
    assert set(first) <= set(ids)
    assert sample_size(7, 1000) == 1 and sample_size(0, 1000) == 0
    assert sample_size(10, 10_000) == 10
    with pytest.raises(ValueError):
        draw_sample(ids, 0, "x")


@pytest.mark.parametrize(("text", "bp"), [("10", 1000), ("2.5", 250), ("100", 10_000), ("0.01", 1)])
def test_art35_rates_are_exact_basis_points(text, bp):
    assert rate_to_bp(text) == bp


@pytest.mark.parametrize("text", ["0", "101", "abc", "0.001", ""])
def test_art35_bad_rates_are_refused(db_session, text):
    with pytest.raises(InvalidRecordError):
        rate_to_bp(text)


def closed_government_case(db_session, day):
    case = gen_case(db_session, received=datetime(2026, 10, day, 9), now=datetime(2026, 10, day, 9))
    to_callback(db_session, case, now=datetime(2026, 10, day, 15))
    act(
        db_session,
        "liaison_hankou",
        case,
        "callback",
        result="satisfied",
        now=datetime(2026, 10, day, 15),
    )
    return case


def test_art35_csd_draws_from_closed_government_cases_and_records_results(db_session):
    cases = [closed_government_case(db_session, day) for day in (12, 13, 14, 15)]
    company = gen_case(
        db_session,
        by="agent",
        channel="hotline_96511",
        received=datetime(2026, 10, 12, 9),
        now=datetime(2026, 10, 12, 9),
        resolve_on_spot=True,
        result="已答复",
    )
    check = draw_spot_check(
        db_session, actor(db_session, "csd"), datetime(2026, 10, 1), datetime(2026, 11, 1), "50"
    )
    assert check.population == 4 and check.rate_bp == 5000 and len(check.items) == 2
    assert {item.case_id for item in check.items} <= {c.id for c in cases}
    assert company.id not in {item.case_id for item in check.items}
    again = draw_spot_check(
        db_session, actor(db_session, "csd"), datetime(2026, 10, 1), datetime(2026, 11, 1), "50"
    )
    assert [i.case_id for i in again.items] == [i.case_id for i in check.items]
    item = check.items[0]
    record_spot_check(
        db_session, actor(db_session, "csd"), item.id, "basically_satisfied", "客户基本满意"
    )
    event = db_session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == item.case_id, CaseEvent.action == "spot_check")
    )
    assert event.note == "客户基本满意"


def test_art35_branches_do_not_draw_spot_checks(db_session):
    with pytest.raises(InvalidRecordError):
        draw_spot_check(
            db_session,
            actor(db_session, "liaison_hankou"),
            datetime(2026, 10, 1),
            datetime(2026, 11, 1),
            "10",
        )


def test_art35_spot_check_pages_for_csd_only(app, db_session, login_as):
    closed_government_case(db_session, 12)
    client = login_as("csd")
    from tests.conftest import csrf_token

    token = csrf_token(client, "/spotchecks/")
    page = client.post(
        "/spotchecks/draw",
        data={"csrf_token": token, "start": "2026-10-01", "end": "2026-10-31", "rate": "100"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "抽查回访" in page and "SQ20261012" in page
    assert login_as("liaison_hankou").get("/spotchecks/").status_code == 403
