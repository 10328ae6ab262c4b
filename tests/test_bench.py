"""The bench (issue 12, bench/): its generator leaves every case as the workflow would have left
it, with unique numbers the registration continues after, and its measurement runs. A small
size on the test database (SQLite, or PostgreSQL with SUQIU_TEST_DATABASE_URL: COPY then)."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from sqlalchemy import func, select

from app.domain.clock import now as clock_now
from app.domain.deadlines import FINISH_OPEN, SIGN_OPEN
from app.domain.lifecycle import CLOCK, OPEN_STATUSES, ClockState
from app.extensions import db
from app.models import Case, CaseEvent, CaseNumberCounter, ExtensionRequest, Notification, SuqiuUser
from bench import database, pages, services
from tests.conftest import TEST_PASSWORD

CASES = 300
# Generated up to the real time: the pages measured read the real clock, and their counts are
# compared with raw SQL at the time of the measurement (a fixed date here made a case due between
# that date and today count on one side only).
NOW = clock_now()
FINISHED = {s for s, clock in CLOCK.items() if clock is ClockState.STOPPED}


@pytest.fixture
def bench_app(database_url, tmp_path):
    app = database.make_app(database_url, tmp_path)
    database.prepare(app, TEST_PASSWORD)
    with app.app_context():
        first = (db.session.scalar(select(func.max(Case.id))) or 0) + 1
        db.session.remove()
    report = database.fill(app, CASES, now=NOW, seed=3)
    yield app, report, first
    database.dispose(app)


def _check_case(case: Case, events: list[CaseEvent], users: dict[int, SuqiuUser]) -> None:
    status = case.status
    assert events[0].action == "register" and events[0].to_status == "pending_dispatch"
    for before, after in zip(events, events[1:], strict=False):
        assert after.from_status == before.to_status, (case.number, before.action, after.action)
        assert after.at >= before.at
    assert events[-1].to_status == status
    assert case.version == len(events)
    assert (case.closed_at is not None) == (status in FINISHED), case.number
    if case.closed_at is not None:
        finishing = next(e for e in events if e.to_status in FINISHED)
        assert case.closed_at == finishing.at
    actions = [e.action for e in events]
    if status == "pending_dispatch":
        assert case.branch_id is None and case.handler_id is None
    if status in ("pending_sign", "in_progress", "rehandling", "pending_review"):
        assert case.branch_id is not None and case.dispatched_at is not None
    assert (case.signed_at is not None) == ("sign_for" in actions)
    if case.handler_id is not None:
        assert users[case.handler_id].branch_id == case.branch_id
    if status == "pending_review":
        assert case.replied_at is not None and case.result
    if status == "rehandling":
        assert case.rehandle_count == 1 and case.replied_at is None
    if status == "closed_dissatisfied":
        assert case.rehandle_count == 1 and case.callback_result == "dissatisfied"
    callbacks = [e for e in events if e.action == "callback"]
    assert (case.callback_result is not None) == bool(callbacks)
    assert case.unreachable_attempts == sum('"unreachable"' in (e.detail or "") for e in callbacks)
    assert case.return_count == actions.count("return_case")
    reopened = ("rehandling", "pending_dispatch")  # Art.21: the one 重办
    assert case.rehandle_count == sum(e.to_status in reopened for e in callbacks)
    # As the steady-state sweep leaves them (Art.30): open and late means flagged.
    if status in FINISH_OPEN and case.finish_due < NOW:
        assert case.finish_overdue, case.number
    if status in SIGN_OPEN and case.sign_due < NOW:
        assert case.sign_overdue, case.number


def test_generated_cases_are_as_the_lifecycle_leaves_them(bench_app, db_session):
    """Every state's columns, events, extensions and notifications as the services leave them;
    numbers unique with each day's counter past them, so that registering goes on after."""
    from app.services.actor import Actor
    from app.services.case_registration import register_case

    app, report, first = bench_app
    assert report.rows["service_case"] == CASES
    assert 5.5 < report.rows["case_event"] / CASES < 7.5
    assert 0.4 < report.rows["notification"] / CASES < 0.8
    bench_cases = db_session.scalars(select(Case).where(Case.id >= first)).all()
    events = defaultdict(list)
    for event in db_session.scalars(select(CaseEvent).order_by(CaseEvent.id)):
        events[event.case_id].append(event)
    users = {u.id: u for u in db_session.scalars(select(SuqiuUser))}
    for case in bench_cases:
        assert events[case.id], f"{case.number} has no events"
        _check_case(case, events[case.id], users)
    statuses = {c.status for c in bench_cases}
    assert statuses >= {"closed", "in_progress", "pending_callback", "pending_review"}
    open_share = sum(c.status in OPEN_STATUSES for c in bench_cases) / len(bench_cases)
    assert 0.04 < open_share < 0.2
    assert len({c.branch_id for c in bench_cases if c.branch_id}) >= 15
    for request in db_session.scalars(select(ExtensionRequest)):
        case = db_session.get(Case, request.case_id)
        if request.status == "approved":
            assert case.extension_count >= 1 and case.finish_due >= request.requested_due
        if request.status == "pending":
            assert case.status in ("in_progress", "rehandling", "pending_sign")
    bench_ids = {c.id for c in bench_cases}
    notified = [
        (link, title)
        for link, title in db_session.execute(select(Notification.link, Notification.title))
        if (link or "").startswith("/cases/show/") and int(link.rsplit("/", 1)[1]) in bench_ids
    ]
    assert len(notified) >= report.rows["notification"]
    number_of = {f"/cases/show/{c.id}": c.number for c in bench_cases}
    assert all(title.startswith(number_of[link] + " ") for link, title in notified)
    numbers = db_session.scalars(select(Case.number)).all()
    assert len(numbers) == len(set(numbers))
    assert all(re.fullmatch(r"SQ\d{12,}", n) for n in numbers)
    assert services.check_numbers(app).endswith("counters behind their numbers: 0")
    day = f"{NOW:%Y%m%d}"
    # Just after midnight no generated case may have been received today yet: no counter row.
    counter_row = db_session.get(CaseNumberCounter, day)
    counter = counter_row.last if counter_row is not None else 0
    assert counter >= max((int(n[10:]) for n in numbers if n[2:10] == day), default=0)
    csd = db_session.scalar(select(SuqiuUser).where(SuqiuUser.username == "csd"))
    case = register_case(db_session, Actor.of(csd), services.registration_data(db_session), now=NOW)
    assert case.number == f"SQ{day}{counter + 1:04d}"


