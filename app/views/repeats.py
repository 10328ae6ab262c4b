"""重复诉求 (issue 11 item 4): the registration page's look-up of the caller's earlier cases
(an HTML fragment, or JSON with ``format=json``) and the case page's link / unlink forms. The
rules and the scope are app.services.repeats'; these views parse, call and render."""

from __future__ import annotations

from flask import abort, jsonify, render_template, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from app.domain import repeats as rules
from app.domain.i18n import _l
from app.domain.lifecycle import STATUS_LABELS
from app.extensions import db
from app.services import repeats
from app.services.actor import current_actor
from app.services.errors import PermissionDeniedError
from app.views.base import service_action
from app.views.list_params import whole_number

MATCH_LABELS = {
    "phone": _l("same phone number"),
    "account": _l("same gas account"),
    "address": _l("same address"),
}
_MOST_INPUT = 200


def _arg(name: str) -> str:
    return (request.args.get(name) or "")[:_MOST_INPUT]


class RepeatRequestView(BaseView):
    route_base = "/repeats"
    class_permission_name = "RepeatRequest"
    base_permissions = ["can_read", "can_link"]
    method_permission_name = {"candidates": "read", "link": "link", "unlink": "link"}

    @expose("/candidates")
    @has_access
    def candidates(self):
        """The caller's open cases of the window, as the agent types the phone number, gas
        account or address of a new case."""
        customer = rules.Customer.of(_arg("phone"), _arg("account"), _arg("address"))
        try:
            found = repeats.customer_cases(db.session, current_actor(), customer)
        except PermissionDeniedError:
            abort(403)
        chosen = whole_number(request.args.get("chosen") or "")
        if request.args.get("format") == "json":
            return jsonify(
                cases=[
                    {
                        "id": c.case.id,
                        "number": c.case.number,
                        "received_at": f"{c.case.received_at:%Y-%m-%d %H:%M}",
                        "status": str(STATUS_LABELS.get(c.case.status, "")),
                        "unit": c.case.branch.name if c.case.branch else "",
                        "summary": c.summary,
                        "matched": [str(MATCH_LABELS[m]) for m in c.matched],
                        "primary_number": c.primary_number,
                    }
                    for c in found
                ]
            )
        return render_template(
            "suqiu/_repeat_candidates.html",
            candidates=found,
            chosen=chosen,
            known=customer.known,
            match_labels=MATCH_LABELS,
            status_labels=STATUS_LABELS,
        )

    @expose("/link/<int:pk>", methods=["POST"])
    @has_access
    def link(self, pk):
        primary_id = whole_number(request.form.get("primary_id") or "")
        return service_action(
            lambda: repeats.link_repeat(
                db.session,
                current_actor(),
                pk,
                primary_id=primary_id,
                primary_number=None if primary_id else request.form.get("primary_number"),
                version=whole_number(request.form.get("version") or ""),
            ),
            _l("The case is linked as a 关联单."),
            url_for("CaseView.show", pk=pk),
        )

    @expose("/unlink/<int:pk>", methods=["POST"])
    @has_access
    def unlink(self, pk):
        return service_action(
            lambda: repeats.unlink_repeat(
                db.session,
                current_actor(),
                pk,
                version=whole_number(request.form.get("version") or ""),
            ),
            _l("The link to the 主单 is undone."),
            url_for("CaseView.show", pk=pk),
        )


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(RepeatRequestView)
