"""The private Flask-AppBuilder methods and attributes the branch scoping and the permission cache
rely on (app/views/datamodel.py, app/views/base.py, app/views/api.py, app/security/manager.py),
pinned: a FAB upgrade that renames one, changes its parameters or stops calling it fails here
with the place to look at, instead of silently opening a path around the scope."""

from __future__ import annotations

import inspect

import flask_appbuilder
import pytest
from flask_appbuilder import ModelView
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.models.filters import Filters
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import AuthDBView

from app.models import Branch, Department
from app.security.manager import SuqiuSecurityManager
from app.views.api import ScopedRestApi
from app.views.base import SuqiuModelView
from app.views.cases import CaseListInterface
from app.views.datamodel import ScopedInterface
from tests.conftest import TEST_PASSWORD, csrf_token

PINNED_VERSION = "5.3.0"
WHY = "re-read the overrides that use it before upgrading FAB"

# (FAB class, member, its parameters after self) as FAB 5.3.0 has them.
SIGNATURES = [
    # ScopedInterface: one override of _apply_inner_all must cover every read path.
    (SQLAInterface, "__init__", "obj, session"),
    (
        SQLAInterface,
        "_apply_inner_all",
        "query, filters, order_column, order_direction, page, page_size, select_columns, "
        "aliases_mapping",
    ),
    (
        SQLAInterface,
        "query",
        "filters, order_column, order_direction, page, page_size, select_columns, "
        "outer_default_load",
    ),
    (SQLAInterface, "query_count", "query, filters, select_columns"),
    (
        SQLAInterface,
        "apply_all",
        "query, filters, order_column, order_direction, page, page_size, select_columns, "
        "outer_default_load",
    ),
    (SQLAInterface, "get", "id, filters, select_columns, outer_default_load"),
    (SQLAInterface, "get_related_interface", "col_name"),
    (SQLAInterface, "get_related_obj", "col_name, value"),
    (SQLAInterface, "add", "item, commit"),
    (SQLAInterface, "edit", "item, commit"),
    (SQLAInterface, "delete", "item, commit"),
    (SQLAInterface, "delete_all", "items"),
    (SQLAInterface, "is_pk_composite", ""),
    (SQLAInterface, "is_integer", "col_name"),
    (SQLAInterface, "get_pk_name", ""),
    # SuqiuModelView: the private steps of FAB's list/show/add/edit/delete routes.
    (ModelView, "_add", ""),
    (ModelView, "_edit", "pk"),
    (ModelView, "_delete", "pk"),
    (ModelView, "_show", "pk"),
    (ModelView, "_list", "**kwargs"),
    (
        ModelView,
        "_get_list_widget",
        "filters, actions, order_column, order_direction, page, page_size, widgets, **kwargs",
    ),
    (ModelView, "_get_add_widget", "form, exclude_cols, widgets"),
    (ModelView, "_get_edit_widget", "form, exclude_cols, widgets"),
    (ModelView, "_get_show_widget", "pk, item, widgets, actions, show_fieldsets"),
    (ModelView, "_get_related_views_widgets", "item, orders, pages, page_sizes, widgets, **args"),
    (ModelView, "_fill_form_exclude_cols", "exclude_cols, form"),
    (ModelView, "_init_properties", ""),
    (ModelView, "_init_forms", ""),
    (ModelView, "process_form", "form, is_created"),
    (ModelView, "prefill_form", "form, pk"),
    (ModelView, "update_redirect", ""),
    (ModelView, "get_redirect", ""),
    (ModelView, "action", "name, pk"),
    (ModelView, "action_post", ""),
    (ModelView, "get_action_permission_name", "name"),
    (ModelView, "download", "filename"),
    (ModelView, "pre_add", "item"),
    (ModelView, "pre_update", "item"),
    (ModelView, "pre_delete", "item"),
    (ModelView, "post_add", "item"),
    (ModelView, "post_update", "item"),
    (ModelView, "post_delete", "item"),
    (Filters, "get_search_filters", ""),
    (Filters, "get_relation_cols", ""),
    (Filters, "get_filter_value", "column_name"),
    (Filters, "clear_filters", ""),
    (Filters, "copy", ""),
    # SuqiuSecurityManager: the permission cache and the session checks.
    # CaseListInterface: the case list's status cell carries the overdue state.
    (SQLAInterface, "get_values", "lst, list_columns"),
    (SecurityManager, "__init__", "appbuilder"),
    (SecurityManager, "_has_view_access", "user, permission_name, view_name"),
    (SecurityManager, "_get_user_permission_view_menus", "user, permission_name, view_menus_name"),
    (SecurityManager, "get_user_permissions", "user"),
    (SecurityManager, "get_user_roles", "user"),
    (SecurityManager, "is_item_public", "permission_name, view_name"),
    (SecurityManager, "has_access", "permission_name, view_name"),
    (SecurityManager, "get_user_menu_access", "menu_names"),
    (
        SecurityManager,
        "add_user",
        "username, first_name, last_name, email, role, password, hashed_password, groups, commit",
    ),
    (SecurityManager, "reset_password", "userid, password"),
    (SecurityManager, "auth_user_db", "username, password"),
    (SecurityManager, "load_user", "pk"),
    (SecurityManager, "load_user_jwt", "_jwt_header, jwt_data"),
    (SecurityManager, "create_login_manager", "app"),
    (SecurityManager, "create_jwt_manager", "app"),
    (SecurityManager, "register_views", ""),
    (SecurityManager, "on_user_logout", "user"),
    # ScopedRestApi: typed service errors become HTTP statuses around FAB's headless writes.
    (ModelRestApi, "post", ""),
    (ModelRestApi, "put", "pk"),
    (ModelRestApi, "delete", "pk"),
    (ModelRestApi, "post_headless", ""),
    (ModelRestApi, "put_headless", "pk"),
    (ModelRestApi, "delete_headless", "pk"),
    (ModelRestApi, "response", "code, **kwargs"),
    (ModelRestApi, "response_400", "message"),
    (ModelRestApi, "response_404", ""),
    (ModelRestApi, "response_422", "message"),
]
# Attributes our subclasses set or read.
ATTRIBUTES = [
    (SecurityManager, name)
    for name in (
        "userdbmodelview",
        "rolemodelview",
        "userinfoeditview",
        "authdbview",
        "resetmypasswordview",
        "resetpasswordview",
        "security_api",
        "permissionview_model",
        "user_model",
        "auth_rate_limit",
        "is_auth_limited",
    )
] + [(Filters, "_search_filters"), (Filters, "_all_filters")]
# Our subclasses of FAB classes: every method they override must still accept what FAB passes.
OURS = [ScopedInterface, CaseListInterface, SuqiuModelView, SuqiuSecurityManager, ScopedRestApi]


