"""投诉认定 (Art.8/9/32): the page of one 投诉 case — the case, its timeline and files beside the
determination — with CSD's investigation form, 客服部主管's approval, the unit's objection and
CSD's answer; the queues 待认定 / 待审批 / 异议待处理 (a unit: 异议期内) and the list of
determinations, a unit's own only. Thin: parse, call one service, render or flash."""

from __future__ import annotations

import time

from flask import (
    abort,
    current_app,
    flash,
    has_request_context,
    redirect,
    request,
    send_file,
    url_for,
)
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from werkzeug.datastructures import MultiDict

from app.domain.clock import now as clock_now
from app.domain.complaints import (
    BREACH_CATEGORY_LABELS,
    CRITERION_LABELS,
    DETERMINATION_LABELS,
    DETERMINATION_STATUS_LABELS,
    GRADE_LABELS,
    INVALID_REASON_LABELS,
    OBJECTION_WORKING_DAYS,
    RESPONSIBILITY_LABELS,
)
from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.domain.lifecycle import STATUS_LABELS
from app.extensions import db
from app.services import complaints as service
from app.services.actor import current_actor
from app.services.complaint_files import Upload, Uploads
from app.services.complaint_notify import result_text
from app.services.complaint_page import (
    MENU_QUEUES,
    determination_page,
    evidence_for_download,
    queue_counts,
    queue_rows,
    usable_queues,
)
from app.services.complaints import IncompleteDeterminationError
from app.services.errors import ConflictError, OutOfScopeError, PermissionDeniedError
from app.views.base import service_action, service_page
from app.views.case_timeline import event_action, event_summary
from app.views.list_params import whole_number
from app.views.menu_labels import CountedLabel

QUEUE_LABELS = {
    "to_determine": _l("To determine"),
    "pending_approval": _l("Awaiting approval"),
    "objected": _l("Objections to answer"),
    "open_to_objection": _l("Open to objection"),
    "all": _l("Complaint determinations"),
}
HISTORY_LABELS = {
    "open": _l("Investigation opened"),
    "save": _l("Investigation saved"),
    "submit": _l("Submitted for approval"),
    "approve": _l("Determination approved"),
    "send_back": _l("Sent back"),
    "object": _l("Lodge an objection"),
    "uphold": _l("Determination upheld"),
    "change": _l("Change proposed"),
    "approve_change": _l("Change approved"),
    "send_back_change": _l("Change sent back"),
}
OUTCOME_LABELS = {
    "uphold": _l("Determination upheld"),
    "change": _l("Determination changed"),
}
LABELS = {
    "determination": DETERMINATION_LABELS,
    "breach_category": BREACH_CATEGORY_LABELS,
    "invalid_reason": INVALID_REASON_LABELS,
    "grade": GRADE_LABELS,
    "criteria": CRITERION_LABELS,
    "responsibility": RESPONSIBILITY_LABELS,
    "status": DETERMINATION_STATUS_LABELS,
    "history": HISTORY_LABELS,
    "outcome": OUTCOME_LABELS,
    "queue": QUEUE_LABELS,
    "case_status": STATUS_LABELS,
}
FORM_FIELDS = (
    "determination",
    "findings",
    "breach_category",
    "grade",
    "invalid_reason",
    "branch_id",
    "responsibility",
    "employee_id",
    "personal_cause",
)


def _form(form: MultiDict) -> service.DeterminationForm:
    return service.DeterminationForm(
        determination=form.get("determination"),
        findings=form.get("findings"),
        breach_category=form.get("breach_category"),
        grade=form.get("grade"),
        criteria=tuple(form.getlist("criteria")),
        invalid_reason=form.get("invalid_reason"),
        branch_id=whole_number(form.get("branch_id")),
        responsibility=form.get("responsibility"),
        employee_id=whole_number(form.get("employee_id")),
        personal_cause=form.get("personal_cause"),
    )


