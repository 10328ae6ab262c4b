"""Roles of design.md §1 are declared as data (app.domain.roles) and synced by a command."""

from __future__ import annotations

import logging

from app.domain.roles import ROLES, grants_for
from app.security.sync import sync_roles

DESIGN_ROLES = {
    "系统管理员",
    "客服部",
    "客服部主管",
    "一线受理员",
    "分子公司联络员",
    "分子公司办理人",
    "分子公司责任人",
    "公司服务分管领导",
    "服务管理委员会",
    "风险管理部",
    "党委工作部传讯组",
}


def role_permissions(sm) -> dict[str, set[tuple[str, str]]]:
    return {
        role.name: {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}
        for role in sm.get_all_roles()
    }


def test_every_role_of_the_design_is_declared():
    assert {spec.name for spec in ROLES} == DESIGN_ROLES
    assert len({spec.code for spec in ROLES}) == len(ROLES)


def test_sync_is_idempotent_and_matches_the_declaration(app):
    with app.app_context():
        sm = app.appbuilder.sm
        first = role_permissions(sm)
        sync_roles(app.appbuilder)
        sync_roles(app.appbuilder)
        assert role_permissions(sm) == first
        for spec in ROLES:
            if not spec.is_admin:
                assert grants_for(spec) <= first[spec.name], spec.code
        # The administrator holds every permission there is; the public role none.
        every = {
            (pv.permission.name, pv.view_menu.name)
            for pv in sm.session.query(sm.permissionview_model)
        }
        assert first["系统管理员"] == every
        assert first["匿名访客"] == set()


def test_a_role_changed_by_hand_is_restored(app):
    with app.app_context():
        sm = app.appbuilder.sm
        role = sm.find_role("分子公司办理人")
        extra = sm.find_permission_view_menu("can_write", "Branch")
        role.permissions.append(extra)
        sm.session.commit()
        sync_roles(app.appbuilder)
        assert ("can_write", "Branch") not in role_permissions(sm)["分子公司办理人"]


def test_branch_roles_see_their_menus_only(app, login_as):
    html = login_as("liaison_hankou").get("/").get_data(as_text=True)
    assert "组织机构" in html and "部门" in html and "责任人与联络员" in html
    assert "系统管理" not in html and "基础数据" not in html
    admin = login_as("admin").get("/").get_data(as_text=True)
    assert "系统管理" in admin and "基础数据" in admin and "组织机构" in admin


def test_sync_removes_the_permissions_of_a_view_that_is_gone(app, caplog):
    """Stale permissions go without FAB's cleanup, and without its "Refused to delete" noise."""
    with app.app_context():
        sm = app.appbuilder.sm
        retired = sm.add_permission_view_menu("can_retire", "RetiredView")
        role = sm.find_role("客服部")
        role.permissions.append(retired)
        sm.session.commit()
        with caplog.at_level(logging.WARNING, logger="flask_appbuilder"):
            sync_roles(app.appbuilder)
        assert sm.find_view_menu("RetiredView") is None
        assert sm.find_permission("can_retire") is None
        assert ("can_retire", "RetiredView") not in role_permissions(sm)["客服部"]
        assert ("can_read", "Case") in role_permissions(sm)["客服部"]
    assert [r for r in caplog.records if r.name.startswith("flask_appbuilder")] == []
