"""Branches and subsidiaries (a tree), their departments, and the crews and vendors they manage."""

from __future__ import annotations

from flask import abort, flash, redirect
from flask_appbuilder.actions import action
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Optional

from app.domain.i18n import _l
from app.models import Branch, Department, Vendor
from app.services.actor import current_actor
from app.services.masterdata import deactivate
from app.views.base import SuqiuModelView
from app.views.datamodel import ScopedInterface
from app.views.formatting import UNIT_TYPES, VENDOR_TYPES, choices, label_from, yes_no
from app.views.validators import PhoneNumber


class BranchView(SuqiuModelView):
    datamodel = ScopedInterface(Branch)
    class_permission_name = "Branch"
    list_title = _l("Branches and subsidiaries")
    show_title = _l("Unit details")
    add_title = _l("Add unit")
    edit_title = _l("Edit unit")
    label_columns = {
        "code": _l("Code"),
        "name": _l("Name"),
        "unit_type": _l("Type"),
        "parent": _l("Parent unit"),
        "territory": _l("Business territory"),
        "address": _l("Address"),
        "active": _l("Active"),
        "sort_order": _l("Sort order"),
        "departments": _l("Departments"),
    }
    description_columns = {
        "parent": _l("A parent unit sees the cases and data of all its sub-units."),
        "territory": _l("Districts and streets served; used to route cases (Art.24)."),
    }
    list_columns = ["name", "code", "unit_type", "parent", "active"]
    show_columns = [
        "name",
        "code",
        "unit_type",
        "parent",
        "territory",
        "address",
        "active",
        "departments",
    ]
    add_columns = [
        "name",
        "code",
        "unit_type",
        "parent",
        "territory",
        "address",
        "active",
        "sort_order",
    ]
    edit_columns = add_columns
    search_columns = ["name", "code", "parent", "active"]
    order_columns = ["name", "code", "sort_order"]
    base_order = ("path", "asc")
    formatters_columns = {"unit_type": label_from(UNIT_TYPES), "active": yes_no}
    add_form_extra_fields = {
        "unit_type": SelectField(_l("Type"), choices=choices(UNIT_TYPES)),
    }
    edit_form_extra_fields = add_form_extra_fields


class DepartmentView(SuqiuModelView):
    datamodel = ScopedInterface(Department)
    class_permission_name = "Department"
    list_title = _l("Departments")
    show_title = _l("Department details")
    add_title = _l("Add department")
    edit_title = _l("Edit department")
    label_columns = {
        "branch": _l("Unit"),
        "name": _l("Name"),
        "phone": _l("Phone"),
        "active": _l("Active"),
        "business_categories": _l("Business categories handled"),
    }
    description_columns = {
        "business_categories": _l("Cases of these categories are routed here (Art.24).")
    }
    list_columns = ["branch", "name", "phone", "active"]
    show_columns = ["branch", "name", "phone", "business_categories", "active"]
    add_columns = ["branch", "name", "phone", "business_categories", "active"]
    edit_columns = add_columns
    search_columns = ["branch", "name", "active"]
    order_columns = ["name"]
    formatters_columns = {"active": yes_no}
    validators_columns = {"phone": [Optional(), PhoneNumber()]}


class VendorView(SuqiuModelView):
    datamodel = ScopedInterface(Vendor)
    class_permission_name = "Vendor"
    list_title = _l("Outsourced crews and partner vendors")
    show_title = _l("Vendor details")
    add_title = _l("Add vendor")
    edit_title = _l("Edit vendor")
    label_columns = {
        "name": _l("Name"),
        "vendor_type": _l("Type"),
        "department": _l("Managing department"),
        "branch": _l("Unit"),
        "contact_name": _l("Contact person"),
        "phone": _l("Phone"),
        "active": _l("Active"),
    }
    description_columns = {
        "department": _l("Cases about this vendor's work go to this department (Art.24)."),
    }
    list_columns = ["name", "vendor_type", "department", "contact_name", "phone", "active"]
    show_columns = [
        "name",
        "vendor_type",
        "branch",
        "department",
        "contact_name",
        "phone",
        "active",
    ]
    add_columns = ["name", "vendor_type", "department", "contact_name", "phone", "active"]
    edit_columns = add_columns
    # By unit, not department: a department dropdown would list every department of the company.
    search_columns = ["name", "branch", "active"]
    order_columns = ["name"]
    formatters_columns = {"vendor_type": label_from(VENDOR_TYPES), "active": yes_no}
    add_form_extra_fields = {
        "vendor_type": SelectField(_l("Type"), choices=choices(VENDOR_TYPES)),
        "phone": StringField(_l("Phone"), validators=[Optional(), PhoneNumber()]),
        "contact_name": StringField(_l("Contact person"), validators=[DataRequired()]),
    }
    edit_form_extra_fields = add_form_extra_fields

    @action(
        "deactivate",
        _l("Deactivate"),
        _l("Deactivate the selected vendors?"),
        "fa-ban",
        single=True,
    )
    def deactivate(self, items):
        items = items if isinstance(items, list) else [items]
        if any(item is None for item in items):
            abort(404)  # not found, or in a branch outside the user's scope
        count = deactivate(self.datamodel.session, current_actor(), items)
        flash(str(_l("%(count)d vendors deactivated.")) % {"count": count}, "success")
        return redirect(self.get_redirect())


def register(appbuilder) -> None:
    category = dict(
        category="Organisation", category_icon="fa-sitemap", category_label=_l("Organisation")
    )
    appbuilder.add_view(
        BranchView, "Branches", icon="fa-building", label=_l("Branches"), **category
    )
    appbuilder.add_view(
        DepartmentView,
        "Departments",
        icon="fa-users",
        label=_l("Departments"),
        category="Organisation",
    )
    appbuilder.add_view(
        VendorView,
        "Vendors",
        icon="fa-truck",
        label=_l("Crews and vendors"),
        category="Organisation",
    )
