"""Machine clients for the /api/v1 tests: a registered system and a token for it."""

from __future__ import annotations

from app.domain.api_tokens import Operation
from app.services.actor import Actor
from app.services.api_clients import issue_token, register_client

ALL_OPERATIONS = [op.value for op in Operation]


def system_token(
    session,
    *,
    code="kefu",
    channels=("hotline_96511", "wechat", "complaint_phone", "citizen_hotline"),
    operations=ALL_OPERATIONS,
    rate=600,
) -> tuple[int, int, str]:
    """(client id, token id, token text) of a new system ``code`` (registered on first use)."""
    from app.models import ApiClient

    client = session.query(ApiClient).filter_by(code=code).one_or_none()
    if client is None:
        client = register_client(session, Actor.system(), code=code, name=f"系统{code}")
    token, text = issue_token(
        session,
        Actor.system(),
        client.id,
        label="测试令牌",
        channels=list(channels),
        operations=list(operations),
        rate_per_minute=rate,
    )
    return client.id, token.id, text


def bearer(text: str) -> dict:
    return {"Authorization": f"Bearer {text}"}


def case_body(**overrides) -> dict:
    body = {
        "channel": "hotline_96511",
        "external_ref": "KF-0001",
        "kind": "consultation",
        "customer_name": "李女士",
        "customer_phone": "13812345678",
        "content": "询问燃气开户需要哪些材料。",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}
