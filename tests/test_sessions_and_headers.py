"""Sessions that end together (issue 6 #18) and security headers and private files (issue 6 #19).

Signing out, a password change (own or by the administrator) and deactivation end every session
cookie and API token of the person, copies included; sign-out is a POST; changing one's own
password asks for the current one. Every response carries the security headers; the SQLite
database, its WAL files and uploads are readable by the service user only."""

from __future__ import annotations

import io
import re
import stat
from pathlib import Path

from sqlalchemy import select, text

from app.models import Attachment, SuqiuUser
from tests.case_helpers import act, branch_id, gen_case
from tests.conftest import TEST_PASSWORD, csrf_token, login
from tests.english import english_words

NEW_PASSWORD = "Neu#Passwort2027"
PRIVATE_PAGE = "/users/userinfo/"  # any page that needs a signed-in user


def signed_in(client) -> bool:
    return client.get(PRIVATE_PAGE).status_code == 200


def copy_of(app, client):
    """A second browser holding a copy of ``client``'s session cookie (a stolen cookie)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def sign_out(client):
    token = csrf_token(client, PRIVATE_PAGE)
    return client.post("/logout/", data={"csrf_token": token})


def api_tokens(client, username: str) -> dict:
    response = client.post(
        "/api/v1/security/login",
        json={"username": username, "password": TEST_PASSWORD, "provider": "db", "refresh": True},
    )
    assert response.status_code == 200
    return response.get_json()


def refresh(client, tokens):
    return client.post(
        "/api/v1/security/refresh",
        headers={"Authorization": f"Bearer {tokens['refresh_token']}"},
    )


def api_get(client, tokens):
    return client.get(
        "/api/v1/department/", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )


# -- Issue 6 #18: sign-out, password change and deactivation end every session -----------------


def test_a_cookie_copied_before_sign_out_is_refused_afterwards(app, login_as):
    """Observed: a copied session cookie still worked after sign-out and kept sliding."""
    client = login_as("liaison_hankou")
    stolen = copy_of(app, client)
    assert signed_in(stolen)
    response = sign_out(client)
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    assert not signed_in(client)
    response = stolen.get(PRIVATE_PAGE)
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    # The refused cookie is not renewed: whatever the browser keeps names no user any more.
    left = stolen.get_cookie("session")
    if left is not None:
        assert "_user_id" not in app.session_interface.get_signing_serializer(app).loads(left.value)
    login(app.test_client(), "liaison_hankou")  # signing in again works


def test_sign_out_ends_the_sessions_on_every_device(app, login_as):
    office, home = login_as("csd"), login_as("csd")
    sign_out(office)
    assert not signed_in(home)


def test_get_logout_does_not_sign_out(app, login_as):
    """A link, a prefetch or an <img src="/logout/"> must not end anyone's session: GET only
    shows a Chinese confirmation with the POST form."""
    client = login_as("agent")
    response = client.get("/logout/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="logout-confirm"' in body and 'method="post"' in body and "退出登录" in body
    assert not english_words(body)
    assert signed_in(client)


def test_sign_out_needs_the_csrf_token(app, login_as):
    client = login_as("agent")
    assert client.post("/logout/").status_code == 400
    assert signed_in(client)


def test_the_navbar_signs_out_with_a_post_form(app, login_as):
    body = login_as("agent").get("/").get_data(as_text=True)
    form = re.search(
        r'<form id="logout-form" method="post" action="/logout/".*?</form>', body, re.S
    )
    assert form and 'name="csrf_token"' in form.group(0)
    assert 'href="/logout/"' not in body


def test_changing_my_password_ends_my_other_sessions_and_keeps_this_one(app, login_as):
    client = login_as("liaison_hankou")
    stolen = copy_of(app, client)
    token = csrf_token(client, "/resetmypassword/form")
    response = client.post(
        "/resetmypassword/form",
        data={
            "csrf_token": token,
            "current_password": TEST_PASSWORD,
            "password": NEW_PASSWORD,
            "conf_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert signed_in(client)
    assert not signed_in(stolen)
    login(app.test_client(), "liaison_hankou", NEW_PASSWORD)


def test_changing_my_password_refuses_a_wrong_current_password(app, login_as):
    client = login_as("liaison_hankou")
    token = csrf_token(client, "/resetmypassword/form")
    form = client.get("/resetmypassword/form").get_data(as_text=True)
    assert 'name="current_password"' in form and "当前密码" in form
    response = client.post(
        "/resetmypassword/form",
        data={
            "csrf_token": token,
            "current_password": "Guessed#Wrong2026",
            "password": NEW_PASSWORD,
            "conf_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "当前密码不正确" in response.get_data(as_text=True)
    assert signed_in(client)
    login(app.test_client(), "liaison_hankou", TEST_PASSWORD)  # unchanged


def test_a_password_reset_by_the_administrator_ends_the_users_sessions(app, db_session, login_as):
    victim = login_as("handler_hankou")
    user_id = db_session.scalar(select(SuqiuUser.id).where(SuqiuUser.username == "handler_hankou"))
    admin = login_as("admin")
    url = f"/resetpassword/form?pk={user_id}"
    response = admin.post(
        url,
        data={
            "csrf_token": csrf_token(admin, url),
            "password": NEW_PASSWORD,
            "conf_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert not signed_in(victim)
    assert signed_in(admin)  # the administrator's own session is not touched


def test_deactivation_ends_the_sessions_for_good(app, db_session, login_as):
    """Deactivated and reactivated later: the sessions from before stay ended."""
    client = login_as("head_hankou")
    user = db_session.scalar(select(SuqiuUser).where(SuqiuUser.username == "head_hankou"))
    user.active = False
    db_session.commit()
    assert not signed_in(copy_of(app, client))
    user.active = True
    db_session.commit()
    assert not signed_in(client)


def test_deactivation_by_the_administrator_on_the_user_form_ends_the_sessions(
    app, db_session, login_as
):
    client = login_as("handler_hankou")
    user = db_session.scalar(select(SuqiuUser).where(SuqiuUser.username == "handler_hankou"))
    admin = login_as("admin")
    url = f"/users/edit/{user.id}"
    fields = {
        "username": user.username,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "email": user.email,
        "branch": str(user.branch_id),
        "department": str(user.department_id or ""),
        "roles": [str(role.id) for role in user.roles],
    }
    for active in ({}, {"active": "y"}):  # deactivated, then taken back
        response = admin.post(url, data={**fields, **active, "csrf_token": csrf_token(admin, url)})
        assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(SuqiuUser, user.id).active
    assert not signed_in(client)


def test_a_refresh_token_minted_before_sign_out_is_refused(app, login_as):
    api = app.test_client()
    tokens = api_tokens(api, "csd")
    assert refresh(api, tokens).status_code == 200
    assert api_get(api, tokens).status_code == 200
    sign_out(login_as("csd"))
    for response in (refresh(api, tokens), api_get(api, tokens)):
        assert response.status_code == 401
        assert response.get_json()["message"] == "登录已失效，请重新登录。"
    assert refresh(api, api_tokens(api, "csd")).status_code == 200  # a new sign-in works


def test_a_refresh_token_minted_before_a_password_change_is_refused(app, db_session):
    api = app.test_client()
    tokens = api_tokens(api, "admin")
    with app.test_request_context():
        sm = app.appbuilder.sm
        sm.reset_password(sm.find_user(username="admin").id, NEW_PASSWORD)
    assert refresh(api, tokens).status_code == 401
    assert api_get(api, tokens).status_code == 401


# -- Issue 6 #19: security headers ---------------------------------------------------------------


def assert_security_headers(response):
    headers = response.headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin"}
    policy = dict(
        (part.strip().split(" ", 1) + [""])[:2]
        for part in headers["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["img-src"] == "'self' data:"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    for directive, sources in policy.items():
        assert not re.search(r"https?:|\*|//", sources), (directive, sources)
    return policy


def test_a_signed_in_page_carries_the_security_headers_and_is_not_cached(app, login_as):
    response = login_as("liaison_hankou").get("/departmentview/list/")
    assert response.status_code == 200
    policy = assert_security_headers(response)
    assert "no-store" in response.headers["Cache-Control"]
    # Every inline script FAB writes carries this response's nonce, so it still runs.
    nonce = re.search(r"'nonce-([^']+)'", policy["script-src"]).group(1)
    scripts = re.findall(r"<script([^>]*)>", response.get_data(as_text=True))
    assert scripts and all(f'nonce="{nonce}"' in attributes for attributes in scripts)


def test_the_login_page_error_pages_and_the_api_carry_them_too(app, login_as):
    client = app.test_client()
    assert_security_headers(client.get("/login/"))
    missing = login_as("agent").get("/no-such-page")
    assert missing.status_code == 404
    assert_security_headers(missing)
    api = client.post(
        "/api/v1/security/login",
        json={"username": "csd", "password": TEST_PASSWORD, "provider": "db"},
    )
    assert api.status_code == 200
    assert_security_headers(api)
    assert "no-store" in api.headers["Cache-Control"]


def test_static_files_may_be_cached(app):
    response = app.test_client().get("/static/appbuilder/css/ab.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_hsts_only_when_cookies_are_secure(app, extra_app):
    assert "Strict-Transport-Security" not in app.test_client().get("/login/").headers
    secure = extra_app(SESSION_COOKIE_SECURE=True)
    response = secure.test_client().get("/login/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


# -- Issue 6 #19: files readable by the service user only -----------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_fresh_sqlite_database_and_its_wal_files_are_private(tmp_path):
    from app import create_app
    from app.extensions import db
    from tests.conftest import TEST_CONFIG

    instance = tmp_path / "new-instance"
    database = instance / "suqiu.db"
    app = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "SUQIU_INSTANCE_PATH": str(instance),
        }
    )
    try:
        with app.app_context():
            db.session.execute(text("CREATE TABLE probe (x INTEGER)"))
            db.session.execute(text("INSERT INTO probe VALUES (1)"))
            db.session.commit()
            assert mode(instance) == 0o700
            for name in ("suqiu.db", "suqiu.db-wal", "suqiu.db-shm"):
                assert (instance / name).exists(), name
                assert mode(instance / name) == 0o600, name
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_an_existing_database_file_is_made_private_on_connect(tmp_path):
    import sqlite3

    from app import create_app
    from app.extensions import db
    from tests.conftest import TEST_CONFIG

    database = tmp_path / "old.db"
    sqlite3.connect(database).close()
    database.chmod(0o644)  # as an earlier version left it
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    try:
        with app.app_context():
            db.session.execute(text("SELECT 1"))
            assert mode(database) == 0o600
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_an_uploaded_file_is_private(app, db_session, login_as):
    case = gen_case(db_session)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    client = login_as("liaison_hankou")
    token = csrf_token(client, f"/cases/show/{case.id}")
    client.post(
        f"/cases/attach/{case.id}",
        data={"csrf_token": token, "file": (io.BytesIO(b"%PDF-1.4\n" + b"0" * 100), "证据.pdf")},
        content_type="multipart/form-data",
    )
    stored = db_session.scalar(select(Attachment.stored_name).where(Attachment.case_id == case.id))
    assert stored, "the upload was refused"
    path = Path(app.config["UPLOAD_FOLDER"]) / stored
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
