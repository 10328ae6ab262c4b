"""/api/v1 for the external systems of Art.13: a plain blueprint, token-authenticated
(``Authorization: Bearer``; session cookies and user JWTs never count, so no CSRF exposure),
per-token rate and payload limits, JSON errors {status, code, message[, fields]} in Chinese,
every call logged with its system and token."""

from __future__ import annotations

import functools

from flask import Blueprint, current_app, g, jsonify, request
from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from app.domain.api_tokens import (
    CASE_FIELDS,
    DELIVERY_FIELDS,
    MAX_BATCH_BODY_BYTES,
    MAX_BODY_BYTES,
    SURVEY_FIELDS,
    bearer_token,
    check_batch,
    check_fields,
    cursor_value,
    page_size,
)
from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.extensions import csrf, db
from app.services import api_intake
from app.services.api_auth import ApiAuthError, authenticate, call_log_values, log_call
from app.services.api_intake import ApiScopeError, FieldErrors
from app.services.errors import (
    ConflictError,
    DuplicateRecordError,
    OutOfScopeError,
    PermissionDeniedError,
)
from app.views.api_v1_openapi import openapi_document

blueprint = Blueprint("api_v1", __name__, url_prefix="/api/v1")
csrf.exempt(blueprint)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message, fields: dict | None = None) -> None:
        super().__init__(str(message))
        self.status, self.code, self.message, self.fields = status, code, message, fields


def error_response(status: int, code: str, message, fields: dict | None = None):
    body = {"status": status, "code": code, "message": str(message)}
    if fields:
        body["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="suqiu"'
    return response


def _json() -> object:
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type", _l("Send the body as application/json."))
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "malformed_json", _l("The body is not valid JSON."))
    return body


def _json_body(fields) -> dict:
    values, errors = check_fields(fields, _json())
    if errors:
        raise ApiError(422, "invalid_fields", _l("Some fields are not valid."), errors)
    return values


def _rate_limited(machine, cost: int = 1) -> bool:
    """Per token, a fixed one-minute window in the limiter's storage (Redis shares the counts
    between instances: SUQIU_RATELIMIT_STORAGE_URI); ``cost``: the calls this one counts as."""
    strategy = current_app.extensions.get("suqiu.api_rate")
    if strategy is None:
        storage = storage_from_string(current_app.config["RATELIMIT_STORAGE_URI"])
        strategy = current_app.extensions["suqiu.api_rate"] = FixedWindowRateLimiter(storage)
    item = RateLimitItemPerMinute(machine.rate_per_minute)
    key = ("suqiu-api-token", str(machine.token_id))
    # A refused batch uses none of the minute (hit alone would count it before refusing); a
    # call of one is refused only once the minute is full, so it needs no look first (one
    # storage round trip less on every call).
    if cost > 1 and not strategy.test(item, *key, cost=cost):
        return True
    return not strategy.hit(item, *key, cost=cost)


def _charge(machine, cost: int) -> None:
    """The call's cost against the token's minute, charged once and only if it fits."""
    if cost > machine.rate_per_minute:  # could never pass: not a matter of waiting
        message = _l(
            "This token may deliver at most %(count)d cases a minute.",
            count=machine.rate_per_minute,
        )
        raise ApiError(
            422, "invalid_fields", _l("Some fields are not valid."), {"cases": str(message)}
        )
    if _rate_limited(machine, cost):
        raise ApiError(429, "rate_limited", _l("Too many calls; please slow down."))


def machine_call(view):
    """A view of a machine: see ``_run``."""

    @functools.wraps(view)
    def run(*args, **kwargs):
        g.api_case_id, g.api_logged = None, None
        session = db.session
        # The answer is built from what the call just committed: no re-read after the commit.
        expire_on_commit, session().expire_on_commit = session().expire_on_commit, False
        try:
            response = _run(view, session, args, kwargs)
        finally:
            session().expire_on_commit = expire_on_commit
        return response

    return run


def _run(view, session, args, kwargs):
    """Authenticate, limit, run, map the refusals to JSON, log the call."""
    machine = None
    try:
        limit = getattr(view, "max_body_bytes", MAX_BODY_BYTES)
        if (request.content_length or 0) > limit:
            raise ApiError(413, "payload_too_large", _l("The request body is too large."))
        request.max_content_length = limit
        machine = authenticate(session, bearer_token(request.headers.get("Authorization")))
        _charge(machine, getattr(view, "rate_cost", lambda: 1)())
        response = current_app.make_response(view(machine, *args, **kwargs))
    except ApiAuthError as exc:
        session.rollback()
        response = error_response(exc.status, exc.code, exc.message)
    except ApiError as exc:
        session.rollback()
        response = error_response(exc.status, exc.code, exc.message, exc.fields)
    except ApiScopeError as exc:
        session.rollback()
        response = error_response(403, "forbidden_scope", exc.message)
    except FieldErrors as exc:
        session.rollback()
        response = error_response(
            422, "invalid_fields", _l("Some fields are not valid."), exc.errors
        )
    except OutOfScopeError as exc:
        session.rollback()
        response = error_response(404, "not_found", exc)
    except PermissionDeniedError as exc:
        session.rollback()
        response = error_response(403, "forbidden", exc)
    except (ConflictError, DuplicateRecordError) as exc:
        session.rollback()
        response = error_response(409, "conflict", exc)
    except DomainError as exc:
        session.rollback()
        response = error_response(422, "invalid", exc)
    except Exception as exc:  # a body over the limit while it is read
        from werkzeug.exceptions import RequestEntityTooLarge

        session.rollback()
        if not isinstance(exc, RequestEntityTooLarge):
            raise
        response = error_response(413, "payload_too_large", _l("The request body is too large."))
    if machine is not None and g.api_logged != response.status_code:
        log_call(
            session,
            machine,
            request.method,
            request.path,
            response.status_code,
            g.api_case_id,
            request.remote_addr,
        )
    return response


