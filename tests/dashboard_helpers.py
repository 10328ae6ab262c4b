"""Reading the dashboards in tests (tests/test_dashboards.py, tests/test_repeat_figures.py):
a user's board of a period, each number it shows, and the count of a drill-down list."""

from __future__ import annotations

import re
from datetime import datetime

from app.domain.clock import now as clock_now
from app.services import dashboards
from tests.case_helpers import actor

OCTOBER = {"period": "month", "year": "2025", "month": "10"}
AS_OF = datetime(2026, 11, 29, 12, 0, 0)


def board_for(session, username, args=OCTOBER, now=AS_OF):
    scope = actor(session, username).scope
    filters = dashboards.parse_filters(session, scope, args, now.date())
    return dashboards.company_dashboard(session, scope, filters, now)


def listed_count(client, url: str) -> int:
    response = client.get(url + "&psize_CaseView=100")
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    match = re.search(r"记录数目:</strong>\s*(\d+)", html)
    return int(match.group(1)) if match else 0


def every_number(board):
    """(what, number, drill) of each number the dashboard shows."""
    yield "intake", board.intake.count, board.intake.drill
    for chart in (*board.charts.values(), board.overdue, board.due_soon):
        for bar in chart.bars:
            yield f"{chart.code}:{bar.label}", bar.count, bar.drill
    for row in (*board.scorecard, board.total):
        for cell in row.cells:
            yield f"{row.name}:{cell.figure.code}:d", cell.denominator, cell.denominator_drill
            if cell.is_rate:
                yield f"{row.name}:{cell.figure.code}:n", cell.numerator, cell.numerator_drill


def assert_every_number_is_its_drill_downs_count(app, session, login_as, username) -> None:
    """Each number of ``username``'s board of October equals the count of the case list its
    link opens, as that user (more than 40 numbers: the board is not empty)."""
    from app.views.dashboards import drill_url

    with app.test_request_context():
        board = board_for(session, username, now=clock_now())
        client = login_as(username)
        checked = 0
        for what, number, drill in every_number(board):
            assert listed_count(client, drill_url(drill)) == number, what
            checked += 1
    assert checked > 40
