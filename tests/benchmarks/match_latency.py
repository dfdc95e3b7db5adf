"""Match latency over the development set vs difflib.SequenceMatcher over the same candidates."""

from __future__ import annotations

import difflib
import statistics
import time

from regulations.evaluation import load_devset
from regulations.normalize import normalize
from regulations.service import get_matcher
from tests.benchmarks.report import Figure


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure() -> list[Figure]:
    matcher = get_matcher()
    cases = [case.text for case in load_devset().cases]
    matcher.match(cases[0])  # warm: jieba dictionary, caches
    ours = []
    for text in cases:
        started = time.perf_counter()
        matcher.match(text, limit=5)
        ours.append(time.perf_counter() - started)
    candidates = [
        normalize(t) for item in matcher.checklist.items.values() for t in (item.title, *item.phrasings)
    ]
    baseline = []
    for text in cases:
        query = normalize(text)
        started = time.perf_counter()
        max(difflib.SequenceMatcher(None, query, candidate).ratio() for candidate in candidates)
        baseline.append(time.perf_counter() - started)
    return [
        Figure(
            "match p50 (ms) over the devset",
            statistics.median(ours) * 1000,
            statistics.median(baseline) * 1000,
            "difflib p50",
            lower_is_better=True,
            unit="ms",
        ),
        Figure(
            "match p95 (ms) over the devset",
            _percentile(ours, 0.95) * 1000,
            _percentile(baseline, 0.95) * 1000,
            "difflib p95",
            goal=0.05,
            lower_is_better=True,
            unit="ms",
        ),
    ]
