# ruff: noqa: S608 - SQL text built from this module's constants
"""Linked repeat requests (重复诉求, 主单 / 关联单) among the generated cases, so that the
dashboards' 重复诉求数 and the "counted once" conditions read realistic data: one case in fifty
is linked as the 关联单 of the case generated just before it (never a chain: that one is not
itself linked)."""

from __future__ import annotations

from sqlalchemy import text


def add_repeat_links(engine) -> int:
    """Link the cases in one UPDATE; returns how many."""
    statement = """
        UPDATE service_case SET primary_case_id = id - 1
        WHERE id % 50 = 7 AND primary_case_id IS NULL AND status <> 'voided'
          AND EXISTS (SELECT 1 FROM service_case p WHERE p.id = service_case.id - 1
                      AND p.primary_case_id IS NULL AND p.status <> 'voided')
    """
    with engine.begin() as connection:
        return connection.execute(text(statement)).rowcount
