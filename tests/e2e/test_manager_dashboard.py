"""The manager's dashboard in a real browser: the live view follows a ticket issued and called, a manager
of another commune sees neither the page's sites nor the figures of this one (403), and the history's
charts and the printable daily report, with the README's screenshots."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from server.services.sites.config_file import load_config
from tests.conftest import PASSWORD, Clock, LiveServer, World
from tests.e2e.conftest import screenshot

OTHER_COMMUNE: dict[str, Any] = {
    "communes": [
        {
            "code": "27127",
            "name": "Phường Kinh Bắc",
            "province": "Tỉnh Bắc Ninh",
            "sites": [
                {
                    "code": "KB",
                    "name": "Trung tâm Phục vụ hành chính công phường Kinh Bắc",
                    "always_open": True,
                    "services": [{"code": "HT", "name": "Hộ tịch", "prefix": "A"}],
                    "counters": [{"code": "Q1", "number": 1, "name": "Quầy 1", "services": ["HT"]}],
                }
            ],
        }
    ]
}


@pytest.fixture
def open_page(new_page: Any) -> Iterator[Any]:
    """``new_page`` whose pages must finish without an uncaught script error."""
    errors: list[str] = []

    def open_(width: int = 1440, height: int = 900, **options: Any) -> Any:
        page = new_page(width, height, **options)
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_
    assert errors == []


def sign_in(page: Any, server: LiveServer, username: str, query: str = "") -> None:
    page.goto(f"{server.url}/manage{query}")
    page.fill("#signin-form [name=username]", username)
    page.fill("#signin-form [name=password]", PASSWORD)
    page.click("#signin-form [type=submit]")


def snap(page: Any, name: str) -> None:
    page.evaluate("document.fonts.ready.then(() => true)")
    screenshot(page, name)


def card(page: Any, site: str) -> Any:
    return page.locator(f".site-card[data-site-code={site}]")


def test_the_live_view_follows_a_ticket_issued_and_called(
    world: World, live_server: LiveServer, open_page: Any
) -> None:
    kiosk = world.device("kiosk")
    world.staff("manager", sites=("CB", "CH"), username="hoa")
    clerk = world.staff(username="lan")
    page = open_page()
    sign_in(page, live_server, "hoa")

    expect(page.locator("body")).to_have_attribute("data-view", "live")
    expect(page.locator(".commune[data-commune='11914'] .site-card")).to_have_count(2)  # side by side
    cat_ba = card(page, "CB")
    waiting_ht = cat_ba.locator("tr[data-service=HT] .waiting")
    expect(waiting_ht).to_have_text("0")
    expect(cat_ba.locator(".today-issued")).to_have_text("0")

    ticket = world.issue(kiosk, service="HT")
    expect(waiting_ht).to_have_text("1")
    expect(cat_ba.locator(".today-issued")).to_have_text("1")
    expect(cat_ba.locator("li[data-counter=Q1] .pill")).to_have_text("Đóng quầy")  # not "Nghỉ", a break

    q1 = world.open_counter(clerk)
    expect(cat_ba.locator("li[data-counter=Q1] .pill")).to_have_text("Đang mở")
    called = world.client.post(f"/api/v1/counters/{q1}/call-next", json={}, headers=clerk)
    assert called.json["number"] == ticket["number"]
    expect(waiting_ht).to_have_text("0")
    expect(cat_ba.locator("li[data-counter=Q1] .current")).to_have_text(f"Đang gọi {ticket['number']}")
    expect(cat_ba.locator("li[data-counter=Q1] .clerk")).to_have_text("lan")


def test_a_manager_of_another_commune_sees_only_their_own(
    world: World, live_server: LiveServer, open_page: Any
) -> None:
    load_config(world.luot.uow(), OTHER_COMMUNE, world.luot.now())
    world.staff("manager", sites=("KB",), username="khoa")
    cat_ba = world.site("CB")["id"]
    page = open_page()
    sign_in(page, live_server, "khoa")

    expect(page.locator(".site-card")).to_have_count(1)
    expect(card(page, "KB")).to_be_visible()
    expect(card(page, "CB")).to_have_count(0)
    answer = page.evaluate(
        """async (site) => {
            const token = localStorage.getItem("luot.staff.token");
            const headers = {Authorization: `Bearer ${token}`};
            const response = await fetch(`/api/v1/sites/${site}/stats`, {headers});
            return {status: response.status, body: await response.json()};
        }""",
        cat_ba,
    )
    assert answer["status"] == 403
    assert answer["body"]["error"]["code"] == "forbidden"
    page.goto(f"{live_server.url}/manage/report?site_id={cat_ba}&day=2026-11-23")
    expect(page.locator("#report-message")).to_have_text(
        "Ông/bà không được xem số liệu của điểm tiếp nhận này."
    )


OPENING = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # 07:30 in Viet Nam


def busy_morning(world: World, clock: Clock) -> None:
    """A morning at Cát Bà: people arrive every few minutes, three clerks serve, some do not come back."""
    rng = random.Random(23)
    clock.set(OPENING)
    kiosk = world.device("kiosk")
    clerks = {
        code: world.staff(username=name) for code, name in (("Q1", "lan"), ("Q2", "minh"), ("Q3", "tuan"))
    }
    counters = {code: world.open_counter(headers, counter=code) for code, headers in clerks.items()}
    serving: dict[str, tuple[int, datetime]] = {}
    for step in range(0, 240, 3):
        clock.set(OPENING + timedelta(minutes=step))
        arrivals = 2 if 60 <= step < 150 else rng.choice((0, 1, 1))
        for _ in range(arrivals):
            world.issue(kiosk, service=rng.choice(("HT", "HT", "CT", "CT", "DD")))
        for code, headers in clerks.items():
            busy = serving.get(code)
            if busy and clock.now >= busy[1]:
                world.client.post(f"/api/v1/tickets/{busy[0]}/complete", json={}, headers=headers)
                del serving[code]
            if code not in serving:
                answer = world.client.post(
                    f"/api/v1/counters/{counters[code]}/call-next", json={}, headers=headers
                )
                if answer.status_code == 200 and answer.json:
                    if rng.random() < 0.08:
                        world.client.post(
                            f"/api/v1/tickets/{answer.json['id']}/no-show", json={}, headers=headers
                        )
                        continue
                    world.client.post(f"/api/v1/tickets/{answer.json['id']}/start", json={}, headers=headers)
                    serving[code] = (answer.json["id"], clock.now + timedelta(minutes=rng.randint(4, 14)))


def test_history_charts_and_the_daily_report(
    world: World, live_server: LiveServer, open_page: Any, clock: Clock
) -> None:
    busy_morning(world, clock)
    clock.set(OPENING + timedelta(hours=4))
    world.staff("manager", sites=("CB", "CH"), username="hoa")
    page = open_page(1440, 1000)
    sign_in(page, live_server, "hoa")
    expect(card(page, "CB").locator("tr[data-service=HT] .waiting")).not_to_have_text("0")
    expect(card(page, "CB").locator(".today-issued")).not_to_have_text("0")
    expect(card(page, "CH").locator(".today-issued")).to_have_text("0")
    snap(page, "manage-live")

    page.click("#tab-history")
    page.select_option("#history-scope", f"site:{world.site('CB')['id']}")
    page.fill("#history-date", "2026-11-23")
    page.click("#history-form [type=submit]")
    expect(page.locator("#history-title")).to_contain_text("23/11/2026")
    expect(page.locator("#history-kpis [data-kpi=served] .kpi-value")).not_to_have_text("0")
    expect(page.locator("#table-clerks tbody tr")).to_have_count(3)
    page.wait_for_function("Object.keys(Chart.instances).length === 4")  # with satisfaction against wait
    snap(page, "manage-history")

    with page.expect_download() as download:
        page.click("#export-csv")
    assert download.value.suggested_filename == "luot-stats-CB-2026-11-23-2026-11-23.csv"

    report = open_page(900, 1270)
    report.goto(f"{live_server.url}/manage")  # a new browser: hand it the manager's token
    token = page.evaluate("localStorage.getItem('luot.staff.token')")
    report.evaluate("(token) => localStorage.setItem('luot.staff.token', token)", token)
    report.goto(f"{live_server.url}/manage/report?site_id={world.site('CB')['id']}&day=2026-11-23")
    expect(report.locator("body")).to_have_attribute("data-ready", "true")
    expect(report.locator("#report-services tbody tr")).to_have_count(3)
    report.emulate_media(media="print")
    snap(report, "manage-report")

    # The commune's report labels every service and counter with its intake point.
    report.emulate_media(media="screen")
    report.goto(f"{live_server.url}/manage/report?commune=11914&day=2026-11-23")
    expect(report.locator("body")).to_have_attribute("data-ready", "true")
    for table in ("#report-services", "#report-counters"):
        expect(report.locator(f"{table} thead th").nth(1)).to_have_text("Điểm tiếp nhận")
        expect(report.locator(f"{table} tbody tr").first.locator("td").first).to_have_text(
            "Trung tâm Phục vụ hành chính công - Cát Bà"
        )


def test_settings_of_services_counters_and_notices(
    world: World, live_server: LiveServer, open_page: Any
) -> None:
    world.staff("manager", sites=("CB",), username="hoa")
    site = world.site("CB")["id"]
    page = open_page(1280, 900)
    sign_in(page, live_server, "hoa")
    page.click("#tab-settings")

    row = page.locator("#settings-services tr[data-service=HT]")
    row.locator("input[type=number]").fill("45")
    row.locator("button").click()
    expect(page.locator("#settings-message")).to_have_text("Đã lưu.")
    assert world.service("CB", "HT")["target_wait_minutes"] == 45
    # The page says which settings are its own now: the next `luot config load` leaves them.
    expect(row.locator(".page-owned")).to_have_text(
        "Mục tiêu đặt tại đây · Đặt tại đây; tệp cấu hình không thay đổi giá trị này."
    )
    expect(page.locator("#settings-services tr[data-service=CT] .page-owned")).to_have_count(0)

    counter = page.locator("#settings-counters tr[data-counter=Q3]")
    counter.get_by_label("Hộ tịch").check()
    counter.locator("button").click()
    expect(page.locator("#settings-message")).to_have_text("Đã lưu.")
    expect(page.locator("#settings-counters tr[data-counter=Q3]")).to_have_attribute(
        "data-page-owned", "services"
    )
    services = {s["code"]: s["id"] for s in world.client.get(f"/api/v1/sites/{site}/services").json}
    manager = world.staff("manager", sites=("CB",))
    counters = world.client.get(f"/api/v1/sites/{site}/counters", headers=manager).json
    assert next(c for c in counters if c["code"] == "Q3")["services"] == [services["DD"], services["HT"]]

    page.fill("#notices-text", "Trung tâm nghỉ chiều thứ Bảy.\nMời ông/bà chuẩn bị CCCD trước khi đến quầy.")
    page.click("#notices-form [type=submit]")
    expect(page.locator("#settings-message")).to_have_text("Đã lưu.")
    notices = world.client.get(f"/api/v1/sites/{site}/notices", headers=manager).json
    assert [n["text"] for n in notices] == [
        "Trung tâm nghỉ chiều thứ Bảy.",
        "Mời ông/bà chuẩn bị CCCD trước khi đến quầy.",
    ]
    page.evaluate("window.scrollTo(0, 0)")
    snap(page, "manage-settings")