def test_the_measurement_runs_on_the_generated_data(bench_app, tmp_path):
    app, _, _ = bench_app
    rows = pages.measure_pages(app, TEST_PASSWORD, 1, clock_now(), ("liaison_hankou", "csd"))
    assert {row.role for row in rows} == {"liaison_hankou", "csd"}
    labels = {row.operation for row in rows}
    assert {"case list p1", "queue counts (menu)", "inbox", "case page"} <= labels
    assert "我首接的诉求 (first_contact)" in labels
    assert not [row for row in rows if "HTTP" in row.rows or "≠" in row.rows]
    sweep = services.measure_sweep(app, 1, NOW)
    assert sweep.rows == "0"  # the generator left what the sweep would have flagged
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    registration = services.measure_registration(url, str(tmp_path), 1, 0.3)
    assert registration.ours > 0 and "failed" not in registration.rows
    assert services.check_numbers(app).endswith("counters behind their numbers: 0")


def test_the_dashboard_measurement_agrees_with_its_raw_sql(bench_app):
    """Issue 9: each dashboard beside its raw SQL aggregates, the intake the page shows equal
    to the raw SQL's (a ``≠`` in the rows column would say otherwise)."""
    from bench import dashboards
    from bench.database import engine

    app, _, _ = bench_app
    rows = dashboards.measure(app, engine(app), TEST_PASSWORD, 1, NOW, ("leader", "csd"))
    labels = {row.operation for row in rows}
    assert "operations view" in labels and any(lab.startswith("dashboard year") for lab in labels)
    assert not [row for row in rows if "HTTP" in row.rows or "≠" in row.rows]
    assert all(row.ours and row.raw for row in rows)
