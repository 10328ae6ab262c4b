"""The interface is Chinese throughout (design §5; fab-pitfalls "Chinese interface"): the
administrator visits every page the menu offers — list, add, show and edit of every view — and
no English word may be visible. Codes, usernames and e-mail addresses are data, not UI words."""

from __future__ import annotations

import re

import pytest
from flask_appbuilder import ModelView
from sqlalchemy import text

from tests.conftest import csrf_token
from tests.english import english_words

DATA_COLUMNS = [
    ("branch", "code"),
    ("channel", "code"),
    ("channel_category", "code"),
    ("case_kind", "code"),
    ("content_class", "code"),
    ("business_category", "code"),
    ("ab_user", "username"),
    ("ab_user", "email"),
    ("service_case", "number"),
]


def data_words(db_session) -> set[str]:
    words = set()
    for table, column in DATA_COLUMNS:
        for (value,) in db_session.execute(text(f"SELECT {column} FROM {table}")):  # noqa: S608
            words.update(re.findall(r"[A-Za-z][A-Za-z']+", value or ""))
    return words


def may(app, view, method: str) -> bool:
    permission = f"can_{view.get_method_permission(method)}"
    return permission in view.base_permissions and app.appbuilder.sm.has_access(
        permission, view.class_permission_name
    )


def menu_pages(app, client) -> list[str]:
    """Every URL reachable from the menu: list, add, show and edit of each model view."""
    urls = []
    for entry in app.appbuilder.menu.get_list():
        for item in entry.childs or [entry]:
            view = item.baseview
            if view is None or not app.appbuilder.sm.has_access("menu_access", item.name):
                continue
            if not item.should_render():  # e.g. a work queue the user may not act on
                continue
            urls.append(item.get_url())
            if isinstance(view, ModelView):
                base = f"/{view.route_base.strip('/')}"
                if may(app, view, "add"):
                    urls.append(f"{base}/add")
                _, rows = view.datamodel.query(page=0, page_size=1)
                if rows:
                    pk = view.datamodel.get_pk_value(rows[0])
                    urls.append(f"{base}/show/{pk}")
                    if may(app, view, "edit"):
                        urls.append(f"{base}/edit/{pk}")
    return urls


SELF_SERVICE_PAGES = ["/", "/users/userinfo/", "/myprofileview/form", "/resetmypassword/form"]


@pytest.mark.parametrize("username", ["admin", "liaison_hankou", "csd", "agent"])
def test_every_menu_page_is_chinese(app, db_session, login_as, username):
    client = login_as(username)
    allowed = data_words(db_session)
    with app.test_request_context():
        from flask import g
        from flask_login import login_user

        g.user = app.appbuilder.sm.find_user(username=username)
        login_user(g.user)
        pages = menu_pages(app, client)
    visited = 0
    extra = ["/resetpassword/form?pk=2"] if username == "admin" else []
    if username != "admin":  # every queue, and the page of every case the user may see
        from app.services.case_queries import usable_queues
        from tests.case_helpers import actor

        extra += [f"/queues/{name}" for name in usable_queues(actor(db_session, username))]
        ids = db_session.scalars(text("SELECT id FROM service_case")).all()
        extra += [
            f"/cases/show/{pk}" for pk in ids if client.get(f"/cases/show/{pk}").status_code == 200
        ]
    for url in dict.fromkeys(pages + SELF_SERVICE_PAGES + extra):
        response = client.get(url)
        assert response.status_code == 200, url
        words = english_words(response.get_data(as_text=True), allowed)
        assert not words, f"{url} shows English: {sorted(words)}"
        visited += 1
    assert visited >= (40 if username == "admin" else 5)
    print(f"{username}: {visited} pages checked")


def test_login_and_error_pages_are_chinese(app, login_as):
    client = app.test_client()
    assert not english_words(client.get("/login/").get_data(as_text=True))
    client = login_as("liaison_hankou")
    for url, status in [
        ("/no-such-page", 404),
        ("/users/list/", 403),
        ("/departmentview/show/999999", 404),
    ]:
        response = client.get(url)
        assert response.status_code == status
        assert not english_words(response.get_data(as_text=True)), url


def test_fab_leftovers_are_translated(app, login_as):
    """fab-pitfalls: Cancel/OK in confirm.html, "List <Class>" titles, Id labels, True/False,
    user-form help texts, the password-complexity error, the Groups pages."""
    client = login_as("admin")
    html = client.get("/departmentview/list/").get_data(as_text=True)
    assert "取消" in html and "确定" in html
    assert ">Cancel<" not in html and ">OK<" not in html
    assert "部门" in html and "List Department" not in html
    users = client.get("/users/list/").get_data(as_text=True)
    assert ">True<" not in users and ">False<" not in users and "是" in users
    add = client.get("/users/add").get_data(as_text=True)
    assert "The user's password" not in add and "至少 10 位" in add
    assert client.get("/groups/list/").status_code == 404
    assert client.get("/permissions/list/").status_code == 404
    token = csrf_token(client, "/users/add")
    response = client.post(
        "/users/add",
        data={
            "csrf_token": token,
            "username": "weakpw",
            "last_name": "弱",
            "first_name": "密码",
            "email": "weak@example.com",
            "roles": "1",
            "active": "y",
            "password": "password",
            "conf_password": "password",
        },
    )
    body = response.get_data(as_text=True)
    assert "密码必须包含" in body
    assert not english_words(body, {"weakpw", "weak", "example", "com"})
