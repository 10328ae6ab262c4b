"""The role × route × branch matrix over the whole URL map (design §1 and §5, fab-pitfalls "Row-
level security"): every endpoint, called as each demo user with a record of 汉口 and one of 武昌,
never answers 5xx, never shows or changes a record the user may not see, and refuses a user whose
role lacks the permission with 403 (a redirect to the sign-in page for visitors). The table of
how to call each route is tests/route_specs.py; a route missing from it fails the first test.

Speed: the records (tests/scoping_data.build_matrix) and every user's signed-in session and API
tokens are made once per run and kept in a template database; each test gets a copy of it."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import func, select

from app.domain.lifecycle import Action
from app.domain.roles import grants_for
from app.models import (
    Attachment,
    Branch,
    BranchContact,
    BranchContactChange,
    Bulletin,
    BusinessCategory,
    CalendarDay,
    CalendarYear,
    Case,
    CaseEvent,
    CaseKind,
    Channel,
    ChannelCategory,
    ComposedRole,
    ContentClass,
    Department,
    ExtensionRequest,
    MeetingMeasure,
    Notification,
    QuarterlyReport,
    ServiceMeeting,
    SpotCheck,
    SpotCheckItem,
    SuqiuUser,
    TimeLimitRule,
    Vendor,
)
from app.services.case_queries import QUEUE_NAMES
from tests import scoping_data
from tests.conftest import TEST_PASSWORD, _dispose, _pg_execute, csrf_token, login
from tests.route_specs import CASE_ACTIONS, NOBODY, Spec, all_specs

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

USERS = [
    "admin",
    "csd",
    "csd_head",
    "agent",
    "liaison_hankou",
    "handler_hankou",
    "head_hankou",
    "liaison_wuchang",
    "leader",
    "committee",
    "risk",
    "press",
    "auditor_hankou",  # a composed role: read-only auditor of 汉口, working in 武昌
]
VISITOR = "(visitor)"
SKIPPED_ENDPOINTS = {"static", "appbuilder.static"}
SPECS = all_specs(QUEUE_NAMES)
# Findings that items owned by others in issue 6 are fixing: strict, so the fix removes them.
XFAIL: dict[str, str] = {}

MODELS = {
    "branch": Branch,
    "subunit": Branch,
    "department": Department,
    "vendor": Vendor,
    "contact": BranchContact,
    "contact_change": BranchContactChange,
    "user": SuqiuUser,
    "notification": Notification,
    "attachment": Attachment,
    "extension": ExtensionRequest,
    "spot_check": SpotCheck,
    "spot_item": SpotCheckItem,
    "role": Role,
    "composed_role": ComposedRole,
    "channel_category": ChannelCategory,
    "channel": Channel,
    "content_class": ContentClass,
    "case_kind": CaseKind,
    "business_category": BusinessCategory,
    "bulletin": Bulletin,
    "bulletin_returned": Bulletin,
    "calendar_day": CalendarDay,
    "calendar_year": CalendarYear,
    "time_limit_rule": TimeLimitRule,
    "quarterly_report": QuarterlyReport,
    "quarterly_report_draft": QuarterlyReport,
    "qr_meeting": ServiceMeeting,
    "qr_measure": MeetingMeasure,
}
UNIT_KINDS = {"branch", "subunit", "department", "vendor", "contact", "contact_change", "user"}
UNIT_KINDS |= {"bulletin", "bulletin_returned"}  # a unit's own notices (Art.37/38)
UNIT_KINDS |= {"qr_answer", "qr_measure"}  # a unit's own answers and measures (Art.39/40)


# --- one template database with the records and the signed-in sessions ------------------------


@dataclass
class MatrixEnv:
    kind: str
    source: object
    matrix: scoping_data.Matrix
    cookies: dict[str, str]
    csrf: dict[str, str]
    tokens: dict[str, tuple[str, str]]
    existing: set[tuple[str, str]]  # every (permission, view) pair: the administrator's
    pristine_secrets: dict = field(default_factory=dict)  # Runner.secrets of the template


def _copy_database(kind: str, source, url: str, pg_clones) -> None:
    if kind == "sqlite":
        target = Path(url[len("sqlite:///") :])
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source, target)
    else:
        pg_clones.fresh(source)


def _sign_in(app, username: str | None) -> tuple[str, str]:
    """A session cookie and its CSRF token; the database state a sign-in leaves (last login,
    session epoch) is kept in the template, so the cookie stays valid in every copy."""
    client = app.test_client()
    if username is None:
        token = csrf_token(client, "/login/")
    else:
        login(client, username)
        token = next(
            token
            for token in (_token_on(client, url) for url in ("/", "/myprofileview/form"))
            if token
        )
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    return cookie.value, token


def _token_on(client, url: str) -> str | None:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return match.group(1) if match else None


def _api_tokens(app, username: str) -> tuple[str, str]:
    response = app.test_client().post(
        "/api/v1/security/login",
        json={"username": username, "password": TEST_PASSWORD, "provider": "db", "refresh": True},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["access_token"], response.json["refresh_token"]


@pytest.fixture(scope="session")
def matrix_env(template_database, _apps, _pg_clones, tmp_path_factory):
    from app.extensions import db

    kind, source = template_database
    url, application, inspector = _apps
    _dispose(application, inspector)
    _copy_database(kind, source, url, _pg_clones)
    with inspector.test_request_context():
        matrix = scoping_data.build_matrix(
            db.session, inspector.appbuilder.sm, application.config["UPLOAD_FOLDER"]
        )
        existing = {
            (pv.permission.name, pv.view_menu.name)
            for pv in db.session.query(inspector.appbuilder.sm.permissionview_model)
        }
        db.session.remove()
    cookies, csrf, tokens = {}, {}, {}
    for username in [*USERS, None]:
        cookie, token = _sign_in(application, username)
        cookies[username or VISITOR], csrf[username or VISITOR] = cookie, token
        if username:
            tokens[username] = _api_tokens(application, username)
    _dispose(application, inspector)
    if kind == "sqlite":
        saved = tmp_path_factory.mktemp("route-matrix") / "matrix.db"
        shutil.copyfile(url[len("sqlite:///") :], saved)
    else:
        saved = f"{url.rsplit('/', 1)[1]}_matrix"
        _pg_execute(f'DROP DATABASE IF EXISTS "{saved}"')
        _pg_execute(f'CREATE DATABASE "{saved}" TEMPLATE "{url.rsplit("/", 1)[1]}"')
    yield MatrixEnv(kind, saved, matrix, cookies, csrf, tokens, existing)
    if kind != "sqlite":
        _pg_clones.idle()
        _pg_execute(f'DROP DATABASE IF EXISTS "{saved}" WITH (FORCE)')


@pytest.fixture
def database_url(matrix_env, _apps, _pg_clones):
    """This module's tests start from the matrix template instead of the plain one."""
    url, application, inspector = _apps
    _dispose(application, inspector)
    _copy_database(matrix_env.kind, matrix_env.source, url, _pg_clones)
    yield url
    _dispose(application, inspector)