def _values(page, form: MultiDict | None) -> dict:
    """What the determination form shows: what was typed (after an error), else the stored
    determination, else the case's unit as the responsible one."""
    if form is not None:
        values = {name: form.get(name, "") for name in FORM_FIELDS}
        values["criteria"] = form.getlist("criteria")
        return values
    found = page.determination
    if found is None:
        return {"branch_id": str(page.case.branch_id or ""), "criteria": []}
    values = {
        name: "" if getattr(found, name) is None else str(getattr(found, name))
        for name in FORM_FIELDS
    }
    values["criteria"] = [c.value for c in found.criteria_set]
    return values


def _uploads(field: str) -> Uploads:
    files = [Upload(f.filename, f.stream) for f in request.files.getlist(field) if f.filename]
    return Uploads(
        files,
        current_app.config["UPLOAD_FOLDER"],
        current_app.config["SUQIU_MAX_ATTACHMENT_BYTES"],
    )


class ComplaintDeterminationView(BaseView):
    route_base = "/complaints"
    class_permission_name = "ComplaintDetermination"
    method_permission_name = {
        "index": "read",
        "case": "read",
        "evidence": "read",
        "save": "write",
        "answer": "write",
        "approve": "approve",
        "object": "object",
    }
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        """A queue (待认定, 待审批, 异议待处理, 异议期内) or the list, one page of 20."""
        actor = current_actor()
        queues = usable_queues(actor)
        queue = request.args.get("queue") or ("all" if "all" in queues else "")
        if queue not in queues:
            abort(404)
        page = whole_number(request.args.get("page")) or 0
        now = clock_now()
        rows, more = queue_rows(db.session, actor, queue, now, page)
        return self.render_template(
            "suqiu/complaints.html",
            queue=queue,
            queues=queues,
            counts=queue_counts(db.session, actor, now),
            rows=rows,
            page=page,
            more=more,
            labels=LABELS,
            result=service_result,
            title=str(QUEUE_LABELS[queue]),
        )

    def _render(self, case_id: int, form: MultiDict | None = None, problems=None):
        page = service_page(determination_page, case_id, clock_now())
        return self.render_template(
            "suqiu/complaint.html",
            page=page,
            case=page.case,
            found=page.determination,
            values=_values(page, form),
            problems=problems or {},
            labels=LABELS,
            result=service_result,
            event_action=event_action,
            event_summary=event_summary,
            objection_days=OBJECTION_WORKING_DAYS,
            title=str(_l("Complaint determination")),
        )

    @expose("/case/<int:case_id>")
    @has_access
    def case(self, case_id):
        return self._render(case_id)

    @expose("/case/<int:case_id>/save", methods=["POST"])
    @has_access
    def save(self, case_id):
        """Save the investigation (the first save opens it), or save and submit it: on a
        mistake the form comes back with what was typed and each problem by its field."""
        submit = request.form.get("submit") == "1"
        version = whole_number(request.form.get("version"))
        try:
            service.save_draft(
                db.session,
                current_actor(),
                case_id,
                _form(request.form),
                version=version,
                uploads=_uploads("evidence"),
                submit=submit,
            )
        except OutOfScopeError:
            abort(404)
        except PermissionDeniedError:
            abort(403)
        except IncompleteDeterminationError as exc:
            flash(str(_l("The determination is not complete; nothing was saved.")), "danger")
            return self._render(case_id, request.form, exc.problems)
        except ConflictError as exc:
            flash(str(exc), "danger")  # the page shows what the other person saved
        except DomainError as exc:
            flash(str(exc), "danger")
            return self._render(case_id, request.form)
        else:
            done = _l("Submitted for approval.") if submit else _l("The investigation was saved.")
            flash(str(done), "success")
        return redirect(url_for("ComplaintDeterminationView.case", case_id=case_id))

    def _decide(self, case_id, call):
        """One decision on the case's determination: its service's message flashed."""
        found = service.determination_of_case(db.session, case_id)
        if found is None:
            abort(404)
        return service_action(
            lambda: call(found.id, whole_number(request.form.get("version"))),
            _l("Done."),
            url_for("ComplaintDeterminationView.case", case_id=case_id),
        )

    @expose("/case/<int:case_id>/approve", methods=["POST"])
    @has_access
    def approve(self, case_id):
        """客服部主管: approve, or send back with the reason (a determination, or a change of
        one proposed after an objection)."""
        actor, form = current_actor(), request.form

        def call(pk, version):
            if form.get("decision") == "send_back":
                service.send_back(db.session, actor, pk, version=version, reason=form.get("reason"))
            else:
                service.approve(db.session, actor, pk, version=version, note=form.get("reason"))

        return self._decide(case_id, call)

    @expose("/case/<int:case_id>/object", methods=["POST"])
    @has_access
    def object(self, case_id):
        """The responsible unit's objection, with its reason and evidence."""
        actor, form = current_actor(), request.form

        def call(pk, version):
            service.lodge_objection(
                db.session,
                actor,
                pk,
                version=version,
                reason=form.get("reason"),
                evidence=form.get("evidence_text"),
                uploads=_uploads("objection_files"),
            )

        return self._decide(case_id, call)

    @expose("/case/<int:case_id>/answer", methods=["POST"])
    @has_access
    def answer(self, case_id):
        """CSD upholds or changes the determination after the objection."""
        actor, form = current_actor(), request.form

        def call(pk, version):
            change = form.get("outcome") == "change"
            service.answer_objection(
                db.session,
                actor,
                pk,
                version=version,
                change=change,
                answer=form.get("answer"),
                form=_form(form) if change else None,
            )

        return self._decide(case_id, call)

    @expose("/evidence/<int:evidence_id>")
    @has_access
    def evidence(self, evidence_id):
        row, path = service_page(
            evidence_for_download, evidence_id, current_app.config["UPLOAD_FOLDER"]
        )
        # send_file writes filename*=UTF-8''… so the Chinese name survives (RFC 5987).
        return send_file(
            path, mimetype=row.content_type, as_attachment=True, download_name=row.original_name
        )


