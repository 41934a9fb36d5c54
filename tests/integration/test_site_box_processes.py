"""Site boxes as real processes: an upstream on PostgreSQL and two site boxes on SQLite, each a real
``luot serve``, with a real TCP proxy between the Cát Bà box and the upstream (tests/site_box_world.py).

A morning runs at both sites; the proxy is stopped mid-morning while Cát Bà keeps issuing, calling and
completing; the Cát Bà box and the upstream are SIGKILLed once and restarted; when the link returns, the
upstream's figures for each site equal its box's within 10 s, every ``seq`` arrived once, and a display
connected to the upstream saw a gap-free sequence or a fresh snapshot. The same over a cut of minutes is
the long tier's (tests/long/test_site_box_long_outage.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask

from tests.servers import ServerProcess
from tests.site_box_world import assert_caught_up, assert_display_in_order, start_morning, views


def test_a_morning_at_two_site_boxes_survives_a_cut_link_and_two_power_cuts(
    make_app: Callable[..., Flask], postgres_url: str, tmp_path: Path, servers: list[ServerProcess]
) -> None:
    morning = start_morning(make_app, postgres_url, tmp_path, servers)
    cat_ba, cat_hai, upstream = morning.cat_ba, morning.cat_hai, morning.upstream
    display = morning.display()

    # -- the first hour: both sites serve, the upstream follows --------------------------------------
    for site in morning.sites:
        site.issue(4)
        site.serve(2)

    # -- the link to Cát Bà is cut; Cát Bà serves on --------------------------------------------------
    morning.proxy.stop()
    cat_ba.issue(5)
    cat_ba.serve(3)
    cat_hai.issue(2)
    status = cat_ba.sync()
    assert status["mode"] == "site_box" and status["behind"] > 0

    # -- a power cut at the island box, and one at the upstream ------------------------------------------
    cat_ba.box.kill()
    cat_ba.box.start()
    cat_ba.issue(2)
    cat_ba.serve(1)
    upstream.kill()
    upstream.start()
    cat_hai.serve(1)

    # -- the link returns: within 10 s the upstream reads what each box reads --------------------------
    morning.proxy.start()
    admin = assert_caught_up(morning)
    assert views(upstream.url, cat_ba.id, admin)["stats"]["issued"] == 11
    assert views(upstream.url, cat_ba.id, admin)["stats"]["served"] == 6

    # -- the display on the upstream: a gap-free sequence, or a fresh snapshot after each gap ------------
    assert_display_in_order(morning, display, admin)
    display.close()
