"""Extensions (Art.30), the overdue sweep (safe with several instances), and case numbers that
stay unique when many agents register at once."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.domain.lifecycle import CaseStatus
from app.models import Case, ExtensionRequest, Notification
from app.services.case_registration import next_case_number
from app.services.errors import InvalidRecordError
from app.services.extensions import decide_extension, request_extension
from app.services.sweep import sweep_overdue
from tests.case_helpers import act, actor, branch_id, gen_case
from tests.racing import at_once

DUE = datetime(2026, 10, 19, 23, 59, 59)  # design §6: 10 working days from 2026-09-29


@pytest.fixture
def handled_case(db_session):
    case = gen_case(
        db_session,
        kind="complaint",
        received=datetime(2026, 9, 29, 10),
        now=datetime(2026, 9, 29, 10, 5),
    )
    assert case.finish_due == DUE
    act(
        db_session,
        "csd",
        case,
        "dispatch",
        branch_id=branch_id(db_session, "hankou"),
        now=datetime(2026, 9, 29, 11),
    )
    act(db_session, "liaison_hankou", case, "sign_for", now=datetime(2026, 9, 29, 14))
    return case


def notifications(db_session, case_id: int, category: str) -> int:
    return db_session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.category == category, Notification.link == f"/cases/show/{case_id}")
    )


def ask(db_session, case, now, reason="需更换管段，等待材料"):
    db_session.expire_all()
    return request_extension(
        db_session,
        actor(db_session, "liaison_hankou"),
        case.id,
        version=None,
        requested_due=datetime(2026, 10, 26, 23, 59, 59),
        reason=reason,
        now=now,
    )


def test_art30_extension_requested_the_day_before_is_accepted_and_approved(
    db_session, handled_case
):
    request = ask(db_session, handled_case, datetime(2026, 10, 18, 23, 59, 59))
    assert request.status == "pending"
    decide_extension(
        db_session,
        actor(db_session, "csd"),
        request.id,
        approve=True,
        note="同意",
        now=datetime(2026, 10, 19, 9),
    )
    db_session.expire_all()
    case = db_session.get(Case, handled_case.id)
    assert case.finish_due == datetime(2026, 10, 26, 23, 59, 59) and case.extension_count == 1
    assert notifications(db_session, case.id, "extension_decided") == 1


def test_art30_extension_on_the_deadlines_day_is_refused_with_the_rule(db_session, handled_case):
    with pytest.raises(InvalidRecordError) as err:
        ask(db_session, handled_case, datetime(2026, 10, 19, 0, 0, 0))
    message = str(err.value)
    assert "第三十条" in message and "2026-10-18 23:59" in message
    assert (
        db_session.scalar(
            select(func.count())
            .select_from(ExtensionRequest)
            .where(ExtensionRequest.case_id == handled_case.id)
        )
        == 0
    )


def test_art30_extension_needs_a_reason_and_a_later_deadline(db_session, handled_case):
    with pytest.raises(InvalidRecordError):
        ask(db_session, handled_case, datetime(2026, 10, 10), reason=" ")
    with pytest.raises(InvalidRecordError):
        request_extension(
            db_session,
            actor(db_session, "liaison_hankou"),
            handled_case.id,
            version=None,
            requested_due=datetime(2026, 10, 1),
            reason="x",
            now=datetime(2026, 10, 10),
        )


def test_art30_rejected_extension_keeps_the_deadline(db_session, handled_case):
    request = ask(db_session, handled_case, datetime(2026, 10, 10))
    with pytest.raises(InvalidRecordError):
        decide_extension(db_session, actor(db_session, "csd"), request.id, approve=False)
    decide_extension(
        db_session,
        actor(db_session, "csd"),
        request.id,
        approve=False,
        note="材料可调剂，请按期办结",
    )
    db_session.expire_all()
    assert db_session.get(Case, handled_case.id).finish_due == DUE


def test_art30_sweep_flags_overdue_cases_once_and_tells_the_unit(db_session, handled_case):
    soon = sweep_overdue(db_session, now=datetime(2026, 10, 19, 8))  # deadline near
    assert soon == {"sign_overdue": 0, "finish_overdue": 0, "due_soon": 1}
    assert sweep_overdue(db_session, now=DUE) == {
        "sign_overdue": 0,
        "finish_overdue": 0,
        "due_soon": 0,
    }
    after = datetime(2026, 10, 20, 0, 0, 0)
    assert sweep_overdue(db_session, now=after)["finish_overdue"] == 1
    assert sweep_overdue(db_session, now=after)["finish_overdue"] == 0
    notes = db_session.scalars(
        select(Notification).where(
            Notification.category == "overdue",
            Notification.link == f"/cases/show/{handled_case.id}",
        )
    )
    assert [n.recipient.username for n in notes] == ["liaison_hankou"]


def test_art30_a_replied_case_is_not_overdue(db_session, handled_case):
    act(
        db_session,
        "liaison_hankou",
        handled_case,
        "reply",
        result="已办结",
        now=datetime(2026, 10, 16),
    )
    assert sweep_overdue(db_session, now=datetime(2026, 10, 25))["finish_overdue"] == 0


def test_art30_two_instances_sweeping_at_once_flag_and_notify_each_case_once(
    app, db_session, handled_case
):
    sweep = lambda session: sweep_overdue(session, now=datetime(2026, 10, 21))  # noqa: E731
    results = at_once(app, sweep, sweep)
    assert sorted(r["finish_overdue"] for r in results) == [0, 1]
    assert notifications(db_session, handled_case.id, "overdue") == 1


def test_art13_case_numbers_stay_unique_under_concurrent_registration(app, db_session):
    received = datetime(2026, 3, 3, 9, 0)  # a day without demo cases

    def register(session):
        taken = []
        for _ in range(5):
            taken.append(next_case_number(session, received))
            session.commit()
        return taken

    numbers = [n for taken in at_once(app, *[register] * 8) for n in taken]
    assert len(numbers) == 40 and len(set(numbers)) == 40
    assert sorted(numbers)[-1] == "SQ202603030040"


def test_art30_read_time_overdue_without_waiting_for_the_sweep(db_session, handled_case):
    from app.services.case_queries import overdue_state

    db_session.expire_all()
    case = db_session.get(Case, handled_case.id)
    assert case.status == CaseStatus.IN_PROGRESS and not case.finish_overdue
    assert overdue_state(case, datetime(2026, 10, 20)) == "finish"
    assert overdue_state(case, datetime(2026, 10, 19, 12)) is None


def test_the_administrator_is_alerted_to_load_next_years_calendar(app, login_as):
    """Art.19: 2027 is not in the official package yet; its deadlines are provisional and the
    administrator sees an alert on the start page."""
    html = login_as("admin").get("/").get_data(as_text=True)
    assert "calendar-alert" in html and "2027" in html and "暂定" in html
    assert "calendar-alert" not in login_as("liaison_hankou").get("/").get_data(as_text=True)