def service_result(found) -> str:
    return result_text(found) if found is not None else ""


# -- The menu: the queues with their counts ---------------------------------------------------

MENU_TTL = 30
_recent: dict[int, tuple[float, dict[str, int]]] = {}


def _counts() -> dict[str, int]:
    """The signed-in user's complaint queue counts, once per request, kept MENU_TTL seconds."""
    if not has_request_context():
        return {}
    cached = request.environ.get("suqiu.complaint_counts")
    if cached is None:
        actor = current_actor()
        if actor.user is None:
            return {}
        stamp, cached = _recent.get(actor.user_id, (0.0, None))
        if cached is None or time.monotonic() - stamp > MENU_TTL:
            cached = queue_counts(db.session, actor, clock_now())
            _recent[actor.user_id] = (time.monotonic(), cached)
        request.environ["suqiu.complaint_counts"] = cached
    return cached


def _shows(name: str):
    def cond() -> bool:
        actor = current_actor()
        return actor.user is not None and name in usable_queues(actor)

    return cond


def register(appbuilder) -> None:
    view = appbuilder.add_view(
        ComplaintDeterminationView,
        "ComplaintDeterminations",
        href="/complaints/?queue=all",
        icon="fa-list",
        label=_l("Complaint determinations"),
        category="Complaints",
        category_icon="fa-legal",
        category_label=_l("Complaint determination"),
    )
    for name in MENU_QUEUES:
        appbuilder.add_link(
            f"ComplaintQueue_{name}",
            href=f"/complaints/?queue={name}",
            icon="fa-angle-right",
            label=CountedLabel(
                ("complaints", name), QUEUE_LABELS[name], lambda name=name: _counts().get(name)
            ),
            category="Complaints",
            baseview=view,
            cond=_shows(name),
        )
