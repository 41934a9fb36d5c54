"""A kiosk through an outage of its server of three minutes (issue 19's Done-when, the long tier): a real
``luot serve``, a real ``luot kiosk-agent`` with its default timers (leases checked every 5 s, print
retries up to 15 s) serving the kiosk page to a real Chromium, a TCP printer, and a real TCP proxy as the
kiosk PC's network (tests/kiosk_world.py).

The server is SIGKILLed and the network cut; citizens take tickets on the page every 12–20 s; the agent
is SIGKILLed and restarted once; then the network swallows connections without an answer (the agent's
2 s and the page's health probe run into their timeouts). Nothing alarming reaches the citizen for the
three minutes. Then every offline ticket is on the server once, with its issue time, in the queue order
that time gives; no number twice; a display saw them; the agent holds a new lease (the site's lease is
10 numbers, 8 were used) and the page issues online again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from server.db.models import Site, TicketLease
from tests.e2e.conftest import open_kiosk
from tests.kiosk_world import AgentProcess, KioskSite, assert_every_ticket_once
from tests.long.outage import Outage
from tests.printer_server import PrinterServer
from tests.realtime_client import Listener
from tests.servers import ServerProcess
from tests.tcp_proxy import TcpProxy
from tests.waiting import wait_until

pytestmark = pytest.mark.long

LEASE = 10  # numbers per lease
CITIZENS = 8  # during the outage: more than half the lease, so that it is renewed after


def test_the_kiosk_page_issues_through_a_three_minute_outage_and_the_server_takes_each_ticket_once(
    make_app: Callable[..., Flask],
    sqlite_url: str,
    servers: list[ServerProcess],
    tmp_path: Path,
    new_page: Any,
) -> None:
    cb = KioskSite.of(make_app(sqlite_url), sqlite_url, tmp_path / "instance")
    world, clerk, token, env = cb.world, cb.clerk, cb.token, cb.env
    site_id, service_id = cb.site_id, cb.service_id
    with world.luot.uow() as uow:
        site = uow.session.get(Site, site_id)
        assert site is not None
        site.settings = {**(site.settings or {}), "kiosk_lease_size": LEASE}
        uow.commit()
    server = ServerProcess(env, log=tmp_path / "serve.log")
    servers.append(server.start())
    printer = PrinterServer().start()
    link = TcpProxy(server.port).start()  # the kiosk PC's network to the server
    agent = AgentProcess(
        f"http://127.0.0.1:{link.port}",
        token,
        printer.uri,
        tmp_path / "kiosk" / "journal.sqlite3",
        tmp_path / "agent.log",
        lease_every=None,
        fast_retries=False,
    )
    display = Listener(
        server.url, {"token": world.device_token("display"), "site_id": site_id}, reconnect=True, delay_max=5
    )

    def leases() -> list[tuple[int, int]]:
        with world.luot.read() as session:
            found = session.scalars(
                sa.select(TicketLease).where(TicketLease.service_id == service_id).order_by(TicketLease.id)
            )
            return [(lease.first, lease.last) for lease in found]

    def take(page: Any) -> tuple[int, dict[str, Any]]:
        """A citizen takes a ticket on the page: the agent's answer (its status and body)."""
        page.wait_for_selector("body[data-screen=home] .tile")
        page.click(f".tile[data-service-id='{service_id}']")
        with page.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith(f"/api/v1/sites/{site_id}/tickets")
        ) as answer:
            page.click("[data-action=take]")
        return answer.value.status, dict(answer.value.json())

    def watch_outage_screen(page: Any) -> None:
        """Count, in the page, every time its outage screen is shown from now on (``window.outageShown``)."""
        page.evaluate(
            """() => {
                const overlay = document.getElementById("overlay-unreachable");
                window.outageShown = 0;
                window.outageWatch?.disconnect();
                window.outageWatch = new MutationObserver(() => {
                    if (!overlay.hidden) window.outageShown += 1;
                });
                window.outageWatch.observe(overlay, { attributes: true, attributeFilter: ["hidden"] });
            }"""
        )

    def ticket_shown(page: Any, ticket: dict[str, Any]) -> None:
        page.wait_for_selector("body[data-screen=ticket]")
        assert page.inner_text("#ticket-number") == ticket["number"]
        page.wait_for_selector("#ticket-print[data-print=printed]")
        page.click("[data-action=home]")

    try:
        agent.start()
        display.next("snapshot")
        wait_until(lambda: (agent.status() or {}).get("can_issue"), "the agent holds a lease")
        assert len(leases()) == 1
        page = open_kiosk(new_page, agent.url, token)
        status, first = take(page)
        assert status == 201 and "offline" not in first
        ticket_shown(page, first)
        printer.wait_for(1)

        # -- three minutes without the server ----------------------------------------------------------
        server.kill()
        link.stop()
        outage = Outage()
        page.wait_for_selector("#offline-mark:not([hidden])")
        watch_outage_screen(page)
        offline: list[dict[str, Any]] = []
        for step in outage.steps(CITIZENS, gaps_s=(12, 16, 20)):
            if step == 4:  # the agent dies and comes back; the page finds it again by itself
                assert page.evaluate("window.outageShown") == 0
                agent.kill()
                agent.start()
                wait_until(lambda: (agent.status() or {}).get("pending") == 4, "the journal survived")
                page.wait_for_selector("#offline-mark:not([hidden])")
                page.wait_for_selector("#overlay-unreachable", state="hidden")
                watch_outage_screen(page)  # the page could not know better while its agent was gone
            if step == 6:  # the network now swallows connections: the agent waits its 2 s each time
                link.start(silent=True)
            status, ticket = take(page)
            assert status == 201 and ticket["offline"], ticket
            ticket_shown(page, ticket)
            offline.append(ticket)
            assert len(printer.wait_for(1 + len(offline))) == 1 + len(offline)
            assert page.is_hidden("#overlay-unreachable")  # nothing alarming for the citizen
        outage.end()
        assert page.is_visible("#offline-mark") and page.evaluate("window.outageShown") == 0

        # -- the server is back ---------------------------------------------------------------------------
        again = ServerProcess(env, port=server.port, log=tmp_path / "serve.log")
        servers.append(again.start())
        display.next("snapshot", timeout=30)  # the display came back by itself
        link.stop()  # drops what the silent network held
        link.start()
        wait_until(lambda: (agent.status() or {}).get("pending") == 0, "the journal was replayed", 60)
        wait_until(lambda: (agent.status() or {}).get("can_issue"), "a new lease", 60)
        page.wait_for_selector("#offline-mark", state="hidden")
        # the agent's print connection and the page's live one back too: the server's print job reaches the
        # agent by the first, the page hears it was printed by the second
        wait_until(lambda: (agent.status() or {}).get("printing"), "the agent's print connection", 60)
        page.wait_for_selector("body[data-live=on]")
        status, after = take(page)  # online again: the server's own numbering goes on past the leases
        assert status == 201 and "offline" not in after
        ticket_shown(page, after)
        assert len(printer.wait_for(2 + CITIZENS)) == 2 + CITIZENS
    finally:
        agent.kill()
        printer.stop()
        link.stop()

    try:
        granted = leases()
        assert len(granted) == 2 and granted[0][1] < granted[1][0]  # renewed once half was used
        assert_every_ticket_once(world, site_id, offline, [first, after], again.url, clerk, display)
        assert page.errors == []
    finally:
        display.close()
