"""Every list reads its URL parameters defensively (issue 6 items 1 and 2): it sorts only by the
columns the view declares (Art.13: a hidden 举报 reporter must not be located by sorting on the
customer), a malformed page, size, sort or filter is ignored rather than a 500 or an English
error, pages hold at most 100 rows on the web as on the API, absurd ids name no record."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import update

import app.security.views
import app.views.bulletins
import app.views.case_admin
import app.views.cases
import app.views.catalog
import app.views.contacts
import app.views.notifications
import app.views.org
import app.views.violations  # noqa: F401  (every module defining list views)
from app.models import Case
from app.views.base import SuqiuModelView
from app.views.datamodel import ScopedInterface
from tests.case_helpers import act, branch_id, gen_case
from tests.conftest import csrf_token
from tests.english import english_words
from tests.test_chinese_ui import data_words
from tests.test_scope_matrix import api_token

HUGE = "99999999999999999999"


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


LIST_VIEWS = sorted({cls.__name__: cls for cls in _subclasses(SuqiuModelView)})


def registered(app, name):
    views = [v for v in app.appbuilder.baseviews if type(v).__name__ == name]
    assert views, f"{name} is not registered"
    return views[0]


def base_url(view) -> str:
    return "/" + view.route_base.strip("/")


def test_every_registered_list_view_is_covered(app):
    names = {type(v).__name__ for v in app.appbuilder.baseviews if isinstance(v, SuqiuModelView)}
    assert names == set(LIST_VIEWS)


@pytest.fixture
def queries(monkeypatch):
    """What each list asked the database for: interface → [(order column, page, page size)]."""
    seen = {}
    for interface in (SQLAInterface, ScopedInterface):  # ours pages in two steps (issue 12)
        original = interface.__dict__["query"]

        def spy(
            self, filters=None, order_column="", order_direction="", page=None, page_size=None,
            *args, _original=original, **kw,
        ):  # fmt: skip
            seen.setdefault(self, []).append((order_column, page, page_size))
            return _original(
                self, filters, order_column, order_direction, page, page_size, *args, **kw
            )

        monkeypatch.setattr(interface, "query", spy)
    return seen


def case_numbers(html: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"SQ\d{12}", html)))


@pytest.mark.parametrize(
    "column", ["customer_phone", "customer_name", "customer_address", "gas_account"]
)
def test_art13_a_hidden_reporter_cannot_be_located_by_sorting_on_the_customer(
    app, db_session, login_as, column
):
    """The 举报 row (*** for the branch) must not sort beside the reporter's other cases."""
    hankou = branch_id(db_session, "hankou")
    customers = [  # received later → listed first by default; customer values in another order
        ("13900000005", "赵五", "江岸区五号", "A5"),
        ("13900000001", "钱一", "江岸区一号", "A1"),
        ("13900000004", "孙四", "江岸区四号", "A4"),
        ("13900000002", "李二", "江岸区二号", "A2"),
    ]
    start = datetime(2026, 10, 12, 8, 0)
    cases = []
    for index, (phone, name, address, account) in enumerate(customers + [customers[1]]):
        kind = "report" if index == len(customers) else "business"
        received = start + timedelta(minutes=index)
        case = gen_case(db_session, kind=kind, received=received, now=received)
        db_session.execute(
            update(Case)
            .where(Case.id == case.id)
            .values(
                customer_phone=phone,
                customer_name=name,
                customer_address=address,
                gas_account=account,
            )
        )
        db_session.commit()
        act(db_session, "csd", case, "dispatch", branch_id=hankou)
        cases.append(case.number)
    for username in ("liaison_hankou", "handler_hankou", "head_hankou"):
        client = login_as(username)
        default = case_numbers(client.get("/cases/list/").get_data(as_text=True))
        sorted_page = client.get(f"/cases/list/?_oc_CaseView={column}&_od_CaseView=asc")
        assert sorted_page.status_code == 200
        listed = case_numbers(sorted_page.get_data(as_text=True))
        assert set(cases) <= set(default), username
        assert listed == default, f"{username} sorted by {column}"


@pytest.mark.parametrize("name", LIST_VIEWS)
def test_undeclared_sorts_are_ignored_and_pages_capped_on_every_list(app, login_as, queries, name):
    view = registered(app, name)
    columns = view.datamodel.get_columns_list() + ["nonexistent"]
    undeclared = next(c for c in columns if c not in view.order_columns)
    client = login_as("admin")
    response = client.get(
        f"{base_url(view)}/list/?_oc_{name}={undeclared}&_od_{name}=asc&psize_{name}=100000"
    )
    assert response.status_code == 200
    order_column, _page, page_size = queries[view.datamodel][-1]
    assert order_column in ("", (view.base_order or ("",))[0]), (name, undeclared)
    assert page_size == 100
    declared = view.order_columns[0]
    client.get(f"{base_url(view)}/list/?_oc_{name}={declared}&_od_{name}=desc")
    assert queries[view.datamodel][-1][0] == declared  # a declared column still sorts


