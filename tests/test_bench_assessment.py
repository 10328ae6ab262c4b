"""bench/assessment.py (issue 10, item 7) on the test database at a small size: it adds its
entries once, every assessment page answers for every role measured, before and after the
committee finalises the year, and the live figures equal the raw SQL's."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models import AssessmentLine, ViolationEntry
from bench import assessment, database
from tests.conftest import TEST_PASSWORD

YEAR = 2024  # no demo entry: the year holds the bench's entries only


def test_bench_assessment_adds_entries_once_and_measures_every_page(database_url, tmp_path):
    app = database.make_app(database_url, tmp_path)
    try:
        assert assessment.add_entries(app, YEAR, count=120) == 120
        assert assessment.add_entries(app, YEAR, count=120) == 0  # marked: added once
        rows = assessment.measure(app, YEAR, TEST_PASSWORD, 1, "draft")
        assert len(rows) == 4 * len(assessment.USERS)
        assert all("HTTP" not in row.rows and row.ours for row in rows), rows
        assessment.finalise_year(app, YEAR)
        rows = assessment.measure(app, YEAR, TEST_PASSWORD, 1, "finalised")
        assert all("HTTP" not in row.rows for row in rows), rows
        with app.app_context():
            confirmed = db.session.scalar(
                select(func.coalesce(func.sum(ViolationEntry.deduction_bp), 0)).where(
                    ViolationEntry.status == "confirmed",
                    ViolationEntry.occurred_on >= date(YEAR, 1, 1),
                    ViolationEntry.occurred_on < date(YEAR + 1, 1, 1),
                )
            )
            stored = db.session.scalar(select(func.sum(AssessmentLine.deduction_bp)))
            db.session.remove()
        assert stored == confirmed > 0
        assessment.ensure_draft(app, YEAR)  # a rerun reopens the year it finalised
    finally:
        database.dispose(app)
