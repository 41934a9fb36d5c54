"""The peer: the same sequential ticket-issue run against another queue system's REST API (FQM, the
open-source Flask queue manager) installed beside us. Skipped when none is configured.

``LUOT_BENCH_PEER_URL`` — the peer's ticket-issuing URL (for FQM: its REST route that creates a ticket);
``LUOT_BENCH_PEER_HEADERS`` — JSON object of request headers (its API token);
``LUOT_BENCH_PEER_BODY`` — JSON body of each request (``{}`` when unset).
"""

from __future__ import annotations

import json
import os
from typing import Any

import requests

from .common import summary_ms
from .issue import sequential


def run(quick: bool = False) -> dict[str, Any]:
    url = os.environ.get("LUOT_BENCH_PEER_URL")
    if not url:
        return {"skipped": "no peer installed (LUOT_BENCH_PEER_URL is not set)"}
    headers = json.loads(os.environ.get("LUOT_BENCH_PEER_HEADERS") or "{}")
    body = json.loads(os.environ.get("LUOT_BENCH_PEER_BODY") or "{}")
    try:
        requests.post(url, json=body, headers=headers, timeout=5)
    except requests.ConnectionError:
        return {"skipped": f"the peer does not answer at {url}"}
    return {
        "url": url,
        "sequential": summary_ms(sequential(url, headers, body, 200 if quick else 1000, range(200, 300))),
    }
