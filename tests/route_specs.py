"""How to call every route of the URL map, for tests/test_route_matrix.py: the method, the URL
filled with a record of one side or the other (tests/scoping_data.build_matrix), the form or
JSON body, and the permission the route needs. A new route fails the matrix until it is here.

A ``Spec`` is one way of calling one endpoint. ``perm`` is the (permission, view name) pair the
route needs as app.domain.roles grants it; ``None``: anybody signed in; ``NOBODY``: no user,
not even the administrator. ``refs`` names the kinds of record the URL or the body is filled
with (each kind has a 汉口 and a 武昌 record, or two undispatched cases); ``together``: one
request shows them all (a list). ``shows``: a permitted user who may see the record gets a page
showing its text. ``effect``: some permitted user who may see the record changes it — the
positive control that proves the form data works, so the refusals of the other side mean
something. ``count`` replaces the row snapshot (adds: rows in the unit)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from sqlalchemy import delete, func, select

from app.domain.clock import now as clock_now
from app.models import (
    Branch,
    BranchContact,
    Case,
    CaseKind,
    Channel,
    Department,
    Notification,
    NotificationArchive,
    SpotCheck,
    SuqiuUser,
    Vendor,
    ViolationEntry,
    ViolationEntryEvent,
)
from tests.conftest import TEST_PASSWORD

NOBODY = ("nobody", "nobody")
NEW_PASSWORD = "Matrix#Pass2027"


@dataclass(frozen=True)
class Spec:
    endpoint: str
    path: str
    method: str = "GET"
    perm: tuple[str, str] | None = None
    public: bool = False  # anonymous visitors may call it too
    refs: tuple[str, ...] = ()
    together: bool = False
    shows: bool = False
    data: Callable | None = None  # (ref, ctx, username) -> form fields or JSON body
    count: Callable | None = None  # (session, ref) -> state to compare instead of the row
    effect: bool = False
    safe: bool = False  # a GET that must change nothing for anybody (delete and action by GET)
    absent_ok: bool = False  # a permitted user may get 404 (a queue the role does not work in)
    loose: bool = False  # FAB's undecorated action routes refuse with a redirect, not a 403
    api: bool = False
    auth: str = "access"  # the API token sent: access or refresh
    variant: str = ""
    xfail: str | None = None

    @property
    def id(self) -> str:
        return f"{self.endpoint}[{self.variant}]" if self.variant else self.endpoint


# One request shows every side's record: a list, a form's drop-down, an export.
SHOWN_TOGETHER = {"together": True, "shows": True}


def alike(**shared) -> Callable[..., Spec]:
    """Specs that share some fields: ``page = alike(perm=READ, data=_setup)``, then
    ``page("X.index", "/x/")``. A field given to the call overrides the shared one."""
    return partial(Spec, **shared)


def route(endpoint: str, path: str, method: str = "GET", **shared) -> Callable[..., Spec]:
    """The Specs of one route that differ in a few fields (the form sent, the record tried):
    ``opinion = route("X.opinion", "/x/{id}/opinion", "POST", perm=P, count=_state)``, then
    ``opinion(data=_opinion, effect=True)`` and ``opinion(data=const(version="x"),
    variant="bad-version")``. Call it with fields by name only."""
    return alike(endpoint=endpoint, path=path, method=method, **shared)


def form_and_save(endpoint: str, path: str, perm, refs, data, count) -> list[Spec]:
    """A form whose drop-down names each side's records, and its save: the positive control."""
    form = route(endpoint, path, perm=perm, refs=refs)
    return [
        form(**SHOWN_TOGETHER),
        form(method="POST", data=data, count=count, effect=True, variant="save"),
    ]


def _count(model, column) -> Callable:
    def count(session, ref):
        return session.scalar(select(func.count()).select_from(model).where(column == ref.id))

    return count


def _in_branch(model) -> Callable:
    def count(session, ref):
        return session.scalar(
            select(func.count()).select_from(model).where(model.branch_id == ref.branch_id)
        )

    return count


def _spot_checks(session, ref):
    return session.scalar(select(func.count()).select_from(SpotCheck))


# --- form data -------------------------------------------------------------------------------


