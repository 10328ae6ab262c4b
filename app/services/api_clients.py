"""The administrator's side of machine clients (Art.13): register a system, issue it tokens
(the token is returned once, only its hash is stored), limit a token to channels and
operations, revoke it; each change is an event (who, when, what)."""

from __future__ import annotations

import json
import re
import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.api_tokens import (
    DEFAULT_RATE_PER_MINUTE,
    MAX_RATE_PER_MINUTE,
    TOKEN_BYTES,
    display_prefix,
    new_token,
    parse_operations,
    token_hash,
)
from app.domain.clock import now as clock_now
from app.domain.i18n import _l
from app.models import ApiClient, ApiClientEvent, ApiToken, Channel, SuqiuUser
from app.services.actor import Actor
from app.services.errors import (
    DuplicateRecordError,
    InvalidRecordError,
    OutOfScopeError,
    PermissionDeniedError,
)
from app.services.uow import transaction

CAPABILITY = "edit.api_clients"
_CODE_RE = re.compile(r"^[a-z][a-z0-9_-]{1,31}$")


def _ensure_admin(actor: Actor) -> None:
    if not (actor.is_admin or actor.may(CAPABILITY)):
        raise PermissionDeniedError(_l("Your role may not do this."))


def _event(session, actor, client, action, token=None, detail=None, at=None) -> None:
    session.add(
        ApiClientEvent(
            client_id=client.id,
            token_id=token.id if token is not None else None,
            action=action,
            actor_id=actor.user_id,
            at=at or clock_now(),
            detail=json.dumps(detail, ensure_ascii=False) if detail else None,
        )
    )


@transaction(lambda exc: DuplicateRecordError(_l("A system with this code or name exists.")))
def register_client(
    session: Session, actor: Actor, *, code: str, name: str, description: str | None = None
) -> ApiClient:
    _ensure_admin(actor)
    code, name = (code or "").strip().lower(), (name or "").strip()
    if not _CODE_RE.match(code):
        raise InvalidRecordError(
            _l(
                "The code is 2 to 32 lower-case letters, digits, '-' or '_', "
                "starting with a letter."
            )
        )
    if not name or len(name) > 100:
        raise InvalidRecordError(_l("Please give the system's name (at most 100 characters)."))
    if session.scalar(
        select(func.count())
        .select_from(ApiClient)
        .where((ApiClient.code == code) | (ApiClient.name == name))
    ):
        raise DuplicateRecordError(_l("A system with this code or name exists."))
    # The service account: inactive, no usable password (a '!' is never a valid hash), so it
    # can never sign in; it names the system on the timeline.
    user = SuqiuUser(
        username=f"api:{code}",
        first_name=name[:64],
        last_name=str(_l("(external system)"))[:64],
        password="!" + secrets.token_hex(16),  # noqa: S106
        active=False,
    )
    session.add(user)
    session.flush()
    client = ApiClient(
        code=code,
        name=name,
        description=(description or "").strip() or None,
        user_id=user.id,
        active=True,
        created_at=clock_now(),
        created_by_id=actor.user_id,
    )
    session.add(client)
    session.flush()
    _event(session, actor, client, "register", detail={"code": code, "name": name})
    return client


def _client(session: Session, client_id: int) -> ApiClient:
    client = session.get(ApiClient, client_id)
    if client is None:
        raise OutOfScopeError(_l("The record does not exist."))
    return client


def _checked_scope(session: Session, channels, operations) -> tuple[list[str], list[str]]:
    channels = sorted({str(c) for c in channels or []})
    known = set(session.scalars(select(Channel.code).where(Channel.code.in_(channels))))
    if set(channels) - known:
        raise InvalidRecordError(_l("Unknown channel."))
    try:
        ops = sorted(op.value for op in parse_operations(operations or []))
    except ValueError as exc:
        raise InvalidRecordError(_l("Unknown operation.")) from exc
    if not ops:
        raise InvalidRecordError(_l("Please choose at least one operation."))
    return channels, ops


def _rate(value) -> int:
    try:
        rate = int(value) if value not in (None, "") else DEFAULT_RATE_PER_MINUTE
    except (TypeError, ValueError) as exc:
        raise InvalidRecordError(_l("The rate limit must be a whole number.")) from exc
    if not 1 <= rate <= MAX_RATE_PER_MINUTE:
        raise InvalidRecordError(
            _l(
                "The rate limit must be between 1 and %(max)d calls per minute.",
                max=MAX_RATE_PER_MINUTE,
            )
        )
    return rate


@transaction()
def issue_token(
    session: Session,
    actor: Actor,
    client_id: int,
    *,
    label: str,
    channels,
    operations,
    rate_per_minute=None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its text, which is shown once and never stored."""
    _ensure_admin(actor)
    client = _client(session, client_id)
    label = (label or "").strip()
    if not label or len(label) > 100:
        raise InvalidRecordError(_l("Please name the token (at most 100 characters)."))
    channel_codes, ops = _checked_scope(session, channels, operations)
    text = new_token(secrets.token_bytes(TOKEN_BYTES))
    token = ApiToken(
        client_id=client.id,
        label=label,
        prefix=display_prefix(text),
        token_hash=token_hash(text),
        channels=json.dumps(channel_codes),
        operations=json.dumps(ops),
        rate_per_minute=_rate(rate_per_minute),
        created_at=now or clock_now(),
        created_by_id=actor.user_id,
    )
    session.add(token)
    session.flush()
    _event(
        session,
        actor,
        client,
        "issue_token",
        token,
        {"label": label, "prefix": token.prefix, "channels": channel_codes, "operations": ops},
    )
    return token, text


def _token(session: Session, client_id: int, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.client_id != client_id:
        raise OutOfScopeError(_l("The record does not exist."))
    return token


@transaction()
def limit_token(
    session: Session,
    actor: Actor,
    client_id: int,
    token_id: int,
    *,
    channels,
    operations,
    rate_per_minute=None,
) -> ApiToken:
    _ensure_admin(actor)
    token = _token(session, client_id, token_id)
    if token.revoked_at is not None:
        raise InvalidRecordError(_l("The token has been revoked."))
    channel_codes, ops = _checked_scope(session, channels, operations)
    before = {"channels": json.loads(token.channels), "operations": json.loads(token.operations)}
    token.channels, token.operations = json.dumps(channel_codes), json.dumps(ops)
    token.rate_per_minute = _rate(rate_per_minute)
    _event(
        session,
        actor,
        token.client,
        "limit_token",
        token,
        {"before": before, "after": {"channels": channel_codes, "operations": ops}},
    )
    return token


@transaction()
def revoke_token(
    session: Session, actor: Actor, client_id: int, token_id: int, now: datetime | None = None
) -> ApiToken:
    _ensure_admin(actor)
    token = _token(session, client_id, token_id)
    if token.revoked_at is None:
        token.revoked_at = now or clock_now()
        token.revoked_by_id = actor.user_id
        _event(session, actor, token.client, "revoke_token", token, {"prefix": token.prefix})
    return token


@transaction()
def set_client_active(session: Session, actor: Actor, client_id: int, active: bool) -> ApiClient:
    _ensure_admin(actor)
    client = _client(session, client_id)
    if client.active != active:
        client.active = active
        _event(session, actor, client, "activate" if active else "deactivate")
    return client
