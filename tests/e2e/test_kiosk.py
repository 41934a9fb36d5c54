"""The kiosk and the citizen's status page in a real Chromium, against a live server of the demo ward
(two intake points of Phường Kinh Bắc, eight services each)."""

from __future__ import annotations

import copy
import json
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import yaml
import zxingcpp
from flask import Flask
from PIL import Image

from server.demo.seed import CONFIG as DEMO_CONFIG_FILE
from server.domain.access import DeviceKind
from server.services.accounts.enrolment import issue_code
from tests.conftest import Clock, LiveServer, World
from tests.e2e.conftest import open_kiosk, screenshot, type_on_keypad
from tests.servers import ServerProcess

DEMO: dict[str, Any] = yaml.safe_load(DEMO_CONFIG_FILE.read_text(encoding="utf-8"))
PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)
PHONE = (390, 844)
PHONE_LANDSCAPE = (844, 390)
CHIP_CARD = "001090012345|123456789|Nguyễn Văn An|01011990|Nam|Số 1 Lý Thái Tổ, Kinh Bắc|01072021"


@pytest.fixture
def app(make_app: Callable[..., Flask], sqlite_url: str) -> Flask:
    return make_app(sqlite_url, config=DEMO)


def service_id(world: World, code: str, site: str = "KB1") -> int:
    return int(world.service(site, code)["id"])


def tap(page: Any, selector: str, taps: list[str] | None = None) -> None:
    page.click(selector)
    if taps is not None:
        taps.append(selector)


def looked_elsewhere(page: Any, service: int) -> None:
    """Until the review screen has looked for a shorter wait at the other intake point: an offer that
    appears moves the "Get a ticket" button, and a tap aimed at it meanwhile lands beside it."""
    page.wait_for_selector(f"#elsewhere[data-checked='{service}']", state="attached")


def qr_text(page: Any) -> str:
    page.wait_for_function("document.getElementById('ticket-qr').complete")
    image = Image.open(BytesIO(page.locator("#ticket-qr").screenshot()))
    (found,) = zxingcpp.read_barcodes(image)
    return str(found.text)


@pytest.fixture
def kiosk_token(world: World) -> str:
    return world.device_token("kiosk", site="KB1")


# -- enrolment --------------------------------------------------------------------------------------


