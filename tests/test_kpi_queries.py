"""The KPI figures counted in SQL equal the same definitions evaluated on the cases read back
into Python (app.domain.kpis), on SQLite and on PostgreSQL: NULL dates, voided cases, the
period's edges and the scope included."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from app.domain import kpis
from app.domain.kpis import FIGURES, Tally, tally
from app.models import Case, ComplaintDetermination
from app.services.kpi_queries import drill_down, tallies
from app.services.scope import Scope
from tests.case_helpers import actor, branch_id, gen_case

FACTS = (
    "status",
    "received_at",
    "dispatched_at",
    "sign_due",
    "signed_at",
    "finish_due",
    "replied_at",
    "closed_at",
    "callback_result",
    "rehandle_count",
    "return_count",
    "extension_count",
    "primary_case_id",
)
STATUSES = ("pending_sign", "in_progress", "pending_callback", "closed", "closed_dissatisfied")
RESULTS = (None, "satisfied", "basically_satisfied", "dissatisfied", "unreachable")
NOVEMBER = kpis.month(2026, 11)


def _maybe(rng, moment: datetime, spread_hours: int) -> datetime | None:
    if rng.random() < 0.2:
        return None
    return moment + timedelta(hours=rng.randint(-spread_hours, spread_hours))


def _scatter(session, count: int) -> None:
    """``count`` cases with dates on both sides of November's edges and of their deadlines."""
    rng = random.Random(20261129)
    template = gen_case(session, received=datetime(2026, 10, 12, 9, 0))
    units = [branch_id(session, "hankou"), branch_id(session, "wuchang"), None]
    for number in range(count):
        received = datetime(2026, 10, 25) + timedelta(hours=rng.randint(0, 24 * 45))
        due = received + timedelta(days=rng.randint(1, 10))
        session.add(
            Case(
                number=f"KPI{number:06d}",
                channel_id=template.channel_id,
                channel_category_code=template.channel_category_code,
                kind_id=template.kind_id,
                customer_name="测试",
                content="KPI",
                first_contact_id=template.first_contact_id,
                branch_id=rng.choice(units),
                status=rng.choice(("voided", *STATUSES, *STATUSES)),
                received_at=received,
                dispatched_at=_maybe(rng, received, 12),
                sign_due=_maybe(rng, received + timedelta(days=1), 2),
                signed_at=_maybe(rng, received + timedelta(days=1), 30),
                finish_due=_maybe(rng, due, 0),
                replied_at=_maybe(rng, due, 48),
                closed_at=_maybe(rng, due + timedelta(days=2), 72),
                callback_result=rng.choice(RESULTS),
                rehandle_count=rng.choice((0, 0, 1)),
                return_count=rng.choice((0, 0, 0, 1, 2)),
                extension_count=rng.choice((0, 0, 1)),
                # 重复诉求: every seventh a 关联单 (counted once, and in 重复诉求数).
                primary_case_id=template.id if number % 7 == 3 else None,
            )
        )
    session.flush()
    # A complaint determination on every fourth case: statuses that count and some that do not,
    # approved on both sides of November's edges (有效投诉 counts by the approval's month).
    cases = session.scalars(select(Case).where(Case.number.like("KPI%")).order_by(Case.id)).all()
    for case in cases[::4]:
        valid = rng.random() < 0.8
        session.add(
            ComplaintDetermination(
                case_id=case.id,
                status=rng.choice(("approved", "objected", "upheld", "changed", "submitted")),
                determination="valid" if valid else "invalid",
                grade=rng.choice(("general", "major")) if valid else None,
                branch_id=case.branch_id,
                approved_at=datetime(2026, 10, 28) + timedelta(hours=rng.randint(0, 24 * 40)),
            )
        )
    session.commit()


def _python_tallies(session, scope: Scope, params) -> dict:
    D = ComplaintDetermination
    query = select(
        *(getattr(Case, name) for name in FACTS),
        D.status,
        D.determination,
        D.grade,
        D.approved_at,
        Case.branch_id,
    ).outerjoin(D, D.case_id == Case.id)
    clause = scope.clause(Case)
    if clause is not None:
        query = query.where(clause)
    grouped: dict = {}
    for row in session.execute(query):
        facts = dict(zip(FACTS, row[: len(FACTS)], strict=True))
        status, determination, grade, approved_at = row[len(FACTS) : -1]
        facts["complaint"] = (
            None
            if status is None
            else {
                "status": status,
                "determination": determination,
                "grade": grade,
                "approved_at": approved_at,
            }
        )
        grouped.setdefault(row[-1], []).append(facts)
    return {
        unit: {figure.code: tally(figure, cases, params) for figure in FIGURES}
        for unit, cases in grouped.items()
    }


def _nonzero(by_unit: dict) -> dict:
    return {
        unit: {code: t for code, t in figures.items() if t != Tally(0, 0)}
        for unit, figures in by_unit.items()
    }


def test_art11_sql_figures_equal_the_definitions_read_in_python(db_session):
    _scatter(db_session, 400)
    for as_of in (datetime(2026, 11, 17, 8, 30), datetime(2026, 12, 20)):
        params = NOVEMBER.params(as_of)
        rows = tallies(db_session, Scope.system(), NOVEMBER, as_of, group_by=Case.branch_id)
        in_sql = {row.key: row.tallies for row in rows}
        expected = _python_tallies(db_session, Scope.system(), params)
        assert _nonzero(in_sql) == _nonzero(expected)
        # The sample reaches every figure, so the comparison means something.
        for figure in FIGURES:
            assert sum(t[figure.code].denominator for t in in_sql.values()) > 0, figure.code


def test_art11_a_branch_reader_counts_only_its_own_cases(db_session):
    _scatter(db_session, 200)
    liaison = actor(db_session, "liaison_hankou")
    hankou = branch_id(db_session, "hankou")
    as_of = datetime(2026, 12, 20)
    (total,) = tallies(db_session, liaison.scope, NOVEMBER, as_of)
    by_unit = _python_tallies(db_session, liaison.scope, NOVEMBER.params(as_of))
    assert set(by_unit) <= {hankou, None}  # None: cases the liaison received first
    for figure in FIGURES:
        expected = Tally(
            sum(t[figure.code].numerator for t in by_unit.values()),
            sum(t[figure.code].denominator for t in by_unit.values()),
        )
        assert total.tallies[figure.code] == expected, figure.code


def test_art11_the_drill_down_lists_exactly_the_cases_behind_a_number(db_session):
    _scatter(db_session, 200)
    as_of = datetime(2026, 12, 20)
    (total,) = tallies(db_session, Scope.system(), NOVEMBER, as_of)
    for figure in FIGURES:
        for part, expected in (
            ("denominator", total.tallies[figure.code].denominator),
            ("numerator", total.tallies[figure.code].numerator),
        ):
            listed = db_session.scalars(
                select(Case.id).where(drill_down(figure, part, NOVEMBER, as_of))
            ).all()
            assert len(listed) == expected, (figure.code, part)
