"""Machine clients of Art.13's systems: the token format, what a token may do (channels ×
operations), and the payload limits of the API. Pure: no framework, no database."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from app.domain.i18n import _l

TOKEN_PREFIX = "sqk_"  # noqa: S105  (a prefix, not a secret)
TOKEN_BYTES = 32
# What the administrator sees to tell tokens apart: the prefix and the first characters.
DISPLAY_LENGTH = len(TOKEN_PREFIX) + 8
_TOKEN_RE = re.compile(r"^sqk_[A-Za-z0-9_-]{43}$")

MAX_BODY_BYTES = 64 * 1024  # a case is text: 64 KiB is far above any real one
# A batch of deliveries (/api/v1/cases/batch): a platform catching up sends its cases in
# batches; each counts as a call against the token's rate.
MAX_BATCH_CASES = 100
MAX_BATCH_BODY_BYTES = 4 * 1024 * 1024
DEFAULT_RATE_PER_MINUTE = 600
MAX_RATE_PER_MINUTE = 60000
MAX_PAGE = 500  # events per page of the changes feed


class Operation(StrEnum):
    """What a token may be allowed to do; the administrator picks the ones the system needs."""

    CREATE_CASE = "cases.create"
    READ_CASE = "cases.read"
    SURVEY = "survey.write"  # 公司渠道 satisfaction results (Art.35)
    GOVERNMENT_REPLY = "government.reply"  # fetch CSD's approved reply, mark it delivered
    CHANGES = "changes.read"


OPERATION_LABELS = {
    Operation.CREATE_CASE: _l("Create cases"),
    Operation.READ_CASE: _l("Read case status, deadline and timeline"),
    Operation.SURVEY: _l("Post satisfaction survey results (company channels)"),
    Operation.GOVERNMENT_REPLY: _l("Fetch and confirm replies to government departments"),
    Operation.CHANGES: _l("Read the change feed"),
}


def new_token(random_bytes: bytes) -> str:
    """A token from ``TOKEN_BYTES`` random bytes: ``sqk_`` and 43 URL-safe characters."""
    import base64

    if len(random_bytes) != TOKEN_BYTES:
        raise ValueError("a token needs 32 random bytes")
    return TOKEN_PREFIX + base64.urlsafe_b64encode(random_bytes).decode("ascii").rstrip("=")


def well_formed(token: str | None) -> bool:
    return token is not None and _TOKEN_RE.match(token) is not None


def token_hash(token: str) -> str:
    """What is stored: the SHA-256 of the token (a token is 256 random bits, so no salt or
    slow hash is needed: nothing to guess)."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def same_hash(stored: str, token: str) -> bool:
    return hmac.compare_digest(stored, token_hash(token))


def display_prefix(token: str) -> str:
    return token[:DISPLAY_LENGTH]


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    value = value.strip()
    return value or None


@dataclass(frozen=True)
class TokenScope:
    """The channels (by code) and the operations one token allows."""

    channels: frozenset[str]
    operations: frozenset[Operation]

    def allows(self, operation: Operation, channel: str | None = None) -> bool:
        """Art.13: a system works only on its own channels, and only as far as it needs."""
        if operation not in self.operations:
            return False
        return channel is None or channel in self.channels


def parse_operations(values: Iterable[str]) -> frozenset[Operation]:
    known = {op.value for op in Operation}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(", ".join(unknown))
    return frozenset(Operation(v) for v in values)


# --- the case a system sends: one declaration for the check and the OpenAPI document ------


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # "string" | "boolean" | "datetime"
    required: bool = False
    max_length: int | None = None
    description: str = ""


CASE_FIELDS: tuple[Field, ...] = (
    Field("channel", "string", True, 32, "来源渠道代码 (Art.6)"),
    Field("external_ref", "string", True, 60, "外部系统的工单编号 (幂等键)"),
    Field("kind", "string", True, 32, "诉求类别代码 (Art.5)"),
    Field("customer_name", "string", True, 50, "客户姓名"),
    Field("content", "string", True, 4000, "诉求内容"),
    Field("customer_phone", "string", False, 40, "联系电话"),
    Field("customer_address", "string", False, 200, "地址"),
    Field("gas_account", "string", False, 40, "燃气户号"),
    Field("business_category", "string", False, 32, "业务类别代码"),
    Field("received_at", "datetime", False, None, "受理时间 (北京时间 YYYY-MM-DDTHH:MM:SS)"),
    Field("urgent", "boolean", False, None, "紧急"),
    Field("media_involved", "boolean", False, None, "涉及媒体 (Art.29)"),
    Field("adverse_impact", "boolean", False, None, "可能造成不良影响 (Art.33)"),
    Field("major_interest", "boolean", False, None, "涉及重大利益 (Art.34)"),
    Field("property_loss", "boolean", False, None, "财产损失 (Art.34)"),
    Field("casualties", "boolean", False, None, "人员伤亡 (Art.34)"),
)

