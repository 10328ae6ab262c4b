"""Make the database's roles and permissions match app.domain.roles and the composed roles
(idempotent)."""

from __future__ import annotations

from flask_appbuilder import AppBuilder
from sqlalchemy import select

from app.domain.roles import PUBLIC_ROLE_NAME, ROLES
from app.models import ComposedRole
from app.services.role_permissions import apply_profile, existing_permissions


def _check_shared_permission_names(appbuilder: AppBuilder) -> None:
    """Views sharing a class_permission_name must declare the same permissions, or FAB's
    permission sync deletes the ones the other view lacks."""
    seen: dict[str, set[str]] = {}
    for view in appbuilder.baseviews:
        perms = set(view.base_permissions or [])
        other = seen.setdefault(view.class_permission_name, perms)
        if other != perms:
            raise RuntimeError(f"views named {view.class_permission_name} disagree on permissions")


def _live_names(appbuilder: AppBuilder) -> set[str]:
    names = {view.class_permission_name for view in appbuilder.baseviews}
    for entry in appbuilder.menu.get_list():
        names.add(entry.name)
        names.update(item.name for item in entry.childs if item.name != "-")
    return names


def _remove_stale_permissions(appbuilder: AppBuilder) -> None:
    """Delete the permissions of views and menus that are gone, and names nothing uses.

    Not FAB's ``security_cleanup``: it ends with ``security_converge``, which reads every
    ``class_permission_name`` as a rename from the class name and tries to delete "CaseView",
    "can_list"... that never existed here, one "Refused to delete" warning each. Roles are
    rewritten from their profiles right after, so there is nothing to converge."""
    sm = appbuilder.sm
    session = sm.session
    live = _live_names(appbuilder)
    stale = [pv for pv in session.query(sm.permissionview_model) if pv.view_menu.name not in live]
    if stale:
        for role in sm.get_all_roles():
            role.permissions = [pv for pv in role.permissions if pv not in stale]
        for pv in stale:
            session.delete(pv)
        session.flush()
    pv_model = sm.permissionview_model
    used_views = session.query(pv_model.view_menu_id)
    used_permissions = session.query(pv_model.permission_id)
    for view_menu in session.query(sm.viewmenu_model).filter(
        sm.viewmenu_model.id.not_in(used_views)
    ):
        if view_menu.name not in live:
            session.delete(view_menu)
    for permission in session.query(sm.permission_model).filter(
        sm.permission_model.id.not_in(used_permissions)
    ):
        session.delete(permission)
    session.flush()


def sync_roles(appbuilder: AppBuilder) -> dict[str, int]:
    """Create missing permissions and roles; give each built-in and each composed role exactly
    the permissions of its profile."""
    sm = appbuilder.sm
    # FAB attaches each new permission to the admin role while creating it: the role must exist.
    for spec in ROLES:
        if sm.find_role(spec.name) is None:
            sm.add_role(spec.name)
    _check_shared_permission_names(appbuilder)
    appbuilder.add_permissions(update_perms=True)
    _remove_stale_permissions(appbuilder)
    existing = existing_permissions(sm)
    counts = {}
    for spec in ROLES:
        role = sm.find_role(spec.name) or sm.add_role(spec.name)
        counts[spec.name] = apply_profile(appbuilder, role, spec, existing)
    for composed in sm.session.scalars(select(ComposedRole)):
        counts[composed.role.name] = apply_profile(
            appbuilder, composed.role, composed.profile(), existing
        )
    public = sm.find_role(PUBLIC_ROLE_NAME) or sm.add_role(PUBLIC_ROLE_NAME)
    public.permissions = []
    sm.session.commit()
    return counts