def malformed_params(view, name) -> list[str]:
    """Query strings, each combining unrelated malformed parameters (any of them alone used to
    be a 500): pages, sizes, sorts, filter indexes and columns, then every filter of the view
    with values of the wrong type and size."""
    columns = list(view.search_columns) or ["name"]
    pages = ["abc", "1.5", "-1", HUGE]
    sizes = ["abc", "0", "100000", "-5"]
    params = [
        f"page_{name}={page}&psize_{name}={size}" for page, size in zip(pages, sizes, strict=True)
    ]
    params += [
        f"_oc_{name}=nonexistent&_od_{name}=asc&_flt_9_{columns[0]}=x&_flt_0_nonexistent=x",
        f"_oc_{name}={view.order_columns[0]}&_od_{name}=sideways&_flt_99_{columns[0]}=x",
        f"_flt_0_{columns[0]}&_flt_x_{columns[0]}=1",
    ]
    for index in (0, 1):
        for value in ("abc", HUGE, "1.5", "2026-02-30"):
            params.append("&".join(f"_flt_{index}_{column}={value}" for column in columns))
    return params


@pytest.mark.parametrize("name", LIST_VIEWS)
def test_malformed_list_parameters_never_give_a_server_error_nor_english(
    app, db_session, login_as, name
):
    view = registered(app, name)
    allowed = data_words(db_session)
    base = base_url(view)
    urls = [f"{base}/list/?{params}" for params in malformed_params(view, name)]
    urls += [f"{base}/{route}/{pk}" for route in ("show", "edit") for pk in (HUGE, "abc", "1.5")]
    for username in ("admin", "liaison_hankou"):
        client = login_as(username)
        for url in urls:
            response = client.get(url, follow_redirects=True)
            assert response.status_code < 500, (username, url)
            words = english_words(response.get_data(as_text=True), allowed)
            assert not words, f"{username} {url} shows English: {sorted(words)}"


@pytest.mark.parametrize("name", ["VendorView", "NotificationView", "DepartmentView"])
def test_an_unknown_action_gets_a_chinese_message(app, db_session, login_as, name):
    view = registered(app, name)
    client = login_as("admin")
    token = csrf_token(client, "/myprofileview/form")
    for url, data in [
        ("action_post", {"action": "no_such_action", "rowid": ["1", HUGE]}),
        ("action/no_such_action/1", {}),
    ]:
        response = client.post(
            f"{base_url(view)}/{url}", data={"csrf_token": token, **data}, follow_redirects=True
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert "没有这个操作" in html, url
        assert not english_words(html, data_words(db_session)), url


def test_a_single_record_action_posted_from_the_list_gets_one_record(app, db_session, login_as):
    """FAB's 重置密码 takes one user; from the list it was handed a list (a 500)."""
    client = login_as("admin")
    token = csrf_token(client, "/myprofileview/form")
    two = client.post(
        "/users/action_post",
        data={"csrf_token": token, "action": "resetpasswords", "rowid": ["1", "2"]},
        follow_redirects=True,
    )
    assert two.status_code == 200 and "只能对一条记录执行" in two.get_data(as_text=True)
    one = client.post(
        "/users/action_post",
        data={"csrf_token": token, "action": "resetpasswords", "rowid": ["2"]},
    )
    assert one.status_code == 302 and "/resetpassword/form" in one.headers["Location"]
    missing = client.post(
        "/users/action_post",
        data={"csrf_token": token, "action": "resetpasswords", "rowid": [HUGE]},
    )
    assert missing.status_code == 404


API_LISTS = ["/api/v1/department/", "/api/v1/branch/"]


@pytest.mark.parametrize("url", API_LISTS)
@pytest.mark.parametrize(
    "q",
    [
        "(((",
        "(a:",
        "!(1,2",
        "(order_column:id,order_direction:sideways)",
        "1",
        "(filters:!((col:name,opr:sw,value:1)))",
        "(filters:!((col:name,opr:no_such_op,value:x)))",
        "(filters:!((col:nonexistent,opr:eq,value:x)))",
        f"(filters:!((col:name,opr:eq,value:{HUGE})))",
        "(page:abc)",
        "(columns:!(nonexistent))",
    ],
)
def test_a_malformed_api_query_is_a_chinese_400(app, url, q):
    client = app.test_client()
    response = client.get(url, query_string={"q": q}, headers=api_token(client, "csd"))
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    if response.status_code == 400:
        assert not english_words(response.json["message"])


@pytest.mark.parametrize("url", API_LISTS)
def test_api_lists_ignore_undeclared_sorts_and_bound_pages(app, url, queries):
    client = app.test_client()
    headers = api_token(client, "csd")
    for q, order_column in [
        ("(order_column:nonexistent,order_direction:asc)", ""),
        ("(page:-1,page_size:100000)", ""),
        (f"(page:{HUGE})", ""),
    ]:
        response = client.get(url, query_string={"q": q}, headers=headers)
        assert response.status_code == 200, (q, response.get_data(as_text=True))
        column, page, page_size = [q for calls in queries.values() for q in calls][-1]
        assert column == order_column, q
        assert 0 <= page <= 10_000_000 and page_size <= 100, q


@pytest.mark.parametrize("method", ["get", "put", "delete"])
@pytest.mark.parametrize("resource", ["department", "branch"])
def test_an_api_id_beyond_64_bits_is_not_found(app, method, resource):
    client = app.test_client()
    call = getattr(client, method)
    response = call(f"/api/v1/{resource}/{HUGE}", headers=api_token(client, "admin"), json={})
    assert response.status_code in (404, 405), response.get_data(as_text=True)
    if response.status_code == 404:
        assert not english_words(response.json["message"])
