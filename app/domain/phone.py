"""Contact numbers of branches and liaisons must be valid and reachable (Art.26).

Accepted: a mainland mobile number (11 digits starting 13–19, optional +86/86 prefix) or a landline
with its area code (010/02x three digits, others four), optionally with an extension.
"""

from __future__ import annotations

import re
import unicodedata

from app.domain.errors import InvalidPhoneError
from app.domain.i18n import _l

_SEPARATORS = re.compile(r"[\s\-()（）]")
_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
# 010, 02x: 3-digit area code with an 8-digit number; other area codes 4 digits with 7-8 digits.
_LANDLINE = re.compile(r"^(0(?:10|2\d)|0[3-9]\d{2})(\d{7,8})(?:(?:转|#|ext)(\d{1,6}))?$")


def normalise_phone(raw: str | None) -> str:
    """Return the number in a canonical form (``13812345678`` or ``027-87654321``) or raise."""
    # NFKC: full-width digits and signs (１３９…, ０２７－…) as a Chinese keyboard may type them.
    value = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or "").strip())
    if not value:
        raise InvalidPhoneError(_l("Please enter a phone number."))
    mobile = _MOBILE.match(value)
    if mobile:
        return mobile.group(1)
    landline = _LANDLINE.match(value)
    if landline:
        area, number, ext = landline.groups()
        if len(area) == 3 and len(number) != 8:
            raise InvalidPhoneError(
                _l("A landline number with area code %(area)s must have 8 digits."), area=area
            )
        return f"{area}-{number}" + (f"-{ext}" if ext else "")
    raise InvalidPhoneError(
        _l(
            "“%(value)s” is not a valid phone number: enter an 11-digit mobile number "
            "or a landline with its area code, e.g. 027-87654321."
        ),
        value=raw,
    )


def is_valid_phone(raw: str | None) -> bool:
    try:
        normalise_phone(raw)
    except InvalidPhoneError:
        return False
    return True
