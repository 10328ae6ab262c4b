"""Loading a calendar year, or editing a day of a loaded one, recomputes the deadlines of the open
cases whose count ran over the changed days (Art.19; design §2: a year not loaded gives
provisional deadlines until the administrator loads it)."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import select

from app.models import CalendarDay, CalendarYear, Case, CaseEvent
from app.services import calendar as calendar_service
from app.services import masterdata
from app.services.extensions import decide_extension, request_extension
from tests.case_helpers import act, actor, branch_id, gen_case
from tests.conftest import csrf_token

RECEIVED = datetime(2026, 12, 28, 10, 0)  # Monday; 2027 is not in the official package yet
NOW = datetime(2026, 12, 28, 10, 5)
# 5 working days: 12-29, 12-30, 12-31, (01-01 New Year, fixed), 01-04, 01-05
PROVISIONAL_DUE = datetime(2027, 1, 5, 23, 59, 59)
LOADED_DUE = datetime(2027, 1, 6, 23, 59, 59)  # 2027-01-05 is a holiday once 2027 is loaded


def december_case(db_session, **extra):
    case = gen_case(db_session, received=RECEIVED, now=NOW, **extra)
    assert case.due_provisional is True
    return case


def recompute_events(db_session, case_id):
    return db_session.scalars(
        select(CaseEvent).where(
            CaseEvent.case_id == case_id, CaseEvent.action == "recompute_deadline"
        )
    ).all()


def post(client, url, data):
    response = client.post(url, data={"csrf_token": csrf_token(client, url), **data})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_art19_loading_a_year_recomputes_provisional_deadlines(app, db_session, login_as):
    case = december_case(db_session)
    assert case.finish_due == PROVISIONAL_DUE
    sign_due = case.sign_due
    client = login_as("admin")
    # The holidays first: 2027 is not loaded yet, so nothing moves.
    post(client, "/calendardayview/add", {"day": "2027-01-01", "name": "元旦"})
    post(client, "/calendardayview/add", {"day": "2027-01-05", "name": "测试假日"})
    db_session.expire_all()
    assert db_session.get(Case, case.id).finish_due == PROVISIONAL_DUE
    assert recompute_events(db_session, case.id) == []
    # Then the year: the deadline moves past the holiday and is no longer provisional.
    post(client, "/calendaryearview/add", {"year": "2027"})
    db_session.expire_all()
    case = db_session.get(Case, case.id)
    assert case.finish_due == LOADED_DUE
    assert case.sign_due == sign_due
    assert case.due_provisional is False
    [event] = recompute_events(db_session, case.id)
    assert event.actor.username == "admin"
    assert "2027-01-05 23:59 → 2027-01-06 23:59" in event.note
    assert "不再是暂定" in event.note
    detail = json.loads(event.detail)
    assert detail["provisional"] == [True, False]
    assert detail["finish_due"] == [str(PROVISIONAL_DUE), str(LOADED_DUE)]
    page = login_as("csd").get(f"/cases/show/{case.id}").get_data(as_text=True)
    assert "重新计算时限" in page and "2027-01-06 23:59" in page


def _load_2027(db_session, holidays=(date(2027, 1, 1), date(2027, 1, 5))):
    admin = actor(db_session, "admin")
    for day in holidays:
        masterdata.save(
            db_session, admin, CalendarDay(day=day, is_workday=False, name="假日"), is_new=True
        )
    masterdata.save(db_session, admin, CalendarYear(year=2027), is_new=True)
    db_session.expire_all()


def test_art19_negotiated_and_extended_deadlines_are_kept(db_session):
    negotiated = december_case(
        db_session,
        negotiated_due=datetime(2027, 1, 5, 18, 0),
        negotiated_reason="客户要求元旦后上门",
    )
    extended = december_case(db_session)
    act(db_session, "csd", extended, "dispatch", branch_id=branch_id(db_session, "hankou"), now=NOW)
    act(db_session, "liaison_hankou", extended, "sign_for", now=NOW)
    request = request_extension(
        db_session,
        actor(db_session, "liaison_hankou"),
        extended.id,
        version=None,
        requested_due=datetime(2027, 1, 12, 23, 59, 59),
        reason="需更换管段，等待材料",
        now=datetime(2026, 12, 30, 9),
    )
    decide_extension(
        db_session,
        actor(db_session, "csd"),
        request.id,
        approve=True,
        now=datetime(2026, 12, 30, 10),
    )
    _load_2027(db_session)
    negotiated = db_session.get(Case, negotiated.id)
    assert negotiated.finish_due == datetime(2027, 1, 5, 18, 0)
    assert negotiated.due_provisional is False  # its sign-for deadline was never provisional
    extended = db_session.get(Case, extended.id)
    assert extended.finish_due == datetime(2027, 1, 12, 23, 59, 59)
    assert extended.due_provisional is False
    for case in (negotiated, extended):
        [event] = recompute_events(db_session, case.id)
        assert (
            json.loads(event.detail)["finish_due"][0] == json.loads(event.detail)["finish_due"][1]
        )


def test_art19_closed_and_voided_cases_are_untouched(db_session):
    voided = december_case(db_session)
    act(db_session, "csd", voided, "void", reason="重复登记", now=NOW)
    _load_2027(db_session)
    voided = db_session.get(Case, voided.id)
    assert voided.finish_due == PROVISIONAL_DUE and voided.due_provisional is True
    assert recompute_events(db_session, voided.id) == []


def test_art19_a_day_edited_in_a_loaded_year_moves_the_deadlines_it_crosses(
    app, db_session, login_as
):
    case = gen_case(db_session)  # received Monday 2026-10-12 09:00, 5 working days
    assert case.finish_due == datetime(2026, 10, 19, 23, 59, 59)
    later = gen_case(db_session, received=datetime(2026, 10, 15, 9), now=datetime(2026, 10, 15, 9))
    later_due = later.finish_due
    client = login_as("admin")
    post(client, "/calendardayview/add", {"day": "2026-10-14", "name": "临时放假"})
    db_session.expire_all()
    case = db_session.get(Case, case.id)
    assert case.finish_due == datetime(2026, 10, 20, 23, 59, 59)
    assert case.sign_due == datetime(2026, 10, 13, 23, 59, 59)  # counted before the day
    [event] = recompute_events(db_session, case.id)
    assert "2026-10-19 23:59 → 2026-10-20 23:59" in event.note
    # received after the changed day: not affected
    assert db_session.get(Case, later.id).finish_due == later_due
    assert recompute_events(db_session, later.id) == []
    # Renaming the day changes nothing; deleting it moves the deadline back.
    day = db_session.scalar(select(CalendarDay).where(CalendarDay.day == date(2026, 10, 14)))
    post(client, f"/calendardayview/edit/{day.id}", {"day": "2026-10-14", "name": "改名"})
    assert len(recompute_events(db_session, case.id)) == 1
    masterdata.delete(db_session, actor(db_session, "admin"), day)
    db_session.expire_all()
    assert db_session.get(Case, case.id).finish_due == datetime(2026, 10, 19, 23, 59, 59)
    assert len(recompute_events(db_session, case.id)) == 2


def test_art19_the_official_seed_of_a_new_year_recomputes_too(db_session, monkeypatch):
    """``suqiu init`` with a newer calendar package loads the new year like the administrator."""
    case = december_case(db_session)
    official = {date(2027, 1, 1): (False, "元旦"), date(2027, 1, 5): (False, "测试假日")}
    monkeypatch.setattr(
        calendar_service, "official_exceptions", lambda: (frozenset({2026, 2027}), official)
    )
    calendar_service.seed_official_calendar(db_session)
    db_session.expire_all()
    case = db_session.get(Case, case.id)
    assert case.finish_due == LOADED_DUE and case.due_provisional is False
    [event] = recompute_events(db_session, case.id)
    assert event.actor_id is None  # the system


def test_art19_unloading_a_year_makes_its_deadlines_provisional_again(db_session):
    case = december_case(db_session)
    _load_2027(db_session)
    year = db_session.get(CalendarYear, 2027)
    masterdata.delete(db_session, actor(db_session, "admin"), year)
    db_session.expire_all()
    case = db_session.get(Case, case.id)
    assert case.due_provisional is True
    assert case.finish_due == PROVISIONAL_DUE  # 2027-01-05 is a weekday again
    assert len(recompute_events(db_session, case.id)) == 2


def test_art19_a_deadline_moved_past_now_is_no_longer_overdue(db_session):
    case = gen_case(db_session)  # finish due 2026-10-19, flagged overdue by the sweep
    case.finish_overdue = True
    db_session.add(
        CalendarDay(day=date(2026, 10, 16), is_workday=False, name="临时放假", source="admin")
    )
    db_session.commit()
    calendar_service.recompute_deadlines(
        db_session,
        actor(db_session, "admin"),
        [(date(2026, 10, 16), date(2026, 10, 16))],
        now=datetime(2026, 10, 20, 9),
    )
    db_session.commit()
    db_session.expire_all()
    case = db_session.get(Case, case.id)
    assert case.finish_due == datetime(2026, 10, 20, 23, 59, 59)
    assert case.finish_overdue is False
