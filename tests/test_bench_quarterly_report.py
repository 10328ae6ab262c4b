"""The quarterly report bench (bench/quarterly_report.py, issue 10 item 7) on a small generated
database: it times the generation, leaves no report behind, and the quarter's intake it reports
is the count of live cases received in the quarter, counted here in plain SQL."""

from __future__ import annotations

from sqlalchemy import func, select

from app.domain import quarterly_reports as qr
from app.domain.clock import now as clock_now
from app.extensions import db
from app.models import Case, QuarterlyReport
from bench import database
from bench.quarterly_report import measure
from tests.conftest import TEST_PASSWORD


def test_the_quarterly_report_bench_measures_and_leaves_nothing(database_url, tmp_path):
    app = database.make_app(database_url, tmp_path)
    database.prepare(app, TEST_PASSWORD)
    database.fill(app, 300, now=clock_now(), seed=5, years=1)
    result = measure(database_url, None, 1)
    period = qr.last_ended(clock_now()).period
    with app.app_context():
        received = db.session.scalar(
            select(func.count())
            .select_from(Case)
            .where(
                Case.received_at >= period.start,
                Case.received_at < period.end,
                Case.status != "voided",
                Case.primary_case_id.is_(None),  # a 关联单 counts once, as its 主单
            )
        )
        left = db.session.scalar(select(func.count()).select_from(QuarterlyReport))
        db.session.remove()
    database.dispose(app)
    assert result["quarter"] == qr.last_ended(clock_now()).token
    assert received > 0 and result["intake_in_quarter"] == received
    assert result["generate_median_s"] > 0 and len(result["generate_s"]) == 1
    assert left == 0  # every run rolled back
