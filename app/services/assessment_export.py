"""The annual assessment as an .xlsx workbook (Art.41): the ranked units, then every deduction
with its unit, then the notes; what the year page shows the reader (scope included)."""

from __future__ import annotations

from typing import IO

from sqlalchemy.orm import Session

from app.domain.i18n import _l
from app.domain.violations import percent
from app.services.actor import Actor
from app.services.assessment_page import YearPage, deductions_of
from app.services.xlsx import Column, Workbook, write_notes


def write_xlsx(handle: IO[bytes], session: Session, actor: Actor, page: YearPage, notes) -> int:
    """Two sheets: the ranked units, then every deduction with its unit; ``notes`` last."""
    written = 0
    names = {line.branch_id: line.name for line in page.lines}
    with Workbook(handle) as book:
        sheet = book.add_sheet(
            str(_l("Annual assessment")),
            [
                Column(str(_l("Rank")), 8),
                Column(str(_l("Unit")), 24),
                Column(str(_l("General valid complaints")), 14),
                Column(str(_l("Major valid complaints")), 14),
                Column(str(_l("Other violations")), 14),
                Column(str(_l("Deductions")), 12),
                Column(str(_l("Score")), 12),
            ],
        )
        for line in page.lines:
            sheet.append(
                [
                    line.rank,
                    line.name,
                    line.general,
                    line.major,
                    line.violations,
                    percent(line.deduction_bp),
                    percent(line.score_bp),
                ]
            )
        written += sheet.data_rows
        sheet = book.add_sheet(
            str(_l("Deductions")),
            [
                Column(str(_l("Unit")), 24),
                Column(str(_l("Occurred on")), 12),
                Column(str(_l("Violation")), 40),
                Column(str(_l("Case number")), 18),
                Column(str(_l("Deduction")), 10),
                Column(str(_l("Evidence")), 60),
            ],
        )
        for d in deductions_of(session, actor, page, None):
            sheet.append(
                [
                    names.get(d.branch_id, ""),
                    d.occurred_on,
                    d.label,
                    d.case_number or "",
                    percent(d.deduction_bp),
                    d.evidence or "",
                ]
            )
        written += sheet.data_rows
        write_notes(book, notes)
    return written
