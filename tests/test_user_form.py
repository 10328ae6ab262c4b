"""The add-user and edit-user forms: the department follows the chosen unit, no anonymous-visitor
role on offer, the e-mail address optional, the mobile styled like the other fields."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.domain.roles import PUBLIC_ROLE_NAME
from app.models import Branch, Department, SuqiuUser
from tests.conftest import TEST_PASSWORD, csrf_token


def select_html(html: str, name: str) -> str:
    match = re.search(rf'<select\b[^>]*\bid="{name}"[^>]*>.*?</select>', html, re.S)
    assert match, f"no select #{name}"
    return match.group(0)


def options(html: str, name: str) -> list[dict[str, str]]:
    found = []
    for attrs, text in re.findall(r"<option\b([^>]*)>(.*?)</option>", select_html(html, name)):
        found.append({**dict(re.findall(r'([\w-]+)="([^"]*)"', attrs)), "text": text})
    return found


def control(html: str, field_id: str) -> str:
    match = re.search(rf'<(?:input|select)\b[^>]*\bid="{field_id}"[^>]*>', html)
    assert match, f"no control #{field_id}"
    return match.group(0)


def unit(db_session, code) -> Branch:
    return db_session.scalar(select(Branch).where(Branch.code == code))


def department_of(db_session, code) -> Department:
    return db_session.scalar(
        select(Department)
        .where(Department.branch_id == unit(db_session, code).id)
        .order_by(Department.id)
    )


def role_id(db_session, name="客服部") -> str:
    from flask_appbuilder.security.sqla.models import Role

    return str(db_session.scalar(select(Role.id).where(Role.name == name)))


def new_user(db_session, **fields) -> dict:
    return {
        "username": "zhou_min",
        "last_name": "周",
        "first_name": "敏",
        "email": "",
        "mobile": "",
        "branch": "__None",
        "department": "__None",
        "roles": role_id(db_session),
        "active": "y",
        "password": TEST_PASSWORD,
        "conf_password": TEST_PASSWORD,
        **fields,
    }


def post(client, url, data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, url)})


def user(db_session, username) -> SuqiuUser | None:
    db_session.expire_all()
    return db_session.scalar(select(SuqiuUser).where(SuqiuUser.username == username))


def test_each_department_names_its_unit_for_the_dependent_choice(app, db_session, login_as):
    client = login_as("admin")
    units = dict(db_session.execute(select(Department.id, Department.branch_id)).all())
    for url in ("/users/add", f"/users/edit/{user(db_session, 'handler_hankou').id}"):
        html = client.get(url).get_data(as_text=True)
        assert re.search(r'data-unit-field="branch"', select_html(html, "department")), url
        offered = [o for o in options(html, "department") if o["value"] != "__None"]
        assert {int(o["value"]) for o in offered} == set(units)
        for option in offered:
            assert option["data-unit"] == str(units[int(option["value"])]), option
        # The static script that filters them, not an inline one (CSP).
        assert 'src="/static/js/suqiu-forms.js"' in html
    script = client.get("/static/js/suqiu-forms.js")
    assert script.status_code == 200 and b"data-unit-field" in script.data


def test_a_department_of_another_unit_is_refused_beside_the_field(app, db_session, login_as):
    client = login_as("admin")
    data = new_user(
        db_session,
        branch=str(unit(db_session, "hankou").id),
        department=str(department_of(db_session, "wuchang").id),
    )
    response = post(client, "/users/add", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    beside = re.search(r'id="department".*?</select>(.*?)</td>', html, re.S).group(1)
    assert "所选部门必须属于该用户所在单位" in beside
    assert user(db_session, "zhou_min") is None


def test_the_anonymous_visitors_role_is_not_offered(app, db_session, login_as):
    client = login_as("admin")
    for url in ("/users/add", f"/users/edit/{user(db_session, 'csd').id}"):
        roles = [o["text"] for o in options(client.get(url).get_data(as_text=True), "roles")]
        assert "客服部" in roles, url
        assert PUBLIC_ROLE_NAME not in roles, url
    public = role_id(db_session, PUBLIC_ROLE_NAME)
    response = post(client, "/users/add", new_user(db_session, roles=public))
    assert response.status_code == 200
    beside = re.search(r'id="roles".*?</select>(.*?)</td>', response.get_data(as_text=True), re.S)
    assert "请从列表中选择角色" in beside.group(1)
    assert user(db_session, "zhou_min") is None


def test_a_user_is_saved_without_an_email_address(app, db_session, login_as):
    client = login_as("admin")
    add = client.get("/users/add").get_data(as_text=True)
    assert not re.search(r"\brequired\b", control(add, "email"))
    hankou = unit(db_session, "hankou")
    response = post(
        client,
        "/users/add",
        new_user(
            db_session,
            branch=str(hankou.id),
            department=str(department_of(db_session, "hankou").id),
            mobile="13912345678",
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    created = user(db_session, "zhou_min")
    assert created is not None and created.branch_id == hankou.id and created.mobile
    assert created.email is None  # stored as NULL, not a made-up address
    # A second one: NULLs do not collide in the unique index.
    response = post(client, "/users/add", new_user(db_session, username="wu_lei"))
    assert response.status_code == 302
    second = user(db_session, "wu_lei")
    assert second is not None and second.email is None
    for page in (f"/users/show/{created.id}", f"/users/edit/{created.id}"):
        html = client.get(page).get_data(as_text=True)
        assert ">None<" not in html and 'value="None"' not in html, page
    edit = client.get(f"/users/edit/{created.id}").get_data(as_text=True)
    assert 'value=""' in control(edit, "email") or "value=" not in control(edit, "email")
    # Saving the edit form with the address still empty works too.
    edit_data = {
        k: v for k, v in new_user(db_session).items() if k not in ("password", "conf_password")
    }
    response = post(client, f"/users/edit/{created.id}", {**edit_data, "last_name": "邹"})
    assert response.status_code == 302
    assert user(db_session, "zhou_min").last_name == "邹"


def test_a_given_email_must_look_like_one_and_stays_unique(app, db_session, login_as):
    client = login_as("admin")
    response = post(client, "/users/add", new_user(db_session, email="not-an-address"))
    assert response.status_code == 200
    assert "请输入有效的电子邮箱地址" in response.get_data(as_text=True)
    taken = user(db_session, "csd").email
    response = post(client, "/users/add", new_user(db_session, email=taken))
    assert response.status_code == 200
    assert user(db_session, "zhou_min") is None
    count = db_session.scalar(select(func.count()).select_from(SuqiuUser))
    response = post(client, "/users/add", new_user(db_session, email="zhou.min@kf.gas.local"))
    assert response.status_code == 302
    assert user(db_session, "zhou_min").email == "zhou.min@kf.gas.local"
    assert db_session.scalar(select(func.count()).select_from(SuqiuUser)) == count + 1


def test_the_mobile_field_is_styled_like_the_others(app, db_session, login_as):
    client = login_as("admin")
    for url in ("/users/add", f"/users/edit/{user(db_session, 'csd').id}"):
        html = client.get(url).get_data(as_text=True)
        for name in ("mobile", "email", "username"):
            assert re.search(r'class="[^"]*\bform-control\b', control(html, name)), (url, name)


def test_commands_create_accounts_without_an_email_address_too(app):
    from app.services.users import create_user

    with app.test_request_context():
        sm = app.appbuilder.sm
        first, created = create_user(
            sm,
            username="cmd_one",
            last_name="命",
            first_name="令",
            role_names=["客服部"],
            password=TEST_PASSWORD,
        )
        second, _ = create_user(
            sm,
            username="cmd_two",
            last_name="命",
            first_name="令",
            email="",
            role_names=["客服部"],
            password=TEST_PASSWORD,
        )
        assert created and first.email is None and second.email is None
