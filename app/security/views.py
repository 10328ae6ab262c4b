"""FAB's security views with Chinese titles, our permission names and the branch filter."""

from __future__ import annotations

from flask import current_app, g, redirect, request, session
from flask_appbuilder.fields import QuerySelectField, QuerySelectMultipleField
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.models.sqla.filters import FilterNotEqual
from flask_appbuilder.security.views import (
    AuthDBView,
    ResetMyPasswordView,
    ResetPasswordView,
    UserDBModelView,
    UserInfoEditView,
)
from flask_appbuilder.validators import PasswordComplexityValidator
from flask_appbuilder.views import expose
from flask_login import current_user, logout_user
from werkzeug.security import check_password_hash
from wtforms import PasswordField, StringField, ValidationError
from wtforms.validators import DataRequired, EqualTo, InputRequired, Optional, Regexp

from app.domain.i18n import _l
from app.domain.roles import PUBLIC_ROLE_NAME
from app.models import SuqiuUser
from app.security.sessions import end_all_sessions
from app.services import users as _users  # noqa: F401 (stores an empty e-mail as NULL)
from app.views.base import SuqiuModelView
from app.views.datamodel import ScopedInterface
from app.views.validators import PhoneNumber

_USER_LABELS = {
    "get_full_name": _l("Full name"),
    "first_name": _l("Given name"),
    "last_name": _l("Family name"),
    "username": _l("Username"),
    "password": _l("Password"),
    "conf_password": _l("Confirm password"),
    "active": _l("Active"),
    "email": _l("Email"),
    "roles": _l("Roles"),
    "branch": _l("Unit"),
    "department": _l("Department"),
    "mobile": _l("Mobile"),
    "last_login": _l("Last sign-in"),
    "login_count": _l("Sign-in count"),
    "fail_login_count": _l("Failed sign-ins"),
    "created_on": _l("Created at"),
    "created_by": _l("Created by"),
    "changed_on": _l("Changed at"),
    "changed_by": _l("Changed by"),
}


class DepartmentOfUnitField(QuerySelectField):
    """The department choice of the user form: each option names its unit (``data-unit``) and
    the list follows the unit chosen in the ``branch`` field (static/js/suqiu-forms.js)."""

    def iter_choices(self):
        if self.allow_blank:
            yield ("__None", self.blank_text, self.data is None, {})
        for pk, department in self._get_object_list():
            unit = department.branch_id
            yield (
                pk,
                self.get_label(department),
                department == self.data,
                {"data-unit": "" if unit is None else str(unit)},
            )

    def __call__(self, **kwargs):
        kwargs.setdefault("data-unit-field", "branch")
        return super().__call__(**kwargs)


class OfferedRolesField(QuerySelectMultipleField):
    """FAB's field checks for ids outside the offered list before it reads them, and so drops
    them silently: a role that is not offered (匿名访客) is refused instead."""

    def pre_validate(self, form):
        _ = self.data  # resolves the submitted ids, marking any that is not offered
        if self._invalid_formdata:
            raise ValidationError(_l("Please choose the roles from the list."))
        super().pre_validate(form)


def _department_of_the_unit(form, field) -> None:
    """Reported next to the field; the service checks the same rule on every save."""
    department, unit = field.data, form.branch.data if "branch" in form else None
    if department is not None and department.branch_id != (unit.id if unit else None):
        raise ValidationError(_l("The department must belong to the user's unit."))


_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _optional_email(unbound) -> None:
    """FAB requires the e-mail: here it may be left empty (stored as NULL, app.services.users),
    and a given one must look like an address."""
    kept = [
        v
        for v in unbound.kwargs.get("validators") or []
        if not isinstance(v, DataRequired | InputRequired)
    ]
    unbound.kwargs["validators"] = [
        Optional(),
        # Not WTForms' Email(): it refuses intranet domains such as ``.local``.
        Regexp(_EMAIL, message=_l("Please enter a valid e-mail address.")),
        *kept,
    ]
    unbound.kwargs["widget"] = BS3TextFieldWidget()


# The anonymous visitors' role is FAB's, for pages without sign-in: never given to a person.
_ASSIGNABLE_ROLES = {"roles": [["name", FilterNotEqual, PUBLIC_ROLE_NAME]]}


