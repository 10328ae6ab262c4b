"""Forms of the case pages; every value is checked again by the services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.domain.i18n import _l
from app.views.validators import PhoneNumber

# The registration form's sections (title, then each field with its width in Bootstrap 3's
# twelve columns from the ``sm`` breakpoint on; narrower screens stack every field). A field the
# view removed for this user is skipped; a field listed nowhere still shows, under "Other".
REGISTRATION_SECTIONS = (
    (
        "customer",
        _l("Customer information"),
        (("customer_name", 6), ("customer_phone", 6), ("customer_address", 8), ("gas_account", 4)),
    ),
    ("request", _l("Request"), (("content", 12), ("received_at", 6), ("external_ref", 6))),
    (
        "classification",
        _l("Classification"),
        (
            ("channel_id", 4),
            ("kind_id", 4),
            ("business_category_id", 4),
            ("content_class_id", 4),
        ),
    ),
    (
        "flags",
        _l("Flags"),
        (
            ("urgent", 4),
            ("media_involved", 4),
            ("adverse_impact", 4),
            ("major_interest", 4),
            ("property_loss", 4),
            ("casualties", 4),
        ),
    ),
    (
        "handling",
        _l("Handling and deadline"),
        (
            ("negotiated_due", 6),
            ("negotiated_reason", 6),
            ("resolve_on_spot", 12),
            ("result", 12),
            ("to_own_unit", 12),
        ),
    ),
)


class RegistrationForm(FlaskForm):
    channel_id = SelectField(_l("Channel"), coerce=int, validators=[DataRequired()])
    kind_id = SelectField(_l("Case kind"), coerce=int, validators=[DataRequired()])
    business_category_id = SelectField(_l("Business category"), coerce=int, validators=[Optional()])
    customer_name = StringField(_l("Customer name"), validators=[DataRequired(), Length(max=50)])
    customer_phone = StringField(_l("Customer phone"), validators=[Optional(), PhoneNumber()])
    customer_address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    gas_account = StringField(_l("Gas account number"), validators=[Optional(), Length(max=40)])
    external_ref = StringField(
        _l("External reference number"), validators=[Optional(), Length(max=60)]
    )
    content = TextAreaField(_l("Request"), validators=[DataRequired()])
    received_at = DateTimeLocalField(_l("Received at"), validators=[Optional()])
    urgent = BooleanField(_l("Urgent"))
    media_involved = BooleanField(_l("Media involved (Art.29)"))
    adverse_impact = BooleanField(_l("Liable to adverse impact (Art.33)"))
    major_interest = BooleanField(_l("Major interests (Art.34)"))
    property_loss = BooleanField(_l("Property loss (Art.34)"))
    casualties = BooleanField(_l("Casualties (Art.34)"))
    negotiated_due = DateTimeLocalField(_l("Negotiated deadline"), validators=[Optional()])
    negotiated_reason = StringField(
        _l("Reason for the negotiated deadline"), validators=[Optional()]
    )
    resolve_on_spot = BooleanField(_l("Resolved on the spot"))
    result = TextAreaField(_l("How it was resolved"), validators=[Optional()])
    # Branch staff only (the view removes it for others): Art.18/27.
    to_own_unit = BooleanField(_l("Hand it to my own unit's liaison (otherwise CSD dispatches it)"))
    # One-time key of this form: a second submission returns the first case.
    registration_key = HiddenField(validators=[Length(max=64)])

    def sections(self):
        """(key, title, [(field, width), …]) for the template, present fields only; the fields no
        section names come last, so a new field is never lost from the page."""
        placed = {"csrf_token", "registration_key"}
        result = []
        for key, title, names in REGISTRATION_SECTIONS:
            fields = [(self[name], width) for name, width in names if name in self]
            placed.update(name for name, _width in names)
            if fields:
                result.append((key, title, fields))
        rest = [
            (field, 6)
            for field in self
            if field.name not in placed and field.type not in ("HiddenField", "CSRFTokenField")
        ]
        if rest:
            result.append(("other", _l("Other"), rest))
        return result
