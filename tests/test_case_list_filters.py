"""The case list's filters (issue 6 item 15): each one lists exactly the cases it should, a
branch user's filter never widens their scope, the customer's phone, name, address and gas
account are searchable by company-wide roles only (Art.13: a branch must not test them against
a 举报 reporter hidden from it), and every filter widget speaks Chinese."""

from __future__ import annotations

import json
import re
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.domain.clock import now as clock_now
from app.domain.deadlines import overdue_state
from app.models import BusinessCategory, Case, CaseKind
from tests.case_helpers import act, branch_id, channel_id, gen_case, kind_id
from tests.conftest import TEST_PASSWORD
from tests.english import english_words

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
FLAGS = (
    "urgent",
    "media_involved",
    "adverse_impact",
    "major_interest",
    "property_loss",
    "casualties",
)
CUSTOMER = ("customer_phone", "customer_name", "customer_address", "gas_account")


@pytest.fixture
def ids(db_session):
    """Three more cases beside the demo ones, so that every filter has cases on both sides."""
    hankou, wuchang = branch_id(db_session, "hankou"), branch_id(db_session, "wuchang")
    repair = db_session.scalar(select(BusinessCategory.id).where(BusinessCategory.code == "repair"))
    now = clock_now()
    made = [
        gen_case(
            db_session,
            channel="citizen_hotline",
            kind="complaint",
            urgent=True,
            media_involved=True,
            received=now - timedelta(days=20),  # overdue by now
            now=now,
        ),
        gen_case(
            db_session,
            channel="hubei_gov_service",
            kind="consultation",
            adverse_impact=True,
            major_interest=True,
            business_category_id=repair,
            received=now - timedelta(days=2),
            now=now,
        ),
        gen_case(
            db_session,
            channel="city_message_board",
            kind="business",
            property_loss=True,
            casualties=True,
            received=now - timedelta(days=3),
            now=now,
        ),
    ]
    for case, unit in zip(made, (hankou, hankou, wuchang), strict=True):
        act(db_session, "csd", case, "dispatch", branch_id=unit, now=now)
    return {
        "hankou": hankou,
        "wuchang": wuchang,
        "repair": repair,
        "citizen_hotline": channel_id(db_session, "citizen_hotline"),
        "complaint": kind_id(db_session, "complaint"),
        "made": [c.number for c in made],
    }


def all_cases(db_session) -> list[Case]:
    db_session.expire_all()
    return db_session.scalars(select(Case)).all()


def listed(client, query: str = "") -> set[str]:
    response = client.get(f"/cases/list/?psize_CaseView=100&{query}")
    assert response.status_code == 200, query
    return set(re.findall(r"SQ\d{12}", response.get_data(as_text=True)))


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _overdue(case: Case, now: datetime) -> bool:
    return overdue_state(case, now) is not None


