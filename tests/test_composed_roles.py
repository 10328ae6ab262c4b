"""Roles an administrator composes from capabilities (issue 7 item 1): the same profile as a
built-in role for the scope, the workflow and the permission sync (design §1)."""

from __future__ import annotations

import json
import re

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.domain.capabilities import CAPABILITIES, CAPABILITIES_BY_CODE, grants_of
from app.domain.roles import ROLES, Reach
from app.models import Branch, Case, ComposedRole, RoleChange, SuqiuUser
from app.security.sync import sync_roles
from app.services import roles as role_service
from app.services.actor import Actor
from app.services.case_permissions import may_act_on
from app.services.errors import (
    ConflictError,
    DuplicateRecordError,
    InvalidRecordError,
    PermissionDeniedError,
    RecordInUseError,
)
from app.services.users import create_user
from tests.case_helpers import act, actor, branch_id, gen_case
from tests.conftest import TEST_PASSWORD

AUDIT = frozenset({"read.cases", "read.units", "read.catalog", "export.attachments"})


def _draft(session, name="汉口只读审计员", reach=Reach.UNIT, unit="hankou", caps=AUDIT):
    return role_service.RoleDraft(
        name, reach, branch_id(session, unit) if unit else None, frozenset(caps), "审计"
    )


def _holder(session, username, role_name, unit="wuchang"):
    sm = current_app.appbuilder.sm
    user, _ = create_user(
        sm,
        username=username,
        last_name="审",
        first_name="计",
        email=None,
        role_names=[role_name],
        password=TEST_PASSWORD,
        branch=session.get(Branch, branch_id(session, unit)),
    )
    return user


def _permissions(role) -> set[tuple[str, str]]:
    return {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}


def test_every_fab_permission_a_role_needs_is_a_capability(app):
    """What a built-in role may do can be composed: every grant of every built-in role comes
    from its capabilities, and every capability names only views that exist."""
    with app.app_context():
        views = {view.class_permission_name for view in app.appbuilder.baseviews}
    for capability in CAPABILITIES:
        assert set(capability.grants) <= views, capability.code
    for role in ROLES:
        assert role.capabilities <= set(CAPABILITIES_BY_CODE), role.code


def test_an_auditor_of_hankou_sees_hankou_cases_only_whatever_their_own_unit(db_session):
    """Design §1 scope: a composed role of reach "one unit" covers that unit and its sub-units;
    a 武昌 person holding it sees 汉口's cases, not 武昌's, and may act on none."""
    admin = actor(db_session, "admin")
    role_service.compose_role(db_session, admin, _draft(db_session))
    user = _holder(db_session, "auditor_hk", "汉口只读审计员", unit="wuchang")
    hankou_case = gen_case(db_session)
    act(db_session, "csd", hankou_case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    wuchang_case = gen_case(db_session)
    act(db_session, "csd", wuchang_case, "dispatch", branch_id=branch_id(db_session, "wuchang"))
    auditor = Actor.of(user)
    assert not auditor.scope.all_branches
    visible = set(db_session.scalars(auditor.scope.apply(select(Case.id), Case)))
    assert hankou_case.id in visible
    assert wuchang_case.id not in visible
    hankou_north = branch_id(db_session, "hankou_north")
    assert hankou_north in auditor.scope.branch_ids
    assert auditor.case_actions == frozenset()
    for action in ("sign_for", "progress", "dispatch", "callback"):
        assert not may_act_on(auditor, hankou_case, action)


def test_a_composed_role_with_own_unit_reach_and_actions_works_like_a_built_in_one(db_session):
    admin = actor(db_session, "admin")
    draft = _draft(
        db_session,
        name="营业所签收员",
        reach=Reach.OWN_UNIT,
        unit=None,
        caps={"read.cases", "case.sign_for"},
    )
    role_service.compose_role(db_session, admin, draft)
    user = _holder(db_session, "signer_wc", "营业所签收员", unit="wuchang")
    case = gen_case(db_session)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "wuchang"))
    signer = Actor.of(user)
    assert signer.case_actions == {"sign_for"}
    assert may_act_on(signer, case, "sign_for")
    act(db_session, "signer_wc", case, "sign_for")
    assert db_session.get(Case, case.id).status == "in_progress"


