"""有效投诉 (一般/重大) among the dashboards' figures (design §4; Art.8/9): a case counts once in
the month its valid complaint was approved, whatever its own dates, on hand-made determinations
(each expected figure counted by hand in the comment beside it), then in SQL on both databases,
with the drill-down listing exactly the cases behind each number."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.domain import kpis
from app.domain.kpis import FIGURES_BY_CODE, tally
from app.models import Case, ComplaintDetermination
from app.services.kpi_queries import drill_down, tallies
from app.services.scope import Scope
from tests.case_helpers import actor, branch_id, gen_case

NOVEMBER = kpis.month(2026, 11)
AS_OF = datetime(2026, 11, 29, 12, 0)
GENERAL, MAJOR = FIGURES_BY_CODE["valid_general"], FIGURES_BY_CODE["valid_major"]


def complaint(status="approved", determination="valid", grade="general", approved=None):
    return {
        "status": status,
        "determination": determination,
        "grade": grade,
        "approved_at": approved,
    }


# Each hand-made case: its complaint (or none); the figure it adds to in November.
HAND_MADE = [
    {"complaint": complaint(approved=datetime(2026, 11, 1, 0, 0))},  # general: first second
    {"complaint": complaint(approved=datetime(2026, 11, 30, 23, 59, 59))},  # general: last second
    {"complaint": complaint(approved=datetime(2026, 12, 1, 0, 0))},  # December: no
    {"complaint": complaint(approved=datetime(2026, 10, 31, 23, 59))},  # October: no
    {"complaint": complaint(status="objected", approved=datetime(2026, 11, 5))},  # general
    {"complaint": complaint(status="changed", approved=datetime(2026, 11, 6))},  # general
    {"complaint": complaint(status="submitted", approved=None)},  # not approved: no
    {"complaint": complaint(status="sent_back", approved=datetime(2026, 11, 7))},  # no
    {"complaint": complaint(determination="invalid", grade=None, approved=datetime(2026, 11, 8))},
    {"complaint": complaint(grade="major", approved=datetime(2026, 11, 9))},  # major
    {"complaint": complaint(status="upheld", grade="major", approved=datetime(2026, 11, 10))},
    {"complaint": None},  # no complaint
]


def test_art9_valid_complaints_count_in_the_month_of_approval_by_grade():
    """Art.8/9: 4 general (Nov 1 00:00, Nov 30 23:59:59, objected, changed) and 2 major
    (approved, upheld); a draft, a sent-back one, an invalid one, October and December do not
    count."""
    params = NOVEMBER.params(AS_OF)
    assert tally(GENERAL, HAND_MADE, params).denominator == 4
    assert tally(MAJOR, HAND_MADE, params).denominator == 2
    assert kpis.shown(GENERAL, tally(GENERAL, HAND_MADE, params)) == "4"
    assert kpis.shown(MAJOR, tally(MAJOR, [], params)) == "0"


def _determination(session, case, *, status, grade, approved, determination="valid"):
    session.add(
        ComplaintDetermination(
            case_id=case.id,
            status=status,
            determination=determination,
            grade=grade,
            branch_id=case.branch_id,
            approved_at=approved,
        )
    )


def _dispatched(session, unit: str, received: datetime):
    case = gen_case(session, received=received, now=received)
    case.branch_id = branch_id(session, unit)
    session.flush()
    return case


def test_art9_valid_complaints_in_sql_by_unit_and_their_drill_down(db_session):
    """In SQL, by the case's unit: 汉口 2 general (one about a case received in 2025 and closed
    long before November: the approval month counts, not the case's dates) and 1 major; 武昌 1
    general; an invalid one and a December one count nowhere. Each drill-down lists exactly
    those cases."""
    s = db_session
    # The template's demo complaints are approved around today: count what this test adds.
    before = _by_unit(s)
    listed_before = {f.code: _listed(s, f) for f in (GENERAL, MAJOR)}
    old = _dispatched(s, "hankou", datetime(2025, 3, 3, 9, 0))
    old.closed_at = datetime(2025, 3, 20, 9, 0)
    hk_general = _dispatched(s, "hankou", datetime(2026, 10, 20, 9, 0))
    hk_major = _dispatched(s, "hankou", datetime(2026, 11, 2, 9, 0))
    wc_general = _dispatched(s, "wuchang", datetime(2026, 11, 3, 9, 0))
    wc_invalid = _dispatched(s, "wuchang", datetime(2026, 11, 4, 9, 0))
    wc_december = _dispatched(s, "wuchang", datetime(2026, 11, 5, 9, 0))
    _determination(s, old, status="approved", grade="general", approved=datetime(2026, 11, 2))
    _determination(
        s, hk_general, status="objected", grade="general", approved=datetime(2026, 11, 9)
    )
    _determination(s, hk_major, status="approved", grade="major", approved=datetime(2026, 11, 12))
    _determination(s, wc_general, status="upheld", grade="general", approved=datetime(2026, 11, 13))
    _determination(
        s,
        wc_invalid,
        status="approved",
        grade=None,
        approved=datetime(2026, 11, 14),
        determination="invalid",
    )
    _determination(
        s, wc_december, status="approved", grade="major", approved=datetime(2026, 12, 1, 0, 0)
    )
    s.commit()
    hankou, wuchang = branch_id(s, "hankou"), branch_id(s, "wuchang")
    rows = _by_unit(s)

    def added(unit, code):
        return _count(rows, unit, code) - _count(before, unit, code)

    assert added(hankou, "valid_general") == 2
    assert added(hankou, "valid_major") == 1
    assert added(wuchang, "valid_general") == 1
    assert added(wuchang, "valid_major") == 0
    # The case-date figures keep their own cases: the 2025 case adds nothing to the intake.
    assert added(hankou, "intake") == 1  # received in November: hk_major only
    for figure, expected in (
        (GENERAL, {old.id, hk_general.id, wc_general.id}),
        (MAJOR, {hk_major.id}),
    ):
        listed = _listed(s, figure)
        assert listed - listed_before[figure.code] == expected, figure.code
        assert len(listed) == sum(r[figure.code].denominator for r in rows.values())


def _by_unit(session):
    return {
        row.key: row.tallies
        for row in tallies(session, Scope.system(), NOVEMBER, AS_OF, group_by=Case.branch_id)
    }


def _count(rows, unit, code) -> int:
    return rows[unit][code].denominator if unit in rows else 0


def _listed(session, figure) -> set[int]:
    where = drill_down(figure, "denominator", NOVEMBER, AS_OF)
    return set(session.scalars(select(Case.id).where(where)))


def test_a_units_reader_counts_only_its_own_valid_complaints(db_session):
    """Under 汉口's liaison's scope the total holds 汉口's complaint only."""
    s = db_session
    liaison = actor(s, "liaison_hankou")
    (before,) = tallies(s, liaison.scope, NOVEMBER, AS_OF)
    hk = _dispatched(s, "hankou", datetime(2026, 11, 2, 9, 0))
    wc = _dispatched(s, "wuchang", datetime(2026, 11, 2, 9, 0))
    _determination(s, hk, status="approved", grade="general", approved=datetime(2026, 11, 5))
    _determination(s, wc, status="approved", grade="general", approved=datetime(2026, 11, 5))
    s.commit()
    (total,) = tallies(s, liaison.scope, NOVEMBER, AS_OF)
    added = total.tallies["valid_general"].denominator - before.tallies["valid_general"].denominator
    assert added == 1
