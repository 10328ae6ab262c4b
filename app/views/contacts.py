"""Each branch's 责任人 and 联络员 (Art.14–16, 26) and the history of their changes (Art.25)."""

from __future__ import annotations

from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Optional

from app.domain.i18n import _l
from app.models import BranchContact, BranchContactChange
from app.views.base import SuqiuModelView
from app.views.datamodel import ScopedInterface
from app.views.formatting import CHANGE_TYPES, CONTACT_ROLES, choices, label_from, timestamp
from app.views.validators import PhoneNumber


class BranchContactView(SuqiuModelView):
    datamodel = ScopedInterface(BranchContact)
    class_permission_name = "BranchContact"
    list_title = _l("Responsible leaders and liaisons")
    show_title = _l("Contact details")
    add_title = _l("Appoint a responsible leader or liaison")
    edit_title = _l("Change a responsible leader or liaison")
    label_columns = {
        "branch": _l("Unit"),
        "role": _l("Duty"),
        "name": _l("Name"),
        "mobile": _l("Mobile"),
        "landline": _l("Landline"),
        "user": _l("Portal account"),
        "updated_at": _l("Updated at"),
    }
    description_columns = {
        "mobile": _l("Must be reachable at all times (Art.26)."),
        "role": _l(
            "Every change is recorded and notified to the customer-service department (Art.25)."
        ),
    }
    list_columns = ["branch", "role", "name", "mobile", "landline", "updated_at"]
    show_columns = ["branch", "role", "name", "mobile", "landline", "user", "updated_at"]
    add_columns = ["branch", "role", "name", "mobile", "landline", "user"]
    edit_columns = add_columns
    search_columns = ["branch", "name"]
    order_columns = ["name", "updated_at"]
    formatters_columns = {"role": label_from(CONTACT_ROLES), "updated_at": timestamp}
    add_form_extra_fields = {
        "role": SelectField(_l("Duty"), choices=choices(CONTACT_ROLES)),
        "mobile": StringField(_l("Mobile"), validators=[DataRequired(), PhoneNumber()]),
        "landline": StringField(_l("Landline"), validators=[Optional(), PhoneNumber()]),
    }
    edit_form_extra_fields = add_form_extra_fields


class BranchContactChangeView(SuqiuModelView):
    """Read-only history: nobody edits or deletes what happened (Art.25, Art.31)."""

    datamodel = ScopedInterface(BranchContactChange)
    class_permission_name = "BranchContactChange"
    base_permissions = ["can_read"]
    list_title = _l("Contact change history")
    show_title = _l("Contact change")
    label_columns = {
        "branch": _l("Unit"),
        "role": _l("Duty"),
        "change_type": _l("Change"),
        "before": _l("Before"),
        "after": _l("After"),
        "changed_by": _l("Changed by"),
        "changed_at": _l("Changed at"),
    }
    list_columns = ["changed_at", "branch", "role", "change_type", "before", "after", "changed_by"]
    show_columns = list_columns
    search_columns = ["branch", "changed_at"]
    order_columns = ["changed_at"]
    base_order = ("changed_at", "desc")
    formatters_columns = {
        "role": label_from(CONTACT_ROLES),
        "change_type": label_from(CHANGE_TYPES),
        "changed_at": timestamp,
    }


def register(appbuilder) -> None:
    appbuilder.add_view(
        BranchContactView,
        "BranchContacts",
        icon="fa-phone",
        label=_l("Leaders and liaisons"),
        category="Organisation",
    )
    appbuilder.add_view(
        BranchContactChangeView,
        "ContactChanges",
        icon="fa-history",
        label=_l("Contact change history"),
        category="Organisation",
    )