SURVEY_FIELDS: tuple[Field, ...] = (
    Field("result", "string", True, 30, "回访结果: satisfied / basically_satisfied / ..."),
    Field("note", "string", False, 2000, "说明"),
)

DELIVERY_FIELDS: tuple[Field, ...] = (Field("note", "string", False, 2000, "送达说明"),)

_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$")


def _encodable(text: str) -> bool:
    """JSON may carry a lone UTF-16 surrogate (\\ud800), which no database can store."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_fields(fields: tuple[Field, ...], body: object) -> tuple[dict, dict[str, str]]:
    """The declared values of ``body`` and the per-field errors (Chinese); unknown names are
    errors too (a mistyped field is never silently dropped)."""
    if not isinstance(body, Mapping):
        return {}, {"": str(_l("The request body must be a JSON object."))}
    declared = {f.name: f for f in fields}
    errors: dict[str, str] = {}
    values: dict = {}
    for name in body:
        if name not in declared:
            errors[str(name)[:60]] = str(_l("Unknown field."))
    for field in fields:
        value = body.get(field.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if field.required:
                errors[field.name] = str(_l("This field is required."))
            continue
        if field.kind == "boolean":
            if not isinstance(value, bool):
                errors[field.name] = str(_l("Must be true or false."))
                continue
        elif not isinstance(value, str):
            errors[field.name] = str(_l("Must be text."))
            continue
        elif field.kind == "datetime":
            if not _DATETIME_RE.match(value.strip()):
                errors[field.name] = str(_l("Must be a date and time like 2026-11-28T14:05:00."))
                continue
            value = value.strip()
        else:
            value = value.strip()
            if "\x00" in value or not _encodable(value):
                errors[field.name] = str(_l("Contains characters that are not allowed."))
                continue
            if field.max_length is not None and len(value) > field.max_length:
                errors[field.name] = str(
                    _l("At most %(count)d characters.", count=field.max_length)
                )
                continue
        values[field.name] = value
    return values, errors


def check_batch(body: object) -> tuple[list[object], dict[str, str]]:
    """The items of a batch body ``{"cases": [...]}`` (each still to be checked with
    ``check_fields``), or the errors of the envelope."""
    if not isinstance(body, Mapping):
        return [], {"": str(_l("The request body must be a JSON object."))}
    unknown = sorted(str(name)[:60] for name in body if name != "cases")
    errors = {name: str(_l("Unknown field.")) for name in unknown}
    items = body.get("cases")
    if not isinstance(items, list) or not items or len(items) > MAX_BATCH_CASES:
        errors["cases"] = str(_l("A list of 1 to %(count)d cases.", count=MAX_BATCH_CASES))
        return [], errors
    return ([] if errors else list(items)), errors


def json_schema(fields: tuple[Field, ...]) -> dict:
    """The JSON Schema of a request body, from the same declaration ``check_fields`` reads."""
    properties: dict[str, dict] = {}
    for field in fields:
        if field.kind == "boolean":
            schema: dict = {"type": "boolean"}
        elif field.kind == "datetime":
            schema = {"type": "string", "pattern": _DATETIME_RE.pattern}
        else:
            schema = {"type": "string", "minLength": 1}
            if field.max_length:
                schema["maxLength"] = field.max_length
        schema["description"] = field.description
        properties[field.name] = schema
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in fields if f.required],
        "properties": properties,
    }


def page_size(raw: str | None, default: int = 100) -> int | None:
    """The page size of the change feed (1..MAX_PAGE), None when unreadable."""
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or len(raw) > 6:
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_PAGE else None


def cursor_value(raw: str | None) -> int | None:
    """An event id cursor (0 = from the start), None when unreadable."""
    if raw is None or raw == "":
        return 0
    if not raw.isdigit() or len(raw) > 18:
        return None
    return int(raw)
