"""Master data maintained in the UI: bad input gives a clear Chinese message on the form and
nothing half-saved; contact changes are kept and notified to CSD (Art.25, Art.26)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.models import (
    Branch,
    BranchContact,
    BranchContactChange,
    Department,
    Notification,
    SuqiuUser,
)
from tests.conftest import csrf_token


def branch(db_session, code) -> Branch:
    db_session.expire_all()
    return db_session.scalar(select(Branch).where(Branch.code == code))


def count(db_session, model, *where) -> int:
    return db_session.scalar(select(func.count()).select_from(model).where(*where))


def contact_of(db_session, code, role="liaison") -> BranchContact:
    db_session.expire_all()
    return db_session.scalar(
        select(BranchContact).where(
            BranchContact.branch_id == branch(db_session, code).id, BranchContact.role == role
        )
    )


def post_form(client, url, data):
    token = csrf_token(client, url)
    return client.post(url, data={**data, "csrf_token": token})


def test_art26_invalid_phone_is_reported_on_the_form_and_nothing_is_saved(
    app, db_session, login_as
):
    client = login_as("liaison_hankou")
    contact = contact_of(db_session, "hankou")
    before = (contact.name, contact.mobile)
    changes = count(db_session, BranchContactChange)
    response = post_form(
        client,
        f"/branchcontactview/edit/{contact.id}",
        {
            "branch": str(contact.branch_id),
            "role": "liaison",
            "name": "新联络员",
            "mobile": "1234",
            "landline": "",
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200  # the form again, with the message beside the field
    assert "不是有效的电话号码" in body and "新联络员" in body
    contact = contact_of(db_session, "hankou")
    assert (contact.name, contact.mobile) == before
    assert count(db_session, BranchContactChange) == changes


def test_art25_contact_change_is_recorded_and_notified_to_csd(app, db_session, login_as):
    client = login_as("liaison_hankou")
    contact = contact_of(db_session, "hankou")
    old = f"{contact.name} {contact.mobile}"
    response = post_form(
        client,
        f"/branchcontactview/edit/{contact.id}",
        {
            "branch": str(contact.branch_id),
            "role": "liaison",
            "name": "赵新",
            "mobile": "139 0710 9999",
            "landline": "027-82830002",
        },
    )
    assert response.status_code == 302
    contact = contact_of(db_session, "hankou")
    assert contact.mobile == "13907109999"  # normalised (Art.26)
    change = db_session.scalar(select(BranchContactChange).order_by(BranchContactChange.id.desc()))
    assert change.change_type == "updated" and change.role == "liaison"
    assert change.before.startswith(old) and change.after.startswith("赵新 13907109999")
    assert change.changed_by.username == "liaison_hankou"
    recipients = {
        n.recipient.username
        for n in db_session.scalars(
            select(Notification).where(
                Notification.category == "contact_changed", Notification.body.contains("赵新")
            )
        )
    }
    assert recipients == {"csd", "csd_head"}
    inbox = login_as("csd").get("/notificationview/list/").get_data(as_text=True)
    assert "汉口分公司：联络员变更" in inbox
    assert "赵新" not in login_as("liaison_wuchang").get("/notificationview/list/").get_data(
        as_text=True
    )
    history = login_as("csd").get("/branchcontactchangeview/list/").get_data(as_text=True)
    assert "赵新" in history


def test_contact_history_cannot_be_edited_or_deleted(app, db_session, login_as):
    client = login_as("admin")
    change = db_session.scalar(select(BranchContactChange))
    assert client.get(f"/branchcontactchangeview/edit/{change.id}").status_code in (403, 404)
    token = csrf_token(client, "/myprofileview/form")
    client.post(f"/branchcontactchangeview/delete/{change.id}", data={"csrf_token": token})
    assert db_session.get(BranchContactChange, change.id) is not None


def test_duplicate_code_is_refused_with_a_message(app, db_session, login_as):
    client = login_as("admin")
    before = count(db_session, Branch)
    response = post_form(
        client,
        "/branchview/add",
        {
            "name": "新洲分公司",
            "code": "hankou",
            "unit_type": "branch",
            "active": "y",
            "sort_order": "0",
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "已存在" in body
    assert count(db_session, Branch) == before


def test_duplicate_department_name_in_one_branch_is_refused_without_half_saving(
    app, db_session, login_as
):
    client = login_as("liaison_hankou")
    hankou = branch(db_session, "hankou")
    before = count(db_session, Department)
    response = post_form(
        client,
        "/departmentview/add",
        {"name": "客户服务科", "branch": str(hankou.id), "active": "y"},
    )
    assert response.status_code == 200
    assert "已存在相同编码或名称的记录" in response.get_data(as_text=True)
    assert count(db_session, Department) == before


def test_a_branch_cannot_become_its_own_ancestor(app, db_session, login_as):
    client = login_as("admin")
    hankou, north = branch(db_session, "hankou"), branch(db_session, "hankou_north")
    paths = (hankou.path, north.path)
    for parent in (hankou, north):
        response = post_form(
            client,
            f"/branchview/edit/{hankou.id}",
            {
                "name": hankou.name,
                "code": hankou.code,
                "unit_type": "branch",
                "parent": str(parent.id),
                "active": "y",
                "sort_order": "0",
            },
        )
        assert response.status_code == 200
        assert "不能设为自身或其下级单位的下级" in response.get_data(as_text=True)
    hankou, north = branch(db_session, "hankou"), branch(db_session, "hankou_north")
    assert (hankou.path, north.path) == paths and hankou.parent_id is None


def test_moving_a_branch_moves_its_sub_units_with_it(app, db_session, login_as):
    client = login_as("admin")
    hankou, wuchang = branch(db_session, "hankou"), branch(db_session, "wuchang")
    response = post_form(
        client,
        f"/branchview/edit/{hankou.id}",
        {
            "name": hankou.name,
            "code": hankou.code,
            "unit_type": "branch",
            "parent": str(wuchang.id),
            "active": "y",
            "sort_order": "0",
        },
    )
    assert response.status_code == 302
    hankou, north = branch(db_session, "hankou"), branch(db_session, "hankou_north")
    assert hankou.path == f"/{wuchang.id}/{hankou.id}/"
    assert north.path == f"/{wuchang.id}/{hankou.id}/{north.id}/"
    # 武昌's liaison now sees 汉口 and 汉口北 (a parent sees its children).
    html = login_as("liaison_wuchang").get("/departmentview/list/").get_data(as_text=True)
    assert "汉口北营业所" in html


def test_deleting_a_branch_with_users_and_records_is_refused(app, db_session, login_as):
    client = login_as("admin")
    hankou = branch(db_session, "hankou")
    token = csrf_token(client, "/branchview/list/")
    response = client.post(
        f"/branchview/delete/{hankou.id}", data={"csrf_token": token}, follow_redirects=True
    )
    body = response.get_data(as_text=True)
    assert "不能删除" in body and "个用户" in body and "个部门" in body and "个下级单位" in body
    assert branch(db_session, "hankou") is not None


def test_deleting_an_unused_unit_works(app, db_session, login_as):
    client = login_as("admin")
    post_form(
        client,
        "/branchview/add",
        {
            "name": "临时单位",
            "code": "temp",
            "unit_type": "station",
            "active": "y",
            "sort_order": "0",
        },
    )
    temp = branch(db_session, "temp")
    assert temp.path == f"/{temp.id}/"
    token = csrf_token(client, "/branchview/list/")
    client.post(f"/branchview/delete/{temp.id}", data={"csrf_token": token})
    assert branch(db_session, "temp") is None


def test_a_user_department_must_belong_to_the_users_unit(app, db_session, login_as):
    client = login_as("admin")
    wuchang_dept = db_session.scalar(
        select(Department).where(Department.branch_id == branch(db_session, "wuchang").id)
    )
    user = db_session.scalar(select(SuqiuUser).where(SuqiuUser.username == "handler_hankou"))
    response = post_form(
        client,
        f"/users/edit/{user.id}",
        {
            "username": user.username,
            "last_name": user.last_name,
            "first_name": user.first_name,
            "email": user.email,
            "branch": str(user.branch_id),
            "department": str(wuchang_dept.id),
            "roles": [str(r.id) for r in user.roles],
            "active": "y",
        },
    )
    assert response.status_code == 200
    assert "所选部门必须属于该用户所在单位" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(SuqiuUser, user.id).department_id != wuchang_dept.id


def test_vendor_belongs_to_the_branch_of_its_managing_department(app, db_session, login_as):
    """Art.24: cases about a vendor's work go to the department that manages it."""
    client = login_as("liaison_hankou")
    dept = db_session.scalar(
        select(Department).where(
            Department.branch_id == branch(db_session, "hankou").id, Department.name == "工程管理科"
        )
    )
    response = post_form(
        client,
        "/vendorview/add",
        {
            "name": "江岸燃气安装队",
            "vendor_type": "outsourced_crew",
            "department": str(dept.id),
            "contact_name": "钱队长",
            "phone": "13800001111",
            "active": "y",
        },
    )
    assert response.status_code == 302
    from app.models import Vendor

    vendor = db_session.scalar(select(Vendor).where(Vendor.name == "江岸燃气安装队"))
    assert vendor.branch_id == dept.branch_id


def test_a_unit_can_be_deactivated_by_unticking_active(app, db_session, login_as):
    client = login_as("admin")
    north = branch(db_session, "hankou_north")
    response = post_form(
        client,
        f"/branchview/edit/{north.id}",
        {
            "name": north.name,
            "code": north.code,
            "unit_type": "station",
            "parent": str(north.parent_id),
            "sort_order": "0",
        },
    )
    assert response.status_code == 302
    assert branch(db_session, "hankou_north").active is False
