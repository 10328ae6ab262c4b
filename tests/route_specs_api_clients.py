"""The api clients routes for tests/test_route_matrix.py."""

from __future__ import annotations


def api_client_specs() -> list:
    return []
