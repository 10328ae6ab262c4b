"""Lists count at most COUNT_CAP rows (issue 12): past it the header says 超过 N 条 and the pages
still work, so the count no longer grows with the table."""

from __future__ import annotations

import re

from sqlalchemy import event

from app.domain.clock import now as clock_now
from app.extensions import db
from app.services import counting as datamodel
from tests.case_helpers import gen_case


def _record_count(html: str) -> str:
    match = re.search(r"记录数目:</strong>\s*([^<]+?)\s*</div>", html)
    assert match, "no record count on the page"
    return match.group(1)


def test_a_long_list_shows_more_than_the_cap_and_pages_on(app, db_session, login_as, monkeypatch):
    for _ in range(5):
        gen_case(db_session)
    client = login_as("csd")
    exact = _record_count(client.get("/cases/list/").get_data(as_text=True))
    assert exact.isdigit() and int(exact) >= 5
    monkeypatch.setattr(datamodel, "COUNT_CAP", 3)
    page = client.get("/cases/list/?psize_CaseView=2&page_CaseView=1").get_data(as_text=True)
    assert _record_count(page) == "超过 3 条"
    assert re.findall(r"SQ\d{12}", page), "the second page lists cases"


def test_the_count_reads_at_most_the_cap_plus_one_rows(app, db_session, login_as, monkeypatch):
    for _ in range(4):
        gen_case(db_session)
    monkeypatch.setattr(datamodel, "COUNT_CAP", 2)
    statements = []
    with app.app_context():
        engine = db.engine  # the engine of the application the client calls
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        login_as("csd").get("/cases/list/")
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    counts = [s for s in statements if "count(*)" in s.lower() and "service_case" in s]
    assert counts and all("LIMIT" in s.upper() for s in counts), counts


def test_menu_queue_counts_stop_at_the_menu_cap(app, db_session, monkeypatch):
    """Each queue count of the menu reads at most MENU_CAP + 1 rows and shows 999+ past it."""
    from app.services import counting
    from app.services.case_queries import queue_counts
    from tests.case_helpers import actor

    for _ in range(4):
        gen_case(db_session)
    who = actor(db_session, "csd")
    exact = queue_counts(db_session, who, clock_now())["to_dispatch"]
    assert exact >= 4 and str(exact) == str(int(exact))
    monkeypatch.setattr(counting, "MENU_CAP", 2)
    shown = queue_counts(db_session, who, clock_now())["to_dispatch"]
    assert int(shown) == 2 and str(shown) == "2+"


def test_a_queue_page_counts_to_the_cap_and_pages_on(app, db_session, login_as, monkeypatch):
    """The queue page's header counts as its menu entry does (999+), and pages on past it."""
    from app.services import counting

    for _ in range(25):
        gen_case(db_session)
    client = login_as("csd")
    whole = client.get("/queues/to_dispatch").get_data(as_text=True)
    assert re.search(r"待我派发（\d+）", whole), "the exact count under the cap"
    monkeypatch.setattr(counting, "MENU_CAP", 21)
    first = client.get("/queues/to_dispatch").get_data(as_text=True)
    assert "待我派发（21+）" in first and "?page=2" in first
    second = client.get("/queues/to_dispatch?page=2").get_data(as_text=True)
    assert re.findall(r"SQ\d{12}", second), "the second page lists cases"


def test_the_unread_badge_stops_at_the_menu_cap(app, db_session, monkeypatch):
    """The bell counts unread notifications up to MENU_CAP (999+), not every unread row."""
    from app.services import counting
    from app.services.notifications import send, unread_count
    from tests.case_helpers import actor

    who = actor(db_session, "csd")
    for n in range(3):
        send(db_session, [who.user_id], category="test", title=f"n{n}", link="/")
    db_session.commit()
    exact = unread_count(db_session, who)
    monkeypatch.setattr(counting, "MENU_CAP", exact - 1)
    assert str(unread_count(db_session, who)) == f"{exact - 1}+"


def test_a_queue_pages_on_past_its_capped_count(app, db_session, monkeypatch):
    """Past the cap (999+) the count no longer says whether a next page exists: the page's own
    read does (review: page 50 of a queue of 1,500 had no 下一页)."""
    from app.services import counting
    from app.services.case_queries import queue_page
    from tests.case_helpers import actor

    for _ in range(5):
        gen_case(db_session)
    who = actor(db_session, "csd")
    monkeypatch.setattr(counting, "MENU_CAP", 2)  # the count stops at 2+, the queue holds more
    second = queue_page(db_session, who, "to_dispatch", clock_now(), 2, size=2)
    assert str(second.total) == "2+" and len(second.cases) == 2
    assert second.has_next, "cases 5 and on are one click away"
    last = queue_page(db_session, who, "to_dispatch", clock_now(), 100, size=2)
    assert not last.cases and not last.has_next