class SuqiuUserView(SuqiuModelView, UserDBModelView):
    """Users and their unit (the anchor of branch scoping); administrators only."""

    datamodel = ScopedInterface(SuqiuUser)
    class_permission_name = "User"
    method_permission_name = {
        "list": "read",
        "show": "read",
        "add": "write",
        "edit": "write",
        "delete": "write",
        "download": "read",
        "action": "write",
        "action_post": "write",
        "resetpasswords": "write",
        "userinfo": "userinfo",
        "resetmypassword": "userinfo",
        "userinfoedit": "userinfo",
    }
    list_title = _l("Users")
    show_title = _l("User details")
    add_title = _l("Add user")
    edit_title = _l("Edit user")
    user_info_title = _l("My profile")
    label_columns = _USER_LABELS
    description_columns = {
        "username": _l("Used to sign in; letters, digits and underscores."),
        "active": _l("Deactivate people who leave instead of deleting them."),
        "roles": _l("What the person may do in the portal."),
        "branch": _l("Branch users see only this unit and its sub-units."),
        "department": _l("Choose the unit first: only its departments are offered."),
        "password": _l("At least 10 characters with upper and lower case, a digit and a symbol."),
        "conf_password": _l("Type the password again."),
        "mobile": _l("A mainland mobile number or a landline with area code."),
    }
    list_columns = ["username", "last_name", "first_name", "branch", "roles", "active"]
    search_columns = ["username", "last_name", "first_name", "email", "branch", "active"]
    add_columns = [
        "username",
        "last_name",
        "first_name",
        "email",
        "mobile",
        "branch",
        "department",
        "roles",
        "active",
        "password",
        "conf_password",
    ]
    edit_columns = [
        "username",
        "last_name",
        "first_name",
        "email",
        "mobile",
        "branch",
        "department",
        "roles",
        "active",
    ]
    show_fieldsets = [
        (_l("Account"), {"fields": ["username", "active", "roles", "branch", "department"]}),
        (_l("Personal details"), {"fields": ["last_name", "first_name", "email", "mobile"]}),
        (
            _l("Audit"),
            {
                "fields": [
                    "last_login",
                    "login_count",
                    "fail_login_count",
                    "created_on",
                    "changed_on",
                ]
            },
        ),
    ]
    user_show_fieldsets = [
        (_l("Account"), {"fields": ["username", "roles", "branch", "department"]}),
        (_l("Personal details"), {"fields": ["last_name", "first_name", "email", "mobile"]}),
    ]
    validators_columns = {"department": [_department_of_the_unit]}
    add_form_query_rel_fields = _ASSIGNABLE_ROLES
    edit_form_query_rel_fields = _ASSIGNABLE_ROLES
    add_form_extra_fields = {
        "password": PasswordField(
            _l("Password"),
            description=_l(
                "At least 10 characters with upper and lower case, a digit and a symbol."
            ),
            validators=[DataRequired(), PasswordComplexityValidator()],
            widget=BS3PasswordFieldWidget(),
        ),
        "conf_password": PasswordField(
            _l("Confirm password"),
            description=_l("Type the password again."),
            validators=[EqualTo("password", message=_l("The two passwords do not match."))],
            widget=BS3PasswordFieldWidget(),
        ),
        "mobile": StringField(
            _l("Mobile"), validators=[Optional(), PhoneNumber()], widget=BS3TextFieldWidget()
        ),
    }
    edit_form_extra_fields = {
        "mobile": StringField(
            _l("Mobile"), validators=[Optional(), PhoneNumber()], widget=BS3TextFieldWidget()
        ),
    }

    def _init_forms(self):
        super()._init_forms()
        for form in (self.add_form, self.edit_form):
            _optional_email(form.email)
            form.department.field_class = DepartmentOfUnitField
            form.roles.field_class = OfferedRolesField


class MyProfileView(UserInfoEditView):
    class_permission_name = "MyProfile"
    method_permission_name = {"this_form_get": "write", "this_form_post": "write"}
    form_title = _l("Edit my details")
    message = _l("Your details were saved.")


def _is_current_password(_form, field) -> None:
    # Someone at an unlocked desk must not lock its owner out (issue 6 #18).
    if not check_password_hash(g.user.password or "", field.data or ""):
        raise ValidationError(_l("The current password is wrong."))


class ChangeMyPasswordForm(DynamicForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), _is_current_password],
        widget=BS3PasswordFieldWidget(),
    )
    password = PasswordField(
        _l("New password"),
        description=_l("At least 10 characters with upper and lower case, a digit and a symbol."),
        validators=[DataRequired(), PasswordComplexityValidator()],
        widget=BS3PasswordFieldWidget(),
    )
    conf_password = PasswordField(
        _l("Confirm password"),
        description=_l("Type the password again."),
        validators=[EqualTo("password", message=_l("The two passwords do not match."))],
        widget=BS3PasswordFieldWidget(),
    )


class MyPasswordView(ResetMyPasswordView):
    """Changing one's own password: other sessions end, this one stays (SuqiuSecurityManager)."""

    form = ChangeMyPasswordForm
    class_permission_name = "MyPassword"
    method_permission_name = {"this_form_get": "write", "this_form_post": "write"}
    form_title = _l("Change my password")
    message = _l("Your password was changed.")


class UserPasswordView(ResetPasswordView):
    class_permission_name = "UserPassword"
    method_permission_name = {"this_form_get": "write", "this_form_post": "write"}
    form_title = _l("Reset a user's password")
    message = _l("The password was reset.")


class SuqiuAuthDBView(AuthDBView):
    """Sign-in, sign-out and the site's icon (/favicon.ico, public like the sign-in page).

    Sign-out is a POST with the CSRF token (the navbar's form) and ends every session of the
    person on every device; GET only asks for confirmation (a link or prefetch signs no one out)."""

    @expose("/favicon.ico")
    def favicon(self):
        """Browsers and tools ask the site root for its icon; the pages link static/img."""
        return current_app.send_static_file("img/favicon.ico")

    @expose("/logout/", methods=["GET", "POST"])
    def logout(self):
        if request.method == "GET":
            if not current_user.is_authenticated:
                return redirect(self.appbuilder.get_url_for_login)
            return self.render_template("suqiu/logout.html", appbuilder=self.appbuilder)
        user = self._get_authenticated_user()
        logout_user()
        session.clear()
        if user is not None:
            end_all_sessions(self.appbuilder.sm, user)
            self.appbuilder.sm.on_user_logout(user)
        return redirect(self.appbuilder.get_url_for_login)
