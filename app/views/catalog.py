"""Case master data the administrator maintains: channels (Art.6/7), kinds (Art.5), content
classes (Art.8) and business categories (Art.24)."""

from __future__ import annotations

from app.domain.i18n import _l
from app.models import BusinessCategory, CaseKind, Channel, ChannelCategory, ContentClass
from app.views.base import CRUD_PERMISSIONS, SuqiuModelView
from app.views.datamodel import ScopedInterface
from app.views.formatting import yes_no

# Categories and content classes are fixed by the regulation (their codes drive the workflow):
# they can be renamed but not added or deleted. "create"/"remove" are granted to nobody.
FIXED_SET_PERMISSIONS = {**CRUD_PERMISSIONS, "add": "create", "delete": "remove"}

_COMMON_LABELS = {
    "code": _l("Code"),
    "name": _l("Name"),
    "description": _l("Description"),
    "active": _l("Active"),
    "sort_order": _l("Sort order"),
}


class ChannelCategoryView(SuqiuModelView):
    datamodel = ScopedInterface(ChannelCategory)
    class_permission_name = "ChannelCategory"
    method_permission_name = FIXED_SET_PERMISSIONS
    base_permissions = ["can_read", "can_write"]
    list_title = _l("Channel categories")
    show_title = _l("Channel category")
    edit_title = _l("Edit channel category")
    add_title = _l("Add channel category")
    label_columns = {**_COMMON_LABELS, "channels": _l("Channels")}
    description_columns = {
        "code": _l("Fixed by the regulation (Art.7); it decides the workflow (Art.13, Art.35)."),
    }
    list_columns = ["name", "code", "description"]
    show_columns = ["name", "code", "description", "channels"]
    edit_columns = ["name", "description", "sort_order"]
    search_columns = ["name"]
    order_columns = ["name", "sort_order"]
    base_order = ("sort_order", "asc")


class ChannelView(SuqiuModelView):
    datamodel = ScopedInterface(Channel)
    class_permission_name = "Channel"
    list_title = _l("Channels")
    show_title = _l("Channel")
    add_title = _l("Add channel")
    edit_title = _l("Edit channel")
    label_columns = {**_COMMON_LABELS, "category": _l("Channel category")}
    list_columns = ["name", "code", "category", "active"]
    show_columns = ["name", "code", "category", "active", "sort_order"]
    add_columns = ["name", "code", "category", "active", "sort_order"]
    edit_columns = add_columns
    search_columns = ["name", "code", "category", "active"]
    order_columns = ["name", "code", "sort_order"]
    base_order = ("sort_order", "asc")
    formatters_columns = {"active": yes_no}


class ContentClassView(SuqiuModelView):
    datamodel = ScopedInterface(ContentClass)
    class_permission_name = "ContentClass"
    method_permission_name = FIXED_SET_PERMISSIONS
    base_permissions = ["can_read", "can_write"]
    list_title = _l("Content classes")
    show_title = _l("Content class")
    edit_title = _l("Edit content class")
    add_title = _l("Add content class")
    label_columns = _COMMON_LABELS
    description_columns = {"code": _l("Fixed by the regulation (Art.8).")}
    list_columns = ["name", "code"]
    show_columns = ["name", "code", "sort_order"]
    edit_columns = ["name", "sort_order"]
    search_columns = ["name"]
    order_columns = ["name", "sort_order"]
    base_order = ("sort_order", "asc")


class CaseKindView(SuqiuModelView):
    datamodel = ScopedInterface(CaseKind)
    class_permission_name = "CaseKind"
    list_title = _l("Case kinds")
    show_title = _l("Case kind")
    add_title = _l("Add case kind")
    edit_title = _l("Edit case kind")
    label_columns = {**_COMMON_LABELS, "content_class": _l("Content class")}
    description_columns = {"content_class": _l("The Art.8 class this kind is filed under.")}
    list_columns = ["name", "code", "content_class", "active"]
    show_columns = ["name", "code", "content_class", "active", "sort_order"]
    add_columns = ["name", "code", "content_class", "active", "sort_order"]
    edit_columns = add_columns
    search_columns = ["name", "content_class", "active"]
    order_columns = ["name", "sort_order"]
    base_order = ("sort_order", "asc")
    formatters_columns = {"active": yes_no}


class BusinessCategoryView(SuqiuModelView):
    datamodel = ScopedInterface(BusinessCategory)
    class_permission_name = "BusinessCategory"
    list_title = _l("Business categories")
    show_title = _l("Business category")
    add_title = _l("Add business category")
    edit_title = _l("Edit business category")
    label_columns = _COMMON_LABELS
    list_columns = ["name", "code", "description", "active"]
    show_columns = ["name", "code", "description", "active", "sort_order"]
    add_columns = ["name", "code", "description", "active", "sort_order"]
    edit_columns = add_columns
    search_columns = ["name", "code", "active"]
    order_columns = ["name", "code", "sort_order"]
    base_order = ("sort_order", "asc")
    formatters_columns = {"active": yes_no}


def register(appbuilder) -> None:
    appbuilder.add_view(
        ChannelCategoryView,
        "ChannelCategories",
        icon="fa-random",
        label=_l("Channel categories"),
        category="MasterData",
        category_icon="fa-book",
        category_label=_l("Master data"),
    )
    appbuilder.add_view(
        ChannelView, "Channels", icon="fa-phone-square", label=_l("Channels"), category="MasterData"
    )
    appbuilder.add_view(
        ContentClassView,
        "ContentClasses",
        icon="fa-tags",
        label=_l("Content classes"),
        category="MasterData",
    )
    appbuilder.add_view(
        CaseKindView, "CaseKinds", icon="fa-tag", label=_l("Case kinds"), category="MasterData"
    )
    appbuilder.add_view(
        BusinessCategoryView,
        "BusinessCategories",
        icon="fa-briefcase",
        label=_l("Business categories"),
        category="MasterData",
    )
