"""Who calls /api/v1: the token of ``Authorization: Bearer``, its system and what it may do
(Art.13). A machine acts through its system's service account, scoped to the channels of its
token and the cases it delivered; user passwords and session cookies never authenticate here."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import ColumnElement, bindparam, false, or_, select, update
from sqlalchemy.orm import Session

from app.domain.api_tokens import Operation, TokenScope, parse_operations, token_hash, well_formed
from app.domain.clock import now as clock_now
from app.domain.i18n import _l
from app.models import ApiCallLog, ApiClient, ApiToken, Case
from app.services import reference_data
from app.services.actor import Actor
from app.services.scope import BRANCH_COLUMNS, CASE_CHILDREN, CHILDREN, PERSONAL_COLUMNS, Scope
from app.services.uow import transaction

# The case capabilities each operation lends the system's actor (app.domain.capabilities).
OPERATION_CAPABILITIES = {
    Operation.CREATE_CASE: ("case.register",),
    Operation.READ_CASE: ("read.cases",),
    Operation.SURVEY: ("case.callback",),
    Operation.GOVERNMENT_REPLY: ("case.answer_government",),
    Operation.CHANGES: ("read.cases",),
}
LAST_USED_STEP = timedelta(minutes=1)  # last_used_at is refreshed at most once a minute


class ApiAuthError(Exception):
    """A refused token: HTTP status, machine-readable code and the Chinese message."""

    def __init__(self, code: str, message, status: int = 401) -> None:
        super().__init__(str(message))
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True)
class MachineScope(Scope):
    """Art.13: a system reads the cases of its token's channels and those it delivered, and
    nothing of the units' other records. ``all_branches``: like CSD it receives cases of every
    channel category for the whole company (design §2)."""

    channel_ids: tuple[int, ...] = ()
    client_id: int | None = None

    def _cases(self) -> ColumnElement[bool]:
        terms = [Case.api_client_id == self.client_id]
        if self.channel_ids:
            terms.append(Case.channel_id.in_(self.channel_ids))
        return or_(*terms)

    def clause(self, model) -> ColumnElement[bool] | None:
        if model is Case:
            return self._cases()
        if model in CASE_CHILDREN:
            return CASE_CHILDREN[model].in_(select(Case.id).where(self._cases()))
        if model in BRANCH_COLUMNS or model in PERSONAL_COLUMNS or model in CHILDREN:
            return false()
        return None

    def arms(self, model):
        clause = self.clause(model)
        return None if clause is None else [clause]


@dataclass(frozen=True)
class Machine:
    client_id: int
    client_code: str
    client_name: str
    token_id: int
    token_prefix: str
    scope: TokenScope
    rate_per_minute: int
    actor: Actor
    channel_ids: dict[str, int] = field(default_factory=dict)
    reference: reference_data.Reference | None = None  # read with the token, in its transaction

    def allows(self, operation: Operation, channel: str | None = None) -> bool:
        return self.scope.allows(operation, channel)


class _TokenRow(NamedTuple):
    id: int
    prefix: str
    channels: str
    operations: str
    rate_per_minute: int
    revoked_at: datetime | None
    last_used_at: datetime | None


class _ClientRow(NamedTuple):
    id: int
    code: str
    name: str
    active: bool
    user_id: int


def token_scope(token: ApiToken | _TokenRow) -> TokenScope:
    return TokenScope(
        frozenset(json.loads(token.channels or "[]")),
        parse_operations(json.loads(token.operations or "[]")),
    )


# One statement, of columns (no entities to build): the token, its system and the reference
# data's version (channels and kinds by code come from the process's copy of the reference data
# while that number stands). Built once: every call runs it.
_TOKEN_ROW = (
    select(
        ApiToken.id,
        ApiToken.prefix,
        ApiToken.channels,
        ApiToken.operations,
        ApiToken.rate_per_minute,
        ApiToken.revoked_at,
        ApiToken.last_used_at,
        ApiClient.id,
        ApiClient.code,
        ApiClient.name,
        ApiClient.active,
        ApiClient.user_id,
        reference_data.version_now(),
    )
    .join(ApiClient, ApiClient.id == ApiToken.client_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def authenticate(session: Session, raw: str | None, now: datetime | None = None) -> Machine:
    """The machine behind a bearer token, or ``ApiAuthError``."""
    if not raw:
        raise ApiAuthError("token_missing", _l("An API token is required (Authorization: Bearer)."))
    if not well_formed(raw):
        raise ApiAuthError("token_invalid", _l("The API token is not valid."))
    row = session.execute(_TOKEN_ROW, {"token_hash": token_hash(raw)}).first()
    if row is None:
        raise ApiAuthError("token_invalid", _l("The API token is not valid."))
    (token_id, prefix, channels, operations, rate, revoked_at, last_used_at) = row[:7]
    client = _ClientRow(row[7], row[8], row[9], row[10], row[11])
    token = _TokenRow(token_id, prefix, channels, operations, rate, revoked_at, last_used_at)
    version = row[12]
    if token.revoked_at is not None:
        raise ApiAuthError("token_revoked", _l("The API token has been revoked."))
    if not client.active:
        raise ApiAuthError("client_inactive", _l("This external system has been deactivated."))
    scope = token_scope(token)
    reference = reference_data.current(session, version)
    channel_ids = {
        code: reference.channel_codes[code][0]
        for code in sorted(scope.channels)
        if code in reference.channel_codes
    }
    capabilities = frozenset(
        code for operation in scope.operations for code in OPERATION_CAPABILITIES[operation]
    )
    actor = Actor(
        None,
        MachineScope(
            user_id=client.user_id,
            all_branches=True,
            channel_ids=tuple(sorted(channel_ids.values())),
            client_id=client.id,
        ),
        capabilities,
    )
    moment = now or clock_now()
    if token.last_used_at is None or moment - token.last_used_at >= LAST_USED_STEP:
        _touch(session, token.id, moment)
    return Machine(
        client.id,
        client.code,
        client.name,
        token.id,
        token.prefix,
        scope,
        token.rate_per_minute,
        actor,
        channel_ids,
        reference,
    )


def call_log_values(
    machine: Machine | None,
    method: str,
    path: str,
    status: int,
    case_id: int | None,
    remote_addr: str | None,
    now: datetime | None = None,
) -> dict:
    """The columns of one call log line (inserted as they are by a delivery, whose case's
    transaction writes it)."""
    return dict(
        client_id=machine.client_id if machine else None,
        token_id=machine.token_id if machine else None,
        at=now or clock_now(),
        method=method[:10],
        path=path[:200],
        status=status,
        case_id=case_id,
        remote_addr=(remote_addr or "")[:64] or None,
    )


@transaction()
def _touch(session: Session, token_id: int, moment: datetime) -> None:
    """When the token was last used, to the LAST_USED_STEP (not a write per call)."""
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=moment))


@transaction()
def log_call(
    session: Session,
    machine: Machine | None,
    method: str,
    path: str,
    status: int,
    case_id: int | None,
    remote_addr: str | None,
    now: datetime | None = None,
) -> None:
    """One line of the call log (Art.13: every call with its system and token); its own commit,
    after the call's work is committed or rolled back by the view. (A delivered case's line
    is written in the case's own transaction instead: app.services.api_intake.create_case.)"""
    values = call_log_values(machine, method, path, status, case_id, remote_addr, now)
    session.add(ApiCallLog(**values))
