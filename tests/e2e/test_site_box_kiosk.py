"""The kiosk at a site box: another intake point's shorter wait from its last known figures, with their age,
and a booking made upstream during a cut checked in as "not yet confirmed"."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from server.domain.appointments import signed_code
from server.domain.days import business_day
from tests.conftest import LiveServer, World
from tests.e2e.conftest import open_kiosk, type_on_keypad
from tests.e2e.test_staff_tablet import sign_in
from tests.integration.test_site_boxes import Pair, _service, pair

__all__ = ["pair"]


@pytest.fixture
def box_server(pair: Pair) -> Iterator[LiveServer]:
    server = LiveServer(pair.box).start()
    yield server
    server.stop()


def test_the_kiosk_at_a_box_offers_the_other_site_with_the_age_of_its_figures(
    pair: Pair, box_server: LiveServer, new_page: Any
) -> None:
    site = pair.site_id
    token = World(pair.upstream).device_token("kiosk", "CB")
    clock = pair.box.extensions["luot"].clock
    clock.advance(hours=1)  # both sites open
    pair.link.round()
    kiosk = {"Authorization": f"Bearer {token}"}
    service = _service(pair.down, site, "HT")
    for _ in range(10):  # a long wait here; nobody waits at Cát Hải
        assert (
            pair.down.post(
                f"/api/v1/sites/{site}/tickets", json={"service_id": service}, headers=kiosk
            ).status_code
            == 201
        )
    here = {w["service_id"]: w for w in pair.down.get(f"/api/v1/sites/{site}/wait").json}[service]
    assert here["estimated_wait_s"] >= 15 * 60
    with socket.socket() as probe:  # the link is cut: the figures the box has age
        probe.bind(("127.0.0.1", 0))
        pair.link.url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    clock.advance(minutes=3)
    pair.link.round()
    assert not pair.link.connected

    page = open_kiosk(new_page, box_server.url, token)
    page.click(f".tile[data-service-id='{service}']")
    expect(page.locator("#elsewhere")).to_be_visible()
    offer = page.inner_text("#elsewhere")
    assert "Không có ai đang chờ lĩnh vực này tại" in offer and "Cát Hải" in offer
    expect(page.locator("#elsewhere-age")).to_have_text("Số liệu của 3 phút trước.")

    clock.advance(minutes=3)  # six minutes without news: no suggestion
    page.click("[data-action=back]")
    page.evaluate("document.getElementById('elsewhere').removeAttribute('data-checked')")  # look again
    page.click(f".tile[data-service-id='{service}']")
    page.wait_for_selector(f"#elsewhere[data-checked='{service}']", state="attached")
    expect(page.locator("#elsewhere")).to_be_hidden()
    assert page.errors == []


def test_the_kiosk_at_a_box_checks_in_a_code_it_cannot_confirm_yet(
    pair: Pair, box_server: LiveServer, new_page: Any
) -> None:
    site = pair.site_id
    token = World(pair.upstream).device_token("kiosk", "CB")
    pair.box.extensions["luot"].clock.advance(hours=1)
    pair.link.round()
    service = _service(pair.down, site, "HT")
    secret = pair.box.extensions["luot"].secret
    code = signed_code(
        secret, site, service, business_day(pair.box.extensions["luot"].now(), "Asia/Ho_Chi_Minh")
    )

    page = open_kiosk(new_page, box_server.url, token)
    page.click("[data-action=appointment]")
    page.wait_for_selector("body[data-screen=appointment]")
    type_on_keypad(page, "appointment", code)
    page.click("[data-action=check-in]")
    page.wait_for_selector("body[data-screen=ticket]")
    expect(page.locator("#ticket-note")).to_have_text(
        "Lịch hẹn chưa được xác nhận: số thứ tự này vẫn có giá trị, cán bộ sẽ xác nhận lịch hẹn của bạn."
    )
    number = page.inner_text("#ticket-number")
    assert page.errors == []

    tablet = new_page(1280, 800)  # the clerk at the box calls it and sees the mark
    sign_in(tablet, box_server, "clerk-cb")
    primary = tablet.locator("#primary")
    primary.click()  # open the counter
    expect(primary).to_have_attribute("data-action", "call_next")
    primary.click()
    expect(tablet.locator("#ticket-number")).to_have_text(re.compile(f"^{number}"))  # with its day
    expect(tablet.locator("#ticket-appointment")).to_have_text(
        "Lịch hẹn chưa được xác nhận (đặt trong lúc mất kết nối)"
    )
