"""The kiosk's pages as served: no inline script, nothing personal, and a QR code that opens the ticket."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import zxingcpp
from flask import Flask
from PIL import Image, ImageDraw

from tests.conftest import World

FIELDS = [
    "civil_status",
    "certification",
    "land",
    "insurance",
    "business",
    "social_protection",
    "online_help",
    "results",
    "other",
]


def read_qr_svg(svg: str) -> str:
    """Draw the SVG's modules (unit squares ``Mx,yH…``) and read them back as a QR code."""
    size = int(re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).group(1))  # type: ignore[union-attr]
    scale = 8
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y in re.findall(r"M(\d+),(\d+)H", svg):
        left, top = int(x) * scale, int(y) * scale
        draw.rectangle((left, top, left + scale - 1, top + scale - 1), fill=0)
    (found,) = zxingcpp.read_barcodes(image)
    return str(found.text)


def test_the_kiosk_page_has_no_inline_script_and_both_languages(world: World) -> None:
    response = world.client.get("/kiosk")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'type="module" src=' in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", html)
    assert "Lấy số thứ tự" in html and "Get a ticket" in html


def test_the_status_page_of_a_ticket_shows_nothing_personal(world: World) -> None:
    ticket = world.issue(world.device("kiosk"), phone="0912345678", citizen_id="001090012345")
    response = world.client.get(f"/t/{ticket['public_code']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'data-public-code="{ticket["public_code"]}"' in html
    assert "0912345678" not in html and "001090012345" not in html


def test_an_unknown_ticket_has_no_status_page_nor_qr_code(world: World) -> None:
    assert world.client.get("/t/no-such-ticket").status_code == 404
    assert world.client.get("/t/no-such-ticket/qr.svg").status_code == 404


def test_the_qr_code_holds_the_status_url_of_the_api(world: World) -> None:
    ticket = world.issue(world.device("kiosk"))
    response = world.client.get(f"/t/{ticket['public_code']}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert read_qr_svg(response.get_data(as_text=True)) == ticket["status_url"]
    assert ticket["status_url"] == f"http://localhost/t/{ticket['public_code']}"


def test_the_qr_code_uses_the_public_address_when_one_is_set(
    make_app: Callable[..., Flask], sqlite_url: str
) -> None:
    world = World(make_app(sqlite_url, LUOT_PUBLIC_URL="http://192.168.1.10:5000"))
    ticket = world.issue(world.device("kiosk"))
    svg = world.client.get(f"/t/{ticket['public_code']}/qr.svg").get_data(as_text=True)
    assert read_qr_svg(svg) == f"http://192.168.1.10:5000/t/{ticket['public_code']}"


def test_every_service_field_has_its_own_icon(world: World) -> None:
    with world.client.get("/static/kiosk/icons.svg") as response:
        assert response.status_code == 200
        root = ET.fromstring(response.get_data())  # noqa: S314 - our own file
    ids = {symbol.get("id") for symbol in root.iter("{http://www.w3.org/2000/svg}symbol")}
    assert {f"field-{field}" for field in FIELDS} <= ids
    assert {f"priority-{group}" for group in ("elderly", "disabled", "pregnant", "infant", "merit")} <= ids
