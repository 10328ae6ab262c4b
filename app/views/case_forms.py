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
