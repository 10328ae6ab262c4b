"""年终考核 (Art.41): the years and their versions, a year's units ranked (the live draft or a
finalised version's snapshot), one unit's deductions each linked to its complaint determination
or violation and evidence with the unit's objections, CSD's deadline and answers, the committee's
finalise and reopen, the A4 print and the .xlsx export. Thin: one service call per POST."""

from __future__ import annotations

import functools
import secrets
from datetime import date

from flask import request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from app.domain import assessments as rules
from app.domain.clock import format_datetime
from app.domain.clock import now as clock_now
from app.domain.i18n import _l
from app.domain.violations import CAUSE_LABELS, ENTRY_STATUS_LABELS, percent
from app.extensions import db
from app.services import assessment_export
from app.services import assessment_page as pages
from app.services import assessments as service
from app.services.actor import current_actor
from app.views.base import service_action, service_page
from app.views.exports import file_name, send_xlsx
from app.views.list_params import whole_number

YEARS_SHOWN = 3
# A year's print lists thousands of deductions of a few distinct values: each formatted once.
_percent = functools.lru_cache(maxsize=1024)(percent)


def _version() -> int | None:
    return whole_number(request.args.get("version"))


def _day(raw) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


class AssessmentView(BaseView):
    route_base = "/assessments"
    class_permission_name = "AnnualAssessment"
    base_permissions = ["can_read", "can_prepare", "can_object", "can_finalise"]
    method_permission_name = {
        "index": "read",
        "year": "read",
        "unit": "read",
        "print_year": "read",
        "export": "read",
        "open": "prepare",
        "answer": "prepare",
        "object": "object",
        "finalise": "finalise",
        "reopen": "finalise",
    }
    default_view = "index"

    def _labels(self) -> dict:
        return {
            "cause_labels": CAUSE_LABELS,
            "entry_status_labels": ENTRY_STATUS_LABELS,
            "status_labels": rules.STATUS_LABELS,
            "action_labels": rules.ACTION_LABELS,
            "objection_labels": rules.OBJECTION_STATUS_LABELS,
            "percent": _percent,
        }

    @expose("/")
    @has_access
    def index(self):
        this_year = clock_now().year
        recent = range(this_year, this_year - YEARS_SHOWN, -1)
        years = sorted({*recent, *service.stored_years(db.session)}, reverse=True)
        versions = {year: service.versions_of(db.session, year) for year in years}
        return self.render_template(
            "suqiu/assessments.html",
            years=years,
            versions=versions,
            title=str(_l("Annual assessment")),
            **self._labels(),
        )

    @expose("/<int:year>")
    @has_access
    def year(self, year):
        now = clock_now()
        page = service_page(pages.year_page, year, _version(), now=now)
        return self.render_template(
            "suqiu/assessment.html",
            page=page,
            now=now,
            title=str(_l("Annual assessment %(year)d", year=page.year)),
            **self._labels(),
        )

    @expose("/<int:year>/unit/<int:branch_id>")
    @has_access
    def unit(self, year, branch_id):
        now = clock_now()
        page = service_page(pages.unit_page, year, branch_id, _version(), now=now)
        return self.render_template(
            "suqiu/assessment_unit.html",
            page=page,
            year_page=page.year,
            now=now,
            submission_key=lambda _entry: secrets.token_hex(16),
            title=str(_l("Annual assessment %(year)d", year=page.year.year)),
            **self._labels(),
        )

    @expose("/<int:year>/print")
    @has_access
    def print_year(self, year):
        now = clock_now()
        actor = current_actor()
        page = service_page(pages.year_page, year, _version(), now=now)
        deductions = pages.deductions_of(db.session, actor, page, None)
        by_unit: dict[int, list] = {}
        for d in deductions:
            by_unit.setdefault(d.branch_id, []).append(d)
        return self.render_template(
            "suqiu/assessment_print.html",
            page=page,
            by_unit=by_unit,
            scope_text=_scope_text(page),
            page_header=_page_header(page),
            printed_at=now,
            **self._labels(),
        )

    @expose("/<int:year>/export.xlsx")
    @has_access
    def export(self, year):
        now = clock_now()
        actor = current_actor()
        page = service_page(pages.year_page, year, _version(), now=now)
        notes = [
            (str(_l("Year")), str(page.year)),
            (str(_l("Version")), _version_text(page)),
            (str(_l("Units")), _scope_text(page)),
            (str(_l("Exported at")), format_datetime(now)),
        ]
        if page.late:
            notes.insert(0, (str(_l("Warning")), str(pages.late_warning(page))))
        name = file_name(str(_l("Annual assessment")), str(page.year), _version_text(page))
        return send_xlsx(
            lambda handle: assessment_export.write_xlsx(handle, db.session, actor, page, notes),
            name,
        )

    # -- state changes -----------------------------------------------------------------------

    def _run(self, call, back: str, done, refused: str | None = None) -> object:
        return service_action(call, done, back, out_of_scope_to=refused or back)

    @expose("/<int:year>/open", methods=["POST"])
    @has_access
    def open(self, year):
        form = request.form
        return self._run(
            lambda: service.open_for_objections(
                db.session,
                current_actor(),
                year,
                deadline=_day(form.get("deadline")),
                lock_version=whole_number(form.get("lock_version")),
            ),
            url_for("AssessmentView.year", year=year),
            _l("The draft is open for objections until the deadline."),
        )

    @expose("/<int:year>/object", methods=["POST"])
    @has_access
    def object(self, year):
        form = request.form
        branch = whole_number(form.get("branch_id"))
        back = (
            url_for("AssessmentView.unit", year=year, branch_id=branch)
            if branch
            else url_for("AssessmentView.year", year=year)
        )
        return self._run(
            lambda: service.lodge_objection(
                db.session,
                current_actor(),
                year,
                entry_id=whole_number(form.get("entry_id")),
                reason=form.get("reason"),
                evidence=form.get("evidence"),
                submission_key=form.get("submission_key"),
            ),
            back,
            _l("Your objection was submitted; the customer-service department will answer it."),
            url_for("AssessmentView.year", year=year),
        )

    @expose("/objection/<int:objection_id>/answer", methods=["POST"])
    @has_access
    def answer(self, objection_id):
        form = request.form
        actor = current_actor()
        found = service_page(service.visible_objection, objection_id)
        assessment = db.session.get(service.Assessment, found.assessment_id)
        back = url_for("AssessmentView.unit", year=assessment.year, branch_id=found.branch_id)
        return self._run(
            lambda: service.answer_objection(
                db.session,
                actor,
                objection_id,
                decision=form.get("decision"),
                answer=form.get("answer"),
                version=whole_number(form.get("version")),
            ),
            back,
            _l("The objection was answered."),
        )

    @expose("/<int:year>/finalise", methods=["POST"])
    @has_access
    def finalise(self, year):
        return self._run(
            lambda: service.finalise(
                db.session,
                current_actor(),
                year,
                lock_version=whole_number(request.form.get("lock_version")),
            ),
            url_for("AssessmentView.year", year=year),
            _l("The assessment is finalised."),
        )

    @expose("/<int:year>/reopen", methods=["POST"])
    @has_access
    def reopen(self, year):
        return self._run(
            lambda: service.reopen(
                db.session,
                current_actor(),
                year,
                reason=request.form.get("reason"),
                lock_version=whole_number(request.form.get("lock_version")),
            ),
            url_for("AssessmentView.year", year=year),
            _l("The assessment was reopened as a new version; the finalised one is kept."),
        )


def _version_text(page) -> str:
    if page.assessment is None:
        return str(_l("Live draft"))
    return str(
        _l(
            "Version %(version)d (%(status)s)",
            version=page.assessment.version,
            status=rules.STATUS_LABELS[page.status],
        )
    )


def _page_header(page) -> str:
    """The printed pages' running header: title and version (a CSS string: no quotes)."""
    text = "　".join(
        [
            str(_l("Annual assessment of basic service management %(year)d", year=page.year)),
            _version_text(page),
        ]
    )
    return "".join(ch for ch in text if ch not in '"\\\n<>&')


def _scope_text(page) -> str:
    if current_actor().scope.all_branches:
        return str(_l("all units"))
    return "、".join(line.name for line in page.lines)


def register(appbuilder) -> None:
    appbuilder.add_view(
        AssessmentView,
        "AnnualAssessments",
        href="/assessments/",
        icon="fa-trophy",
        label=_l("Annual assessment"),
        category="Assessment",
        category_icon="fa-balance-scale",
        category_label=_l("Assessment"),
    )