def parameters(function) -> str:
    names = []
    for name, parameter in inspect.signature(function).parameters.items():
        if name == "self":
            continue
        prefix = {parameter.VAR_POSITIONAL: "*", parameter.VAR_KEYWORD: "**"}.get(
            parameter.kind, ""
        )
        names.append(prefix + name)
    return ", ".join(names)


def test_the_pinned_flask_appbuilder_version():
    assert flask_appbuilder.__version__ == PINNED_VERSION, (
        f"Flask-AppBuilder is {flask_appbuilder.__version__}, this contract was written for "
        f"{PINNED_VERSION}: run tests/test_fab_contract.py and tests/test_route_matrix.py, "
        "re-check app/views/datamodel.py, app/views/base.py, app/views/api.py and "
        "app/security/manager.py against the new FAB, then update PINNED_VERSION."
    )


@pytest.mark.parametrize(
    ("owner", "name", "expected"),
    SIGNATURES,
    ids=[f"{owner.__name__}.{name}" for owner, name, _ in SIGNATURES],
)
def test_fab_private_method_keeps_its_signature(owner, name, expected):
    member = getattr(owner, name, None)
    assert member is not None, f"FAB's {owner.__name__}.{name} is gone: {WHY}"
    assert parameters(member) == expected, (
        f"FAB's {owner.__name__}.{name} now takes ({parameters(member)}) instead of "
        f"({expected}): {WHY}"
    )


@pytest.mark.parametrize(
    ("owner", "name"), ATTRIBUTES, ids=[f"{o.__name__}.{n}" for o, n in ATTRIBUTES]
)
def test_fab_attribute_still_exists(owner, name):
    assert hasattr(owner, name), f"FAB's {owner.__name__}.{name} is gone: {WHY}"


def _accepts(ours, theirs) -> list[str]:
    """FAB's parameters that our override would not accept."""
    mine = inspect.signature(ours).parameters
    kinds = {p.kind for p in mine.values()}
    problems = []
    for name, parameter in inspect.signature(theirs).parameters.items():
        if name in mine:
            continue
        if parameter.kind == parameter.VAR_POSITIONAL and parameter.VAR_POSITIONAL in kinds:
            continue
        if parameter.kind == parameter.VAR_KEYWORD and parameter.VAR_KEYWORD in kinds:
            continue
        # FAB may pass a named parameter by keyword: only **kwargs is sure to take it.
        if parameter.kind != parameter.VAR_POSITIONAL and parameter.VAR_KEYWORD in kinds:
            continue
        problems.append(name)
    return problems


