"""The assessments routes for tests/test_route_matrix.py."""

from __future__ import annotations


def assessment_specs() -> list:
    return []
