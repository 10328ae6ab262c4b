"""WTForms validators that call the domain rules, so bad input is reported on the form itself."""

from __future__ import annotations

from wtforms.validators import ValidationError

from app.domain.errors import InvalidPhoneError
from app.domain.phone import normalise_phone


class PhoneNumber:
    """A valid, reachable Chinese mobile or landline number (Art.26)."""

    def __call__(self, form, field) -> None:
        if not field.data:
            return
        try:
            field.data = normalise_phone(field.data)
        except InvalidPhoneError as exc:
            raise ValidationError(str(exc)) from exc