# --- the oracle: who may call a route, who may see a record -----------------------------------


class Ctx:
    """What the form builders of route_specs get: the records, the users, the test session."""

    def __init__(self, env: MatrixEnv, session):
        self.refs = env.matrix.refs
        self.users = env.matrix.users
        self.session = session


# The oracle's own reading of design §1 for 传讯组 and 风险管理部: capability -> case flags.
FLAG_READS = {
    "read.media_cases": ("media_involved",),
    "read.loss_cases": ("casualties", "property_loss"),
}
CASE_FLAG_COLUMNS = ("media_involved", "casualties", "property_loss")
_FLAGS = tuple(getattr(Case, column) for column in CASE_FLAG_COLUMNS)


class Runner:
    def __init__(self, app, session, env: MatrixEnv):
        self.app, self.session, self.env = app, session, env
        self.ctx = Ctx(env, session)
        self.clients: dict[str, object] = {}
        # While nothing has changed, the secrets are those of the template: computed once.
        self.secret_cache: dict[str, dict[str, str]] = env.pristine_secrets
        self.paths = dict(session.execute(select(Branch.id, Branch.path)).all())
        self.failures: list[str] = []

    # who -------------------------------------------------------------------------------------
    def permitted(self, user: str, spec: Spec) -> bool:
        if user == VISITOR:
            return spec.public
        if spec.perm is None:
            return True
        if spec.perm == NOBODY:
            return False
        for role in self.env.matrix.users[user].profiles:
            if role.is_admin and spec.perm in self.env.existing:
                return True
            if spec.perm in grants_for(role):
                return True
        return False

    def covers(self, user: str, branch_id: int | None) -> bool:
        if user == VISITOR:
            return False
        who = self.env.matrix.users[user]
        if who.all_branches:
            return True
        path = self.paths.get(branch_id)
        return bool(path) and any(path.startswith(root) for root in who.paths)

    def sees_case(self, user: str, branch_id, first_contact_id, *flags) -> bool:
        """Design §1: the unit's cases, the cases the user received first (Art.18), and for
        党委工作部传讯组 / 风险管理部 the media / casualty and property-loss cases of every unit
        (Art.29/34); ``flags``: the case's (media_involved, casualties, property_loss)."""
        if user == VISITOR:
            return False
        if self.covers(user, branch_id) or first_contact_id == self.env.matrix.users[user].id:
            return True
        held = dict(zip(CASE_FLAG_COLUMNS, flags, strict=False))
        capabilities = {c for p in self.env.matrix.users[user].profiles for c in p.capabilities}
        return any(held.get(column) for code in capabilities for column in FLAG_READS.get(code, ()))

    def sees(self, user: str, ref) -> bool:
        """Design §1: a unit's records for its unit and the units above it (company-wide roles:
        all); a case also for its first contact (Art.18); a notification for its recipient."""
        if user == VISITOR:
            return False
        if ref is None:
            return True
        if ref.kind in UNIT_KINDS:
            return self.covers(user, ref.branch_id)
        if ref.case_id is not None:
            row = self.session.execute(
                select(Case.branch_id, Case.first_contact_id, *_FLAGS).where(Case.id == ref.case_id)
            ).one()
            return self.sees_case(user, *row)
        if ref.kind == "notification":
            return ref.owner_id == self.env.matrix.users[user].id
        if ref.kind == "spot_check":  # a sample of every unit's cases: CSD's page
            return self.env.matrix.users[user].all_branches
        return True  # master data every unit shares

    # what must never be on a page ------------------------------------------------------------
    def secrets(self, user: str) -> dict[str, str]:
        """Text identifying records the user may not see: case numbers (except those of the
        user's own notifications, history they keep), attachment names, extension reasons,
        the matrix's unit records and other people's notifications."""
        if user in self.secret_cache:
            return self.secret_cache[user]
        uid = None if user == VISITOR else self.env.matrix.users[user].id
        own = " ".join(
            f"{title} {body or ''}"
            for title, body in self.session.execute(
                select(Notification.title, Notification.body).where(
                    Notification.recipient_id == uid
                )
            )
        )
        found = {}
        cases = self.session.execute(
            select(Case.id, Case.number, Case.branch_id, Case.first_contact_id, *_FLAGS)
        )
        hidden = set()
        for case_id, number, branch_id, first_contact, *flags in cases:
            if not self.sees_case(user, branch_id, first_contact, *flags):
                hidden.add(case_id)
                if number not in own:
                    found[number] = f"case {number}"
        for name, case_id in self.session.execute(
            select(Attachment.original_name, Attachment.case_id)
        ):
            if case_id in hidden:
                found[name] = f"attachment {name} of case #{case_id}"
        for reason, case_id in self.session.execute(
            select(ExtensionRequest.reason, ExtensionRequest.case_id)
        ):
            if case_id in hidden:
                found[reason] = f"extension request of case #{case_id}"
        kinds = ["notification"]
        # Whoever dispatches (CSD, an agent) chooses among every unit's departments: unit
        # records are secrets for the units' own people and visitors only.
        who = self.env.matrix.users.get(user)
        if who is None or (who.paths and not who.all_branches):
            kinds += ["department", "vendor", "contact"]
        for kind in kinds:
            for ref in self.env.matrix.refs[kind].values():
                if not self.sees(user, ref):
                    found[ref.text] = f"{kind} {ref.label} #{ref.id}"
        self.secret_cache[user] = found
        return found

    # how -------------------------------------------------------------------------------------
    def client(self, user: str):
        if user not in self.clients:
            client = self.app.test_client()
            client.set_cookie(
                self.app.config.get("SESSION_COOKIE_NAME", "session"), self.env.cookies[user]
            )
            self.clients[user] = client
        return self.clients[user]

    def call(self, spec: Spec, user: str, ref):
        url = spec.path.format(id=ref.id) if ref is not None else spec.path
        body = spec.data(ref, self.ctx, None if user == VISITOR else user) if spec.data else None
        kwargs: dict = {}
        if spec.api:
            client = self.app.test_client()
            if user != VISITOR:
                token = self.env.tokens[user][0 if spec.auth == "access" else 1]
                kwargs["headers"] = {"Authorization": f"Bearer {token}"}
            if body is not None:
                kwargs["json"] = body
        else:
            client = self.client(user)
            if spec.method != "GET":
                kwargs["data"] = {**(body or {}), "csrf_token": self.env.csrf[user]}
        return client.open(url, method=spec.method, **kwargs)

    def snapshot(self, spec: Spec, ref):
        self.session.expire_all()
        if spec.count is not None:
            return spec.count(self.session, ref)
        if ref is None:
            return None
        row = self.session.get(MODELS.get(ref.kind, Case), ref.id)
        state = None if row is None else _columns(row)
        if ref.case_id is None:
            return state
        case = self.session.get(Case, ref.case_id)
        return (
            state,
            _columns(case),
            _count(self.session, CaseEvent, CaseEvent.case_id, case.id),
            _count(self.session, Attachment, Attachment.case_id, case.id),
            sorted(
                self.session.execute(
                    select(ExtensionRequest.id, ExtensionRequest.status).where(
                        ExtensionRequest.case_id == case.id
                    )
                ).all()
            ),
        )

    # the checks ------------------------------------------------------------------------------
    def fail(self, spec: Spec, user: str, ref, response, problem: str) -> None:
        self.failures.append(
            f"{spec.method} {spec.path} as {user}{_where(ref)}: {problem} "
            f"(HTTP {response.status_code})"
        )

    def run(self, spec: Spec) -> list[str]:
        refs = [
            ref for kind in spec.refs for _, ref in sorted(self.env.matrix.refs[kind].items())
        ] or [None]
        groups = [refs] if spec.together else [[ref] for ref in refs]
        users = [*USERS, VISITOR]
        for index, group in enumerate(groups):
            ref = group[0]
            order = sorted(users, key=lambda u: self.permitted(u, spec) and self.sees(u, ref))
            acted = changed = False
            for user in order:
                allowed = self.permitted(user, spec)
                if not allowed and index:  # refused before the record is read: once is enough
                    continue
                visible = [r for r in group if r is None or self.sees(user, r)]
                writes = spec.method != "GET" or spec.safe
                before = self.snapshot(spec, ref) if writes else None
                try:
                    response = self.call(spec, user, ref)
                except Exception as exc:  # noqa: BLE001 — TESTING propagates a 500's exception
                    self.session.rollback()
                    self.failures.append(
                        f"{spec.method} {spec.path} as {user}{_where(ref)}: server error {exc!r}"
                    )
                    continue
                after = self.snapshot(spec, ref) if writes else None
                if spec.method != "GET" and (before != after or before is None):
                    self.secret_cache = {}
                self.check(spec, user, group, visible, allowed, response, before, after)
                if allowed and ref in visible and before is not None:
                    acted = True
                    changed |= before != after
            if spec.effect and acted and not changed and not spec.together:
                self.failures.append(
                    f"{spec.method} {spec.path} on {ref.kind} {ref.label}: positive control — "
                    "no permitted user who sees the record changed it, so the refusals prove "
                    "nothing: fix the form data in tests/route_specs.py"
                )
        return self.failures

    def check(self, spec, user, group, visible, allowed, response, before, after) -> None:
        status = response.status_code
        text = _text(response)
        ref = group[0]
        if status >= 500:
            self.fail(spec, user, ref, response, "server error")
        for secret, what in self.secrets(user).items():
            if secret in text:
                self.fail(spec, user, ref, response, f"shows {what}, which the user may not see")
        location = response.headers.get("Location", "")
        redirect = 300 <= status < 400
        if not allowed:
            refused = status == 403 or (redirect and ("/login" in location or spec.loose))
            if spec.api:
                refused = status in (401, 403)
            if not refused and status < 500:
                self.fail(spec, user, ref, response, "not refused to a role without the permission")
        elif ref is not None and not spec.together and ref not in visible:
            if spec.api:
                ok = status in (403, 404)
            elif spec.method == "GET":
                ok = status in (403, 404) or (spec.loose and redirect)
            else:  # an add comes back as the form with the refusal
                ok = status in (403, 404) or redirect or (status == 200 and spec.count is not None)
            if not ok and status < 500:
                self.fail(spec, user, ref, response, "another unit's record is not refused")
        elif status < 500:
            gone = (
                spec.count is None and ref is not None and before is None and spec.method != "GET"
            )
            if status in (401, 403, 404, 405) and not gone and not spec.absent_ok:
                self.fail(spec, user, ref, response, "refused to a user who may do it")
            if spec.shows and status != 200:
                self.fail(spec, user, ref, response, "the page of a visible record is not shown")
        for item in group:
            if item is None or item.text is None:
                continue
            marker = _marker(item)
            if item not in visible and marker in text:
                self.fail(spec, user, item, response, f"shows “{marker}” of a record out of scope")
            if allowed and spec.shows and item in visible and status == 200 and marker not in text:
                self.fail(spec, user, item, response, f"“{marker}” missing for a permitted user")
        if (not allowed or ref not in visible or spec.safe) and before != after:
            self.fail(spec, user, ref, response, "changed a record the user may not change")


