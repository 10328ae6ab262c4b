"""mypy on the domain and the services (issue 7), as configured in pyproject.toml's [tool.mypy]:
the README's test command and CI run it with the rest of the suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_finds_no_error_in_the_domain_and_the_services(tmp_path_factory):
    # A cache of its own per run: nothing written into the work tree, no stale cache trusted.
    cache = tmp_path_factory.mktemp("mypy-cache")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(cache), "app/domain", "app/services"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"mypy reports errors:\n{result.stdout}{result.stderr}", pytrace=False)
