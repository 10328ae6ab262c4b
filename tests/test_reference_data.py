"""The reference data a registration reads is kept per process and reloaded when its version
moves (issue 12): a registration reads no channel, kind, rule or calendar row of its own, and
an edit of any of them — here, in another process or by hand — reaches the next case."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import event, insert, select, update

from app.extensions import db
from app.models import CalendarDay, ReferenceVersion, TimeLimitRule
from app.services import reference_data
from tests.case_helpers import gen_case


def _version(db_session) -> int:
    return db_session.scalar(select(ReferenceVersion.version))


def _statements(app, action) -> list[str]:
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    listen = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return seen


def test_a_registration_reads_no_reference_table_once_they_are_kept(app, db_session):
    gen_case(db_session)  # loads them
    seen = _statements(app, lambda: gen_case(db_session))
    read = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    for table in ("channel", "case_kind", "time_limit_rule", "calendar_day", "calendar_year"):
        assert not [s for s in read if f"FROM {table}" in s], (table, read)


def test_art19_a_rule_edited_in_the_portal_reaches_the_next_case(db_session):
    """The flush writing the rule changes the version; the next registration reloads."""
    before = gen_case(db_session, kind="consultation")  # 3 working days from Mon 2026-10-12
    assert before.finish_due == datetime(2026, 10, 15, 23, 59, 59)
    version = _version(db_session)
    rule = db_session.scalar(select(TimeLimitRule).where(TimeLimitRule.note == "咨询：3个工作日"))
    rule.finish_amount = 4
    db_session.commit()
    assert _version(db_session) != version
    after = gen_case(db_session, kind="consultation")
    assert after.finish_due == datetime(2026, 10, 16, 23, 59, 59)


def test_art19_a_calendar_day_changed_elsewhere_reaches_the_next_case(db_session):
    """Another process edits the calendar (here: by hand, and it sets a new version): this
    process's kept calendar is replaced at the next registration."""
    gen_case(db_session, kind="consultation")  # keeps the calendar of this version
    db_session.execute(  # by hand: no ORM flush, no listener
        insert(CalendarDay).values(day=date(2026, 10, 13), is_workday=False, name="停工")
    )
    db_session.execute(update(ReferenceVersion).values(version=_version(db_session) + 7))
    db_session.commit()
    case = gen_case(db_session, kind="consultation")  # Tue 13 is now a day off
    assert case.finish_due == datetime(2026, 10, 16, 23, 59, 59)


def test_kept_data_is_per_database(app, db_session):
    gen_case(db_session)
    with app.app_context():
        key = str(db.engine.url)
    assert reference_data._kept[key].version == _version(db_session)
