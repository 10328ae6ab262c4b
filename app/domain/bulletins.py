"""Branch bulletins (公告通报, Art.37/38; design §3): what a unit's business-change or emergency
notice must hold, its review by the customer-service department, and when it came too late.

Art.37: new services, service changes and workflow changes (temporary measures included) are
announced promptly to CSD. Art.38: an emergency (停气, 抢修…) is notified to CSD at once, with
the explanation wording (解释口径) and the expected recovery time. Pure: ``now`` and every row
arrive as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.domain.violations import BreachCause

TITLE_MAX = 200
AREA_MAX = 200


class BulletinError(DomainError):
    pass


class BulletinKind(StrEnum):
    BUSINESS_CHANGE = "business_change"  # Art.37: 新业务、业务变更、流程变更（含临时措施）
    EMERGENCY = "emergency"  # Art.38: 突发事件（停气、抢修…）


class BulletinStatus(StrEnum):
    SUBMITTED = "submitted"  # 待审核: a unit's notice awaiting CSD
    RETURNED = "returned"  # 已退回: sent back to the unit with a reason, to correct
    PUBLISHED = "published"  # 已发布: shown beside the registration form while current


class BulletinAction(StrEnum):
    SUBMIT = "submit"  # the unit submits (Art.37/38: it notifies CSD)
    RESUBMIT = "resubmit"  # the unit corrects a returned notice and submits it again
    PUBLISH = "publish"  # CSD publishes a submitted notice
    SEND_BACK = "send_back"  # CSD sends it back with the reason
    POST = "post"  # CSD publishes a bulletin of its own directly
    EDIT = "edit"  # CSD corrects a notice awaiting review or a published bulletin
    RECORD_BREACH = "record_breach"  # CSD records the late notice as an Art.37/38 breach


KIND_LABELS = {
    BulletinKind.BUSINESS_CHANGE: _l("Business change (Art.37)"),
    BulletinKind.EMERGENCY: _l("Emergency (Art.38)"),
}
STATUS_LABELS = {
    BulletinStatus.SUBMITTED: _l("Awaiting review"),
    BulletinStatus.RETURNED: _l("Sent back"),
    BulletinStatus.PUBLISHED: _l("Published"),
}
ACTION_LABELS = {
    BulletinAction.SUBMIT: _l("Submitted by the unit"),
    BulletinAction.RESUBMIT: _l("Corrected and submitted again"),
    BulletinAction.PUBLISH: _l("Published after review"),
    BulletinAction.SEND_BACK: _l("Sent back to the unit"),
    BulletinAction.POST: _l("Published by the customer-service department"),
    BulletinAction.EDIT: _l("Corrected by the customer-service department"),
    BulletinAction.RECORD_BREACH: _l("Late notice recorded as a violation"),
}

S, A = BulletinStatus, BulletinAction
# (status before — None: a new notice —, action) → status after. Anything else is refused.
TRANSITIONS: dict[tuple[BulletinStatus | None, BulletinAction], BulletinStatus] = {
    (None, A.SUBMIT): S.SUBMITTED,
    (None, A.POST): S.PUBLISHED,
    (S.RETURNED, A.RESUBMIT): S.SUBMITTED,
    (S.SUBMITTED, A.PUBLISH): S.PUBLISHED,
    (S.SUBMITTED, A.SEND_BACK): S.RETURNED,
    (S.SUBMITTED, A.EDIT): S.SUBMITTED,
    (S.PUBLISHED, A.EDIT): S.PUBLISHED,
}


def next_status(status: BulletinStatus | str | None, action: BulletinAction) -> BulletinStatus:
    """The review workflow of a unit's notice (Art.37/38): submitted → published or sent back;
    a returned one is corrected and submitted again; CSD's own bulletins are published at once."""
    current = BulletinStatus(status) if status is not None else None
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        if current is S.PUBLISHED and action is A.PUBLISH:
            raise BulletinError(_l("This notice has already been published.")) from None
        if current is None:
            raise BulletinError(_l("This is not possible for a new notice.")) from None
        raise BulletinError(
            _l("This is not possible while the notice is “%(status)s”."),
            status=STATUS_LABELS[current],
        ) from None


# -- What a notice must hold -----------------------------------------------------------------


@dataclass(frozen=True)
class NoticeDraft:
    """A notice as typed: every field may be missing."""

    kind: str | None
    title: str | None
    talking_points: str | None
    starts_at: datetime | None
    expected_recovery_at: datetime | None = None
    ends_at: datetime | None = None
    area: str | None = None


@dataclass(frozen=True)
class Notice:
    """A notice that passed ``check_notice``: texts stripped, blanks as None."""

    kind: BulletinKind
    title: str
    talking_points: str
    starts_at: datetime
    expected_recovery_at: datetime | None
    ends_at: datetime | None
    area: str | None


def _text(value: str | None) -> str:
    return (value or "").strip()


