"""The quarterly reports routes for tests/test_route_matrix.py."""

from __future__ import annotations


def quarterly_report_specs() -> list:
    return []
