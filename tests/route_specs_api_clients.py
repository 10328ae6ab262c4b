"""The api clients routes for tests/test_route_matrix.py: the administrator's pages of external
systems, and /api/v1, which takes machine tokens only: every signed-in user's session and
password-issued JWT is refused there (NOBODY), the OpenAPI document is public."""

from __future__ import annotations

from sqlalchemy import func, select

from app.models import ApiClient, ApiToken, Case
from tests.route_specs import NOBODY, Spec, alike

READ, WRITE = ("can_read", "ApiClient"), ("can_write", "ApiClient")


def _count(model):
    def count(session, ref):
        return session.scalar(select(func.count()).select_from(model))

    return count


def _scope(ref, ctx, user):
    return {"label": "矩阵", "channels": ["wechat"], "operations": ["cases.read"]}


def api_client_specs() -> list:
    tokens, clients, cases = _count(ApiToken), _count(ApiClient), _count(Case)
    change = alike(method="POST", perm=WRITE, absent_ok=True)  # client 1 and its token 1
    machine = alike(perm=NOBODY, api=True)  # /api/v1: machine tokens only
    return [
        Spec("ApiClientView.systems", "/apiclients/", perm=READ),
        Spec("ApiClientView.detail", "/apiclients/1", perm=READ, absent_ok=True),
        Spec(
            "ApiClientView.register",
            "/apiclients/register",
            "POST",
            perm=WRITE,
            data=lambda ref, ctx, user: {"code": f"m-{user or 'x'}"[:32], "name": f"矩阵{user}"},
            count=clients,
        ),
        change("ApiClientView.issue", "/apiclients/1/issue", data=_scope, count=tokens),
        change("ApiClientView.limit", "/apiclients/1/tokens/1/limit", data=_scope, count=tokens),
        change("ApiClientView.revoke", "/apiclients/1/tokens/1/revoke", count=tokens),
        change(
            "ApiClientView.activate",
            "/apiclients/1/active",
            data=lambda ref, ctx, user: {"active": "0"},
            count=clients,
        ),
        Spec("api_v1.openapi", "/api/v1/openapi.json", public=True, api=True),
        machine(
            "api_v1.create_case",
            "/api/v1/cases",
            "POST",
            data=lambda ref, ctx, user: {
                "channel": "wechat",
                "external_ref": "MATRIX",
                "kind": "consultation",
                "customer_name": "矩阵",
                "content": "矩阵",
            },
            count=cases,
        ),
        machine(
            "api_v1.create_cases",
            "/api/v1/cases/batch",
            "POST",
            data=lambda ref, ctx, user: {
                "cases": [
                    {
                        "channel": "wechat",
                        "external_ref": "MATRIX-B",
                        "kind": "consultation",
                        "customer_name": "矩阵",
                        "content": "矩阵",
                    }
                ]
            },
            count=cases,
        ),
        machine("api_v1.case_status", "/api/v1/cases/SQ000"),
        machine(
            "api_v1.post_survey",
            "/api/v1/cases/SQ000/survey",
            "POST",
            data=lambda ref, ctx, user: {"result": "satisfied"},
            count=cases,
        ),
        machine("api_v1.government_replies", "/api/v1/government-replies"),
        machine(
            "api_v1.government_reply_delivered",
            "/api/v1/cases/SQ000/government-reply/delivered",
            "POST",
            count=cases,
        ),
        machine("api_v1.changes", "/api/v1/changes"),
    ]