def test_sync_roles_keeps_composed_roles_and_restores_their_permissions(db_session):
    admin = actor(db_session, "admin")
    item = role_service.compose_role(db_session, admin, _draft(db_session))
    role = item.role
    expected = _permissions(role)
    assert grants_of(AUDIT) <= expected
    assert ("can_act", "Case") not in expected
    assert ("menu_access", "Cases") in expected  # the menu of what the role may read
    sm = current_app.appbuilder.sm
    role.permissions.append(sm.find_permission_view_menu("can_act", "Case"))
    db_session.commit()
    sync_roles(current_app.appbuilder)
    db_session.expire_all()
    kept = db_session.scalar(select(ComposedRole).where(ComposedRole.id == item.id))
    assert kept is not None and kept.role.name == "汉口只读审计员"
    assert _permissions(kept.role) == expected


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"name": "  "}, InvalidRecordError),
        ({"name": "客服部"}, DuplicateRecordError),
        ({"name": "匿名访客"}, DuplicateRecordError),
        ({"name": "长" * 65}, InvalidRecordError),
        ({"reach": "everywhere"}, InvalidRecordError),
        ({"unit": None}, InvalidRecordError),
        ({"caps": set()}, InvalidRecordError),
        ({"caps": {"read.cases", "case.fly"}}, InvalidRecordError),
    ],
    ids=["blank", "built-in", "public", "long", "reach", "no-unit", "no-capability", "unknown"],
)
def test_a_bad_role_is_refused_in_chinese_and_nothing_is_saved(db_session, change, error):
    before = db_session.scalar(select(func.count()).select_from(ComposedRole))
    with pytest.raises(error) as refused:
        role_service.compose_role(
            db_session, actor(db_session, "admin"), _draft(db_session, **change)
        )
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(refused.value))
    assert db_session.scalar(select(func.count()).select_from(ComposedRole)) == before


def test_only_the_administrator_composes_roles(db_session):
    with pytest.raises(PermissionDeniedError):
        role_service.compose_role(db_session, actor(db_session, "csd"), _draft(db_session))


def test_a_second_role_of_the_same_name_is_refused(db_session):
    admin = actor(db_session, "admin")
    role_service.compose_role(db_session, admin, _draft(db_session))
    with pytest.raises(DuplicateRecordError):
        role_service.compose_role(db_session, admin, _draft(db_session))


def test_changes_rewrite_the_permissions_and_are_recorded(db_session):
    admin = actor(db_session, "admin")
    item = role_service.compose_role(db_session, admin, _draft(db_session))
    more = _draft(db_session, caps=AUDIT | {"case.remind"})
    role_service.change_role(db_session, admin, item.id, item.version, more)
    assert ("can_act", "Case") in _permissions(item.role)
    with pytest.raises(ConflictError):  # a form showing the first version
        role_service.change_role(db_session, admin, item.id, 1, _draft(db_session))
    changes = db_session.scalars(
        select(RoleChange).where(RoleChange.role_name == "汉口只读审计员").order_by(RoleChange.id)
    ).all()
    assert [c.change_type for c in changes] == ["created", "updated"]
    assert "case.remind" in json.loads(changes[1].after)["capabilities"]
    hankou = db_session.get(Branch, branch_id(db_session, "hankou"))
    assert json.loads(changes[1].before)["unit"] == hankou.name


def test_a_role_someone_holds_is_not_removed(db_session):
    admin = actor(db_session, "admin")
    item = role_service.compose_role(db_session, admin, _draft(db_session))
    user = _holder(db_session, "auditor_hk", "汉口只读审计员")
    with pytest.raises(RecordInUseError):
        role_service.remove_role(db_session, admin, item.id, item.version)
    user.roles = [current_app.appbuilder.sm.find_role("分子公司办理人")]
    db_session.commit()
    role_service.remove_role(db_session, admin, item.id, item.version)
    assert current_app.appbuilder.sm.find_role("汉口只读审计员") is None
    assert (
        db_session.scalar(
            select(RoleChange.change_type)
            .where(RoleChange.role_name == "汉口只读审计员")
            .order_by(RoleChange.id.desc())
        )
        == "deleted"
    )


