"""The repeats routes for tests/test_route_matrix.py."""

from __future__ import annotations


def repeat_specs() -> list:
    return []