def test_a_kiosk_is_enrolled_with_a_short_code_and_remembers_it(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    issued = issue_code(
        world.luot.uow(),
        world.luot.secret,
        site_code="KB1",
        kind=DeviceKind.KIOSK,
        name="Kiosk sảnh",
        printer_uri=None,
        at=world.luot.now(),
    )
    page = new_page(*PORTRAIT)
    page.goto(f"{live_server.url}/kiosk")
    page.wait_for_selector("body[data-screen=enrol]")
    type_on_keypad(page, "enrol", issued.code)
    assert page.inner_text("#enrol-entry") == issued.code
    screenshot(page, "kiosk-enrol-portrait")
    page.click("[data-action=enrol]")
    page.wait_for_selector("body[data-screen=home] .tile")
    assert "Điểm tiếp nhận số 1" in page.inner_text("#site-name")

    page.reload()  # the token was kept: no enrolment again
    page.wait_for_selector("body[data-screen=home] .tile")
    assert page.evaluate("localStorage.getItem('luot.kiosk.token')")


def test_a_used_code_is_refused_on_the_enrolment_screen(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    page = new_page(*PORTRAIT)
    page.goto(f"{live_server.url}/kiosk")
    type_on_keypad(page, "enrol", "ABCD-EFGH")
    page.click("[data-action=enrol]")
    page.wait_for_selector("#enrol-error:not([hidden])")
    assert "không hợp lệ" in page.inner_text("#enrol-error") or "hết hạn" in page.inner_text("#enrol-error")
    assert page.get_attribute("body", "data-screen") == "enrol"


# -- taking tickets ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "orientation"), [(PORTRAIT, "portrait"), (LANDSCAPE, "landscape")])
def test_a_regular_ticket_takes_at_most_three_taps_from_home(
    world: World,
    live_server: LiveServer,
    new_page: Any,
    kiosk_token: str,
    size: tuple[int, int],
    orientation: str,
) -> None:
    kiosk = {"Authorization": f"Bearer {kiosk_token}"}
    for code, count in (("HT", 4), ("CT", 2), ("DD", 1), ("TKQ", 3)):
        for _ in range(count):
            world.issue(kiosk, site="KB1", service=code)
    page = open_kiosk(new_page, live_server.url, kiosk_token, size)
    ht = service_id(world, "HT")
    page.wait_for_selector(f"[data-wait-for='{ht}']:has-text('4 người đang chờ')")
    screenshot(page, f"kiosk-home-{orientation}")

    taps: list[str] = []
    tap(page, f".tile[data-service-id='{ht}']", taps)
    looked_elsewhere(page, ht)  # four wait here, nobody at the other point: it is offered, not taken
    tap(page, "[data-action=take]", taps)
    page.wait_for_selector("body[data-screen=ticket]")
    assert len(taps) <= 3

    assert page.inner_text("#ticket-number") == "A005"
    assert page.inner_text("#ticket-service") == "Hộ tịch"
    assert page.inner_text("#ticket-ahead") == "4"
    assert "phút" in page.inner_text("#ticket-wait")
    assert page.get_attribute("#ticket-print", "data-print") == "none"
    status = world.client.get("/api/v1/tickets/status/" + public_code_of(page)).json
    assert (status["number"], status["position"]) == ("A005", 5)
    assert qr_text(page) == f"{live_server.url}/t/{public_code_of(page)}"
    screenshot(page, f"kiosk-ticket-{orientation}")

    page.click("#ticket-done")
    page.wait_for_selector("body[data-screen=home]")
    page.wait_for_selector(f"[data-wait-for='{ht}']:has-text('5 người đang chờ')")
    assert page.errors == []


def public_code_of(page: Any) -> str:
    return str(page.get_attribute("#ticket-qr", "src")).split("/")[2]


def test_english_is_one_tap_away(
    world: World, live_server: LiveServer, new_page: Any, kiosk_token: str
) -> None:
    page = open_kiosk(new_page, live_server.url, kiosk_token)
    assert page.inner_text("#language-switch") == "English"
    page.click("#language-switch")
    page.wait_for_selector("h1.home-title:has-text('Choose a service')")
    assert "Civil status" in page.inner_text("#services")
    page.click(f".tile[data-service-id='{service_id(world, 'HT')}']")
    page.click("#screen-review [data-action=back]")  # back keeps the citizen's language
    page.wait_for_selector("h1.home-title:has-text('Choose a service')")
    page.click(f".tile[data-service-id='{service_id(world, 'CT')}']")
    page.click("[data-action=take]")
    page.wait_for_selector("body[data-screen=ticket]")
    assert page.inner_text("#ticket-service") == "Certification"
    ticket = world.client.get("/api/v1/tickets/status/" + public_code_of(page)).json
    assert ticket["number"] == "B001"


def test_a_priority_ticket_shows_its_group_and_is_called_first(
    world: World, live_server: LiveServer, new_page: Any, kiosk_token: str
) -> None:
    kiosk = {"Authorization": f"Bearer {kiosk_token}"}
    earlier = world.issue(kiosk, site="KB1", service="HT")
    page = open_kiosk(new_page, live_server.url, kiosk_token)
    page.click(f".tile[data-service-id='{service_id(world, 'HT')}']")
    page.click("[data-action=priority]")
    page.wait_for_selector("body[data-screen=priority]")
    page.click("[data-action=set-priority][data-priority=elderly]")
    assert page.inner_text("#priority-chosen") == "Người cao tuổi"
    page.click("[data-action=take]")
    page.wait_for_selector("body[data-screen=ticket]")
    assert page.inner_text("#ticket-priority") == "Ưu tiên: Người cao tuổi"
    assert page.inner_text("#ticket-number") == "A002"

    clerk = world.staff("clerk", sites=("KB1",))
    queue = world.client.get(f"/api/v1/sites/{world.site('KB1')['id']}/queue", headers=clerk).json
    assert [(t["number"], t["priority"]) for t in queue] == [("A002", "elderly"), (earlier["number"], "none")]


def test_the_per_person_limit_is_explained_politely_in_both_languages(
    world: World, live_server: LiveServer, new_page: Any, kiosk_token: str
) -> None:
    kiosk = {"Authorization": f"Bearer {kiosk_token}"}
    for code in ("CT", "DD"):  # the demo allows 3 waiting tickets per person and day
        world.issue(kiosk, site="KB1", service=code, phone="0912345678")
    page = open_kiosk(new_page, live_server.url, kiosk_token)

    def take_with_phone() -> None:
        page.click(f".tile[data-service-id='{service_id(world, 'HT')}']")
        page.click("[data-action=identify]")
        type_on_keypad(page, "identify", "0912345678")
        assert page.inner_text("#identify-entry") == "0912 345 678"
        page.click("[data-action=identify-ok]")
        assert page.inner_text("#identity-chosen") == "Số điện thoại đuôi 78"
        assert "345" not in page.inner_text("body")  # masked once entered
        page.click("[data-action=take]")

    take_with_phone()
    page.wait_for_selector("body[data-screen=ticket]")
    assert "0912" not in page.content()
    page.click("#ticket-done")

    take_with_phone()
    page.wait_for_selector("#overlay-limit:not([hidden])")
    message = page.inner_text("#overlay-limit")
    assert "Ông/bà đã có số đang chờ" in message and "You already have tickets waiting" in message
    assert page.get_attribute("body", "data-screen") == "review"
    page.click("[data-action=close-limit]")
    assert page.is_hidden("#overlay-limit")


def test_a_chip_id_card_read_by_the_scanner_sends_only_the_id(
    world: World, live_server: LiveServer, new_page: Any, kiosk_token: str
) -> None:
    page = open_kiosk(new_page, live_server.url, kiosk_token)
    page.click(f".tile[data-service-id='{service_id(world, 'BH')}']")
    page.click("[data-action=identify]")
    page.keyboard.type(CHIP_CARD)  # what a USB QR scanner types, then Enter
    assert "Nguyễn" not in page.inner_text("body")
    page.keyboard.press("Enter")
    page.wait_for_selector("body[data-screen=review]")
    assert page.inner_text("#identity-chosen") == "Số CCCD đuôi 45"

    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/tickets")) as issued:
        page.click("[data-action=take]")
    body = json.loads(issued.value.post_data)
    assert body["citizen_id"] == "001090012345"
    assert "Nguyễn" not in issued.value.post_data and "01011990" not in issued.value.post_data
    page.wait_for_selector("body[data-screen=ticket]")
    assert "001090012345" not in page.content()


def test_an_unknown_appointment_code_is_answered_gracefully(
    world: World, live_server: LiveServer, new_page: Any, kiosk_token: str
) -> None:
    page = open_kiosk(new_page, live_server.url, kiosk_token)
    page.click("[data-action=appointment]")
    page.wait_for_selector("body[data-screen=appointment]")
    type_on_keypad(page, "appointment", "K7M2Q9")
    page.click("[data-action=check-in]")
    page.wait_for_selector("#appointment-error:not([hidden])")
    assert "Không tìm thấy lịch hẹn" in page.inner_text("#appointment-error")
    page.keyboard.type("http://127.0.0.1/book/K7M2Q9XA?token=abc")  # a scanned confirmation link
    with page.expect_request(lambda r: "/check-in" in r.url) as sent:
        page.keyboard.press("Enter")
    assert sent.value.url.endswith("/api/v1/appointments/K7M2Q9XA/check-in")
    assert page.errors == []


# -- without boundaries, and closed hours -----------------------------------------------------------


def test_a_clearly_shorter_wait_at_the_other_intake_point_is_offered(
    world: World, live_server: LiveServer, new_page: Any, kiosk_token: str
) -> None:
    kb2 = next(s for c in DEMO["communes"] for s in c["sites"] if s["code"] == "KB2")
    kiosk = {"Authorization": f"Bearer {kiosk_token}"}
    for _ in range(8):  # 8 × 20 min at KB1's one land counter; nobody waits at KB2
        world.issue(kiosk, site="KB1", service="DD")
    page = open_kiosk(new_page, live_server.url, kiosk_token)
    dd = service_id(world, "DD")
    page.click(f".tile[data-service-id='{dd}']")
    looked_elsewhere(page, dd)
    assert page.is_hidden("#elsewhere")  # every counter of KB2 is closed: not offered

    land_counter = next(c for c in kb2["counters"] if "DD" in c["services"])
    world.open_counter(world.staff("clerk", sites=("KB2",)), site="KB2", counter=land_counter["code"])
    page.reload()  # the kiosk keeps another site's figures for 20 s: a fresh page looks again
    page.wait_for_selector("body[data-screen=home] .tile")
    page.click(f".tile[data-service-id='{dd}']")
    page.wait_for_selector("#elsewhere:not([hidden])")
    offer = page.inner_text("#elsewhere")
    assert "Không có ai đang chờ lĩnh vực này tại" in offer and "Điểm tiếp nhận số 2" in offer
    assert "Nhà văn hóa khu phố phía Bắc" in offer
    screenshot(page, "kiosk-elsewhere-portrait")
    page.click("[data-action=take]")  # offered, never forced
    page.wait_for_selector("body[data-screen=ticket]")

    page.click("#ticket-done")
    ct = service_id(world, "CT")
    page.click(f".tile[data-service-id='{ct}']")  # nobody waits: nothing to offer
    looked_elsewhere(page, ct)
    assert page.is_hidden("#elsewhere")


@pytest.fixture
def closed_app(make_app: Callable[..., Flask], sqlite_url: str) -> Flask:
    config = copy.deepcopy(DEMO)
    for site in config["communes"][0]["sites"]:
        site["always_open"] = False
    return make_app(sqlite_url, config=config)


def test_outside_opening_hours_the_kiosk_says_so_and_shows_the_hours(
    closed_app: Flask, new_page: Any
) -> None:
    world = World(closed_app)
    world.luot.clock = Clock(datetime(2026, 11, 29, 3, 0, tzinfo=UTC))  # a Sunday, 10:00 in Viet Nam
    server = LiveServer(closed_app).start()
    try:
        page = open_kiosk(new_page, server.url, world.device_token("kiosk", site="KB1"))
        page.wait_for_selector("#closed-banner:not([hidden])")
        hours = page.inner_text("#closed-banner")
        assert "Ngoài giờ làm việc" in hours
        assert "Thứ Hai" in hours and "07:30–11:30, 13:30–17:00" in hours
        assert "Chủ Nhật" in hours and "Nghỉ" in hours
        screenshot(page, "kiosk-closed-portrait")
        page.click(".tile >> nth=0")
        assert page.is_visible("#review-closed") and page.is_hidden("[data-action=take]")
    finally:
        server.stop()


# -- the citizen's status page -----------------------------------------------------------------------


def test_the_status_page_follows_the_ticket_until_a_clerk_calls_it(
    world: World, live_server: LiveServer, new_page: Any, kiosk_token: str
) -> None:
    kiosk = {"Authorization": f"Bearer {kiosk_token}"}
    first = world.issue(kiosk, site="KB1", service="HT")
    mine = world.issue(kiosk, site="KB1", service="HT")
    phone = new_page(*PHONE)
    phone.goto(f"{live_server.url}/t/{mine['public_code']}")
    phone.wait_for_selector("body[data-status=waiting][data-live=on]")
    assert phone.inner_text("#number") == mine["number"]
    assert phone.inner_text("#ahead") == "1"  # one person ahead, as the kiosk and the ticket say
    assert phone.inner_text("#service-name") == "Hộ tịch"
    screenshot(phone, "status-waiting-portrait")
    phone.set_viewport_size({"width": PHONE_LANDSCAPE[0], "height": PHONE_LANDSCAPE[1]})
    screenshot(phone, "status-waiting-landscape")
    phone.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})

    clerk = world.staff("clerk", sites=("KB1",))
    counter_id = world.open_counter(clerk, site="KB1", counter="Q1")
    world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk, json={})
    phone.wait_for_selector("#ahead:text-is('0')")
    assert phone.is_visible("#next")
    assert phone.inner_text("#wait") == "Sắp đến lượt"  # nobody ahead: never "khoảng 0 phút"
    world.client.post(f"/api/v1/tickets/{first['id']}/no-show", headers=clerk, json={})
    world.client.post(f"/api/v1/counters/{counter_id}/call-next", headers=clerk, json={})
    phone.wait_for_selector("body[data-status=called]")
    assert phone.inner_text("#counter") == "Quầy 1"
    screenshot(phone, "status-called-portrait")
    phone.set_viewport_size({"width": PHONE_LANDSCAPE[0], "height": PHONE_LANDSCAPE[1]})
    screenshot(phone, "status-called-landscape")

    phone.click("#language-switch")  # English, remembered on the phone
    assert phone.inner_text("#counter") == "Counter 1"
    kb1 = next(s for c in DEMO["communes"] for s in c["sites"] if s["code"] == "KB1")
    assert phone.inner_text("#site-name") == kb1["name_en"]  # the English name where there is one
    phone.reload()
    phone.wait_for_selector("body[data-status=called]")
    assert phone.inner_text("#called-label") == "It is your turn: please go to"
    text = phone.inner_text("body")
    assert "0912" not in text