def department_add(ref, ctx, user):
    # Names never repeat a record's text: a refused form echoes what was typed.
    return {"name": f"新科{ref.label}", "branch": ref.id, "phone": "027-85550000", "active": "y"}


def department_edit(ref, ctx, user):
    return {
        "name": f"改名{ref.label}",
        "branch": ref.branch_id,
        "phone": "027-85550001",
        "active": "y",
    }


def vendor_add(ref, ctx, user):
    return {
        "name": f"新队{ref.label}",
        "vendor_type": "partner_vendor",
        "department": ref.id,
        "contact_name": "联系人",
        "phone": "13900000000",
        "active": "y",
    }


def vendor_edit(ref, ctx, user):
    department = ctx.session.get(Vendor, ref.id).department_id
    return {**vendor_add(ref, ctx, user), "name": f"改队{ref.label}", "department": department}


def contact_add(ref, ctx, user):
    return {"branch": ref.id, "role": "liaison", "name": "新联络员", "mobile": "13700000000"}


def contact_edit(ref, ctx, user):
    role = ctx.session.get(BranchContact, ref.id).role
    return {"branch": ref.branch_id, "role": role, "name": "改任联络员", "mobile": "13700000001"}


def branch_add(ref, ctx, user):
    return {
        "name": f"新所{ref.label}",
        "code": f"new_{ref.label}",
        "unit_type": "station",
        "parent": ref.id,
        "active": "y",
        "sort_order": "9",
    }


def branch_edit(ref, ctx, user):
    code = ctx.session.get(Branch, ref.id).code
    return {
        "name": ref.text,
        "code": code,
        "unit_type": "branch",
        "address": "矩阵路1号",
        "active": "y",
        "sort_order": "0",
    }


def _handler_role(ctx) -> int:
    from flask_appbuilder.security.sqla.models import Role

    return ctx.session.scalar(select(Role.id).where(Role.name == "分子公司办理人"))


def user_add(ref, ctx, user):
    return {
        "username": f"new_{ref.label}",
        "last_name": "新",
        "first_name": "同事",
        "email": f"new_{ref.label}@demo.suqiu.local",
        "branch": ref.id,
        "roles": _handler_role(ctx),
        "active": "y",
        "password": TEST_PASSWORD,
        "conf_password": TEST_PASSWORD,
    }


def user_edit(ref, ctx, user):
    return {
        "username": ref.text,
        "last_name": "改",
        "first_name": "名",
        "email": f"{ref.text}@demo.suqiu.local",
        "branch": ref.branch_id,
        "roles": _handler_role(ctx),
        "active": "y",
    }


def new_password(ref, ctx, user):
    return {
        "old_password": TEST_PASSWORD,
        "current_password": TEST_PASSWORD,
        "password": NEW_PASSWORD,
        "conf_password": NEW_PASSWORD,
    }


