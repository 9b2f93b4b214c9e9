"""Interleaved timing: a figure and its floor measured in the same rounds, alternating, medians compared.

Each measured callable returns the seconds of the part that counts (so per-call preparation, such as queuing
the document a render then works on, stays outside). A round measures every callable once, in alternating
order (A B, B A, …); a sample repeats a fast callable enough times to last about ``sample_seconds``.
"""

import math
import statistics
import time
from collections.abc import Callable

Measured = Callable[[], float]


def timed(function: Callable[[], object]) -> Measured:
    """A callable whose whole run counts."""

    def run() -> float:
        started = time.perf_counter()
        function()
        return time.perf_counter() - started

    return run


def interleaved(
    measured: dict[str, Measured], *, rounds: int, sample_seconds: float = 0.2
) -> dict[str, list[float]]:
    """Seconds per call of each callable, one sample per round; one warm-up call each first."""
    repeats = {}
    for name, run in measured.items():
        run()  # warm-up: caches, imports, the template loader
        once = max(run(), 1e-6)
        repeats[name] = max(1, min(1000, math.ceil(sample_seconds / once)))
    samples: dict[str, list[float]] = {name: [] for name in measured}
    names = list(measured)
    for round_number in range(rounds):
        for name in names if round_number % 2 == 0 else reversed(names):
            run, n = measured[name], repeats[name]
            samples[name].append(sum(run() for _ in range(n)) / n)
    return samples


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


def ratio(figure: list[float], floor: list[float]) -> float:
    return round(statistics.median(figure) / statistics.median(floor), 3)
