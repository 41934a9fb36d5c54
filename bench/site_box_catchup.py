"""Site boxes: how fast a box catches up after a one-hour outage of a busy site.

A box (SQLite) serves a busy site for an hour with its link to the upstream cut: 20 counters, 240 tickets
issued, called, started and completed through the box's API (≈ 1,000 changes). Then the link returns and
the box sends everything, batch after batch, to an upstream behind a real HTTP server (SQLite, and
PostgreSQL when a server is given). The rate is records (changes) per second until the upstream holds
everything; the floor is the same batches POSTed to a bare Flask route that only parses them, on the same
stack, in the same run.

    .venv/bin/python -m bench.site_box_catchup [--tickets 240] [--postgres URL]

It also runs as part of ``python -m bench`` (part ``site_box``). Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests
from flask import Flask, request
from werkzeug.serving import make_server

from server.app import create_app
from server.db.migrate import upgrade
from server.domain.access import DeviceKind, Role
from server.jobs.site_box import UpstreamLink
from server.services.accounts import auth as auth_service
from server.services.site_boxes import box, links
from server.services.sites.config_file import load_config

from .common import FAST_HASH, PASSWORD, fresh_database

COUNTERS = 20
CONFIG: dict[str, Any] = {
    "communes": [
        {
            "code": "11914",
            "name": "Đặc khu Cát Hải",
            "sites": [
                {
                    "code": "CH",
                    "name": "Trung tâm Phục vụ hành chính công - Cát Hải",
                    "always_open": True,
                    "services": [{"code": "HT", "name": "Hộ tịch", "prefix": "A"}],
                    "counters": [
                        {"code": f"Q{n}", "number": n, "name": f"Quầy {n}", "services": ["HT"]}
                        for n in range(1, COUNTERS + 1)
                    ],
                }
            ],
        }
    ]
}


class Served:
    def __init__(self, app: Flask) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _app(url: str, folder: Path, **overrides: Any) -> Flask:
    app = create_app(
        {
            "LUOT_INSTANCE_PATH": str(folder),
            "LUOT_DATABASE_URL": url,
            "LUOT_PASSWORD_HASH": FAST_HASH,
            "LUOT_RATE_LIMITS": False,
            "LUOT_ENV": "test",
            "SECRET_KEY": "bench-secret-" + "x" * 32,
            **overrides,
        }
    )
    upgrade(app.extensions["luot"].database)
    return app


def _floor(bodies: list[bytes]) -> float:
    """Seconds to POST the same batches to a bare Flask route that parses them."""
    bare = Flask("floor")

    @bare.post("/changes")
    def changes() -> Any:
        body = request.get_json()
        return {"applied": len(body["changes"])}

    served = Served(bare)
    try:
        with requests.Session() as session:
            started = time.perf_counter()
            for body in bodies:
                session.post(f"{served.url}/changes", data=body, headers={"Content-Type": "application/json"})
            return time.perf_counter() - started
    finally:
        served.stop()


def run_one(kind: str, work: Path, postgres: str | None, tickets: int) -> dict[str, Any]:
    with fresh_database(kind, work / f"upstream-{kind}", postgres) as upstream_url:
        upstream = _app(upstream_url, work / f"up-{kind}")
        luot = upstream.extensions["luot"]
        load_config(luot.uow(), CONFIG, luot.now())
        auth_service.add_user(
            luot.uow(),
            luot.hasher,
            username="clerk",
            password=PASSWORD,
            role=Role.CLERK,
            site_codes=["CH"],
            at=luot.now(),
        )
        _info, kiosk = auth_service.add_device(
            luot.uow(), site_code="CH", kind=DeviceKind.KIOSK, name="kiosk", printer_uri=None, at=luot.now()
        )
        token = links.add_link(luot.uow(), "CH", luot.now()).token
        served = Served(upstream)
        box_folder = work / f"box-{kind}"
        box_folder.mkdir(parents=True, exist_ok=True)
        island = _app(
            f"sqlite:///{box_folder / 'luot.sqlite3'}",
            box_folder,
            LUOT_UPSTREAM_URL=served.url,
            LUOT_UPSTREAM_TOKEN=token,
        )
        link = UpstreamLink(island, island.extensions["luot.site_box"])
        site_id = link.bootstrap()
        link.round()
        client = island.test_client()
        login = client.post("/api/v1/auth/login", json={"username": "clerk", "password": PASSWORD}).json
        clerk = {"Authorization": f"Bearer {login['token']}"}
        kiosk_headers = {"Authorization": f"Bearer {kiosk}"}
        service = client.get(f"/api/v1/sites/{site_id}/services").json[0]["id"]
        counters = [c["id"] for c in client.get(f"/api/v1/sites/{site_id}/counters", headers=clerk).json]
        # -- the hour of the outage: the box serves, nothing leaves it ---------------------------------
        for counter in counters:
            client.post(f"/api/v1/counters/{counter}/open", json={}, headers=clerk)
        for number in range(tickets):
            client.post(
                f"/api/v1/sites/{site_id}/tickets", json={"service_id": service}, headers=kiosk_headers
            )
            counter = counters[number % len(counters)]
            called = client.post(f"/api/v1/counters/{counter}/call-next", json={}, headers=clerk)
            if called.status_code == 200:
                ticket = called.json["id"]
                client.post(f"/api/v1/tickets/{ticket}/start", json={}, headers=clerk)
                client.post(f"/api/v1/tickets/{ticket}/complete", json={}, headers=clerk)
        with island.extensions["luot"].read() as session:
            pending = box.pending(session, link.applied or 0, 100_000)
        count = len(pending.changes)
        bodies = [
            json.dumps({"changes": pending.changes[i : i + link.batch]}, ensure_ascii=False).encode()
            for i in range(0, count, link.batch)
        ]
        # -- the link returns --------------------------------------------------------------------------
        link.applied = None
        started = time.perf_counter()
        link.round()
        seconds = time.perf_counter() - started
        with island.extensions["luot"].read() as session:
            left = len(box.pending(session, link.applied or 0, 10).changes)
        floor_s = _floor(bodies)
        served.stop()
        for app in (island, upstream):
            app.extensions["luot"].close()
        return {
            "database": kind,
            "tickets": tickets,
            "records": count,
            "bytes": sum(len(b) for b in bodies),
            "caught_up": left == 0,
            "seconds": round(seconds, 3),
            "records_per_s": round(count / seconds, 1) if seconds else None,
            "floor_records_per_s": round(count / floor_s, 1) if floor_s else None,
        }


def run(work: Path, postgres: str | None, quick: bool) -> dict[str, Any]:
    tickets = 60 if quick else 240
    out = {"sqlite": run_one("sqlite", work, None, tickets)}
    if postgres:
        out["postgres"] = run_one("postgres", work, postgres, tickets)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=240)
    parser.add_argument("--postgres", default=os.environ.get("LUOT_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="luot-bench-sitebox-"))
    try:
        out = {"sqlite": run_one("sqlite", folder, None, args.tickets)}
        if args.postgres:
            out["postgres"] = run_one("postgres", folder, args.postgres, args.tickets)
        print(json.dumps(out, indent=2, ensure_ascii=False))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
