"""`suqiu demo`'s last ended quarter (Art.39/40): its cases go through the workflow at their own
dates and its service meeting decides two measures, so the report generated for the quarter
shows figures and measures (not all 0); seeded once. Expectations counted from
app.demo_quarter.QUARTER_CASES by hand."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.demo_quarter import QUARTER_CASES, seed_demo_quarter
from app.models import Case, MeetingMeasure
from app.services import quarterly_report_page as pages
from app.services import quarterly_reports as reports
from tests.case_helpers import actor

NOW = datetime(2026, 7, 15, 10, 0)  # the last ended quarter is 2026-Q2: no demo case in it


def test_art39_the_demo_quarter_gives_its_report_figures_and_measures(db_session):
    s = db_session
    assert len(QUARTER_CASES) == 13
    assert seed_demo_quarter(s, now=NOW) == 13
    s.commit()
    received = select(func.count()).where(
        Case.received_at >= datetime(2026, 4, 1), Case.received_at < datetime(2026, 7, 1)
    )
    assert s.scalar(received) == 13
    assert s.scalar(select(func.count()).select_from(MeetingMeasure)) == 2
    report = reports.generate_report(s, actor(s, "csd"), "2026-Q2", now=NOW)
    data = json.loads(report.snapshot)
    # 13 received, the voided one not counted: 12; 2 resolved on the spot, never dispatched.
    assert sum(v["intake"][1] for v in data["branch"].values()) == 12
    assert data["branch"]["-"]["intake"] == [2, 2]
    page = pages.report_page(s, actor(s, "csd"), report.id, now=NOW)
    comparison = {
        row[0]: row[1] for row in next(t for t in page.tables if t.code == "comparison").rows
    }
    assert comparison["受理量"] == "12"
    # The 10 dispatched cases were signed an hour after dispatch; the 2 resolved on the spot
    # owed no sign-for (design §4).
    assert comparison["及时签收率"] == "100.0%"
    measures = next(t for t in page.tables if t.code == "measures").rows
    assert sorted(row[2] for row in measures) == ["武昌分公司", "汉口分公司"]
    # A second run keeps the data.
    assert seed_demo_quarter(s, now=NOW) == 0
    assert s.scalar(received) == 13


def _seeded(s) -> int:
    return s.scalar(select(func.count()).where(Case.gas_account.like("0272%")))


def test_early_in_a_quarter_the_demo_still_seeds_the_last_ended_one(db_session):
    """On 2027-01-05 the last ended quarter is 2026-Q4, which already holds the demo's recent
    cases: its own cases are seeded all the same (they are known by their accounts)."""
    s = db_session
    assert seed_demo_quarter(s, now=datetime(2027, 1, 5, 10)) == 13
    assert _seeded(s) == 13


def test_a_demo_quarter_that_fails_half_way_leaves_nothing_and_seeds_next_time(
    db_session, monkeypatch
):
    s = db_session

    def refuse(*_args, **_kwargs):
        raise RuntimeError("例会记录失败（测试）")

    monkeypatch.setattr("app.services.service_meetings.record_meeting", refuse)
    with pytest.raises(RuntimeError):
        seed_demo_quarter(s, now=NOW)
    assert _seeded(s) == 0
    monkeypatch.undo()
    assert seed_demo_quarter(s, now=NOW) == 13
    assert _seeded(s) == 13
