"""A box's link to its upstream: push its site's changes, pull its site's configuration and bookings.

The box calls the upstream over HTTP(S) with its site-box token (``LUOT_UPSTREAM_URL``,
``LUOT_UPSTREAM_TOKEN``); the upstream never calls a box, so a box behind a NAT or a 4G router works.
One background thread of ``luot serve``, woken after every commit of the site and at least every
``LUOT_UPSTREAM_INTERVAL_S`` (1) seconds, does, while the link is up:

1. ``hello``: where the upstream wants it to resume (its high-water mark, after either side restarted);
2. send the outgoing changes after that mark, oldest first, in batches of at most
   ``LUOT_UPSTREAM_BATCH`` (200) changes and ``MAX_BATCH_BYTES``; each answer moves the mark;
3. pull the site's feed (configuration when its digest changed, bookings after the cursor).

Any failure (no route, a timeout, a refusal) ends the round; the next round starts again at 1, so
nothing is lost and nothing is stored twice upstream (idempotent on the change number). The box serves
on regardless: its kiosks, displays and tablets talk to it, not to the upstream.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from typing import Any

from flask import Flask

from ..domain.events import Event
from ..extension import Luot
from ..notify import setting
from ..services.site_boxes import box
from ..services.site_boxes.journal import Journal

log = logging.getLogger("luot.site_box")

MAX_BATCH_BYTES = 600_000  # under the upstream's request limit (1 MiB)
TIMEOUT_S = 10.0


class LinkDown(Exception):
    """The upstream could not be reached, or refused the call."""


class UpstreamLink:
    def __init__(self, app: Flask, journal: Journal) -> None:
        self.app = app
        self.luot: Luot = app.extensions["luot"]
        self.journal = journal
        self.url = str(app.config["LUOT_UPSTREAM_URL"]).rstrip("/")
        self.token = str(app.config.get("LUOT_UPSTREAM_TOKEN") or "")
        self.interval_s = float(setting(app.config, "LUOT_UPSTREAM_INTERVAL_S", "1"))
        self.batch = int(setting(app.config, "LUOT_UPSTREAM_BATCH", "200"))
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.applied: int | None = None  # the upstream's mark, once it said hello
        self.connected = False

    # -- HTTP ------------------------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - the installer's upstream URL (http or https)
            self.url + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
                answer = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise LinkDown(f"the upstream answered {exc.code} to {path}") from exc
        except (OSError, ValueError) as exc:
            raise LinkDown(f"the upstream cannot be reached: {exc}") from exc
        if not isinstance(answer, dict):
            raise LinkDown(f"the upstream answered {path} with something else than an object")
        return answer

    # -- one round -------------------------------------------------------------------------------------

    def pull(self) -> int:
        """Store the site's feed, then reconcile the check-ins of codes this box could not confirm;
        returns the site's id."""
        started = self.luot.now()
        while True:
            with self.luot.read() as session:
                state = box.state(session)
                cursor = state.appointments_cursor if state else ""
            feed = self._call("GET", "/api/v1/site-box/feed?after=" + urllib.parse.quote(cursor))
            stored = box.store_feed(self.luot.uow(), feed, self.url, self.luot.now())
            if not feed.get("more_appointments") or stored.appointments_cursor == cursor:
                box.reconcile(self.luot.uow(), started, self.luot.now())
                return stored.site_id

    def push(self) -> None:
        with self.luot.read() as session:
            pending = box.pending(session, 0, 0)
        if self.applied is None:
            hello = self._call(
                "POST",
                "/api/v1/site-box/hello",
                {"box_seq": pending.site_seq, "box_changes": pending.last_number},
            )
            self.applied = int(hello["applied"])
            box.acknowledge(self.luot.uow(), self.applied, int(hello["seq"]), self.luot.now())
        while True:
            with self.luot.read() as session:
                pending = box.pending(session, self.applied, self.batch)
            if not pending.changes:
                return
            changes: list[dict[str, Any]] = []
            size = 0
            for change in pending.changes:
                length = len(json.dumps(change, ensure_ascii=False).encode())
                if changes and size + length > MAX_BATCH_BYTES:
                    break
                changes.append(change)
                size += length
            answer = self._call(
                "POST",
                "/api/v1/site-box/changes",
                {"box_seq": pending.site_seq, "box_changes": pending.last_number, "changes": changes},
            )
            applied = int(answer["applied"])
            box.acknowledge(self.luot.uow(), applied, int(answer["seq"]), self.luot.now())
            if applied <= self.applied:
                self.applied = None  # no progress: ask again where to resume
                raise LinkDown("the upstream stored nothing of the batch")
            self.applied = applied

    def round(self) -> None:
        try:
            self.push()
            self.pull()
            if not self.connected:
                log.info("the upstream link is up")
            self.connected = True
        except LinkDown as exc:
            if self.connected:
                log.warning("the upstream link is down: %s", exc)
            self.connected = False
            self.applied = None

    # -- the thread ------------------------------------------------------------------------------------

    def bootstrap(self) -> int:
        """The site this box serves: from its state, or, on first start, from the upstream (waiting for
        it as long as it takes: a box without its site's configuration has nothing to serve)."""
        with self.luot.read() as session:
            state = box.state(session)
        if state is None:
            while True:
                try:
                    site_id = self.pull()
                    break
                except LinkDown as exc:
                    log.warning("waiting for the upstream to give this box its site: %s", exc)
                    if self._stop.wait(max(self.interval_s, 1.0)):
                        raise
        else:
            site_id = state.site_id
        self.journal.serve(site_id)
        return site_id

    def start(self) -> None:
        self.bootstrap()
        self._thread = threading.Thread(target=self._run, name="luot-upstream-link", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.round()
            except Exception:  # the next round tries again; the link must never die
                log.exception("the upstream link failed")
                self.applied = None
            self._wake.wait(self.interval_s)

    def handle(self, events: Sequence[Event]) -> None:
        """The bus's subscriber: a committed change of the site is sent at once."""
        if events:
            self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=TIMEOUT_S + 1)
