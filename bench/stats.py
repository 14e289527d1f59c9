"""Percentiles and small numeric helpers shared by the phases."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (q in 0..100)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summary_ms(seconds: Sequence[float]) -> dict[str, float | None]:
    """p50/p95/p99/max in milliseconds; None for each when there are no values."""
    values = sorted(seconds)
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None, "count": 0}
    return {"p50": round(percentile(values, 50) * 1000, 2),
            "p95": round(percentile(values, 95) * 1000, 2),
            "p99": round(percentile(values, 99) * 1000, 2),
            "max": round(values[-1] * 1000, 2), "count": len(values)}


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 3)