def test_an_unknown_ticket_has_no_status_page(live_server: LiveServer, new_page: Any) -> None:
    page = new_page(*PHONE)
    response = page.goto(f"{live_server.url}/t/not-a-ticket")
    assert response.status == 404
    assert "Không tìm thấy phiếu" in page.inner_text("main")


# -- staying up all day ------------------------------------------------------------------------------


def test_after_a_minute_without_a_touch_the_kiosk_goes_home_in_vietnamese(
    world: World, live_server: LiveServer, new_page: Any, kiosk_token: str
) -> None:
    page = new_page(*PORTRAIT)
    page.clock.install()
    page.goto(f"{live_server.url}/kiosk?token={kiosk_token}")
    page.wait_for_selector("body[data-screen=home] .tile")
    page.click("#language-switch")
    page.click(f".tile[data-service-id='{service_id(world, 'HT')}']")
    page.click("[data-action=identify]")
    type_on_keypad(page, "identify", "0912")
    page.clock.fast_forward(59_000)
    assert page.get_attribute("body", "data-screen") == "identify"
    page.clock.fast_forward(2_000)
    page.wait_for_selector("body[data-screen=home]")
    assert page.inner_text("h1.home-title") == "Chọn dịch vụ"
    page.click(f".tile[data-service-id='{service_id(world, 'HT')}']")
    assert page.inner_text("#identity-chosen") == "không bắt buộc"  # the typed digits are gone


