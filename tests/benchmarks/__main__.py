"""``make bench``: every benchmark, each figure a ratio to a baseline measured in the same run."""

from __future__ import annotations

import os

from tests.benchmarks import ai_inference, api_throughput, match_latency, photo_uploads, sync_push_pull
from tests.databases import POSTGRES_ADMIN_URL, postgres_available, postgres_database


def main() -> None:
    print("== HTTP throughput (one uvicorn process each) ==")
    api_throughput.main()
    print("\n== Sync ==")
    for figure in sync_push_pull.measure():
        print(figure.line())
    if postgres_available() and not os.environ.get("BENCH_SKIP_POSTGRES"):
        with postgres_database() as url:
            for figure in sync_push_pull.measure(url):
                print(figure.line())
    else:
        print(f"(PostgreSQL at {POSTGRES_ADMIN_URL} not reachable: its figures skipped)")
    print("\n== Matching (goal: p95 ≤ 10 ms and ≥ 20× faster than difflib, i.e. ratio ≤ 0.05) ==")
    for figure in match_latency.measure():
        print(figure.line())
    print("\n== Photos ==")
    for figure in photo_uploads.measure():
        print(figure.line())
    print("\n== AI (real site photos) ==")
    for figure in ai_inference.measure():
        print(figure.line())


if __name__ == "__main__":
    main()
