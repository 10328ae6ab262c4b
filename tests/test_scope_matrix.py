"""Branch scoping (design §1, fab-pitfalls "Row-level security"): a user of branch A can never
read or change branch B's data by any URL or API. The matrix runs every branch-scoped role
against every endpoint of every branch-scoped view, for a record of their own branch and one of
the other branch, including the leaks FAB has by default: actions, add into another branch,
edit moving a record away, related-field choices, file downloads and the REST API."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.domain.roles import ROLES_BY_CODE, grants_for
from app.models import Branch, BranchContact, Department, Vendor
from tests import scoping_data
from tests.conftest import TEST_PASSWORD, csrf_token

BRANCH_USERS = {
    "liaison_hankou": ("liaison", "hankou", "wuchang"),
    "head_hankou": ("head", "hankou", "wuchang"),
    "handler_hankou": ("handler", "hankou", "wuchang"),
    "liaison_wuchang": ("liaison", "wuchang", "hankou"),
}
VIEWS = {
    # view route, permission name, model, id attribute, visible text attribute
    "department": ("departmentview", "Department", Department, "department_id", "branch_name"),
    "vendor": ("vendorview", "Vendor", Vendor, "vendor_id", "vendor_name"),
    "contact": ("branchcontactview", "BranchContact", BranchContact, "contact_id", "contact_name"),
}
ENDPOINTS = [
    "list",
    "show",
    "edit_get",
    "edit_post",
    "delete",
    "action_get",
    "action_post",
    "add_into_branch",
    "download",
]


def allowed(role_code: str, permission: str, level: str) -> bool:
    return (f"can_{level}", permission) in grants_for(ROLES_BY_CODE[role_code])


@pytest.fixture
def records(app, db_session):
    return scoping_data.build(db_session)


def form_data(kind: str, records, branch_code: str, session, name: str) -> dict:
    target = records[branch_code]
    if kind == "department":
        return {
            "name": name,
            "branch": str(target.branch_id),
            "phone": "027-85550000",
            "active": "y",
        }
    if kind == "vendor":
        return {
            "name": name,
            "vendor_type": "partner_vendor",
            "department": str(target.department_id),
            "contact_name": "联系人",
            "phone": "13900000000",
            "active": "y",
        }
    role = session.get(BranchContact, target.contact_id).role
    return {
        "branch": str(target.branch_id),
        "role": role,
        "name": name,
        "mobile": "13700000000",
        "landline": "",
    }


def snapshot(session, model, pk):
    session.expire_all()
    item = session.get(model, pk)
    if item is None:
        return None
    return {c.key: getattr(item, c.key) for c in model.__table__.columns}


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("kind", list(VIEWS))
@pytest.mark.parametrize("target", ["own", "other"])
@pytest.mark.parametrize("username", list(BRANCH_USERS))
def test_branch_user_cannot_reach_another_branch(
    app, db_session, records, login_as, username, target, kind, endpoint
):
    role_code, own, other = BRANCH_USERS[username]
    route, permission, model, id_attr, text_attr = VIEWS[kind]
    branch_code = own if target == "own" else other
    pk = getattr(records[branch_code], id_attr)
    text = getattr(records[branch_code], text_attr)
    can_read = allowed(role_code, permission, "read")
    can_write = allowed(role_code, permission, "write")
    client = login_as(username)
    before = snapshot(db_session, model, pk)
    rows_before = count(db_session, model)

    if endpoint == "list":
        html = client.get(f"/{route}/list/").get_data(as_text=True)
        assert (text in html) == (can_read and target == "own")
    elif endpoint == "show":
        response = client.get(f"/{route}/show/{pk}")
        expect = 200 if can_read and target == "own" else (404 if can_read else 403)
        assert response.status_code == expect
    elif endpoint == "edit_get":
        response = client.get(f"/{route}/edit/{pk}")
        expect = 200 if can_write and target == "own" else (404 if can_write else 403)
        assert response.status_code == expect
    elif endpoint == "edit_post":
        token = csrf_token(client, "/myprofileview/form")
        data = form_data(kind, records, branch_code, db_session, "改名测试甲")
        data["csrf_token"] = token
        client.post(f"/{route}/edit/{pk}", data=data)
        changed = snapshot(db_session, model, pk) != before
        assert changed == (can_write and target == "own")
    elif endpoint == "delete":
        token = csrf_token(client, "/myprofileview/form")
        client.post(f"/{route}/delete/{pk}", data={"csrf_token": token})
        gone = snapshot(db_session, model, pk) is None
        # Departments with users or vendors attached are protected for everybody.
        deletable = kind != "department"
        assert gone == (can_write and target == "own" and deletable)
    elif endpoint == "action_get":
        # Actions never run on GET (no state change on GET), whatever the branch.
        client.get(f"/vendorview/action/deactivate/{records[branch_code].vendor_id}")
        assert snapshot(db_session, Vendor, records[branch_code].vendor_id)["active"] is True
    elif endpoint == "action_post":
        token = csrf_token(client, "/myprofileview/form")
        vendor_id = records[branch_code].vendor_id
        client.post(
            "/vendorview/action_post",
            data={"action": "deactivate", "rowid": str(vendor_id), "csrf_token": token},
        )
        deactivated = snapshot(db_session, Vendor, vendor_id)["active"] is False
        assert deactivated == (allowed(role_code, "Vendor", "write") and target == "own")
    elif endpoint == "add_into_branch":
        token = csrf_token(client, "/myprofileview/form")
        data = form_data(kind, records, branch_code, db_session, "新建测试乙")
        data["csrf_token"] = token
        if kind == "contact":  # each branch has both duties: free one so only scope can refuse
            db_session.delete(db_session.get(BranchContact, records[branch_code].contact_id))
            db_session.commit()
            rows_before = count(db_session, model)
        client.post(f"/{route}/add", data=data)
        created = count(db_session, model) > rows_before
        assert created == (can_write and target == "own")
    elif endpoint == "download":
        # FAB's /download/<file> serves any upload to any user: closed for everybody.
        assert client.get(f"/{route}/download/secret.pdf").status_code in (403, 404)

    if target == "other" and endpoint != "add_into_branch":
        assert snapshot(db_session, model, pk) == before


@pytest.mark.parametrize("username", ["liaison_hankou", "liaison_wuchang"])
def test_edit_cannot_move_an_own_record_into_another_branch(
    app, db_session, records, login_as, username
):
    _, own, other = BRANCH_USERS[username]
    client = login_as(username)
    token = csrf_token(client, "/myprofileview/form")
    dept_id = records[own].department_id
    data = form_data("department", records, other, db_session, "搬家测试")
    client.post(f"/departmentview/edit/{dept_id}", data={**data, "csrf_token": token})
    assert snapshot(db_session, Department, dept_id)["branch_id"] == records[own].branch_id

    vendor_id = records[own].vendor_id
    data = form_data("vendor", records, other, db_session, "搬家测试队")
    client.post(f"/vendorview/edit/{vendor_id}", data={**data, "csrf_token": token})
    assert snapshot(db_session, Vendor, vendor_id)["branch_id"] == records[own].branch_id


@pytest.mark.parametrize("username", list(BRANCH_USERS))
def test_related_choices_offer_only_units_in_scope(app, db_session, records, login_as, username):
    _, own, other = BRANCH_USERS[username]
    client = login_as(username)
    names = {code: db_session.get(Branch, records[code].branch_id).name for code in records}
    for route in ("departmentview/list/", "vendorview/list/", "branchcontactview/list/"):
        html = client.get(f"/{route}").get_data(as_text=True)  # search form dropdowns
        assert names[other] not in html
    for route in ("departmentview/add", "branchcontactview/add"):
        response = client.get(f"/{route}")
        if response.status_code == 200:
            html = response.get_data(as_text=True)
            assert names[own] in html and names[other] not in html


def test_a_parent_unit_sees_its_sub_units_and_a_sibling_does_not(app, login_as):
    hankou = login_as("liaison_hankou").get("/departmentview/list/").get_data(as_text=True)
    wuchang = login_as("liaison_wuchang").get("/departmentview/list/").get_data(as_text=True)
    assert "汉口北营业所" in hankou and "营业厅" in hankou
    assert "汉口北营业所" not in wuchang


@pytest.mark.parametrize("username", ["csd", "leader", "committee", "admin"])
def test_company_wide_roles_see_every_branch(app, records, login_as, username):
    html = login_as(username).get("/departmentview/list/?psize_DepartmentView=100")
    text = html.get_data(as_text=True)
    assert "汉口分公司" in text and "武昌分公司" in text


def api_token(client, username):
    response = client.post(
        "/api/v1/security/login",
        json={"username": username, "password": TEST_PASSWORD, "provider": "db"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.json['access_token']}"}


@pytest.mark.parametrize("method", ["get", "put", "delete", "post", "list"])
@pytest.mark.parametrize("target", ["own", "other"])
def test_rest_api_is_scoped_like_the_web(app, db_session, records, method, target):
    client = app.test_client()
    headers = api_token(client, "liaison_hankou")
    code = "hankou" if target == "own" else "wuchang"
    dept_id = records[code].department_id
    before = snapshot(db_session, Department, dept_id)
    if method == "get":
        status = client.get(f"/api/v1/department/{dept_id}", headers=headers).status_code
        assert status == (200 if target == "own" else 404)
    elif method == "put":
        status = client.put(
            f"/api/v1/department/{dept_id}", headers=headers, json={"name": "接口改名"}
        ).status_code
        assert status == (200 if target == "own" else 404)
        assert (snapshot(db_session, Department, dept_id) != before) == (target == "own")
    elif method == "delete":
        status = client.delete(f"/api/v1/department/{dept_id}", headers=headers).status_code
        # Own department still has users attached: refused with 422, never deleted.
        assert status == (422 if target == "own" else 404)
        assert snapshot(db_session, Department, dept_id) is not None
    elif method == "post":
        response = client.post(
            "/api/v1/department/",
            headers=headers,
            json={"name": "接口新建", "branch": records[code].branch_id},
        )
        assert response.status_code == (201 if target == "own" else 403)
        created = db_session.scalar(
            select(func.count()).select_from(Department).where(Department.name == "接口新建")
        )
        assert created == (1 if target == "own" else 0)
    elif method == "list":
        body = client.get("/api/v1/department/?q=(page_size:100)", headers=headers).json
        branch_ids = {row["branch"]["id"] for row in body["result"]}
        assert records["hankou"].branch_id in branch_ids
        assert records["wuchang"].branch_id not in branch_ids
    if target == "other":
        assert snapshot(db_session, Department, dept_id) == before


def test_api_moving_an_own_department_to_another_branch_is_refused(app, db_session, records):
    client = app.test_client()
    headers = api_token(client, "liaison_hankou")
    dept_id = records["hankou"].department_id
    response = client.put(
        f"/api/v1/department/{dept_id}",
        headers=headers,
        json={"branch": records["wuchang"].branch_id},
    )
    assert response.status_code == 403
    assert snapshot(db_session, Department, dept_id)["branch_id"] == records["hankou"].branch_id
