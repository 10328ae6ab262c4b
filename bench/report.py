"""Timing, memory and the printed table."""

from __future__ import annotations

import contextlib
import os
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# The users measured: CSD, a branch's liaison, handler and head, an all-branch leader.
USERS = ("csd", "liaison_hankou", "handler_hankou", "head_hankou", "leader")


@dataclass
class Row:
    operation: str
    role: str
    rows: str  # what the page shows (a mark when the page and the raw SQL disagree)
    ours: float | None  # median ms, or cases/s for throughput rows
    raw: float | None
    peak_mb: float | None
    queries: int | None = None  # SQL statements per request
    throughput: bool = False

    @property
    def ratio(self) -> float | None:
        if not self.ours or not self.raw:
            return None
        return self.raw / self.ours if self.throughput else self.ours / self.raw


def median_ms(action: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median wall time of ``repeat`` calls after one warm-up call; the last call's result."""
    result = action()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), result


def reset_peak_rss() -> None:
    """Linux: restart the process's resident-memory high-water mark (VmHWM) from now."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} CPUs{memory}"


def _number(value: float | None, throughput: bool) -> str:
    if value is None:
        return "—"
    if throughput:
        return f"{value:,.1f}/s"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


HEADER = ("operation", "role", "rows", "ours ms", "raw SQL ms", "ratio", "peak RSS MB", "SQL")


def header() -> str:
    return "| " + " | ".join(HEADER) + " |\n|" + "---|" * len(HEADER)


def line(row: Row) -> str:
    cells = (
        row.operation,
        row.role,
        row.rows,
        _number(row.ours, row.throughput),
        _number(row.raw, row.throughput),
        f"{row.ratio:.1f}×" if row.ratio else "—",
        f"{row.peak_mb:.0f}" if row.peak_mb else "—",
        str(row.queries) if row.queries is not None else "—",
    )
    return "| " + " | ".join(cells) + " |"


def table(rows: list[Row]) -> str:
    return "\n".join([header(), *(line(row) for row in rows)])
