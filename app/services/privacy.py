"""Customer contact details under PIPL (design §5): masked for roles that do not need them,
revealed on request with a reason that is logged on the case; the reporter of a 举报 is hidden
from the branch reported on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.domain.clock import now as clock_now
from app.domain.i18n import _l
from app.models import Case
from app.services.actor import Actor
from app.services.case_events import case_event
from app.services.case_permissions import load_visible_case, user_in_scope
from app.services.errors import InvalidRecordError, PermissionDeniedError
from app.services.uow import transaction

# Roles that call customers back or handle their request see the contact details.
SEES_CONTACT_DETAILS = "read.contact_details"
REPORT_KIND = "report"


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    return value[:3] + "****" + value[-4:] if len(value) >= 8 else "****"


def mask_address(value: str | None) -> str:
    return (value[:6] + "……") if value and len(value) > 6 else (value or "")


def _reporter_hidden(actor: Actor, kind_code: str, first_contact_id: int | None) -> bool:
    # The branch reported on never learns who reported it (only company-wide roles and the
    # first contact see a 举报 reporter).
    return (
        kind_code == REPORT_KIND
        and not actor.scope.all_branches
        and first_contact_id != actor.user_id
    )


def contact_visibility(actor: Actor, case: Case) -> str:
    """ "full", "masked" (may be revealed with a reason) or "hidden" (never, for this user)."""
    return contact_level(actor, case.kind.code, case.first_contact_id)


def contact_level(actor: Actor, kind_code: str, first_contact_id: int | None) -> str:
    """``contact_visibility`` from the two columns it reads (an export's rows are no Case
    objects)."""
    if actor.user is None:
        return "full"
    if _reporter_hidden(actor, kind_code, first_contact_id):
        return "hidden"
    return "full" if actor.may(SEES_CONTACT_DETAILS) else "masked"


def listed_customer(actor: Actor, card: tuple[str, int | None, str, str | None]) -> str:
    """The customer as a list shows them (see Case.customer_card): name and masked phone, or
    nothing at all of a hidden 举报 reporter."""
    kind_code, first_contact_id, name, phone = card
    if _reporter_hidden(actor, kind_code, first_contact_id):
        return "***"
    return f"{name} {mask_phone(phone)}".strip()


def attachment_visible(actor: Actor, case: Case, attachment) -> bool:
    """A hidden reporter's files (recordings, photos) stay hidden from the branch reported on;
    the branch sees what its own people uploaded."""
    if contact_visibility(actor, case) != "hidden":
        return True
    return user_in_scope(actor, attachment.uploaded_by)


def event_note_visible(actor: Actor, case: Case, event) -> bool:
    """Attachment names and reveal reasons by people outside the branch stay hidden too."""
    if (
        event.action not in ("attach", "reveal_contact")
        or contact_visibility(actor, case) != "hidden"
    ):
        return True
    return user_in_scope(actor, event.actor)


@transaction()
def reveal_contact(
    session: Session, actor: Actor, case_id: int, reason: str | None, now: datetime | None = None
) -> Case:
    """Log who looked at a customer's contact details, when and why (PIPL)."""
    case = load_visible_case(session, actor, case_id)
    if contact_visibility(actor, case) == "hidden":
        raise PermissionDeniedError(_l("The reporter's details are hidden from you."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidRecordError(_l("Please give the reason for viewing the contact details."))
    session.add(case_event(case, "reveal_contact", actor, now or clock_now(), note=reason))
    return case
