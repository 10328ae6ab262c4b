"""外部系统与接口令牌 (Art.13), for the administrator: the systems, registering one, issuing a
token (its text shown once), limiting it to channels and operations, revoking it, the call log."""

from __future__ import annotations

import json

from flask import abort, flash, make_response, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select

from app.domain.api_tokens import OPERATION_LABELS, Operation
from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.extensions import db
from app.models import ApiCallLog, ApiClient, ApiClientEvent, ApiToken, Channel
from app.services import api_clients
from app.services.actor import current_actor
from app.views.base import service_action

EVENT_LABELS = {
    "register": _l("Registered"),
    "issue_token": _l("Token issued"),
    "limit_token": _l("Token limits changed"),
    "revoke_token": _l("Token revoked"),
    "activate": _l("Activated"),
    "deactivate": _l("Deactivated"),
}


class ApiClientView(BaseView):
    route_base = "/apiclients"
    class_permission_name = "ApiClient"
    base_permissions = ["can_read", "can_write"]
    method_permission_name = {
        "systems": "read",
        "detail": "read",
        "register": "write",
        "issue": "write",
        "limit": "write",
        "revoke": "write",
        "activate": "write",
    }
    default_view = "systems"

    @expose("/")
    @has_access
    def systems(self):
        clients = db.session.scalars(select(ApiClient).order_by(ApiClient.id)).all()
        return self.render_template(
            "suqiu/api_clients.html", clients=clients, title=str(_l("External systems"))
        )

    @expose("/register", methods=["POST"])
    @has_access
    def register(self):
        return service_action(
            lambda: api_clients.register_client(
                db.session,
                current_actor(),
                code=request.form.get("code", ""),
                name=request.form.get("name", ""),
                description=request.form.get("description"),
            ),
            _l("Done."),
            lambda client: url_for("ApiClientView.detail", pk=client.id),
            back=url_for("ApiClientView.systems"),
            flash_refusals=True,
        )

    def _page(self, client: ApiClient, new_token: str | None = None):
        tokens = _latest(ApiToken, client.id)
        calls = _latest(ApiCallLog, client.id, 100)
        events = _latest(ApiClientEvent, client.id, 50)
        channels = db.session.scalars(select(Channel).order_by(Channel.sort_order)).all()
        return self.render_template(
            "suqiu/api_client.html",
            client=client,
            tokens=[(t, json.loads(t.channels), json.loads(t.operations)) for t in tokens],
            calls=calls,
            events=events,
            event_labels=EVENT_LABELS,
            channels=channels,
            channel_names={c.code: c.name for c in channels},
            operations=[(op.value, OPERATION_LABELS[op]) for op in Operation],
            operation_labels={op.value: OPERATION_LABELS[op] for op in Operation},
            new_token=new_token,
            title=str(_l("External systems")),
        )

    def _client(self, pk: int) -> ApiClient:
        client = db.session.get(ApiClient, pk)
        if client is None:
            abort(404)
        return client

    @expose("/<int:pk>")
    @has_access
    def detail(self, pk):
        return self._page(self._client(pk))

    @expose("/<int:pk>/issue", methods=["POST"])
    @has_access
    def issue(self, pk):
        client = self._client(pk)
        try:
            _token, text = api_clients.issue_token(
                db.session,
                current_actor(),
                client.id,
                label=request.form.get("label", ""),
                channels=request.form.getlist("channels"),
                operations=request.form.getlist("operations"),
                rate_per_minute=request.form.get("rate_per_minute"),
            )
        except DomainError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("ApiClientView.detail", pk=pk))
        # Shown on this answer only, never stored: no redirect that could show it again.
        response = make_response(self._page(client, new_token=text))
        response.headers["Cache-Control"] = "no-store"
        return response

    @expose("/<int:pk>/tokens/<int:token_id>/limit", methods=["POST"])
    @has_access
    def limit(self, pk, token_id):
        return self._act(
            pk,
            lambda: api_clients.limit_token(
                db.session,
                current_actor(),
                pk,
                token_id,
                channels=request.form.getlist("channels"),
                operations=request.form.getlist("operations"),
                rate_per_minute=request.form.get("rate_per_minute"),
            ),
            _l("Done."),
        )

    @expose("/<int:pk>/tokens/<int:token_id>/revoke", methods=["POST"])
    @has_access
    def revoke(self, pk, token_id):
        return self._act(
            pk,
            lambda: api_clients.revoke_token(db.session, current_actor(), pk, token_id),
            _l("The token has been revoked."),
        )

    @expose("/<int:pk>/active", methods=["POST"])
    @has_access
    def activate(self, pk):
        return self._act(
            pk,
            lambda: api_clients.set_client_active(
                db.session, current_actor(), pk, request.form.get("active") == "1"
            ),
            _l("Done."),
        )

    def _act(self, pk, call, done):
        """A change of one system: any refusal (an unknown system or token too) flashed on its
        page."""
        return service_action(
            call, done, url_for("ApiClientView.detail", pk=pk), flash_refusals=True
        )


def _latest(model, client_id: int, most: int | None = None) -> list:
    """A system's tokens, calls or events, newest first (``most`` of them: all if None)."""
    query = select(model).where(model.client_id == client_id).order_by(model.id.desc())
    return db.session.scalars(query.limit(most)).all()


def register(appbuilder) -> None:
    appbuilder.add_view(
        ApiClientView,
        "ExternalSystems",
        icon="fa-plug",
        label=_l("External systems"),
        category="System",
    )
