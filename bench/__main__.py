"""``python -m bench``: run every benchmark, print JSON and a short table, write docs/performance.md.

Options: ``--quick`` (fewer requests, for a smoke run),
``--only issue,clerks,flood,realtime,modes,stats,peer,soak,site_box``, ``--no-docs`` (do not rewrite
docs/performance.md), ``--json FILE`` (also save the JSON).
PostgreSQL and Redis come from ``LUOT_BENCH_POSTGRES_URL`` and ``LUOT_BENCH_REDIS_URL`` (or the test
suite's ``LUOT_TEST_POSTGRES_URL`` / ``LUOT_TEST_REDIS_URL``); their parts are skipped without them.
Rate limits are off in the servers under test (``LUOT_RATE_LIMITS=off``).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import clerks, flood, issue, modes, peer, realtime, site_box_catchup, soak, stats_year
from .common import ROOT, machine, postgres_version, raise_file_limit
from .report import table, write_markdown

PARTS = ("issue", "clerks", "flood", "realtime", "modes", "stats", "peer", "soak", "site_box")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default=",".join(PARTS))
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    postgres = os.environ.get("LUOT_BENCH_POSTGRES_URL") or os.environ.get("LUOT_TEST_POSTGRES_URL")
    redis = os.environ.get("LUOT_BENCH_REDIS_URL") or os.environ.get("LUOT_TEST_REDIS_URL")
    os.environ["LUOT_RATE_LIMITS"] = "off"
    raise_file_limit()

    info = machine()
    info["postgresql"] = postgres_version(postgres) if postgres else None
    info["load_average_at_start"] = os.getloadavg()
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": info,
    }
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="luot-bench-") as folder:
        work = Path(folder)
        if "issue" in parts:
            results["issue"] = issue.run(work, postgres, args.quick)
        if "clerks" in parts:
            results["clerks"] = clerks.run(work, postgres, args.quick)
        if "flood" in parts:
            results["flood"] = flood.run(work, args.quick)
        if "realtime" in parts:
            results["realtime"] = realtime.run(work, postgres, redis, args.quick)
        if "modes" in parts:
            results["modes"] = modes.run(work, args.quick)
        if "stats" in parts:
            tickets, runs = (20_000, 3) if args.quick else (150_000, 5)
            results["stats"] = stats_year.run_all(work / "stats", postgres, tickets, runs=runs)
        if "peer" in parts:
            results["peer"] = peer.run(args.quick)
        if "site_box" in parts:  # catch-up after a one-hour outage of a busy site (records per second)
            results["site_box"] = site_box_catchup.run(work / "site_box", postgres, args.quick)
        if "soak" in parts:
            # Four busy days (issue 20: four times the soak of one day), under tracemalloc.
            sites, visitors, days = (2, 150, 1) if args.quick else (4, 600, 4)
            results["soak"] = soak.run(work, sites, visitors, days, trace=True)
    info["load_average_at_end"] = os.getloadavg()
    results["seconds"] = round(time.monotonic() - started)
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    print()
    print(table(results))
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    if not args.no_docs:
        write_markdown(results, ROOT / "docs" / "performance.md")


if __name__ == "__main__":
    main()
