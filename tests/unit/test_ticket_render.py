"""The paper ticket: Vietnamese text wrapped inside the paper, a QR code a phone can read."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from PIL import Image

from printers.render import _font, find_font, render_ticket, wrap
from server.domain.printing import TicketPaper

LONG_SERVICE = (
    "Chứng thực bản sao từ bản chính, chứng thực chữ ký, chứng thực hợp đồng, giao dịch liên quan đến "
    "tài sản là động sản, quyền sử dụng đất và nhà ở; đăng ký khai sinh, khai tử, kết hôn, nhận cha, mẹ, con"
)


def ticket(**changes: object) -> TicketPaper:
    values: dict[str, object] = {
        "number": "A012",
        "service": LONG_SERVICE,
        "site": "Trung tâm Phục vụ hành chính công phường Kinh Bắc — Điểm tiếp nhận số 1",
        "commune": "Phường Kinh Bắc, Tỉnh Bắc Ninh",
        "issued_at": datetime(2026, 11, 30, 8, 5, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
        "status_url": "http://192.168.1.10:5000/t/Xk3pQ9vN2mLr7sTw",
        "priority": "pregnant",
        "ahead": 7,
        "estimated_wait_s": 1260,
        "footer": "Vui lòng giữ phiếu đến khi được phục vụ · Please keep this ticket",
    }
    values.update(changes)
    return TicketPaper(**values)  # type: ignore[arg-type]


def margins_are_blank(image: Image.Image, margin: int) -> bool:
    grey = image.convert("L")
    for x in [*range(margin), *range(image.width - margin, image.width)]:
        column = grey.crop((x, 0, x + 1, image.height))
        if column.getextrema()[0] == 0:
            return False
    return True


@pytest.mark.parametrize("width", [384, 576])
def test_a_long_vietnamese_service_name_is_wrapped_inside_the_paper_and_the_qr_code_reads_back(
    width: int,
) -> None:
    image = render_ticket(ticket(), width)

    assert image.mode == "1"
    assert image.width == width
    assert margins_are_blank(image, max(8, width // 40) - 1)
    found = zxingcpp.read_barcodes(image.convert("L"))
    assert [code.text for code in found] == ["http://192.168.1.10:5000/t/Xk3pQ9vN2mLr7sTw"]


def test_every_wrapped_line_fits_and_no_word_is_lost() -> None:
    font = _font(24, True)
    lines = wrap(LONG_SERVICE, font, 300)

    assert len(lines) > 3
    assert all(font.getlength(line) <= 300 for line in lines)
    assert " ".join(lines).split() == LONG_SERVICE.split()


def test_a_word_wider_than_the_paper_is_broken_between_letters_not_clipped() -> None:
    font = _font(24, False)
    word = "Nghiêngnghiêngnghiêngnghiêngnghiêngnghiêngnghiêng"
    lines = wrap(word, font, 200)

    assert "".join(lines) == word
    assert all(font.getlength(line) <= 200 for line in lines)


def test_text_in_decomposed_form_prints_as_the_same_composed_letters() -> None:
    composed = render_ticket(ticket(service="Đăng ký hộ tịch"), 384)
    decomposed = render_ticket(ticket(service=unicodedata.normalize("NFD", "Đăng ký hộ tịch")), 384)

    assert composed.tobytes() == decomposed.tobytes()


def test_a_longer_service_name_makes_a_longer_ticket_rather_than_smaller_text() -> None:
    short = render_ticket(ticket(service="Hộ tịch"), 576)
    long = render_ticket(ticket(), 576)

    assert long.height > short.height


def test_the_ticket_travels_to_a_print_agent_as_json_and_back() -> None:
    original = ticket()
    assert TicketPaper.from_json(original.to_json()) == original


def test_the_font_found_draws_vietnamese() -> None:
    assert find_font().endswith((".ttf", ".otf"))


def test_an_appointment_ticket_carries_its_time_to_the_paper_and_the_print_agent() -> None:
    booked = ticket(appointment=True, appointment_time="09:00")
    assert TicketPaper.from_json(booked.to_json()).appointment_time == "09:00"
    with_time = render_ticket(booked, 384)
    without_time = render_ticket(ticket(appointment=True), 384)
    assert with_time.tobytes() != without_time.tobytes()  # the line names the time


def test_a_ticket_issued_offline_says_so_and_promises_no_wait_but_keeps_its_qr_code() -> None:
    online = render_ticket(ticket(ahead=0, estimated_wait_s=0), 576)
    offline = render_ticket(ticket(ahead=7, offline=True), 576)  # its queue is not known on the kiosk PC

    assert offline.tobytes() != online.tobytes() and offline.height != render_ticket(ticket(), 576).height
    found = zxingcpp.read_barcodes(offline.convert("L"))
    assert [code.text for code in found] == ["http://192.168.1.10:5000/t/Xk3pQ9vN2mLr7sTw"]
    assert TicketPaper.from_json(ticket(offline=True).to_json()).offline is True