def _where(ref) -> str:
    return f" on {ref.kind} {ref.label} #{ref.id}" if ref is not None else ""


def _marker(ref) -> str:
    if ref.kind == "attachment":
        return f"MATRIX-FILE-{ref.label.upper()}"
    return ref.text


def _columns(row) -> dict | None:
    if row is None:
        return None
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}


def _count(session, model, column, value) -> int:
    return session.scalar(select(func.count()).select_from(model).where(column == value))


def _text(response) -> str:
    if response.is_json:
        return json.dumps(response.get_json(silent=True), ensure_ascii=False)
    if response.mimetype == XLSX:  # an export: the text of its parts, as a page's
        with zipfile.ZipFile(io.BytesIO(response.get_data())) as parts:
            return "".join(parts.read(name).decode("utf-8") for name in parts.namelist())
    return response.get_data().decode("utf-8", "replace")


# --- the tests --------------------------------------------------------------------------------


def test_every_route_of_the_url_map_is_in_the_table(app):
    """A new route fails here until tests/route_specs.py says how to call it."""
    rules = {r.endpoint: r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED_ENDPOINTS}
    covered = {spec.endpoint for spec in SPECS}
    missing = sorted(set(rules) - covered)
    assert not missing, (
        f"routes without a spec: {missing}. Add a Spec to tests/route_specs.py for each (method, "
        "path, permission, records it is called with, form data) so the route × role × branch "
        "matrix covers it."
    )
    stale = sorted(covered - set(rules))
    assert not stale, f"tests/route_specs.py names endpoints that no longer exist: {stale}"
    adapter = app.url_map.bind("localhost")
    wrong = []
    for spec in SPECS:
        path = spec.path.format(id=1).split("?")[0]
        try:
            endpoint, _ = adapter.match(path, method=spec.method)
        except Exception as exc:  # noqa: BLE001 — report every mismatch at once
            wrong.append(f"{spec.id}: {spec.method} {path} → {exc!r}")
            continue
        if endpoint != spec.endpoint:
            wrong.append(f"{spec.id}: {spec.method} {path} is {endpoint}")
    assert not wrong, "specs whose path or method no longer match their route:\n" + "\n".join(wrong)


def test_every_case_action_and_queue_is_in_the_table():
    assert set(CASE_ACTIONS) == {a.value for a in Action}, (
        "tests/route_specs.CASE_ACTIONS must name every Action of app.domain.lifecycle "
        "(the case state to try it on and its form)"
    )
    variants = {s.variant for s in SPECS if s.endpoint == "CaseQueueView.queue"}
    assert set(QUEUE_NAMES) <= variants


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=XFAIL[s.id]))
        if s.id in XFAIL
        else s
        for s in SPECS
    ],
    ids=[s.id for s in SPECS],
)
def test_route_as_every_role_on_each_branch(app, db_session, matrix_env, spec):
    failures = Runner(app, db_session, matrix_env).run(spec)
    assert not failures, f"{len(failures)} problem(s):\n" + "\n".join(failures)