def registration(ref, ctx, user):
    session = ctx.session
    return {
        "channel_id": session.scalar(select(Channel.id).where(Channel.code == "hotline_96511")),
        "kind_id": session.scalar(select(CaseKind.id).where(CaseKind.code == "consultation")),
        "business_category_id": 0,
        "customer_name": "矩阵客户",
        "customer_phone": "13912340000",
        "content": "咨询气价。",
        "received_at": (clock_now() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
    }


def sign_in(ref, ctx, user):
    return {"username": user or "nobody", "password": TEST_PASSWORD if user else "x"}


def api_sign_in(ref, ctx, user):
    return {**sign_in(ref, ctx, user), "provider": "db", "refresh": True}


def const(**fields) -> Callable:
    return lambda ref, ctx, user: dict(fields)


def archive_the_notifications(ref, ctx, user):
    """已归档的通知 is a GET: it sends no body. This puts a copy of the matrix's notifications
    into the archive, as `suqiu archive-notifications` would once they are read and old, before
    the page is asked for, so that the page has each side's row to show or to keep hidden."""
    stamp = clock_now().replace(microsecond=0)
    for notice in ctx.refs["notification"].values():
        if ctx.session.get(NotificationArchive, notice.id) is None:
            row = ctx.session.get(Notification, notice.id)
            ctx.session.add(
                NotificationArchive(
                    id=row.id,
                    recipient_id=row.recipient_id,
                    category=row.category,
                    title=row.title,
                    body=row.body,
                    link=row.link,
                    created_at=row.created_at,
                    read_at=row.read_at or stamp,
                    archived_at=stamp,
                )
            )
    ctx.session.commit()


# --- FAB's CRUD views ------------------------------------------------------------------------

WRITE = "can_write"


def crud(
    view: str,
    route: str,
    perm: str,
    kind: str,
    *,
    read: tuple[str, str] | None = None,
    edit: tuple[str, str] | str = WRITE,
    add: tuple[str, str] | str = WRITE,
    delete: tuple[str, str] | str = WRITE,
    action: str | None = None,
    add_kind: str | None = None,
    add_data: Callable | None = None,
    add_count: Callable | None = None,
    edit_data: Callable | None = None,
    deletable: bool = False,
    choices: str | None = None,
    listed: tuple[str, ...] = (),
) -> list[Spec]:
    """The eleven ways of calling a ModelView: list, show, edit (form, save), add (form, save),
    delete (by GET: never; by POST), the one-record action by GET and by POST and the list's
    action_post. ``action`` is the view's real action; a view without one is called with a name
    it does not have, which must be refused like any other unknown input. ``listed``: more
    kinds of record the list page names (the units of its search form's drop-down)."""

    def level(value):
        return (WRITE, perm) if value == WRITE else value

    edit, add, delete = level(edit), level(add), level(delete)
    read = read or ("can_read", perm)
    refs = (kind,)
    name = action or "unknown"
    act = (WRITE, perm) if action else NOBODY
    return [
        Spec(
            f"{view}.list",
            f"{route}/list/",
            perm=read,
            refs=refs + listed,
            together=True,
            shows=True,
        ),
        Spec(f"{view}.show", f"{route}/show/{{id}}", perm=read, refs=refs, shows=True),
        Spec(f"{view}.edit", f"{route}/edit/{{id}}", perm=edit, refs=refs, shows=True),
        Spec(
            f"{view}.edit",
            f"{route}/edit/{{id}}",
            "POST",
            perm=edit,
            refs=refs,
            data=edit_data or const(),
            effect=edit_data is not None and edit != NOBODY,
            variant="save",
        ),
        Spec(
            f"{view}.add",
            f"{route}/add",
            perm=add,
            refs=(choices,) if choices else (),
            together=True,
            shows=bool(choices),
        ),
        Spec(
            f"{view}.add",
            f"{route}/add",
            "POST",
            perm=add,
            refs=(add_kind,) if add_kind else (),
            data=add_data or const(),
            count=add_count,
            effect=add_data is not None and add != NOBODY,
            variant="save",
        ),
        # FAB refuses a delete by GET with a redirect, whoever asks.
        Spec(
            f"{view}.delete",
            f"{route}/delete/{{id}}",
            perm=delete,
            refs=refs,
            safe=True,
            loose=True,
        ),
        Spec(
            f"{view}.delete",
            f"{route}/delete/{{id}}",
            "POST",
            perm=delete,
            refs=refs,
            effect=deletable and delete != NOBODY,
            variant="post",
        ),
        Spec(
            f"{view}.action",
            f"{route}/action/{name}/{{id}}",
            perm=act,
            refs=refs,
            safe=True,
            loose=True,
            variant=name,
        ),
        Spec(
            f"{view}.action",
            f"{route}/action/{name}/{{id}}",
            "POST",
            perm=act,
            refs=refs,
            effect=bool(action) and action != "resetpasswords",
            loose=True,
            variant=f"{name}-post",
        ),
        Spec(
            f"{view}.action_post",
            f"{route}/action_post",
            "POST",
            perm=act,
            refs=refs,
            data=lambda ref, ctx, user: {"action": name, "rowid": ref.id},
            effect=bool(action) and action != "resetpasswords",
            loose=True,
            variant=name,
        ),
    ]


def _role_form(ref, ctx, user):
    """The composed auditor with one more capability, as the edit form would send it."""
    from app.models import ComposedRole

    item = ctx.session.get(ComposedRole, ref.id)
    return {
        "name": item.role.name,
        "reach": "unit",
        "unit_id": ctx.refs["branch"]["hankou"].id,
        "capabilities": [*item.capability_codes, "edit.spot_checks"],
        "version": item.version,
    }


def _composed_count(session, ref):
    from app.models import ComposedRole

    return session.scalar(select(func.count()).select_from(ComposedRole))


def role_specs() -> list[Spec]:
    """角色: the role × capability matrix and the composed roles (administrator only)."""
    read, write = ("can_read", "Role"), (WRITE, "Role")
    refs = ("composed_role",)
    return [
        Spec("RoleMatrixView.matrix", "/roles/", perm=read, refs=refs, together=True, shows=True),
        Spec("RoleMatrixView.compose", "/roles/compose", perm=write),
        Spec(
            "RoleMatrixView.compose",
            "/roles/compose",
            "POST",
            perm=write,
            data=const(name="矩阵组合角色", reach="own_unit", capabilities=["read.cases"]),
            count=_composed_count,
            effect=True,
            variant="save",
        ),
        Spec("RoleMatrixView.edit", "/roles/edit/{id}", perm=write, refs=refs, shows=True),
        Spec(
            "RoleMatrixView.edit",
            "/roles/edit/{id}",
            "POST",
            perm=write,
            refs=refs,
            data=_role_form,
            effect=True,
            variant="save",
        ),
        # Held by the matrix's auditor: refused for everyone, nothing removed.
        Spec(
            "RoleMatrixView.remove",
            "/roles/remove/{id}",
            "POST",
            perm=write,
            refs=refs,
            data=lambda ref, ctx, user: {"version": "1"},
        ),
    ]


def crud_specs() -> list[Spec]:
    specs = crud(
        "BranchView",
        "/branchview",
        "Branch",
        "branch",
        add_kind="branch",
        add_data=branch_add,
        add_count=_count(Branch, Branch.parent_id),
        edit_data=branch_edit,
        choices="branch",
    )
    specs += crud(
        "DepartmentView",
        "/departmentview",
        "Department",
        "department",
        add_kind="branch",
        add_data=department_add,
        add_count=_count(Department, Department.branch_id),
        edit_data=department_edit,
        deletable=True,
        choices="branch",
        listed=("branch",),
    )
    specs += crud(
        "VendorView",
        "/vendorview",
        "Vendor",
        "vendor",
        action="deactivate",
        add_kind="department",
        add_data=vendor_add,
        add_count=_in_branch(Vendor),
        edit_data=vendor_edit,
        deletable=True,
        choices="department",
        listed=("branch",),
    )
    specs += crud(
        "BranchContactView",
        "/branchcontactview",
        "BranchContact",
        "contact",
        add_kind="subunit",
        add_data=contact_add,
        add_count=_count(BranchContact, BranchContact.branch_id),
        edit_data=contact_edit,
        deletable=True,
        choices="subunit",
        listed=("branch",),
    )
    # Read-only history (Art.25/31) and roles kept in code: nobody writes them.
    specs += crud(
        "BranchContactChangeView",
        "/branchcontactchangeview",
        "BranchContactChange",
        "contact_change",
        edit=NOBODY,
        add=NOBODY,
        delete=NOBODY,
        listed=("branch",),
    )
    specs += role_specs()
    specs += crud(
        "SuqiuUserView",
        "/users",
        "User",
        "user",
        action="resetpasswords",
        add_kind="branch",
        add_data=user_add,
        add_count=_count(SuqiuUser, SuqiuUser.branch_id),
        edit_data=user_edit,
        deletable=True,
        choices="branch",
        listed=("branch",),
    )
    # Notifications are written by the system only; the recipient marks them read.
    specs += crud(
        "NotificationView",
        "/notificationview",
        "Notification",
        "notification",
        edit=NOBODY,
        add=NOBODY,
        delete=NOBODY,
        action="mark_read",
    )
    specs.append(
        Spec(
            "NotificationView.open_link",
            "/notificationview/open/{id}",
            "POST",
            perm=(WRITE, "Notification"),
            refs=("notification",),
            effect=True,  # opening a notification marks it read
        )
    )
    # 已归档的通知 (issue 12): each user's own archive only, read-only; a page number that is
    # no number shows page 1.
    specs += [
        Spec(
            "NotificationView.archived",
            path,
            perm=("can_read", "Notification"),
            refs=("notification",),
            together=True,
            shows=True,
            data=archive_the_notifications,
            variant=variant,
        )
        for path, variant in (
            ("/notificationview/archived/", ""),
            ("/notificationview/archived/?page=x", "bad-page"),
        )
    ]
    fixed = {"ChannelCategoryView", "ContentClassView"}  # Art.7/8: renamed, never added
    for view, route, perm, kind in (
        ("ChannelCategoryView", "/channelcategoryview", "ChannelCategory", "channel_category"),
        ("ChannelView", "/channelview", "Channel", "channel"),
        ("ContentClassView", "/contentclassview", "ContentClass", "content_class"),
        ("CaseKindView", "/casekindview", "CaseKind", "case_kind"),
        ("BusinessCategoryView", "/businesscategoryview", "BusinessCategory", "business_category"),
        ("TimeLimitRuleView", "/timelimitruleview", "TimeLimitRule", "time_limit_rule"),
        ("CalendarDayView", "/calendardayview", "WorkCalendar", "calendar_day"),
        ("CalendarYearView", "/calendaryearview", "WorkCalendar", "calendar_year"),
    ):
        nobody = NOBODY if view in fixed else WRITE
        specs += crud(view, route, perm, kind, add=nobody, delete=nobody)
    # FAB's own add/edit/delete of cases exist but nobody may use them: cases move by actions.
    specs += [
        s
        for s in crud(
            "CaseView",
            "/cases",
            "Case",
            "case:in_progress",
            edit=NOBODY,
            add=NOBODY,
            delete=NOBODY,
        )
        if s.endpoint not in ("CaseView.list", "CaseView.show")
    ]
    return specs


# --- cases, queues, spot checks --------------------------------------------------------------

ACT = ("can_act", "Case")
READ_CASE = ("can_read", "Case")
CASE_REFS = ("case:in_progress", "case:pending_dispatch")


def _due(days: int) -> str:
    return (clock_now().date() + timedelta(days=days)).isoformat()


def _dispatch(ref, ctx, user):
    return {"branch_id": ctx.refs["branch"]["hankou"].id}


def _assign(ref, ctx, user):
    return {"handler_id": ctx.users[f"handler_{ref.label}"].id}


# Every Action of app.domain.lifecycle: the case state it is tried on and the form it sends.
# ``False``: no user can do it through this route (registration and extension decisions have
# their own routes), so no positive control.
CASE_ACTIONS: dict[str, tuple[str, Callable, bool]] = {
    "resolve_on_spot": ("case:pending_dispatch", const(result="已答复。"), False),
    "dispatch": ("case:pending_dispatch", _dispatch, True),
    "return_case": ("case:pending_sign", const(reason="不属本单位辖区。"), True),
    "sign_for": ("case:pending_sign", const(), True),
    "assign": ("case:in_progress", _assign, True),
    "progress": ("case:in_progress", const(note="已联系客户。"), True),
    "reply": ("case:in_progress", const(result="已上门处理。"), True),
    "approve": ("case:pending_review", const(note="同意。"), True),
    "reject": ("case:pending_review", const(reason="请补充说明。"), True),
    "answer_government": ("case:pending_government_reply", const(note="已答复。"), True),
    "callback": ("case:pending_callback", const(result="satisfied", note="满意"), True),
    "remind": ("case:in_progress", const(note="请加快办理。"), True),
    "supervise": ("case:in_progress", const(note="督办通知。"), True),
    "request_extension": (
        "case:in_progress",
        lambda ref, ctx, user: {"requested_due": _due(60), "reason": "需现场勘察。"},
        True,
    ),
    "decide_extension": ("case:extension", const(decision="approve"), False),
    "void": ("case:in_progress", const(reason="重复登记。"), True),
}


def case_specs() -> list[Spec]:
    specs = [
        Spec(
            "CaseView.list",
            "/cases/list/?psize_CaseView=100",
            perm=READ_CASE,
            refs=(*CASE_REFS, "case:closed", "case:pending_sign"),
            together=True,
            shows=True,
        ),
        Spec("CaseView.show", "/cases/show/{id}", perm=READ_CASE, refs=CASE_REFS, shows=True),
        Spec(
            "CaseView.attachment",
            "/cases/attachment/{id}",
            perm=("can_download", "Case"),
            refs=("attachment",),
            shows=True,
        ),
        Spec(
            "CaseView.attach",
            "/cases/attach/{id}",
            "POST",
            perm=ACT,
            refs=("case:in_progress",),
            data=lambda ref, ctx, user: {
                "note": "现场照片",
                "file": (__import__("io").BytesIO(b"%PDF-1.4\n0000"), "现场.pdf"),
            },
            effect=True,
        ),
        Spec(
            "CaseView.reveal",
            "/cases/reveal/{id}",
            "POST",
            perm=READ_CASE,
            refs=("case:in_progress",),
            data=const(reason="回访需要核对电话。"),
            effect=True,
        ),
        Spec(
            "CaseView.decide",
            "/cases/extension/{id}",
            "POST",
            perm=ACT,
            refs=("extension",),
            data=const(decision="approve", note="同意延期。"),
            effect=True,
        ),
    ]
    for action, (kind, data, effect) in CASE_ACTIONS.items():
        specs.append(
            Spec(
                "CaseView.act",
                f"/cases/act/{{id}}/{action}",
                "POST",
                perm=ACT,
                refs=(kind,),
                data=data,
                effect=effect,
                variant=action,
            )
        )
    specs += [
        Spec("CaseRegistrationView.form", "/register/", perm=("can_write", "CaseRegistration")),
        Spec(
            "CaseRegistrationView.form",
            "/register/",
            "POST",
            perm=("can_write", "CaseRegistration"),
            data=registration,
            variant="save",
        ),
        Spec("CaseQueueView.overview", "/queues/", perm=("can_read", "CaseQueue")),
    ]
    return specs


def queue_specs(queue_names) -> list[Spec]:
    """Every queue of app.services.case_queries, and a name that is none of them."""
    return [
        Spec(
            "CaseQueueView.queue",
            f"/queues/{name}",
            perm=("can_read", "CaseQueue"),
            refs=("case:pending_sign", "case:in_progress", "case:pending_review"),
            together=True,
            absent_ok=True,  # item 13: a role sees only the queues it acts on
            variant=name,
        )
        for name in (*queue_names, "no_such_queue")
    ]


def spot_check_specs() -> list[Spec]:
    read, write = ("can_read", "SpotCheck"), ("can_write", "SpotCheck")
    return [
        Spec("SpotCheckView.overview", "/spotchecks/", perm=read),
        Spec("SpotCheckView.detail", "/spotchecks/{id}", perm=read, refs=("spot_check",)),
        Spec(
            "SpotCheckView.draw",
            "/spotchecks/draw",
            "POST",
            perm=write,
            refs=("spot_check",),
            data=lambda ref, ctx, user: {"start": _due(-1), "end": _due(1), "rate": "100"},
            count=_spot_checks,
            effect=True,
        ),
        Spec(
            "SpotCheckView.record",
            "/spotchecks/record/{id}",
            "POST",
            perm=write,
            refs=("spot_item",),
            data=const(result="satisfied", note="抽查满意"),
            effect=True,
        ),
    ]


# --- sign-in, own account, the start page, the REST API --------------------------------------


def account_specs() -> list[Spec]:
    profile, password = ("can_write", "MyProfile"), ("can_write", "MyPassword")
    reset = ("can_write", "UserPassword")
    return [
        Spec("HomeView.index", "/", public=True),
        Spec("LocaleView.index", "/lang/zh", public=True),
        Spec("UtilView.back", "/back", public=True),
        Spec("SuqiuAuthDBView.favicon", "/favicon.ico", public=True),
        Spec("SuqiuAuthDBView.login", "/login/", public=True),
        Spec("SuqiuAuthDBView.login", "/login/", "POST", public=True, data=sign_in, variant="post"),
        # Sign-out is a POST (GET asks to confirm) and ends every session of the user.
        Spec("SuqiuAuthDBView.logout", "/logout/", public=True),
        Spec("SuqiuAuthDBView.logout", "/logout/", "POST", public=True, variant="post"),
        Spec("SuqiuUserView.userinfo", "/users/userinfo/", perm=("can_userinfo", "User")),
        Spec("MyProfileView.this_form_get", "/myprofileview/form", perm=profile),
        Spec(
            "MyProfileView.this_form_post",
            "/myprofileview/form",
            "POST",
            perm=profile,
            data=const(first_name="改", last_name="名"),
        ),
        Spec("MyPasswordView.this_form_get", "/resetmypassword/form", perm=password),
        Spec(
            "MyPasswordView.this_form_post",
            "/resetmypassword/form",
            "POST",
            perm=password,
            data=new_password,
        ),
        Spec(
            "UserPasswordView.this_form_get",
            "/resetpassword/form?pk={id}",
            perm=reset,
            refs=("user",),
        ),
        Spec(
            "UserPasswordView.this_form_post",
            "/resetpassword/form?pk={id}",
            "POST",
            perm=reset,
            refs=("user",),
            data=new_password,
            effect=True,
        ),
    ]


def api_specs() -> list[Spec]:
    read, write = ("can_read", "Department"), ("can_write", "Department")
    branch = ("can_read", "Branch")
    return [
        Spec("SecurityApi.login", "/api/v1/security/login", "POST", data=api_sign_in, api=True),
        Spec("SecurityApi.refresh", "/api/v1/security/refresh", "POST", api=True, auth="refresh"),
        Spec("MenuApi.get_menu_data", "/api/v1/menu/", perm=("can_get", "MenuApi"), api=True),
        Spec(
            "DepartmentApi.get_list",
            "/api/v1/department/?q=(page_size:100)",
            perm=read,
            refs=("department",),
            together=True,
            shows=True,
            api=True,
        ),
        Spec(
            "DepartmentApi.get",
            "/api/v1/department/{id}",
            perm=read,
            refs=("department",),
            shows=True,
            api=True,
        ),
        Spec(
            "DepartmentApi.info",
            "/api/v1/department/_info",
            perm=read,
            refs=("branch",),
            together=True,
            api=True,
        ),
        Spec(
            "DepartmentApi.post",
            "/api/v1/department/",
            "POST",
            perm=write,
            refs=("branch",),
            data=lambda ref, ctx, user: {"name": f"接口科{ref.label}", "branch": ref.id},
            count=_count(Department, Department.branch_id),
            effect=True,
            api=True,
        ),
        Spec(
            "DepartmentApi.put",
            "/api/v1/department/{id}",
            "PUT",
            perm=write,
            refs=("department",),
            data=lambda ref, ctx, user: {"name": f"接口改{ref.label}"},
            effect=True,
            api=True,
        ),
        Spec(
            "DepartmentApi.delete",
            "/api/v1/department/{id}",
            "DELETE",
            perm=write,
            refs=("department",),
            effect=True,
            api=True,
        ),
        Spec(
            "BranchApi.get_list",
            "/api/v1/branch/?q=(page_size:100)",
            perm=branch,
            refs=("branch",),
            together=True,
            shows=True,
            api=True,
        ),
        Spec(
            "BranchApi.get",
            "/api/v1/branch/{id}",
            perm=branch,
            refs=("branch",),
            shows=True,
            api=True,
        ),
        Spec("BranchApi.info", "/api/v1/branch/_info", perm=branch, api=True),
    ]


# --- the violation register (Art.41) ----------------------------------------------------------


MATRIX_EVIDENCE = "矩阵违规证据"


def _violation_of(session, ref) -> ViolationEntry:
    """The entry of the unit of a ``branch`` record, made on first use with that record's id:
    the matrix's records predate the register, and this way the branch records name the entries,
    so whoever may see a unit may see its entry and nobody else (design §1). It points at a case
    of its unit. Explicit ids, like the archive's above: no row of this table is numbered by the
    database in a test that makes these."""
    entry = session.get(ViolationEntry, ref.id)
    if entry is not None and entry.evidence != MATRIX_EVIDENCE:
        # The demo's register (an approved complaint's entry) took the id: make way for the
        # matrix's entry in this copy of the database.
        session.execute(delete(ViolationEntryEvent).where(ViolationEntryEvent.entry_id == ref.id))
        session.delete(entry)
        session.commit()
        entry = None
    if entry is None:
        stamp = clock_now().replace(microsecond=0)
        case_id = session.scalar(
            select(Case.id).where(Case.branch_id == ref.branch_id).order_by(Case.id)
        )
        entry = ViolationEntry(
            id=ref.id,
            cause="art31",
            branch_id=ref.branch_id,
            case_id=case_id,
            status="proposed",
            deduction_bp=200,
            occurred_on=stamp.date(),
            evidence=MATRIX_EVIDENCE,
            created_at=stamp,
        )
        session.add(entry)
        session.add(
            ViolationEntryEvent(
                entry=entry, branch_id=ref.branch_id, action="recorded", at=stamp, note="矩阵"
            )
        )
        session.commit()
    return entry


def violation_entries(ref, ctx, user):
    """A GET sends no body: this makes each side's entry before the page is asked for."""
    for side in ctx.refs["branch"].values():
        _violation_of(ctx.session, side)


def _violation_state(session, ref):
    entry = _violation_of(session, ref)
    events = session.scalar(
        select(func.count())
        .select_from(ViolationEntryEvent)
        .where(ViolationEntryEvent.entry_id == entry.id)
    )
    return (entry.status, entry.version, entry.reason, events)


def violation_decision(ref, ctx, user):
    entry = _violation_of(ctx.session, ref)
    return {"decision": "confirm", "version": entry.version, "reason": "矩阵核实属实。"}


def violation_record(ref, ctx, user):
    return {
        "cause": "art37",
        "branch_id": ref.id,
        "occurred_on": clock_now().date().isoformat(),
        "evidence": "矩阵登记：业务变更未告知客服部。",
        "case_number": "",
    }


def violation_specs() -> list[Spec]:
    """违规记录: the register (a unit reads its own entries; CSD, leaders, the committee all),
    an entry's page, CSD's decision and manual entry; FAB's add, edit, delete and actions exist
    but nobody may use them. A year that is no year, or a version that is no number, must not
    give a 500."""
    read, write = ("can_read", "Violation"), (WRITE, "Violation")
    refs = ("branch",)
    specs = [
        s
        for s in crud(
            "ViolationEntryView",
            "/violations",
            "Violation",
            "branch",
            edit=NOBODY,
            add=NOBODY,
            delete=NOBODY,
        )
        if s.endpoint not in ("ViolationEntryView.list", "ViolationEntryView.show")
    ]
    listed = route(
        "ViolationEntryView.list",
        "/violations/list/",
        perm=read,
        refs=refs,
        **SHOWN_TOGETHER,
        data=violation_entries,
    )
    bad_year = "/violations/list/?_flt_0_occurred_on=x&_flt_0_status=proposed"
    specs += [listed(), listed(path=bad_year, variant="bad-year")]
    decide = route(
        "ViolationEntryView.decide",
        "/violations/decide/{id}",
        "POST",
        perm=write,
        refs=refs,
        count=_violation_state,
    )
    specs += [
        Spec(
            "ViolationEntryView.show",
            "/violations/show/{id}",
            perm=read,
            refs=refs,
            shows=True,
            data=violation_entries,
        ),
        decide(data=violation_decision, effect=True),
        decide(data=const(decision="waive", version="x", reason="矩阵"), variant="bad-version"),
    ]
    specs += form_and_save(
        "ViolationEntryView.record",
        "/violations/record",
        write,
        refs,
        violation_record,
        _in_branch(ViolationEntry),
    )
    return specs


def all_specs(queue_names) -> list[Spec]:
    # Each area's own module imports Spec from here: imported when this module is complete.
    from tests.route_specs_api_clients import api_client_specs
    from tests.route_specs_assessments import assessment_specs
    from tests.route_specs_bulletins import bulletin_specs
    from tests.route_specs_case_imports import case_import_specs
    from tests.route_specs_complaints import complaint_specs
    from tests.route_specs_dashboards import dashboard_specs
    from tests.route_specs_exports import exports_specs  # it imports Spec from here
    from tests.route_specs_major_matters import major_matter_specs
    from tests.route_specs_quarterly_reports import quarterly_report_specs
    from tests.route_specs_repeats import repeat_specs
    from tests.route_specs_staff import staff_specs

    return (
        crud_specs()
        + case_specs()
        + queue_specs(queue_names)
        + spot_check_specs()
        + violation_specs()
        + dashboard_specs()
        + account_specs()
        + api_specs()
        + major_matter_specs()
        + complaint_specs()
        + bulletin_specs()
        + staff_specs()
        + exports_specs()
        + assessment_specs()
        + quarterly_report_specs()
        + repeat_specs()
        + api_client_specs()
        + case_import_specs()
    )
