"""Branch 责任人 / 联络员 contacts: reachable numbers (Art.26) and every change kept in a history
and notified to the customer-service department (Art.25)."""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import inspect, select
from sqlalchemy.orm import InstanceState, Session

from app.domain.i18n import LazyString, _l
from app.domain.phone import normalise_phone
from app.domain.roles import CSD_ROLE_NAMES
from app.models import BranchContact, BranchContactChange, ContactRole, SuqiuUser
from app.services.actor import Actor
from app.services.notifications import contact_change_link, send

ROLE_LABELS: dict[str, LazyString] = {
    ContactRole.RESPONSIBLE_LEADER: _l("Responsible leader"),
    ContactRole.LIAISON: _l("Liaison"),
}
CHANGE_LABELS = {
    "created": _l("appointed"),
    "updated": _l("changed"),
    "deleted": _l("removed"),
}


def describe(name: str | None, mobile: str | None, landline: str | None) -> str:
    return " ".join(part for part in (name, mobile, landline) if part)


def prepare(session: Session, actor: Actor, contact: BranchContact, *, is_new: bool) -> None:
    """Normalise the numbers (Art.26) and record the change for CSD (Art.25)."""
    contact.mobile = normalise_phone(contact.mobile)
    if contact.landline:
        contact.landline = normalise_phone(contact.landline)
    record_change(session, actor, contact, "created" if is_new else "updated")


def _previous(contact: BranchContact) -> str | None:
    state: InstanceState[BranchContact] = inspect(contact)
    if state.transient or state.pending:
        return None
    values = {}
    for attr in ("name", "mobile", "landline"):
        history = state.attrs[attr].history
        values[attr] = history.deleted[0] if history.deleted else getattr(contact, attr)
    return describe(values["name"], values["mobile"], values["landline"])


def record_change(session: Session, actor: Actor, contact: BranchContact, change_type: str) -> None:
    before = _previous(contact)
    after = (
        None
        if change_type == "deleted"
        else describe(contact.name, contact.mobile, contact.landline)
    )
    if change_type == "updated" and before == after:
        return
    branch = contact.branch
    change = BranchContactChange(
        branch_id=branch.id,
        role=contact.role,
        change_type=change_type,
        before=before,
        after=after,
        changed_by_id=actor.user_id,
    )
    session.add(change)
    # The notice links to this change, so it needs its id now. Every check of the save has
    # passed by here (masterdata calls this last), and a later failure rolls it all back.
    session.flush()
    _notify_csd(session, change, branch.name)


def _notify_csd(session, change: BranchContactChange, branch_name: str) -> None:
    title = str(_l("%(branch)s: %(role)s %(change)s")) % {
        "branch": branch_name,
        "role": ROLE_LABELS.get(change.role, change.role),
        "change": CHANGE_LABELS[change.change_type],
    }
    recipients = session.scalars(
        select(SuqiuUser.id)
        .where(SuqiuUser.active.is_(True))
        .where(SuqiuUser.roles.any(Role.name.in_(CSD_ROLE_NAMES)))
    ).all()
    send(
        session,
        recipients,
        category="contact_changed",
        title=title,
        body=f"{change.before or '—'} → {change.after or '—'}",
        link=contact_change_link(change.id),
    )
