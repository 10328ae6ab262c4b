"""批量导入 (issue 11 item 3): upload an .xlsx of cases, see every row's problems in Chinese,
confirm once, follow the progress, open the created cases; the template to fill. The pages
call app.services.case_imports; a refusal is 403, another user's batch 404."""

from __future__ import annotations

import json
import os
from pathlib import Path

from flask import current_app, flash, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from app.domain.case_import import ImportFileError
from app.domain.clock import now as clock_now
from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.extensions import db
from app.services import case_imports
from app.services.case_registration import registrable_channels
from app.views.base import service_page
from app.views.exports import file_name, send_xlsx
from app.views.list_params import whole_number

SHOWN_PROBLEMS = 1000
ROWS_PER_PAGE = 200


def _max_bytes() -> int:
    return int(current_app.config.get("SUQIU_IMPORT_MAX_BYTES", case_imports.DEFAULT_MAX_BYTES))


def _progress_file(batch_id: int) -> Path:
    folder = Path(current_app.instance_path) / "case_imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{int(batch_id)}.progress"


def _write_progress(batch_id: int):
    path = _progress_file(batch_id)

    def write(done: int, total: int) -> None:
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"done": done, "total": total}))
        os.replace(temporary, path)  # a reader never sees half a file

    return write


class CaseImportView(BaseView):
    """FAB "CaseImport": can_read (the pages, the template) and can_import (upload, confirm);
    the capability import.cases grants both (CSD, its head, the administrator)."""

    route_base = "/caseimports"
    class_permission_name = "CaseImport"
    base_permissions = ["can_read", "can_import"]
    method_permission_name = {
        "index": "read",
        "batch": "read",
        "progress": "read",
        "template": "read",
        "upload": "import",
        "confirm": "import",
    }
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        def build(session, actor):
            return self.render_template(
                "suqiu/case_imports.html",
                batches=case_imports.recent_batches(session, actor),
                channels=registrable_channels(session, actor),
                max_mb=_max_bytes() // (1024 * 1024),
                status_labels=STATUS_LABELS,
                title=str(_l("Import cases")),
            )

        return service_page(build)

    @expose("/upload", methods=["POST"])
    @has_access
    def upload(self):
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(str(_l("Please choose an Excel file (.xlsx).")), "danger")
            return redirect(url_for("CaseImportView.index"))
        data = upload.stream.read(_max_bytes() + 1)
        default_channel = whole_number(request.form.get("channel_id"))

        def build(session, actor):
            return case_imports.preview_import(
                session,
                actor,
                upload.filename,
                data,
                default_channel_id=default_channel,
                max_bytes=_max_bytes(),
            )

        try:
            batch = service_page(build)
        except ImportFileError as exc:
            db.session.rollback()
            flash(f"{upload.filename}：{exc}", "danger")
            return redirect(url_for("CaseImportView.index"))
        return redirect(url_for("CaseImportView.batch", pk=batch.id))

    @expose("/<int:pk>")
    @has_access
    def batch(self, pk):
        def build(session, actor):
            batch = case_imports.load_batch(session, actor, pk)
            content = case_imports.batch_rows(batch)
            rows = content["rows"]
            problems = sorted(
                (
                    (entry["row"], column, message)
                    for entry in rows
                    for column, message in entry["problems"]
                ),
                key=_in_sheet_order,
            )
            show = request.args.get("show", "")
            listed = [e for e in rows if e["outcome"] == show] if show in OUTCOME_LABELS else rows
            pages = max((len(listed) + ROWS_PER_PAGE - 1) // ROWS_PER_PAGE, 1)
            number = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
            start = (number - 1) * ROWS_PER_PAGE
            return self.render_template(
                "suqiu/case_import.html",
                batch=batch,
                ignored=content["ignored"],
                problems=problems[:SHOWN_PROBLEMS],
                problem_count=len(problems),
                rows=listed[start : start + ROWS_PER_PAGE],
                show=show if show in OUTCOME_LABELS else "",
                page=number,
                pages=pages,
                names=case_imports.names_by_id(session),
                earlier=case_imports.earlier_imports_of_the_same_file(session, batch),
                outcome_labels=OUTCOME_LABELS,
                status_labels=STATUS_LABELS,
                title=str(_l("Import cases")),
            )

        return service_page(build)

    @expose("/<int:pk>/confirm", methods=["POST"])
    @has_access
    def confirm(self, pk):
        target = url_for("CaseImportView.batch", pk=pk)

        def build(session, actor):
            return case_imports.confirm_import(
                session,
                actor,
                pk,
                request.form.get("key", ""),
                progress=_write_progress(pk),
            )

        try:
            batch = service_page(build)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            batch = None
        if batch is not None:
            if batch.status == case_imports.BatchStatus.IMPORTED:
                flash(
                    str(_l("%(n)d cases imported, %(s)d skipped as already registered."))
                    % {"n": batch.imported_rows, "s": batch.skipped_rows},
                    "success",
                )
            elif batch.status == case_imports.BatchStatus.FAILED:
                reason = {"reason": batch.message}
                flash(str(_l("Nothing was imported: %(reason)s")) % reason, "danger")
        _progress_file(pk).unlink(missing_ok=True)
        if request.headers.get("X-Requested-With") == "fetch":
            return jsonify({"url": target})
        return redirect(target)

    @expose("/<int:pk>/progress")
    @has_access
    def progress(self, pk):
        def build(session, actor):
            batch = case_imports.load_batch(session, actor, pk)
            done, total = 0, batch.valid_rows
            try:
                state = json.loads(_progress_file(pk).read_text())
                done, total = int(state["done"]), int(state["total"])
            except (OSError, ValueError, KeyError):
                pass
            return jsonify({"status": batch.status, "done": done, "total": total})

        return service_page(build)

    @expose("/template.xlsx")
    @has_access
    def template(self):
        def build(session, actor):
            return send_xlsx(
                lambda handle: case_imports.write_template(handle, session, actor),
                file_name(str(_l("Case import template")), f"{clock_now():%Y-%m-%d}"),
            )

        return service_page(build)


def _in_sheet_order(problem: tuple[int, str, str]) -> tuple:
    row, column, _ = problem
    letter = column.split(" ", 1)[0] if " " in column else ""
    return row, len(letter), letter


STATUS_LABELS = {
    case_imports.BatchStatus.PREVIEWED: _l("Awaiting confirmation"),
    case_imports.BatchStatus.IMPORTED: _l("Imported"),
    case_imports.BatchStatus.FAILED: _l("Failed, nothing imported"),
}


OUTCOME_LABELS = {
    case_imports.RowOutcome.VALID: _l("Valid, to import"),
    case_imports.RowOutcome.ERROR: _l("Has errors, not imported"),
    case_imports.RowOutcome.SKIPPED: _l("Already registered, skipped"),
    case_imports.RowOutcome.IMPORTED: _l("Imported"),
}


def register(appbuilder) -> None:
    appbuilder.add_view(
        CaseImportView,
        "CaseImports",
        icon="fa-upload",
        label=_l("Import cases"),
        category="Cases",
    )