@pytest.mark.parametrize("ours", OURS, ids=[c.__name__ for c in OURS])
def test_our_overrides_still_override_something_fab_calls(ours):
    """Every method our subclass defines that a FAB ancestor defines too accepts all of FAB's
    parameters (a renamed FAB method would leave our override uncalled: the pins above)."""
    fab_bases = [c for c in ours.__mro__ if c.__module__.startswith("flask_appbuilder")]
    problems = []
    for name, member in vars(ours).items():
        if not inspect.isfunction(member) or name.startswith("__"):
            continue
        theirs = next((getattr(b, name) for b in fab_bases if name in vars(b)), None)
        if theirs is None or not callable(theirs):
            continue
        missing = _accepts(member, theirs)
        if missing:
            problems.append(f"{ours.__name__}.{name} does not accept FAB's {missing}")
    assert not problems, "; ".join(problems)


def test_fab_reads_go_through_apply_inner_all(app, db_session):
    """Lists, counts, get (show, edit, delete, actions, API) and the choices of related fields
    all pass ScopedInterface._apply_inner_all: for a visitor (no unit) they find nothing, where
    FAB's plain interface finds the rows."""
    plain = SQLAInterface(Department, db_session)
    scoped = ScopedInterface(Department, db_session)
    department = db_session.query(Department).first()
    assert plain.query()[0] > 0 and plain.get(department.id) is not None
    assert scoped.query() == (0, []), "SQLAInterface.query no longer calls _apply_inner_all"
    assert scoped.query_count(db_session.query(Department)) == 0, "query_count bypasses it"
    assert scoped.get(department.id) is None, "SQLAInterface.get no longer calls it"
    related = scoped.get_related_interface("branch")
    assert type(related) is ScopedInterface and related.obj is Branch, (
        "get_related_interface no longer builds an interface of our class: related-field "
        "choices would list every unit"
    )
    assert related.query() == (0, [])


def test_fab_permission_checks_go_through_the_cached_methods(app, login_as, monkeypatch):
    calls = {"_has_view_access": 0, "_get_user_permission_view_menus": 0}
    for name in calls:
        original = getattr(SuqiuSecurityManager, name)

        def spy(self, *args, _original=original, _name=name, **kwargs):
            calls[_name] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(SuqiuSecurityManager, name, spy)
    assert login_as("csd").get("/departmentview/list/").status_code == 200
    assert calls["_has_view_access"], "FAB's has_access no longer calls _has_view_access"
    client = app.test_client()
    response = client.get("/api/v1/menu/", headers=_api_headers(client, "admin"))
    assert response.status_code == 200
    assert calls["_get_user_permission_view_menus"], (
        "FAB's menu data no longer calls _get_user_permission_view_menus"
    )


def _api_headers(client, username: str) -> dict:
    response = client.post(
        "/api/v1/security/login",
        json={"username": username, "password": TEST_PASSWORD, "provider": "db"},
    )
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def test_fab_views_call_the_private_steps_we_override(app, login_as, monkeypatch):
    calls = []
    for name in ("_list", "_show", "_add", "_edit", "_delete"):
        original = getattr(SuqiuModelView, name)

        def spy(self, *args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(SuqiuModelView, name, spy)
    client = login_as("admin")
    department = 1
    client.get("/departmentview/list/")
    client.get(f"/departmentview/show/{department}")
    client.get("/departmentview/add")
    client.get(f"/departmentview/edit/{department}")
    client.post(
        "/departmentview/delete/999999",
        data={"csrf_token": csrf_token(client, "/myprofileview/form")},
    )
    assert calls == ["_list", "_show", "_add", "_edit", "_delete"], calls


def test_fab_rest_writes_go_through_the_headless_methods(app, monkeypatch):
    calls = []
    for name in ("post_headless", "put_headless", "delete_headless"):
        original = getattr(ScopedRestApi, name)

        def spy(self, *args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(ScopedRestApi, name, spy)
    client = app.test_client()
    headers = _api_headers(client, "admin")
    client.post("/api/v1/department/", headers=headers, json={})
    client.put("/api/v1/department/999999", headers=headers, json={"name": "x"})
    client.delete("/api/v1/department/999999", headers=headers)
    assert calls == ["post_headless", "put_headless", "delete_headless"], (
        "ModelRestApi.post/put/delete no longer call the *_headless methods ScopedRestApi wraps"
    )


def test_our_sign_in_view_still_overrides_fabs():
    assert issubclass(SuqiuSecurityManager.authdbview, AuthDBView)
