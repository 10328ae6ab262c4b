# ruff: noqa: S608 - SQL text built from this module's constants
"""Complaint determinations for the generated cases, so that the dashboards' 有效投诉 figures
(issue 9) and the assessment read a realistic register: one closed complaint case in ten gets
an approved determination, valid in four of five (one valid in seven major), approved when the
case was closed. About 1 % of all cases, as a city utility's complaint line sees."""

from __future__ import annotations

from sqlalchemy import text

FINISHED = "('closed', 'closed_dissatisfied')"


def add_determinations(engine) -> int:
    """Insert the determinations in one INSERT … SELECT; returns how many."""
    statement = f"""
        INSERT INTO complaint_determination
            (case_id, status, determination, grade, breach_category, responsibility,
             invalid_reason, branch_id, findings, approved_at, submitted_at, created_at,
             updated_at, version)
        SELECT c.id, 'approved',
               CASE WHEN c.id % 5 = 0 THEN 'invalid' ELSE 'valid' END,
               CASE WHEN c.id % 5 = 0 THEN NULL WHEN c.id % 7 = 0 THEN 'major' ELSE 'general' END,
               CASE WHEN c.id % 5 = 0 THEN NULL ELSE 'attitude' END,
               CASE WHEN c.id % 5 = 0 THEN NULL ELSE 'unit' END,
               CASE WHEN c.id % 5 = 0 THEN 'not_true' ELSE NULL END,
               c.branch_id, '核实情况（生成数据）', c.closed_at, c.closed_at, c.closed_at,
               c.closed_at, 1
        FROM service_case c JOIN case_kind k ON k.id = c.kind_id
        WHERE k.code = 'complaint' AND c.status IN {FINISHED} AND c.branch_id IS NOT NULL
          AND c.closed_at IS NOT NULL AND c.id % 10 = 3
          AND NOT EXISTS (SELECT 1 FROM complaint_determination d WHERE d.case_id = c.id)
    """
    with engine.begin() as connection:
        return connection.execute(text(statement)).rowcount