def test_a_day_of_tickets_does_not_grow_the_page(
    world: World, live_server: LiveServer, new_page: Any, kiosk_token: str
) -> None:
    page = open_kiosk(new_page, live_server.url, kiosk_token)
    ht = service_id(world, "HT")

    def one_ticket() -> None:
        page.click(f".tile[data-service-id='{ht}']")
        looked_elsewhere(page, ht)  # the queue grows: from the second ticket on the other point is offered
        page.click("[data-action=take]")
        page.wait_for_selector("body[data-screen=ticket]")
        page.click("#ticket-done")
        page.wait_for_selector("body[data-screen=home]")

    one_ticket()
    nodes = page.evaluate("document.getElementsByTagName('*').length")
    for _ in range(12):
        one_ticket()
    assert page.evaluate("document.getElementsByTagName('*').length") == nodes
    assert page.errors == []


# -- the server goes away and comes back ---------------------------------------------------------------


@pytest.fixture
def served(tmp_path: Path, sqlite_url: str, app: Flask, servers: list[ServerProcess]) -> ServerProcess:
    """``luot serve`` as its own process on the test's database, so that it can really stop and start."""
    env = {"LUOT_INSTANCE_PATH": str(tmp_path / "served-instance"), "LUOT_DATABASE_URL": sqlite_url}
    server = ServerProcess(env).start()
    servers.append(server)
    return server


