"""The personal notification inbox (Art.17): every notice is written through ``send`` with a
link to the page it is about, and opening it from the inbox marks it read."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from flask_babel.speaklater import LazyString
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.clock import now
from app.domain.i18n import _l
from app.models import Case, Notification
from app.services import counting
from app.services.actor import Actor
from app.services.errors import OutOfScopeError
from app.services.uow import transaction

INBOX = "/notificationview/list/"
_CASE_LINK = re.compile(r"/cases/show/(\d+)")
LEFT_SCOPE = _l(
    "This case is no longer with your unit (it was returned or sent elsewhere), so its page "
    "cannot be opened; the notification is marked as read."
)


def case_link(case_id: int) -> str:
    """The case's page: its branch, its first contact and CSD may all open it."""
    return f"/cases/show/{case_id}"


def contact_change_link(change_id: int) -> str:
    """One change of a unit's 责任人/联络员 (Art.25), readable by CSD."""
    return f"/branchcontactchangeview/show/{change_id}"


def is_local_link(link: str | None) -> bool:
    """A path of this portal (never another site: the inbox redirects to it)."""
    if not link:
        return False
    return link.startswith("/") and not link.startswith("//") and "\\" not in link


def send(
    session: Session,
    recipient_ids: Iterable[int | None],
    *,
    category: str,
    title: str,
    link: str,
    body: str | None = None,
) -> None:
    """One notification per recipient, each linking to the page it is about."""
    if not is_local_link(link):
        raise ValueError(f"a notification needs a link to a page of the portal, not {link!r}")
    for user_id in dict.fromkeys(recipient_ids):
        if user_id is not None:
            session.add(
                Notification(
                    recipient_id=user_id, category=category, title=title, body=body, link=link
                )
            )


def unread_count(session: Session, actor: Actor) -> int:
    """The unread notifications for the bell, counted up to MENU_CAP (999+): a heavy
    recipient's exact count read every unread row on every page (issue 12)."""
    if actor.user_id is None:
        return 0
    unread = (
        select(Notification.id)
        .where(Notification.recipient_id == actor.user_id, Notification.read_at.is_(None))
        .limit(counting.MENU_CAP + 1)
        .subquery()
    )
    return counting.MenuCount(session.scalar(select(func.count()).select_from(unread)) or 0)


def _own(actor: Actor, item: Notification | None) -> Notification:
    if item is None or item.recipient_id != actor.user_id:
        raise OutOfScopeError(_l("This notification is not yours."))
    return item


@transaction()
def mark_read(session: Session, actor: Actor, items: Sequence[Notification | None]) -> int:
    """Only the recipient may mark a notification read."""
    stamp = now()
    for item in [_own(actor, item) for item in items]:
        item.read_at = item.read_at or stamp
    return len(items)


@transaction()
def open_notification(
    session: Session, actor: Actor, notification_id: int
) -> tuple[str, LazyString | None]:
    """Mark the recipient's notification read; return the page it links to and, when that page
    is no longer theirs to see (a case returned or sent to another unit since), the inbox and a
    message saying why."""
    item = _own(actor, session.get(Notification, notification_id))
    mark_read(session, actor, [item])
    if item.link is None or not is_local_link(item.link):  # (none is written so; for safety)
        return INBOX, None
    match = _CASE_LINK.fullmatch(item.link)
    if match:
        visible = actor.scope.apply(select(Case.id).where(Case.id == int(match.group(1))), Case)
        if session.scalar(visible) is None:
            return INBOX, LEFT_SCOPE
    return item.link, None