@blueprint.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(api_intake.vocabulary(db.session)))


@blueprint.post("/cases")
@machine_call
def create_case(machine):
    values = _json_body(CASE_FIELDS)
    log = functools.partial(call_log_values, machine, request.method, request.path)
    case, created = api_intake.create_case(
        db.session,
        machine,
        values,
        log=lambda status, case_id: log(status, case_id, request.remote_addr),
    )
    body = api_intake.case_summary(case, values["channel"])
    g.api_case_id = case.id
    if created:
        g.api_logged = 201  # its line was written with the case
    body["created"] = created
    return jsonify(body), 201 if created else 200


def _batch_cost() -> int:
    """What a batch call counts against the token's minute: one a case (one when the body is
    not a batch: it is refused as any call)."""
    body = request.get_json(silent=True) if request.mimetype == "application/json" else None
    items, errors = check_batch(body)
    return 1 if errors else len(items)


def _batch_view(view):
    view.max_body_bytes, view.rate_cost = MAX_BATCH_BODY_BYTES, _batch_cost
    return view


@blueprint.post("/cases/batch")
@machine_call
@_batch_view
def create_cases(machine):
    """Up to MAX_BATCH_CASES deliveries at once: each answered as /cases would answer it alone
    (201, 200, 403, 422) in ``items``, in the order sent; the new cases in one transaction."""
    items, errors = check_batch(_json())
    if errors:
        raise ApiError(422, "invalid_fields", _l("Some fields are not valid."), errors)
    deliveries = []
    for item in items:
        values, field_errors = check_fields(CASE_FIELDS, item)
        delivery = api_intake.Delivery(None if field_errors else values)
        if field_errors:
            delivery.refuse(422, "invalid_fields", _l("Some fields are not valid."), field_errors)
        deliveries.append(delivery)
    api_intake.create_cases(db.session, machine, deliveries)
    return jsonify({"items": [_delivery_answer(d) for d in deliveries]})


def _delivery_answer(delivery) -> dict:
    """An item's answer: its HTTP-like ``status`` and the case (as /cases answers it), or the
    refusal (as an error body)."""
    if delivery.case is None:
        answer = {"status": delivery.status, "code": delivery.code, "message": delivery.message}
        if delivery.fields:
            answer["fields"] = delivery.fields
        return answer
    case = api_intake.case_summary(delivery.case, delivery.values["channel"])
    return {"status": delivery.status, "created": delivery.status == 201, "case": case}


@blueprint.get("/cases/<number>")
@machine_call
def case_status(machine, number):
    body = api_intake.case_status(db.session, machine, number)
    return jsonify(body)


@blueprint.post("/cases/<number>/survey")
@machine_call
def post_survey(machine, number):
    values = _json_body(SURVEY_FIELDS)
    case = api_intake.post_survey(db.session, machine, number, values)
    g.api_case_id = case.id
    return jsonify(api_intake.case_summary(case))


@blueprint.get("/government-replies")
@machine_call
def government_replies(machine):
    limit = page_size(request.args.get("limit"))
    if limit is None:
        raise ApiError(
            422,
            "invalid_fields",
            _l("Some fields are not valid."),
            {"limit": str(_l("A whole number from 1 to 500."))},
        )
    return jsonify({"items": api_intake.government_replies(db.session, machine, limit)})


@blueprint.post("/cases/<number>/government-reply/delivered")
@machine_call
def government_reply_delivered(machine, number):
    values = _json_body(DELIVERY_FIELDS) if request.content_length else {}
    case, changed = api_intake.mark_delivered(db.session, machine, number, values.get("note"))
    g.api_case_id = case.id
    return jsonify({**api_intake.case_summary(case), "changed": changed})


@blueprint.get("/changes")
@machine_call
def changes(machine):
    cursor, limit = cursor_value(request.args.get("cursor")), page_size(request.args.get("limit"))
    errors = {}
    if cursor is None:
        errors["cursor"] = str(_l("A whole number of at least 0."))
    if limit is None:
        errors["limit"] = str(_l("A whole number from 1 to 500."))
    if errors:
        raise ApiError(422, "invalid_fields", _l("Some fields are not valid."), errors)
    return jsonify(api_intake.changes(db.session, machine, cursor, limit))


def register(app) -> None:
    app.register_blueprint(blueprint)
