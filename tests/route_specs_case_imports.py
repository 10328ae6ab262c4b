"""The Excel import routes for tests/test_route_matrix.py."""

from __future__ import annotations


def case_import_specs() -> list:
    return []