def check_notice(draft: NoticeDraft) -> Notice:
    """Art.37/38: a notice says what changed (its subject), what agents tell customers (the
    explanation wording, 解释口径, Art.28) and since when; an emergency (Art.38) also the area
    affected and the expected recovery time, which cannot come before the emergency began."""
    try:
        kind = BulletinKind(draft.kind or "")
    except ValueError:
        raise BulletinError(
            _l("Please choose the type: business change (Art.37) or emergency (Art.38).")
        ) from None
    title = _text(draft.title)
    if not title:
        raise BulletinError(_l("Please give the subject of the notice."))
    if len(title) > TITLE_MAX:
        raise BulletinError(_l("The subject may have at most %(n)d characters."), n=TITLE_MAX)
    wording = _text(draft.talking_points)
    if not wording:
        raise BulletinError(
            _l("Please give the explanation wording agents are to tell customers (Art.37/38).")
        )
    if draft.starts_at is None:
        raise BulletinError(_l("Please give the time the change or emergency began (or begins)."))
    area = _text(draft.area) or None
    if area is not None and len(area) > AREA_MAX:
        raise BulletinError(_l("The area may have at most %(n)d characters."), n=AREA_MAX)
    if kind is BulletinKind.EMERGENCY:
        if draft.expected_recovery_at is None:
            raise BulletinError(
                _l("An emergency notice needs the expected recovery time (Art.38).")
            )
        if area is None:
            raise BulletinError(_l("An emergency notice needs the area affected (Art.38)."))
    recovery = draft.expected_recovery_at
    if recovery is not None and recovery <= draft.starts_at:
        raise BulletinError(
            _l("The expected recovery time must come after the time the emergency began.")
        )
    if draft.ends_at is not None and draft.ends_at <= draft.starts_at:
        raise BulletinError(_l("The notice must end after it begins."))
    return Notice(kind, title, wording, draft.starts_at, recovery, draft.ends_at, area)


def check_send_back_reason(reason: str | None) -> str:
    """A notice goes back to its unit with the reason, so that the unit can correct it."""
    text = _text(reason)
    if not text:
        raise BulletinError(_l("Please give the reason for sending the notice back."))
    return text


def is_current(
    status: BulletinStatus | str,
    active: bool,
    starts_at: datetime,
    ends_at: datetime | None,
    at: datetime,
) -> bool:
    """Art.28/37/38: the registration screen shows a bulletin once it is published, active, and
    ``at`` lies between its start and its end (if any). A notice awaiting review or sent back
    is never shown to agents."""
    return (
        BulletinStatus(status) is S.PUBLISHED
        and active
        and starts_at <= at
        and (ends_at is None or at <= ends_at)
    )


# -- Late notice (Art.37/38 → Art.41) --------------------------------------------------------


def check_unit_notified_at(
    notified_at: datetime | None, *, has_unit: bool, now: datetime
) -> datetime | None:
    """Art.37/38 → Art.41: for a bulletin CSD writes itself, the time the unit actually notified
    CSD is known only if CSD records it; without it (None) no lateness can be judged and the
    unit is never charged. CSD publishing the bulletin is not the unit notifying: the delay may
    have been CSD's. A time recorded must be past and needs a unit that notified."""
    if notified_at is None:
        return None
    if not has_unit:
        raise BulletinError(
            _l(
                "A bulletin that names no unit has no unit notification time: leave it blank "
                "or choose the unit."
            )
        )
    if notified_at > now:
        raise BulletinError(_l("The time the unit notified us cannot be in the future."))
    return notified_at


def lateness_window(
    starts_at: datetime, notified_at: datetime | None
) -> tuple[datetime, datetime] | None:
    """Art.37 (promptly) and Art.38 (at once): the time between the change or emergency
    beginning and the unit notifying CSD (its first submission; for CSD's own bulletin, the time
    CSD recorded the unit notified it, ``check_unit_notified_at``). Cases of that unit received
    in this window — from ``starts_at`` included to the notice excluded, and of the notice's
    business category when it names one — arrived before agents had the wording: they show the
    notice came late. None: notified in time, or the unit's notification time is unknown (never
    CSD's own publication time), so no lateness can be judged."""
    if notified_at is None or notified_at <= starts_at:
        return None
    return starts_at, notified_at


def arrived_before_notice(received_at: datetime, window: tuple[datetime, datetime] | None) -> bool:
    """Whether a case of the unit received at ``received_at`` falls in ``lateness_window``."""
    return window is not None and window[0] <= received_at < window[1]


def breach_cause(kind: BulletinKind | str) -> BreachCause:
    """The article a late notice breaks: Art.37 for a business change, Art.38 for an emergency."""
    if BulletinKind(kind) is BulletinKind.EMERGENCY:
        return BreachCause.ART38
    return BreachCause.ART37


def check_breach(
    *, has_unit: bool, notified_known: bool, already_recorded: bool, early_cases: int
) -> None:
    """Art.41: a late notice costs the unit one Art.37/38 breach, recorded once per notice, and
    only when cases about it arrived before the notice — which needs the time the unit notified
    CSD: unknown, the delay may have been CSD's and the unit is not charged."""
    if already_recorded:
        raise BulletinError(
            _l("The late notice of this bulletin has already been recorded as a violation.")
        )
    if not has_unit:
        raise BulletinError(
            _l("This bulletin names no unit: there is nobody to record it against.")
        )
    if not notified_known:
        raise BulletinError(
            _l(
                "The time the unit notified the customer-service department is not recorded: "
                "no lateness can be judged."
            )
        )
    if early_cases <= 0:
        raise BulletinError(_l("No case of the unit arrived before this notice: it was not late."))
