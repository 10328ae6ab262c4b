"""Rules of 登记 that need no database: a plausible time of receipt."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.domain.errors import DomainError
from app.domain.i18n import _l

# A case is registered when it comes in; a late entry of an older paper or phone record is
# allowed up to this far back (older records belong to an import, not to the form).
MAX_BACKDATING = timedelta(days=365)


class ImplausibleReceiptTimeError(DomainError):
    pass


def check_receipt_time(received: datetime, now: datetime) -> None:
    """Art.19: deadlines run from the time of receipt, so it can be neither in the future nor
    absurdly old (a typo such as year 0001 would make every deadline long past)."""
    if received > now:
        raise ImplausibleReceiptTimeError(_l("The time of receipt cannot be in the future."))
    earliest = now - MAX_BACKDATING
    if received < earliest:
        raise ImplausibleReceiptTimeError(
            _l("The time of receipt cannot be earlier than %(earliest)s."),
            earliest=f"{earliest:%Y-%m-%d %H:%M}",
        )
