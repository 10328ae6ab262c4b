"""Security baseline (design §5, fab-pitfalls "Security defaults"): CSRF on every state change,
deletes included; no state change on GET; login rate limits on the web form and the API;
password policy everywhere; secure cookies; an upload size limit; a required secret key."""

from __future__ import annotations

import pytest
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from sqlalchemy import func, select

from app import MissingSecretKeyError, create_app
from app.models import Department, Vendor
from app.services.errors import InvalidRecordError
from app.services.users import create_user
from tests.conftest import TEST_PASSWORD, csrf_token, login
from tests.english import english_words


def _first_vendor_and_department(db_session):
    department = db_session.scalar(
        select(Department)
        .where(~Department.id.in_(select(Vendor.department_id)))
        .order_by(Department.id)
    )
    return department


def test_delete_without_csrf_token_is_refused_and_deletes_nothing(app, db_session, login_as):
    client = login_as("admin")
    department = _first_vendor_and_department(db_session)
    response = client.post(f"/departmentview/delete/{department.id}")
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    assert db_session.get(Department, department.id) is not None


def test_delete_by_get_is_refused(app, db_session, login_as):
    client = login_as("admin")
    department = _first_vendor_and_department(db_session)
    client.get(f"/departmentview/delete/{department.id}")
    db_session.expire_all()
    assert db_session.get(Department, department.id) is not None


def test_add_without_csrf_token_is_refused(app, db_session, login_as):
    client = login_as("admin")
    before = db_session.scalar(select(func.count()).select_from(Department))
    response = client.post("/departmentview/add", data={"name": "无令牌", "branch": "1"})
    assert response.status_code == 400
    assert db_session.scalar(select(func.count()).select_from(Department)) == before


def test_state_changing_routes_do_not_accept_plain_get(app):
    """Our own routes that change state are POST-only; FAB's GET delete/action refuse (above)."""
    for rule in app.url_map.iter_rules():
        if any(word in rule.endpoint for word in ("action_post", "this_form_post")):
            assert "GET" not in rule.methods, rule


@pytest.fixture
def limited_app(extra_app):
    return extra_app(
        RATELIMIT_ENABLED=True, AUTH_RATE_LIMIT="5 per minute", RATELIMIT_STORAGE_URI="memory://"
    )


def _web_sign_in(client, username, password, **request) -> int:
    token = csrf_token(client, "/login/")
    return client.post(
        "/login/",
        data={"username": username, "password": password, "csrf_token": token},
        **request,
    ).status_code


def _api_sign_in(client, username, password, **request) -> int:
    return client.post(
        "/api/v1/security/login",
        json={"username": username, "password": password, "provider": "db"},
        **request,
    ).status_code


def test_web_login_is_rate_limited(limited_app):
    client = limited_app.test_client()
    statuses = []
    for _ in range(7):
        token = csrf_token(client, "/login/")
        statuses.append(
            client.post(
                "/login/", data={"username": "admin", "password": "wrong", "csrf_token": token}
            ).status_code
        )
    assert statuses[:5] == [302] * 5
    assert statuses[-1] == 429


def test_api_login_is_rate_limited_too(limited_app):
    client = limited_app.test_client()
    statuses = [
        client.post(
            "/api/v1/security/login",
            json={"username": "admin", "password": "wrong", "provider": "db"},
        ).status_code
        for _ in range(7)
    ]
    assert statuses[:5] == [401] * 5
    assert statuses[-1] == 429
    assert (
        "尝试次数过多"
        in client.post(
            "/api/v1/security/login", json={"username": "admin", "password": "x", "provider": "db"}
        ).get_json()["message"]
    )


def test_correct_sign_ins_from_one_address_are_never_limited(limited_app):
    """Issue 6 #17: an office behind one NAT address signs in all morning. Observed: the 6th
    correct sign-in within a minute got 429."""
    web = [
        _web_sign_in(limited_app.test_client(), "liaison_hankou", TEST_PASSWORD) for _ in range(10)
    ]
    api = [_api_sign_in(limited_app.test_client(), "csd", TEST_PASSWORD) for _ in range(10)]
    assert web == [302] * 10
    assert api == [200] * 10


