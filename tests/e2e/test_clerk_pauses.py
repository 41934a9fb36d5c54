"""The clerk's day on the tablet in a real browser: a pause with its reason, shown on the manager's live view
with how long; a recall confirmed with its count; a transfer with a preset reason; a closed counter that does
not read as a break."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from server.db.models import User
from server.services.sites.config_file import load_config
from tests.conftest import PASSWORD, TEST_CONFIG, Clock, LiveServer, World
from tests.e2e.conftest import WAIT_MS, screenshot
from tests.realtime_client import Listener

WAIT_S = WAIT_MS / 1000


@pytest.fixture
def open_page(new_page: Any) -> Iterator[Any]:
    errors: list[str] = []

    def open_(width: int = 1280, height: int = 800) -> Any:
        page = new_page(width, height)
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_
    assert errors == []


def sign_in(page: Any, server: LiveServer, path: str, username: str) -> None:
    page.goto(f"{server.url}{path}")
    page.fill("#signin-form [name=username]", username)
    page.fill("#signin-form [name=password]", PASSWORD)
    page.click("#signin-form [type=submit]")


def snap(page: Any, name: str) -> None:
    """A README screenshot, once the page's fonts are in."""
    page.evaluate("document.fonts.ready.then(() => true)")
    screenshot(page, name)


def test_a_pause_with_its_reason_reaches_the_managers_live_view(
    world: World, live_server: LiveServer, open_page: Any, listen: Any
) -> None:
    kiosk = world.device("kiosk")
    world.staff(username="lan")
    world.staff("manager", sites=("CB", "CH"), username="hoa")
    ticket = world.issue(kiosk, service="HT")
    world.issue(kiosk, service="HT")
    display: Listener = listen({"token": world.device_token("display"), "site_id": world.site("CB")["id"]})
    display.next("snapshot", timeout=WAIT_S)

    manager = open_page(1440, 900)
    sign_in(manager, live_server, "/manage", "hoa")
    q1 = manager.locator(".site-card[data-site-code=CB] li[data-counter=Q1]")
    expect(q1.locator(".pill")).to_have_text("Đóng quầy")  # closed is not "Nghỉ" (a break)

    tablet = open_page()
    sign_in(tablet, live_server, "/staff", "lan")
    tablet.click("#setup-counters [data-counter=Q1]")
    expect(tablet.locator("#counter-status")).to_have_text("Đóng quầy")
    tablet.locator("#primary").click()  # open
    expect(tablet.locator("#counter-status")).to_have_text("Đang mở")

    # A recall says so on screen, with its count.
    tablet.locator("#primary").click()  # call next
    expect(tablet.locator("#ticket-number")).to_have_text(ticket["number"])
    tablet.click("#act-recall")
    expect(tablet.locator("#message")).to_have_text(f"Đã gọi lại {ticket['number']} (lần gọi thứ 2).")

    # A transfer offers preset reasons; the chosen one fills the box and can still be edited.
    tablet.locator("#primary").click()  # start
    expect(tablet.locator("#ticket")).to_have_attribute("data-status", "serving")
    tablet.click("#act-transfer")
    dialog = tablet.locator("#transfer-dialog")
    dialog.get_by_label("Chứng thực").check()
    dialog.locator("[data-reason=wrong_service]").click()
    expect(dialog.locator("[name=reason]")).to_have_value("Lấy nhầm số của lĩnh vực khác")
    dialog.locator("[type=submit]").click()
    expect(dialog).to_be_hidden()

    # The pause asks why; the manager sees the reason and for how long.
    tablet.click("#counter-pause")
    pause = tablet.locator("#pause-dialog")
    expect(pause).to_be_visible()
    pause.get_by_label("Họp").check()
    snap(tablet, "staff-pause")
    pause.locator("[type=submit]").click()
    expect(pause).to_be_hidden()
    expect(tablet.locator("#counter-status")).to_have_text("Tạm dừng — Họp")
    changed = display.next("counter.updated", timeout=WAIT_S)
    while changed["counter"]["status"] != "paused":
        changed = display.next("counter.updated", timeout=WAIT_S)
    assert changed["counter"]["pause_reason"] == "meeting"
    expect(q1.locator(".pill")).to_have_text("Tạm dừng")
    expect(q1.locator(".pause")).to_have_text("Họp · đã 0 phút")
    expect(q1.locator(".pause")).to_have_attribute("data-reason", "meeting")


def local(hour: int, minute: int, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hour - 7, minute, tzinfo=UTC)


