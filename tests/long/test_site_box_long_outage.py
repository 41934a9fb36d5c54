"""A site box through a cut of three minutes (issue 18's Done-when, the long tier): the same world as
tests/integration/test_site_box_processes.py (tests/site_box_world.py), an upstream on PostgreSQL and two
boxes on SQLite as real ``luot serve`` processes, a real TCP proxy on the Cát Bà box's link.

During the cut Cát Bà issues, calls and completes every 10–18 s; its box and the upstream are SIGKILLed
and restarted once each; the link first refuses connections, then swallows them without an answer (a
4G link that lost its route: the box's calls run into their timeout). Meanwhile Cát Hải serves on. When the
link returns, the backlog goes up in several batches (``LUOT_UPSTREAM_BATCH`` 10) and within 10 s the
upstream reads what each box reads; the display on the upstream, reconnecting with backoff up to 5 s,
received a gap-free sequence or a fresh snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from flask import Flask

from tests.long.outage import Outage
from tests.servers import ServerProcess
from tests.site_box_world import assert_caught_up, assert_display_in_order, start_morning, views

pytestmark = [pytest.mark.long, pytest.mark.postgres]

BATCH = 10  # changes per request: the cut's backlog goes up in several


def test_a_site_box_serves_through_a_three_minute_cut_and_the_upstream_catches_up(
    make_app: Callable[..., Flask], postgres_url: str, tmp_path: Path, servers: list[ServerProcess]
) -> None:
    morning = start_morning(
        make_app, postgres_url, tmp_path, servers, box_env={"LUOT_UPSTREAM_BATCH": str(BATCH)}
    )
    cat_ba, cat_hai, upstream = morning.cat_ba, morning.cat_hai, morning.upstream
    display = morning.display(delay_max=5)
    issued = {"CB": 0, "CH": 0}
    served = {"CB": 0, "CH": 0}

    def issue(site_code: str) -> None:
        (cat_ba if site_code == "CB" else cat_hai).issue(1)
        issued[site_code] += 1

    def serve(site_code: str) -> None:
        (cat_ba if site_code == "CB" else cat_hai).serve(1)
        served[site_code] += 1

    # -- early morning: both sites serve, the upstream follows ----------------------------------------
    for code in ("CB", "CH"):
        for _ in range(3):
            issue(code)
        for _ in range(2):
            serve(code)
    assert_caught_up(morning)

    # -- the cut: three minutes, Cát Bà serving on ------------------------------------------------------
    morning.proxy.stop()
    outage = Outage()
    for step in outage.steps(12):
        if step == 4:  # a power cut at the island box, in the middle of its cut
            cat_ba.box.kill()
            cat_ba.box.start()
        if step == 6:  # the link's route is lost: connections hang instead of being refused
            morning.proxy.start(silent=True)
        if step == 8:  # and a power cut at the upstream
            upstream.kill()
            upstream.start()
        issue("CB")
        if step % 2 == 1:
            serve("CB")
        if step % 3 == 0:
            issue("CH")
        elif step % 3 == 2:
            serve("CH")
    outage.end()

    status = cat_ba.sync()
    assert status["mode"] == "site_box" and status["behind"] > 2 * BATCH  # several batches to send
    elsewhere = requests.get(f"{cat_ba.box.url}/api/v1/sites/{cat_ba.id}/elsewhere", timeout=30).json()
    # Cát Hải as last heard of before the cut, with its age (hidden only after LUOT_ELSEWHERE_MAX_AGE_S)
    assert [e["site"]["code"] for e in elsewhere] == ["CH"]
    assert elsewhere[0]["age_s"] >= outage.length_s - 1

    # -- the link returns: within 10 s the upstream reads what each box reads -------------------------
    morning.proxy.stop()  # drops the connections the silent link held
    morning.proxy.start()
    admin = assert_caught_up(morning)
    for site in morning.sites:
        stats = views(upstream.url, site.id, admin)["stats"]
        assert (stats["issued"], stats["served"]) == (issued[site.code], served[site.code])

    # -- the display on the upstream: a gap-free sequence, or a fresh snapshot after each gap -----------
    snapshots = assert_display_in_order(morning, display, admin)
    assert len(snapshots) >= 2  # it came back by itself after the upstream's power cut
    display.close()