def test_failed_sign_ins_lock_the_account_not_the_office(limited_app):
    """Six wrong passwords for one account: the sixth attempt is refused, even with the right
    password, in Chinese; a colleague at the same address still signs in."""
    client = limited_app.test_client()
    statuses = [_web_sign_in(client, "admin", "wrong") for _ in range(5)]
    assert statuses == [302] * 5
    response = client.post(
        "/login/",
        data={
            "username": "ADMIN ",  # the same account, however it is typed
            "password": TEST_PASSWORD,
            "csrf_token": csrf_token(client, "/login/"),
        },
    )
    assert response.status_code == 429
    assert "尝试次数过多" in response.get_data(as_text=True)
    assert not english_words(response.get_data(as_text=True))
    assert _api_sign_in(limited_app.test_client(), "admin", TEST_PASSWORD) == 429
    assert _web_sign_in(limited_app.test_client(), "liaison_hankou", TEST_PASSWORD) == 302


def test_web_and_api_failures_count_together(limited_app):
    client = limited_app.test_client()
    statuses = [_web_sign_in(client, "csd", "wrong") for _ in range(3)]
    statuses += [_api_sign_in(client, "csd", "wrong") for _ in range(3)]
    assert statuses == [302, 302, 302, 401, 401, 429]


def test_failed_sign_ins_are_limited_per_address_too(extra_app):
    """Guessing many accounts from one address (each below its own limit) is stopped by the
    address limit; another address is not affected."""
    app = extra_app(
        RATELIMIT_ENABLED=True,
        AUTH_RATE_LIMIT="5 per minute",
        SUQIU_LOGIN_ADDRESS_RATE_LIMIT="8 per minute",
    )
    client = app.test_client()
    names = ["admin", "csd", "agent", "leader"]
    statuses = [_api_sign_in(client, names[n % 4], "wrong") for n in range(9)]
    assert statuses == [401] * 8 + [429]
    other = {"environ_base": {"REMOTE_ADDR": "10.1.2.3"}}
    assert _api_sign_in(client, "committee", "wrong", **other) == 401


def test_forwarded_for_is_ignored_without_trusted_proxies(extra_app):
    """By default X-Forwarded-For is anyone's to forge: the socket address is counted."""
    app = extra_app(RATELIMIT_ENABLED=True, SUQIU_LOGIN_ADDRESS_RATE_LIMIT="3 per minute")
    client = app.test_client()
    statuses = [
        _api_sign_in(client, name, "wrong", headers={"X-Forwarded-For": f"203.0.113.{n}"})
        for n, name in enumerate(["admin", "csd", "agent", "leader"])
    ]
    assert statuses == [401, 401, 401, 429]


def test_forwarded_for_names_the_client_behind_trusted_proxies(extra_app):
    """SUQIU_TRUSTED_PROXIES=1: behind one reverse proxy, each client is counted on its own
    address (the one the proxy appends), not on the proxy's."""
    app = extra_app(
        RATELIMIT_ENABLED=True,
        SUQIU_LOGIN_ADDRESS_RATE_LIMIT="3 per minute",
        SUQIU_TRUSTED_PROXIES=1,
    )
    client = app.test_client()
    spread = [
        _api_sign_in(client, name, "wrong", headers={"X-Forwarded-For": f"203.0.113.{n}"})
        for n, name in enumerate(["admin", "csd", "agent", "leader"])
    ]
    assert spread == [401] * 4
    # A forged first entry does not help: the address the trusted proxy saw is the last one.
    same = [
        _api_sign_in(
            client, name, "wrong", headers={"X-Forwarded-For": f"198.51.100.{n}, 192.0.2.9"}
        )
        for n, name in enumerate(["admin", "csd", "agent", "leader"])
    ]
    assert same == [401, 401, 401, 429]


