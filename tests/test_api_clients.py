"""The administrator's pages of external systems (Art.13): register, issue a token shown once
and stored hashed, limit it, revoke it; refused to other roles."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.domain.api_tokens import token_hash
from app.models import ApiClient, ApiClientEvent, ApiToken
from tests.api_helpers import bearer
from tests.conftest import csrf_token


def _register(client) -> int:
    token = csrf_token(client, "/apiclients/")
    response = client.post(
        "/apiclients/register",
        data={"csrf_token": token, "code": "kefu", "name": "数字客服系统", "description": "热线"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_a_token_is_shown_once_and_stored_hashed(app, db_session, login_as):
    admin = login_as("admin")
    pk = _register(admin)
    page = admin.get(f"/apiclients/{pk}").get_data(as_text=True)
    assert "数字客服系统" in page and "签发令牌" in page
    response = admin.post(
        f"/apiclients/{pk}/issue",
        data={
            "csrf_token": csrf_token(admin, f"/apiclients/{pk}"),
            "label": "生产",
            "channels": ["hotline_96511", "wechat"],
            "operations": ["cases.create", "survey.write"],
            "rate_per_minute": "120",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    text = re.search(r"(sqk_[A-Za-z0-9_-]{43})", html).group(1)
    db_session.expire_all()
    stored = db_session.scalar(select(ApiToken).where(ApiToken.client_id == pk))
    assert stored.token_hash == token_hash(text) and text not in repr(stored.__dict__)
    assert stored.prefix == text[:12] and stored.rate_per_minute == 120
    assert text not in admin.get(f"/apiclients/{pk}").get_data(as_text=True)  # only once
    # The token works, within its operations.
    api = app.test_client()
    assert api.get("/api/v1/changes", headers=bearer(text)).status_code == 403
    # Revoked: refused at once, and the change is on the record.
    admin.post(
        f"/apiclients/{pk}/tokens/{stored.id}/revoke",
        data={"csrf_token": csrf_token(admin, f"/apiclients/{pk}")},
    )
    assert api.get("/api/v1/changes", headers=bearer(text)).status_code == 401
    actions = db_session.scalars(
        select(ApiClientEvent.action)
        .where(ApiClientEvent.client_id == pk)
        .order_by(ApiClientEvent.id)
    ).all()
    assert actions == ["register", "issue_token", "revoke_token"]


def test_limits_are_changed_and_bad_input_is_refused_in_chinese(app, db_session, login_as):
    admin = login_as("admin")
    pk = _register(admin)
    url = f"/apiclients/{pk}"
    refused = admin.post(
        f"{url}/issue",
        data={
            "csrf_token": csrf_token(admin, url),
            "label": "x",
            "channels": ["nope"],
            "operations": ["cases.read"],
        },
        follow_redirects=True,
    )
    assert "未知的渠道" in refused.get_data(as_text=True)
    admin.post(
        f"{url}/issue",
        data={
            "csrf_token": csrf_token(admin, url),
            "label": "x",
            "channels": ["wechat"],
            "operations": ["cases.read"],
        },
    )
    token = db_session.scalar(select(ApiToken).where(ApiToken.client_id == pk))
    admin.post(
        f"{url}/tokens/{token.id}/limit",
        data={
            "csrf_token": csrf_token(admin, url),
            "channels": ["hotline_96511"],
            "operations": ["changes.read"],
            "rate_per_minute": "60",
        },
    )
    db_session.expire_all()
    token = db_session.get(ApiToken, token.id)
    assert token.channels == '["hotline_96511"]' and token.operations == '["changes.read"]'
    duplicate = admin.post(
        "/apiclients/register",
        data={"csrf_token": csrf_token(admin, "/apiclients/"), "code": "kefu", "name": "别的"},
        follow_redirects=True,
    )
    assert "已有相同代码或名称的外部系统" in duplicate.get_data(as_text=True)


def test_only_the_administrator_manages_external_systems(app, db_session, login_as):
    csd = login_as("csd")
    assert csd.get("/apiclients/").status_code in (302, 403)
    response = csd.post("/apiclients/register", data={"code": "x1", "name": "x"})
    assert response.status_code in (302, 400, 403)
    db_session.expire_all()
    assert db_session.scalar(select(ApiClient).where(ApiClient.code == "x1")) is None
