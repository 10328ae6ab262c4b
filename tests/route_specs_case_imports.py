"""The Excel import routes (issue 11 item 3) for tests/test_route_matrix.py. A batch belongs
to the CSD user who uploaded it and to no unit: its pages are called on a batch nobody has
(a permitted user gets 404); the uploader-only rule is tested in tests/test_case_imports.py.
The upload sends a real workbook, so every permitted role's upload makes a batch."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from app.models import CaseImport
from tests.route_specs import Spec

READ = ("can_read", "CaseImport")
IMPORT = ("can_import", "CaseImport")
MISSING = 999_999


def _workbook() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["工单编号", "受理时间", "来电人", "诉求内容", "诉求类型", "来源渠道"])
    book.active.append(["MATRIX-1", "2026-11-20 09:00", "张三", "矩阵导入", "咨询", "市民热线"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _batches(session, ref) -> int:
    return session.scalar(select(func.count()).select_from(CaseImport))


def case_import_specs() -> list[Spec]:
    data = _workbook()
    return [
        Spec("CaseImportView.index", "/caseimports/", perm=READ),
        Spec("CaseImportView.template", "/caseimports/template.xlsx", perm=READ),
        Spec(
            "CaseImportView.upload",
            "/caseimports/upload",
            "POST",
            perm=IMPORT,
            data=lambda ref, ctx, user: {"file": (io.BytesIO(data), "导入.xlsx")},
            count=_batches,
        ),
        Spec(
            "CaseImportView.upload",
            "/caseimports/upload",
            "POST",
            perm=IMPORT,
            count=_batches,
            variant="no-file",
        ),
        Spec("CaseImportView.batch", f"/caseimports/{MISSING}", perm=READ, absent_ok=True),
        Spec(
            "CaseImportView.progress",
            f"/caseimports/{MISSING}/progress",
            perm=READ,
            absent_ok=True,
        ),
        Spec(
            "CaseImportView.confirm",
            f"/caseimports/{MISSING}/confirm",
            "POST",
            perm=IMPORT,
            data=lambda ref, ctx, user: {"key": "x"},
            count=_batches,
            absent_ok=True,
        ),
    ]