@pytest.mark.parametrize(
    "weak", ["short1A!", "alllowercase123!", "NoDigitsHere!!", "NoSymbol12345"]
)
def test_password_policy_applies_to_commands_and_fab_internals(app, weak):
    with app.test_request_context():
        sm = app.appbuilder.sm
        with pytest.raises(InvalidRecordError):
            create_user(
                sm,
                username="weak",
                last_name="弱",
                first_name="口令",
                email="weak@example.com",
                role_names=["客服部"],
                password=weak,
            )
        with pytest.raises(PasswordComplexityValidationError):
            sm.add_user("weak2", "口令", "弱", "weak2@example.com", [], password=weak)
        with pytest.raises(PasswordComplexityValidationError):
            sm.reset_password(sm.find_user(username="csd").id, weak)
        assert sm.find_user(username="weak") is None


def test_my_password_form_rejects_a_weak_password_in_chinese(app, login_as):
    client = login_as("liaison_hankou")
    token = csrf_token(client, "/resetmypassword/form")
    body = client.post(
        "/resetmypassword/form",
        data={
            "csrf_token": token,
            "current_password": TEST_PASSWORD,
            "password": "abc",
            "conf_password": "abc",
        },
    ).get_data(as_text=True)
    assert "密码必须包含" in body
    login(app.test_client(), "liaison_hankou", TEST_PASSWORD)  # old password still valid


def test_session_cookie_is_secure_httponly_and_samesite(extra_app):
    production = extra_app(SESSION_COOKIE_SECURE=True)
    assert production.config["SESSION_COOKIE_SECURE"] is True
    client = production.test_client()
    response = client.get("/login/", base_url="https://localhost")
    cookie = response.headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_uploads_are_size_limited(app, login_as):
    client = login_as("admin")
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert 0 < limit <= 50 * 1024 * 1024
    response = client.post(
        "/departmentview/add", data=b"x" * (limit + 1), content_type="application/octet-stream"
    )
    assert response.status_code == 413


def test_secret_key_is_required_and_long_enough(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    base = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
        "SUQIU_INSTANCE_PATH": str(tmp_path),
    }
    with pytest.raises(MissingSecretKeyError):
        create_app(base)
    with pytest.raises(MissingSecretKeyError):
        create_app({**base, "SECRET_KEY": "short"})
    (tmp_path / "secret_key").write_text("k" * 64)  # what `suqiu demo` leaves behind
    assert create_app(base).config["SECRET_KEY"] == "k" * 64


def test_no_request_leaves_for_the_internet(app, login_as):
    """Intranet (design §5): pages reference only local assets."""
    html = login_as("admin").get("/departmentview/list/").get_data(as_text=True)
    for marker in ("gstatic.com", "googleapis", "cdn.", "unpkg", "jsdelivr", "cdnjs"):
        assert marker not in html


def _redis_available() -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.mark.skipif(not _redis_available(), reason="no Redis server on 127.0.0.1:6379")
def test_login_limit_is_shared_by_several_instances_through_redis(extra_app):
    """Scaling out (design §5): with Redis as the limiter's storage, two web instances count
    sign-in attempts together."""
    import uuid

    storage = "redis://127.0.0.1:6379"
    prefix = f"suqiu-test-{uuid.uuid4().hex}"
    first, second = (
        extra_app(
            RATELIMIT_ENABLED=True,
            AUTH_RATE_LIMIT="5 per minute",
            RATELIMIT_STORAGE_URI=storage,
            RATELIMIT_KEY_PREFIX=prefix,
        )
        for _ in range(2)
    )
    # Correct sign-ins never count, whichever instance answers them (issue 6 #17).
    assert [
        _api_sign_in((first if n % 2 else second).test_client(), "csd", TEST_PASSWORD)
        for n in range(8)
    ] == [200] * 8
    statuses = []
    for attempt in range(6):
        client = (first if attempt % 2 else second).test_client()
        statuses.append(
            client.post(
                "/api/v1/security/login",
                json={"username": "admin", "password": "wrong", "provider": "db"},
            ).status_code
        )
    assert statuses[:5] == [401] * 5 and statuses[5] == 429