def test_the_matrix_shows_every_role_and_capability(db_session):
    role_service.compose_role(db_session, actor(db_session, "admin"), _draft(db_session))
    matrix = role_service.role_matrix(db_session, {})
    names = [c.name for c in matrix.columns]
    assert names[: len(ROLES)] == [r.name for r in ROLES]
    assert names[-1] == "汉口只读审计员"
    codes = {row.code for g in matrix.groups for row in g.rows if row.code}
    assert codes == set(CAPABILITIES_BY_CODE)
    queues = next(g for g in matrix.groups if g.derived)
    to_sign = next(r for r in queues.rows if r.label == "to_sign")
    assert "分子公司联络员" in to_sign.holders and "汉口只读审计员" not in to_sign.holders
    auditor = matrix.columns[-1]
    assert auditor.reach_label.startswith("汉口")


def test_the_role_pages_are_chinese_and_keep_the_form_on_errors(app, login_as):
    client = login_as("admin")
    page = client.get("/roles/").get_data(as_text=True)
    assert "角色与权限" in page and "分子公司联络员" in page and "签收" in page
    form = client.get("/roles/compose").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    response = client.post(
        "/roles/compose",
        data={
            "csrf_token": token,
            "name": "审计",
            "reach": "unit",
            "unit_id": "abc",
            "capabilities": ["read.cases"],
        },
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "请选择该角色对应的单位" in text and 'value="审计"' in text
    assert login_as("csd").get("/roles/").status_code in (302, 403)


def test_downloading_attachments_is_a_capability_of_its_own(app, db_session, login_as):
    """A role reading cases without 下载诉求附件 sees the file's name, not the file."""
    import io

    from app.models import Attachment
    from app.services.attachments import add_attachment, attachment_for_download

    admin = actor(db_session, "admin")
    role_service.compose_role(db_session, admin, _draft(db_session, caps={"read.cases"}))
    _holder(db_session, "auditor_hk", "汉口只读审计员")
    case = gen_case(db_session)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    folder = app.config["UPLOAD_FOLDER"]
    item = add_attachment(
        db_session,
        actor(db_session, "csd"),
        case.id,
        "现场照片.pdf",
        io.BytesIO(b"%PDF-1.4\n0"),
        folder,
        1024 * 1024,
    )
    with pytest.raises(PermissionDeniedError):
        attachment_for_download(db_session, actor(db_session, "auditor_hk"), item.id, folder)
    attachment_for_download(db_session, actor(db_session, "liaison_hankou"), item.id, folder)
    client = login_as("auditor_hk")
    page = client.get(f"/cases/show/{case.id}").get_data(as_text=True)
    assert "现场照片.pdf" in page and f"/cases/attachment/{item.id}" not in page
    assert client.get(f"/cases/attachment/{item.id}").status_code == 403
    assert db_session.get(Attachment, item.id) is not None


# --- review findings: one person, one reach; assigned-only; stale forms; look-alike names ------


def test_a_unit_auditor_role_is_not_combined_with_another_units_liaison(db_session):
    """Design §1: capabilities apply across the reach of all a person's roles, so a 武昌 liaison
    given a 汉口 auditor's role would sign for 汉口's cases: such a combination is refused,
    by the user service, the master-data save (the user form) and a change of a role's reach."""
    from app.services import masterdata

    admin = actor(db_session, "admin")
    role_service.compose_role(db_session, admin, _draft(db_session))
    sm = current_app.appbuilder.sm
    liaison = db_session.scalar(select(SuqiuUser).where(SuqiuUser.username == "liaison_wuchang"))
    liaison.roles = [*liaison.roles, sm.find_role("汉口只读审计员")]
    with pytest.raises(InvalidRecordError, match="数据范围不同"):
        masterdata.save(db_session, admin, liaison, is_new=False)
    db_session.expire_all()
    assert [r.name for r in liaison.roles] == ["分子公司联络员"]
    with pytest.raises(InvalidRecordError):
        create_user(
            sm,
            username="both",
            last_name="双",
            first_name="角",
            role_names=["分子公司联络员", "汉口只读审计员"],
            password=TEST_PASSWORD,
            branch=db_session.get(Branch, branch_id(db_session, "wuchang")),
        )
    assert sm.find_user(username="both") is None


def test_a_company_wide_read_role_does_not_widen_an_agents_dispatch(db_session):
    admin = actor(db_session, "admin")
    everyone = _draft(
        db_session, name="全公司只读", reach=Reach.ALL, unit=None, caps={"read.cases"}
    )
    role_service.compose_role(db_session, admin, everyone)
    agent = db_session.scalar(select(SuqiuUser).where(SuqiuUser.username == "agent"))
    agent.roles = [*agent.roles, current_app.appbuilder.sm.find_role("全公司只读")]
    from app.services import masterdata

    with pytest.raises(InvalidRecordError):
        masterdata.save(db_session, admin, agent, is_new=False)


def test_changing_a_roles_reach_may_not_mix_a_holders_roles(db_session):
    admin = actor(db_session, "admin")
    own = _draft(
        db_session, name="本单位查询", reach=Reach.OWN_UNIT, unit=None, caps={"read.cases"}
    )
    item = role_service.compose_role(db_session, admin, own)
    sm = current_app.appbuilder.sm
    _holder(db_session, "mixed_later", "本单位查询", unit="wuchang")
    user = sm.find_user(username="mixed_later")
    user.roles = [*user.roles, sm.find_role("分子公司办理人")]  # same reach: allowed
    db_session.commit()
    with pytest.raises(InvalidRecordError, match="数据范围不同"):
        role_service.change_role(
            db_session,
            admin,
            item.id,
            item.version,
            _draft(db_session, name="本单位查询", caps={"read.cases"}),
        )
    assert db_session.get(ComposedRole, item.id).reach == Reach.OWN_UNIT


def test_a_composed_handler_role_works_only_on_assigned_cases(db_session):
    """Like the built-in 办理人: 记录进展 and 回复 only on the cases assigned to the person."""
    admin = actor(db_session, "admin")
    caps = {"read.cases", "case.progress", "case.reply"}
    draft = _draft(db_session, name="维修班组", reach=Reach.OWN_UNIT, unit=None, caps=caps)
    role_service.compose_role(
        db_session, admin, role_service.RoleDraft(**{**draft.__dict__, "assigned_only": True})
    )
    user = _holder(db_session, "crew_hk", "维修班组", unit="hankou")
    case = gen_case(db_session)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    act(db_session, "liaison_hankou", case, "sign_for")
    crew = Actor.of(user)
    assert not may_act_on(crew, db_session.get(Case, case.id), "reply")
    act(db_session, "liaison_hankou", case, "assign", handler_id=user.id)
    assert may_act_on(Actor.of(user), db_session.get(Case, case.id), "reply")


@pytest.mark.parametrize(
    "name", ["客服部\u200b", "系统管理员\u2060", "客服 部", "客服部\u3000", "ＡＢ", "ab"]
)
def test_a_name_that_looks_like_another_roles_is_refused(db_session, name):
    admin = actor(db_session, "admin")
    role_service.compose_role(db_session, admin, _draft(db_session, name="AB"))
    with pytest.raises((DuplicateRecordError, InvalidRecordError)):
        role_service.compose_role(db_session, admin, _draft(db_session, name=name))


def test_a_stale_role_form_shows_the_stored_role_and_a_form_without_version_is_refused(
    app, db_session, login_as
):
    admin = actor(db_session, "admin")
    item = role_service.compose_role(db_session, admin, _draft(db_session))
    first_version = item.version
    role_service.change_role(
        db_session, admin, item.id, item.version, _draft(db_session, caps=AUDIT | {"read.contacts"})
    )
    client = login_as("admin")
    form = client.get(f"/roles/edit/{item.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    stale = {
        "csrf_token": token,
        "name": "汉口只读审计员",
        "reach": "unit",
        "unit_id": str(branch_id(db_session, "hankou")),
        "capabilities": ["read.cases", "case.remind"],
    }
    response = client.post(f"/roles/edit/{item.id}", data={**stale, "version": first_version})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert 'value="read.contacts" checked' in page  # the other administrator's change
    assert 'value="case.remind" checked' not in page
    assert client.post(f"/roles/edit/{item.id}", data=stale).status_code == 409
    assert client.post(f"/roles/remove/{item.id}", data={"csrf_token": token}).status_code == 302
    db_session.expire_all()
    stored = db_session.get(ComposedRole, item.id)
    assert stored is not None and "case.remind" not in stored.capability_codes
