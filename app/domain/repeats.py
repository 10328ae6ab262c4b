"""重复诉求 (issue 11 item 4): a new case from the same customer — the same telephone number,
gas account or address — as an open case received within the window before it. The agent sees
the customer's earlier cases while registering and may link the new case to one as its 关联单;
the figures count a 主单 with its 关联单 once, and the 关联单 as repeats (重复诉求数).

Pure rules, one place each: what makes two cases the same customer's (normalised keys), the
window, which cases are open, which of two cases is the 主单, and the links that may not be
made (a case to itself, chains, a later 主单). Which cases an actor may read is the branch
scope's rule (app.services.scope), applied by app.services.repeats to both cases of a link.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.errors import DomainError, InvalidPhoneError
from app.domain.i18n import _l
from app.domain.lifecycle import CaseStatus
from app.domain.phone import normalise_phone

DEFAULT_WINDOW_DAYS = 30  # the hotlines' month
MOST_WINDOW_DAYS = 366

# A case is open until it is finished or voided; a case finished at an instant was open before it.
CLOSED = frozenset({CaseStatus.CLOSED, CaseStatus.CLOSED_DISSATISFIED, CaseStatus.VOIDED})
_SPACES = re.compile(r"\s+")
# Shorter addresses ("武昌", "1号") name no household: they would match strangers.
MIN_ADDRESS_LENGTH = 6


class RepeatLinkError(DomainError):
    """A link that breaks a rule of 主单 / 关联单; the message says which."""


def _folded(raw: str | None) -> str:
    """Full-width letters and digits as ASCII (NFKC), without any blank."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", raw or ""))


def phone_key(raw: str | None) -> str | None:
    """The number as registration stores it (app.domain.phone), full-width digits too;
    None when it is not a number (nothing to compare)."""
    value = _folded(raw)
    if not value:
        return None
    try:
        return normalise_phone(value)
    except InvalidPhoneError:
        return None


def account_key(raw: str | None) -> str | None:
    """A gas account: digits and letters, upper case, no blanks."""
    value = _folded(raw).upper()
    return value or None


def clean_address(raw: str | None) -> str | None:
    """An address as registration stores it: without blanks, full-width digits as ASCII."""
    return _folded(raw) or None


def address_key(raw: str | None) -> str | None:
    """The stored form of an address (clean_address); None when too short to name a household
    (MIN_ADDRESS_LENGTH)."""
    value = clean_address(raw)
    return value if value is not None and len(value) >= MIN_ADDRESS_LENGTH else None


@dataclass(frozen=True)
class Customer:
    """What identifies the caller: the keys, each None when not given."""

    phone: str | None = None
    account: str | None = None
    address: str | None = None

    @classmethod
    def of(cls, phone: str | None, account: str | None, address: str | None) -> Customer:
        return cls(phone_key(phone), account_key(account), address_key(address))

    @property
    def known(self) -> bool:
        return any((self.phone, self.account, self.address))


def same_customer(a: Customer, b: Customer) -> tuple[str, ...]:
    """The keys on which two cases name the same customer ("phone", "account", "address"); an
    empty tuple when none does."""
    return tuple(
        name
        for name in ("phone", "account", "address")
        if getattr(a, name) is not None and getattr(a, name) == getattr(b, name)
    )


@dataclass(frozen=True)
class CaseFacts:
    """The facts of one case the rules read."""

    id: int
    received_at: datetime
    status: str
    closed_at: datetime | None
    customer: Customer
    primary_id: int | None = None  # the 主单 of a 关联单
    has_repeats: bool = False  # a 主单 with 关联单 of its own


def window_start(received: datetime, window: timedelta) -> datetime:
    """The earliest receipt of a case the new one may repeat: ``window`` before it, included."""
    return received - window


def open_at(facts: CaseFacts, at: datetime) -> bool:
    """The case was open at ``at``: received by then, neither voided nor finished before it."""
    if facts.status == CaseStatus.VOIDED or facts.received_at > at:
        return False
    if facts.status in CLOSED:
        return facts.closed_at is not None and facts.closed_at > at
    return True


def is_candidate(new: Customer, received: datetime, other: CaseFacts, window: timedelta) -> bool:
    """``other`` is shown to the agent registering ``new`` at ``received``: the same customer,
    received in the window before, still open then."""
    return (
        bool(same_customer(new, other.customer))
        and window_start(received, window) <= other.received_at <= received
        and open_at(other, received)
    )


def primary_of(a: CaseFacts, b: CaseFacts) -> CaseFacts:
    """Of two cases of one request, the 主单 is the earlier received (the lower id on a tie)."""
    return min((a, b), key=lambda facts: (facts.received_at, facts.id))


def check_link(repeat: CaseFacts, primary: CaseFacts, window: timedelta) -> None:
    """May ``repeat`` become the 关联单 of ``primary``? RepeatLinkError saying why not."""
    if repeat.id == primary.id:
        raise RepeatLinkError(_l("A case cannot be linked to itself."))
    if primary.primary_id is not None:
        raise RepeatLinkError(
            _l("The chosen 主单 is itself a 关联单: link the case to its 主单 instead.")
        )
    if repeat.has_repeats:
        raise RepeatLinkError(
            _l("This case is the 主单 of other cases and cannot become a 关联单 itself.")
        )
    if repeat.primary_id is not None and repeat.primary_id != primary.id:
        raise RepeatLinkError(_l("This case is already a 关联单 of another case: unlink it first."))
    if primary_of(repeat, primary) is not primary:
        raise RepeatLinkError(_l("The 主单 must be the earlier case."))
    if not same_customer(repeat.customer, primary.customer):
        raise RepeatLinkError(
            _l("The two cases share neither a phone number, a gas account nor an address.")
        )
    if primary.received_at < window_start(repeat.received_at, window):
        raise RepeatLinkError(
            _l("The 主单 was received more than %(days)d days before this case."),
            days=window.days,
        )
    if not open_at(primary, repeat.received_at):
        raise RepeatLinkError(_l("The 主单 was no longer open when this case was received."))


def check_unlink(repeat: CaseFacts) -> None:
    if repeat.primary_id is None:
        raise RepeatLinkError(_l("This case is not linked as a 关联单."))


def check_voidable_primary(repeat_numbers: list[str]) -> None:
    """A 主单 with live 关联单 cannot be voided: its 关联单 count once, as the 主单, in every
    figure (app.domain.kpis LIVE), so voiding it would make the customer's request count zero
    times. Unlink them first (or link them to another 主单)."""
    if repeat_numbers:
        raise RepeatLinkError(
            _l("This case is the primary case of %(numbers)s: unlink them before voiding it."),
            numbers="、".join(repeat_numbers),
        )
