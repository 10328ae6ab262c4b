"""CSD's spot-check callbacks (抽查回访, Art.35): a reproducible random sample at a given rate.

The sample is a pure function of the candidate cases, the rate (in basis points, exact) and a
seed: drawing again with the same inputs gives the same cases, so a sample can be audited.
"""

from __future__ import annotations

import hashlib
import math


def sample_size(population: int, rate_bp: int) -> int:
    """ceil(population × rate), at least one case when there are any and the rate is > 0."""
    if population <= 0 or rate_bp <= 0:
        return 0
    return min(population, max(1, math.ceil(population * rate_bp / 10_000)))


def draw_sample(case_ids: list[int], rate_bp: int, seed: str) -> list[int]:
    if not 0 < rate_bp <= 10_000:
        raise ValueError("the rate must be between 0.01 % and 100 %")

    def key(case_id: int) -> bytes:
        return hashlib.sha256(f"{seed}:{case_id}".encode()).digest()

    ranked = sorted(set(case_ids), key=key)
    return sorted(ranked[: sample_size(len(ranked), rate_bp)])