def test_the_kiosk_says_when_the_server_is_unreachable_and_recovers_by_itself(
    world: World, served: ServerProcess, new_page: Any, kiosk_token: str
) -> None:
    page = open_kiosk(new_page, served.url, kiosk_token)
    assert page.is_hidden("#overlay-unreachable")

    served.terminate()
    page.wait_for_selector("#overlay-unreachable:not([hidden])")
    message = page.inner_text("#overlay-unreachable")
    assert "Tạm thời gián đoạn" in message and "Temporarily unavailable" in message
    screenshot(page, "kiosk-unreachable-portrait")

    served.start()
    page.wait_for_selector("#overlay-unreachable", state="hidden")
    page.click(f".tile[data-service-id='{service_id(world, 'HT')}']")
    page.click("[data-action=take]")
    page.wait_for_selector("body[data-screen=ticket]")
    assert page.inner_text("#ticket-number") == "A001"


# -- answers other capabilities are still building: the server's real answer, with their fields set --------


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("queued", "Đang in phiếu"),
        ("printed", "Mời nhận phiếu đã in"),
        ("failed", "Máy in đang gặp sự cố"),
    ],
)
def test_what_the_printer_did_is_said_on_the_ticket_screen(
    world: World, live_server: LiveServer, new_page: Any, kiosk_token: str, status: str, message: str
) -> None:
    page = open_kiosk(new_page, live_server.url, kiosk_token)

    def with_print_status(route: Any) -> None:
        response = route.fetch()
        route.fulfill(response=response, json={**response.json(), "print": {"status": status}})

    page.route("**/api/v1/sites/*/tickets", with_print_status)
    page.click(f".tile[data-service-id='{service_id(world, 'HT')}']")
    page.click("[data-action=take]")
    page.wait_for_selector("body[data-screen=ticket]")
    assert message in page.inner_text("#ticket-print")
    assert page.get_attribute("#ticket-print", "data-print") == status