def test_the_clerks_daily_sheet_prints_the_exact_time_of_each_part_of_the_day(
    world: World, live_server: LiveServer, open_page: Any, clock: Clock
) -> None:
    clock.set(local(7, 30))
    kiosk = world.device("kiosk")
    lan = world.staff(username="lan")
    with world.luot.uow() as uow:
        uow.session.execute(
            sa.update(User).where(User.username == "lan").values(display_name="Nguyễn Thị Lan")
        )
        uow.commit()
    world.staff("manager", sites=("CB",), username="hoa")
    q1 = world.open_counter(lan)

    def act(path: str, body: dict[str, Any] | None = None) -> None:
        response = world.client.post(f"/api/v1/{path}", json=body or {}, headers=lan)
        assert response.status_code == 200, response.json

    clock.set(local(7, 40))
    ticket = world.issue(kiosk, service="HT")
    clock.set(local(7, 45))
    act(f"tickets/{ticket['id']}/call", {"counter_id": q1})
    clock.set(local(7, 47))
    act(f"tickets/{ticket['id']}/start")
    clock.set(
        local(
            8,
            7,
        )
    )
    act(f"tickets/{ticket['id']}/complete")
    clock.set(local(8, 10))
    act(f"counters/{q1}/pause", {"reason": "break"})
    clock.set(local(8, 25))
    act(f"counters/{q1}/close")
    clock.set(local(10, 0, day=24))

    page = open_page(900, 1270)
    sign_in(page, live_server, "/manage", "hoa")
    expect(page.locator("body")).to_have_attribute("data-view", "live")
    page.goto(f"{live_server.url}/manage/clerk-day?site_id={world.site('CB')['id']}&day=2026-11-23")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    sheet = page.locator(".clerk-sheet[data-username=lan]")
    expect(sheet.locator("h1")).to_have_text("Thời gian làm việc của cán bộ — Nguyễn Thị Lan")
    expect(sheet.locator(".clerk-on-duty")).to_have_text("0:55:00")  # 07:30–08:25

    def part(name: str) -> Any:
        return sheet.locator(f"tr[data-part='{name}'] .seconds")

    expect(part("available")).to_have_text("0:10:00")
    expect(part("idle")).to_have_text("0:05:00")
    expect(part("walking")).to_have_text("0:02:00")
    expect(part("serving")).to_have_text("0:20:00")
    expect(part("wrap_up")).to_have_text("0:03:00")
    expect(part("paused")).to_have_text("0:15:00")
    expect(part("paused.break")).to_have_text("0:15:00")
    page.emulate_media(media="print")
    snap(page, "manage-clerk-day")


def test_a_manager_adds_a_clerk_sees_a_kiosk_online_chooses_its_printer_and_revokes_it_refused_at_once(
    world: World, live_server: LiveServer, open_page: Any
) -> None:
    config = copy.deepcopy(TEST_CONFIG)  # the installer declares the hall's printer for Cát Bà
    config["communes"][0]["sites"][0]["printers"] = [{"name": "sanh", "uri": "tcp://192.168.1.50:9100"}]
    load_config(world.luot.uow(), config, world.luot.now())
    world.staff("manager", sites=("CB",), username="hoa")
    kiosk = world.device("kiosk")
    world.device("display")  # enrolled, never seen
    site = world.site("CB")["id"]
    body = {"service_id": world.service("CB", "HT")["id"]}
    assert world.client.post(f"/api/v1/sites/{site}/tickets", json=body, headers=kiosk).status_code == 201
    page = open_page(1440, 1000)
    sign_in(page, live_server, "/manage", "hoa")
    expect(page.locator("body")).to_have_attribute("data-view", "live")
    page.click("#tab-accounts")
    form = page.locator("#account-form")
    form.locator("[name=username]").fill("mai")
    form.locator("[name=display_name]").fill("Trần Thị Mai")
    form.locator("[name=password]").fill(PASSWORD)
    form.locator("#account-role").select_option("clerk")
    form.get_by_label("Trung tâm Phục vụ hành chính công - Cát Bà").check()
    form.locator("[type=submit]").click()
    expect(page.locator("#accounts-message")).to_have_text("Đã thêm tài khoản mai.")
    row = page.locator("#accounts-users tr[data-username=mai]")
    expect(row).to_contain_text("Trần Thị Mai")
    assert (
        world.client.post("/api/v1/auth/login", json={"username": "mai", "password": PASSWORD}).status_code
        == 200
    )

    device = page.locator("#devices-list tr[data-kind=kiosk]")
    expect(device).to_have_attribute("data-online", "true")  # it just issued a ticket
    expect(device.locator(".seen")).to_have_text("Đang kết nối")
    expect(page.locator("#devices-list tr[data-kind=display] .seen")).to_have_text("Chưa kết nối lần nào")
    # Its printer: one of the printers the installer declared, never an address typed on the page.
    printer = device.locator("select.printer")
    assert printer.locator("option").all_inner_texts() == [
        "Không có máy in",
        "sanh",
        "Máy in riêng của ki-ốt (qua chương trình in)",
    ]
    printer.select_option("sanh")
    expect(page.locator("#accounts-message")).to_have_text("Đã đổi máy in của kiosk CB.")
    expect(device.locator("select.printer")).to_have_value("sanh")
    assert world.client.get("/api/v1/device", headers=kiosk).json["printer_uri"] == "tcp://192.168.1.50:9100"
    revoke = device.locator("button.revoke")
    revoke.click()
    expect(revoke).to_have_text("Bấm lần nữa để thu hồi")
    snap(page, "manage-accounts")
    revoke.click()
    expect(device).to_have_attribute("data-revoked", "true")
    assert world.client.post(f"/api/v1/sites/{site}/tickets", json=body, headers=kiosk).status_code == 401

    # A new kiosk enrols with a code given on the page.
    code_form = page.locator("#code-form")
    code_form.locator("[name=kind]").select_option("kiosk")
    code_form.locator("[name=name]").fill("Ki-ốt sảnh")
    code_form.locator("[type=submit]").click()
    expect(page.locator("#code-result")).to_have_attribute(
        "data-code", re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$")
    )
    code = page.locator("#code-result").get_attribute("data-code")
    enrolled = world.client.post("/api/v1/devices/enrol", json={"code": code, "kind": "kiosk"})
    assert enrolled.status_code == 201
