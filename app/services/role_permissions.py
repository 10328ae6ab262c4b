"""A role's FAB permissions computed from its profile (app.domain.roles): the grants of its
capabilities, self-service, and menu access on every menu item whose view it may read. Used by
``suqiu sync-roles`` for every role and by the composed-role service on each save."""

from __future__ import annotations

from flask import current_app

from app.domain.roles import RoleProfile, grants_for


def fab():
    """The application's AppBuilder (FAB sets it on the app; Flask's type does not know it)."""
    return current_app.appbuilder  # type: ignore[attr-defined]


def menu_grants(appbuilder, readable_views: set[str]) -> set[tuple[str, str]]:
    """menu_access on every menu item whose view the role may read, and on its category."""
    pairs = set()
    for entry in appbuilder.menu.get_list():
        items = entry.childs if entry.childs else [entry]
        for item in items:
            view = getattr(item, "baseview", None)
            if view is not None and view.class_permission_name in readable_views:
                pairs.add(("menu_access", item.name))
                if entry.childs:
                    pairs.add(("menu_access", entry.name))
    return pairs


def existing_permissions(sm) -> dict[tuple[str, str], object]:
    return {
        (pv.permission.name, pv.view_menu.name): pv
        for pv in sm.session.query(sm.permissionview_model).all()
    }


def wanted_permissions(appbuilder, profile: RoleProfile, existing) -> set[tuple[str, str]]:
    if profile.is_admin:
        return set(existing)
    pairs = grants_for(profile)
    readable = {view for perm, view in pairs if perm in ("can_read", "can_write")}
    return pairs | menu_grants(appbuilder, readable)


def apply_profile(appbuilder, role, profile: RoleProfile, existing=None) -> int:
    """Give ``role`` exactly the permissions of ``profile``; returns how many."""
    existing = existing if existing is not None else existing_permissions(appbuilder.sm)
    wanted = wanted_permissions(appbuilder, profile, existing)
    unknown = wanted - set(existing)
    if unknown:
        raise RuntimeError(f"role {profile.name} grants unknown permissions: {sorted(unknown)}")
    role.permissions = [existing[pair] for pair in sorted(wanted)]
    return len(wanted)