# -- what the kiosk's printer really did --------------------------------------------------------------


def test_the_ticket_screen_follows_the_kiosks_printer_printed_or_broken(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    working = world.device("kiosk", site="KB1", printer="png://tickets")["Authorization"].split()[1]
    page = open_kiosk(new_page, live_server.url, working)
    page.click(f".tile[data-service-id='{service_id(world, 'HT')}']")
    page.click("[data-action=take]")
    page.wait_for_selector("#ticket-print[data-print=printed]")
    assert "Mời nhận phiếu đã in" in page.inner_text("#ticket-print")
    number = page.inner_text("#ticket-number")
    assert [
        path.name.endswith(f"-{number}.png")
        for path in (Path(world.app.instance_path) / "printers" / "tickets").glob("*")
    ] == [True]

    with socket.socket() as probe:  # a port where no printer answers
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    broken = world.device("kiosk", site="KB1", printer=f"tcp://127.0.0.1:{port}")["Authorization"].split()[1]
    page = open_kiosk(new_page, live_server.url, broken)
    page.click(f".tile[data-service-id='{service_id(world, 'HT')}']")
    page.click("[data-action=take]")
    page.wait_for_selector("#ticket-print[data-print=failed]")
    assert "Máy in đang gặp sự cố" in page.inner_text("#ticket-print")
    assert page.inner_text("#ticket-number")  # the ticket is valid all the same: number and QR on screen
    assert qr_text(page).startswith(live_server.url + "/t/")
