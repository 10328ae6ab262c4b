"""fab-pitfalls "List views": FAB runs ~25 permission queries per page. Permissions are loaded
once per request, so a list page costs a handful of queries whatever the menu size."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from app.extensions import db


@pytest.fixture
def count_queries(app):
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield statements
    event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("username", ["admin", "liaison_hankou"])
@pytest.mark.parametrize("url", ["/departmentview/list/", "/branchcontactview/list/", "/"])
def test_a_page_runs_few_queries(app, login_as, count_queries, username, url):
    client = login_as(username)
    client.get(url)  # warm-up: the first request of a session loads the user
    count_queries.clear()
    assert client.get(url).status_code == 200
    permission_queries = [s for s in count_queries if "ab_permission_view" in s]
    assert len(permission_queries) <= 2, permission_queries
    # The start page of a unit's liaison is their dashboard (issue 9): its aggregates (the
    # scorecard one per source of figures: the cases' dates, the approved complaints) and the
    # master data naming them come on top of the page's handful.
    budget = 27 if (url, username) == ("/", "liaison_hankou") else 15
    assert len(count_queries) <= budget, count_queries