# (query string, which cases it must list); ids and now passed in.
FILTERS = {
    "status": (
        lambda i: "_flt_0_status=in_progress",
        lambda c, i, now: c.status == "in_progress",
    ),
    "status not": (
        lambda i: "_flt_1_status=closed",
        lambda c, i, now: c.status != "closed",
    ),
    "channel category": (
        lambda i: "_flt_0_channel_category_code=online",
        lambda c, i, now: c.channel_category_code == "online",
    ),
    "channel": (
        lambda i: f"_flt_0_channel={i['citizen_hotline']}",
        lambda c, i, now: c.channel_id == i["citizen_hotline"],
    ),
    "kind": (
        lambda i: f"_flt_0_kind={i['complaint']}",
        lambda c, i, now: c.kind_id == i["complaint"],
    ),
    "kind not": (
        lambda i: f"_flt_1_kind={i['complaint']}",
        lambda c, i, now: c.kind_id != i["complaint"],
    ),
    "business category": (
        lambda i: f"_flt_0_business_category={i['repair']}",
        lambda c, i, now: c.business_category_id == i["repair"],
    ),
    "unit": (
        lambda i: f"_flt_0_branch={i['hankou']}",
        lambda c, i, now: c.branch_id == i["hankou"],
    ),
    "other unit": (
        lambda i: f"_flt_0_branch={i['wuchang']}",
        lambda c, i, now: c.branch_id == i["wuchang"],
    ),
    "no unit": (
        lambda i: "_flt_0_branch=__None",
        lambda c, i, now: c.branch_id is None,
    ),
    "deadline window": (
        lambda i: (
            f"_flt_0_finish_due={(clock_now() - timedelta(days=10)).date()}"
            f"&_flt_1_finish_due={(clock_now() + timedelta(days=3)).date()}"
        ),
        lambda c, i, now: (
            _day(c.finish_due) is not None
            and (now - timedelta(days=10)).date()
            <= _day(c.finish_due)
            <= (now + timedelta(days=3)).date()
        ),
    ),
    "received from": (
        lambda i: f"_flt_0_received_at={(clock_now() - timedelta(days=4)).date()}",
        lambda c, i, now: _day(c.received_at) >= (now - timedelta(days=4)).date(),
    ),
    "overdue": (
        lambda i: "_flt_0_finish_overdue=y",
        lambda c, i, now: _overdue(c, now),
    ),
    "not overdue": (
        lambda i: "_flt_0_finish_overdue=n",
        lambda c, i, now: not _overdue(c, now),
    ),
    "number": (
        lambda i: f"_flt_0_number={i['made'][0].lower()}",
        lambda c, i, now: c.number == i["made"][0],
    ),
    "number prefix": (
        lambda i: f"_flt_1_number={i['made'][0][:10]}",
        lambda c, i, now: c.number.startswith(i["made"][0][:10]),
    ),
    **{
        flag: (lambda i, f=flag: f"_flt_0_{f}=y", lambda c, i, now, f=flag: getattr(c, f))
        for flag in FLAGS
    },
    "not urgent": (lambda i: "_flt_0_urgent=n", lambda c, i, now: not c.urgent),
    "urgent and overdue": (
        lambda i: "_flt_0_urgent=y&_flt_0_finish_overdue=y",
        lambda c, i, now: c.urgent and _overdue(c, now),
    ),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_each_filter_lists_exactly_its_cases_within_the_users_scope(
    app, db_session, login_as, ids, name
):
    query, predicate = FILTERS[name]
    for username in ("csd", "liaison_hankou"):
        client = login_as(username)
        visible = listed(client)
        now = clock_now()
        expected = {c.number for c in all_cases(db_session) if predicate(c, ids, now)} & visible
        got = listed(client, query(ids))
        assert got <= visible, f"{username}: the filter widened the scope"
        assert got == expected, (username, name)
        if username == "csd":  # the filter does select something, and not everything
            assert expected and expected != visible, name


CUSTOMER_SEARCHES = {
    "customer_phone": ("_flt_0_customer_phone=139 1234 5678", "customer_phone", "13912345678"),
    "customer_name": ("_flt_0_customer_name=王先生", "customer_name", "王先生"),
    "gas_account": ("_flt_0_gas_account=0271000003", "gas_account", "0271000003"),
}


@pytest.mark.parametrize("column", list(CUSTOMER_SEARCHES))
def test_company_wide_roles_search_by_the_customer(app, db_session, login_as, ids, column):
    query, attribute, value = CUSTOMER_SEARCHES[column]
    expected = {c.number for c in all_cases(db_session) if getattr(c, attribute) == value}
    for username in ("csd", "leader", "admin"):
        got = listed(login_as(username), query)
        assert got == expected and expected, username


def test_an_address_is_searched_by_its_beginning(app, db_session, login_as, ids):
    expected = {
        c.number for c in all_cases(db_session) if (c.customer_address or "").startswith("江岸区")
    }
    assert listed(login_as("csd"), "_flt_0_customer_address=江岸区") == expected
    assert expected != listed(login_as("csd"))


@pytest.mark.parametrize("username", ["liaison_hankou", "handler_hankou", "head_hankou"])
def test_art13_branch_roles_can_neither_see_nor_use_customer_search(
    app, db_session, login_as, ids, username
):
    client = login_as(username)
    everything = listed(client)
    html = client.get("/cases/list/").get_data(as_text=True)
    for column in CUSTOMER:
        assert f'name="{column}"' not in html, column  # not offered in the filter panel
    for query, _attribute, _value in CUSTOMER_SEARCHES.values():
        assert listed(client, query) == everything, query  # nor honoured from the URL
    assert listed(client, "_flt_0_customer_address=江岸区") == everything
    assert 'name="customer_phone"' in login_as("csd").get("/cases/list/").get_data(as_text=True)


def filter_panel(html: str) -> tuple[dict, dict]:
    """The filter panel's inputs and operation names, as FAB's AdminFilters receives them."""
    script = html[html.index("new AdminFilters(") :]
    arguments = script[: script.index(");")]
    objects = re.findall(r"^\s*(\{.*\}|\[.*\])\s*,?\s*$", arguments, re.MULTILINE)
    _labels, fields, operations, _active = (json.loads(o) for o in objects)
    return fields, operations


@pytest.mark.parametrize("username", ["csd", "liaison_hankou"])
def test_every_filter_widget_is_chinese(app, db_session, login_as, ids, username):
    html = login_as(username).get("/cases/list/").get_data(as_text=True)
    fields, operations = filter_panel(html)
    assert "status" in fields and "finish_due" in fields
    for column, names in operations.items():
        for name in names:
            assert not english_words(name), (column, name)
    for column, field in fields.items():
        assert not english_words(field), column
        options = re.findall(r"<option[^>]*>([^<]*)</option>", field)
        assert all(label.strip() and "__None" not in label for label in options), column
    status_options = re.findall(r'<option[^>]*value="([^"]+)"[^>]*>([^<]*)<', fields["status"])
    assert ("in_progress", "办理中") in status_options  # codes chosen from Chinese labels
    units = re.findall(r"<option[^>]*>([^<]*)</option>", fields["branch"])
    if username == "liaison_hankou":  # the unit list is the user's scope
        assert "武昌分公司" not in units and "汉口分公司" in [u.strip() for u in units]
    # The date picker's Chinese is loaded after FAB's scripts, on every page.
    picker = html.index("bootstrap-datepicker.min.js")
    assert html.index("/static/js/suqiu-widgets.js") > picker


def test_the_widget_script_is_served(app):
    script = app.test_client().get("/static/js/suqiu-widgets.js")
    assert script.status_code == 200
    text = script.get_data(as_text=True)
    assert '"zh-CN"' in text and "datetimepicker" in text and "请选择" in text


@pytest.fixture
def live_url(app):
    """The test application served from a thread, for Chromium."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.mark.browser
def test_the_filter_panel_and_date_picker_are_chinese_in_chromium(live_url, db_session, ids):
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(live_url + "/login/")
        page.fill("#username", "csd")
        page.fill("#password", TEST_PASSWORD)
        page.click("input[type=submit], button[type=submit]")
        page.goto(live_url + "/cases/list/")
        page.click("text=搜索")
        for label in ("状态", "办结时限"):
            page.click("text=添加过滤条件")
            page.click(f"ul.dropdown-menu a.filter:text-is('{label}')")
        page.click("td.filter input[name$='finish_due']")
        page.wait_for_selector(".datepicker-days", state="visible")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "case_list_date_picker.png"), full_page=True)
        title = page.inner_text(".datepicker-days .datepicker-switch")
        weekdays = page.locator(".datepicker-days th.dow").all_inner_texts()
        assert "年" in title and "月" in title, title
        assert weekdays == ["一", "二", "三", "四", "五", "六", "日"]
        assert not english_words(page.inner_text(".datepicker"))
        # A cleared choice shows a Chinese placeholder, not FAB's "Select a State".
        page.keyboard.press("Escape")
        page.locator("tr:has-text('状态') .select2-selection__clear").first.click()
        page.keyboard.press("Escape")
        assert "请选择" in page.inner_text("#filter_form")
        assert not english_words(page.inner_text("#filter_form"))
        assert not errors, errors  # FAB's datetimepicker call no longer throws
        browser.close()


def test_a_kind_filter_for_an_unknown_id_lists_nothing_and_bad_values_are_ignored(
    app, db_session, login_as, ids
):
    client = login_as("csd")
    everything = listed(client)
    unknown = (db_session.scalar(select(CaseKind.id).order_by(CaseKind.id.desc())) or 0) + 1000
    assert listed(client, f"_flt_0_kind={unknown}") == set()
    for query in ("_flt_0_kind=abc", "_flt_0_finish_due=2026-02-30", "_flt_0_urgent=maybe"):
        assert listed(client, query) == everything, query
