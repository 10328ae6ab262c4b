"""季度分析报告 (Art.39) and 服务例会 (Art.40): the list of reports and the generation form, a
report's page (figures, analysis, 批示, the answers the reader may see, the forms), its A4 print
and .xlsx export; the meetings with their measures. One FAB permission view, "QuarterlyReport":
read, write (CSD), comment (leaders, the committee), answer (a unit's liaison and head)."""

from __future__ import annotations

import secrets
from datetime import date

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from app.domain import quarterly_reports as qr
from app.domain.clock import now as clock_now
from app.domain.i18n import _l
from app.extensions import db
from app.services import quarterly_report_page as pages
from app.services import quarterly_reports as reports
from app.services import service_meetings as meetings
from app.services import xlsx
from app.services.actor import current_actor
from app.views.base import service_action, service_page
from app.views.exports import file_name, send_xlsx
from app.views.list_params import whole_number

INCOMPLETE = _l("The form is incomplete; please reload the page.")


def _day(raw) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


class QuarterlyReportView(BaseView):
    route_base = "/quarterly-reports"
    default_view = "index"
    class_permission_name = "QuarterlyReport"
    method_permission_name = {
        "index": "read",
        "show": "read",
        "print_report": "read",
        "export": "read",
        "meeting_index": "read",
        "meeting_show": "read",
        "generate": "write",
        "edit": "write",
        "submit": "write",
        "distribute": "write",
        "meeting_add": "write",
        "measure_add": "write",
        "comment": "comment",
        "answer": "answer",
        "measure_done": "answer",
    }
    base_permissions = ["can_read", "can_write", "can_comment", "can_answer"]

    # -- reports ----------------------------------------------------------------------------

    @expose("/")
    @has_access
    def index(self):
        actor = current_actor()
        listing = service_page(pages.report_list)
        return self.render_template(
            "suqiu/quarterly_reports.html",
            reports=listing,
            status_labels=qr.STATUS_LABELS,
            may_generate=actor.may(reports.EDIT),
            suggested=qr.last_ended(clock_now()).token,
            title=str(_l("Quarterly analysis reports")),
        )

    @expose("/generate", methods=["POST"])
    @has_access
    def generate(self):
        return service_action(
            lambda: reports.generate_report(
                db.session, current_actor(), request.form.get("quarter")
            ),
            _l("The report was generated; its figures are frozen as of now."),
            lambda report: url_for("QuarterlyReportView.show", pk=report.id),
            back=url_for("QuarterlyReportView.index"),
            flash_refusals=True,
        )

    @expose("/show/<int:pk>")
    @has_access
    def show(self, pk):
        page = service_page(pages.report_page, pk, now=clock_now())
        return self.render_template(
            "suqiu/quarterly_report.html",
            page=page,
            report=page.report,
            status_labels=qr.STATUS_LABELS,
            answer_labels=qr.ANSWER_STATE_LABELS,
            event_labels=qr.EVENT_LABELS,
            form_key=secrets.token_hex(16),
            title=f"{_l('Quarterly analysis report')} {page.report.token}",
        )

    @expose("/print/<int:pk>")
    @has_access
    def print_report(self, pk):
        page = service_page(pages.report_page, pk, now=clock_now())
        return self.render_template(
            "suqiu/quarterly_report_print.html",
            page=page,
            report=page.report,
            answer_labels=qr.ANSWER_STATE_LABELS,
            printed_at=clock_now(),
        )

    @expose("/export/<int:pk>")
    @has_access
    def export(self, pk):
        page = service_page(pages.report_page, pk, now=clock_now())
        tables = [
            (t.title, [xlsx.Column(h, 40 if i == 0 else 16) for i, h in enumerate(t.headers)],
             t.rows)
            for t in page.tables
        ]  # fmt: skip
        text = [
            (str(_l("Customer-service department analysis")), page.report.analysis or ""),
            (str(_l("Improvement measures")), page.report.measures or ""),
        ]
        text += [
            (f"{_l('Instruction')} {c.at:%Y-%m-%d %H:%M} {c.author or ''}", c.text or "")
            for c in page.comments
        ]
        tables.append(
            (str(_l("Analysis and instructions")),
             [xlsx.Column(str(_l("Item")), 30), xlsx.Column(str(_l("Text")), 90)], text)
        )  # fmt: skip
        notes = [
            (str(_l("Report")), str(_l("Quarterly analysis report"))),
            (str(_l("Period")), page.report.token),
            (str(_l("Unit")), str(_l("Customer Service Department"))),
            (str(_l("Figures as of")), page.as_of),
        ]
        return send_xlsx(
            lambda handle: xlsx.write_tables(handle, tables, notes),
            file_name(str(_l("Quarterly analysis report")), page.report.token),
        )

    @expose("/edit/<int:pk>", methods=["POST"])
    @has_access
    def edit(self, pk):
        return self._run(
            pk,
            lambda actor, version: reports.edit_report(
                db.session, actor, pk,
                analysis=request.form.get("analysis"), measures=request.form.get("measures"),
                version=version,
            ),
            _l("Saved."),
        )  # fmt: skip

    @expose("/submit/<int:pk>", methods=["POST"])
    @has_access
    def submit(self, pk):
        return self._run(
            pk,
            lambda actor, version: reports.submit_report(db.session, actor, pk, version=version),
            _l("The report was submitted to the committee."),
        )

    @expose("/distribute/<int:pk>", methods=["POST"])
    @has_access
    def distribute(self, pk):
        return self._run(
            pk,
            lambda actor, version: reports.distribute_report(
                db.session, actor, pk, version=version
            ),
            _l("The report was distributed to the units."),
        )

    @expose("/comment/<int:pk>", methods=["POST"])
    @has_access
    def comment(self, pk):
        return self._run(
            pk,
            lambda actor, _: reports.comment_report(
                db.session,
                actor,
                pk,
                request.form.get("text"),
                submission_key=request.form.get("submission_key"),
            ),
            _l("Saved; the people concerned have been notified."),
            versioned=False,
        )

    @expose("/answer/<int:pk>", methods=["POST"])
    @has_access
    def answer(self, pk):
        raw = request.form.get("branch_id")
        branch_id = whole_number(raw) if raw else None
        if raw and branch_id is None:
            flash(str(INCOMPLETE), "danger")
            return redirect(url_for("QuarterlyReportView.show", pk=pk))

        def submit():
            answer = reports.answer_report(
                db.session, current_actor(), pk, branch_id, request.form.get("opinion")
            )
            if answer.late:
                late = _l(
                    "The handling opinion was submitted after its deadline (%(due)s) and is "
                    "recorded as late (Art.39).",
                    due=f"{answer.due:%Y-%m-%d %H:%M}",
                )
                flash(str(late), "warning")
            else:
                flash(str(_l("The handling opinion was submitted.")), "success")

        return self._report_action(pk, submit, None)

    def _run(self, pk, call, done, versioned=True):
        version = whole_number(request.form.get("version"))
        if versioned and version is None:
            flash(str(INCOMPLETE), "danger")
            return redirect(url_for("QuarterlyReportView.show", pk=pk))
        return self._report_action(pk, lambda: call(current_actor(), version), done)

    def _report_action(self, pk, call, done):
        """A report's action: every refusal flashed; a report the user may not see sends them to
        the list, saying only that."""
        page = url_for("QuarterlyReportView.show", pk=pk)
        listing = url_for("QuarterlyReportView.index")
        return service_action(call, done, page, flash_refusals=True, out_of_scope_to=listing)

    # -- service meetings (Art.40) ------------------------------------------------------------

    @expose("/meetings/")
    @has_access
    def meeting_index(self):
        actor = current_actor()
        listing = service_page(pages.meeting_list)
        return self.render_template(
            "suqiu/service_meetings.html",
            meetings=listing,
            measures=meetings.visible_measures(db.session, actor),
            states={
                m.id: qr.measure_state(m.due_on, m.done_at, clock_now())
                for m in meetings.visible_measures(db.session, actor)
            },
            state_labels=qr.MEASURE_STATE_LABELS,
            may_add=actor.may(reports.EDIT),
            may_done=actor.may(reports.ANSWER),
            units=pages.unit_choices(db.session) if actor.may(reports.EDIT) else [],
            today=clock_now().date(),
            form_key=secrets.token_hex(16),
            title=str(_l("Service meetings")),
        )

    @expose("/meetings/show/<int:pk>")
    @has_access
    def meeting_show(self, pk):
        page = service_page(pages.meeting_page, pk, now=clock_now())
        return self.render_template(
            "suqiu/service_meeting.html",
            page=page,
            meeting=page.meeting,
            state_labels=qr.MEASURE_STATE_LABELS,
            units=pages.unit_choices(db.session) if page.may_add else [],
            form_key=secrets.token_hex(16),
            title=f"{_l('Service meeting')} {page.meeting.held_on}",
        )

    @expose("/meetings/add", methods=["POST"])
    @has_access
    def meeting_add(self):
        drafts = [
            meetings.MeasureDraft(
                request.form.get(f"measure_text_{i}"),
                whole_number(request.form.get(f"measure_branch_{i}")),
                _day(request.form.get(f"measure_due_{i}")),
            )
            for i in range(1, 4)
        ]
        return service_action(
            lambda: meetings.record_meeting(
                db.session,
                current_actor(),
                held_on=_day(request.form.get("held_on")),
                title=request.form.get("title"),
                minutes=request.form.get("minutes"),
                measures=drafts,
                submission_key=request.form.get("submission_key"),
            ),
            _l("The meeting was recorded; the responsible units have been notified."),
            lambda meeting: url_for("QuarterlyReportView.meeting_show", pk=meeting.id),
            back=url_for("QuarterlyReportView.meeting_index"),
            flash_refusals=True,
        )

    @expose("/meetings/<int:pk>/measures", methods=["POST"])
    @has_access
    def measure_add(self, pk):
        draft = meetings.MeasureDraft(
            request.form.get("text"),
            whole_number(request.form.get("branch_id")),
            _day(request.form.get("due_on")),
        )
        return service_action(
            lambda: meetings.add_measure(
                db.session,
                current_actor(),
                pk,
                draft,
                submission_key=request.form.get("submission_key"),
            ),
            _l("The measure was added; the responsible unit has been notified."),
            url_for("QuarterlyReportView.meeting_show", pk=pk),
            flash_refusals=True,
            out_of_scope_to=url_for("QuarterlyReportView.meeting_index"),
        )

    @expose("/measures/done/<int:pk>", methods=["POST"])
    @has_access
    def measure_done(self, pk):
        return service_action(
            lambda: meetings.mark_done(db.session, current_actor(), pk, request.form.get("note")),
            _l("The measure was reported done."),
            lambda measure: url_for("QuarterlyReportView.meeting_show", pk=measure.meeting_id),
            back=url_for("QuarterlyReportView.meeting_index"),
            flash_refusals=True,
        )


def register(appbuilder) -> None:
    view = appbuilder.add_view(
        QuarterlyReportView,
        "QuarterlyReports",  # a menu name, not the permission name
        href="/quarterly-reports/",
        icon="fa-file-text-o",
        label=_l("Quarterly analysis reports"),
        category="Statistics",
    )
    appbuilder.add_link(
        "ServiceMeetings",
        href="/quarterly-reports/meetings/",
        icon="fa-users",
        label=_l("Service meetings"),
        category="Statistics",
        baseview=view,
    )
