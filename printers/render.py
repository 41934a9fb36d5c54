"""The paper ticket (phiếu số thứ tự) as a 1-bit image, drawn with Pillow in a Vietnamese-capable font.

ESC/POS code pages cannot be trusted with Vietnamese, so the whole ticket is one raster image at the
printer's dot width (384 for 58 mm paper, 576 for 80 mm). Every text is NFC, wrapped to the width (a word
wider than the paper is broken between letters) and never clipped: the image is as tall as it needs.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from server.domain.printing import TicketPaper

WIDTHS = (384, 576)
DEFAULT_WIDTH = 576

# Vietnamese first, English second: the paper is read by citizens and by visitors.
PRIORITY_LABELS = {
    "elderly": "Người cao tuổi · Elderly",
    "disabled": "Người khuyết tật · Disability",
    "pregnant": "Phụ nữ mang thai · Pregnant",
    "infant": "Người đi cùng con nhỏ · With a small child",
    "merit": "Người có công với cách mạng · Person with merit",
}

FONT_CANDIDATES = {
    False: (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    ),
    True: (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
        "/usr/share/fonts/noto/NotoSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
}
FONT_ENV = {False: "LUOT_TICKET_FONT", True: "LUOT_TICKET_FONT_BOLD"}
# Letters a font must draw for a Vietnamese ticket (a font without them prints boxes).
VIETNAMESE_PROBE = (
    "ĂăÂâĐđÊêÔôƠơƯưẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ"
)


class FontMissing(RuntimeError):
    """No TrueType font that can draw Vietnamese was found."""


def sample_ticket(status_url: str = "http://luot.local/t/mau-thu-nghiem") -> TicketPaper:
    """The ticket ``luot print-test`` prints: every Vietnamese diacritic a real ticket may carry."""
    from datetime import UTC

    return TicketPaper(
        number="A012",
        service="Chứng thực bản sao từ bản chính, chữ ký, hợp đồng, giao dịch",
        service_en="Certification",
        site="Trung tâm Phục vụ hành chính công — Điểm tiếp nhận số 1",
        commune="Phường Kinh Bắc, Tỉnh Bắc Ninh",
        issued_at=datetime.now(UTC).astimezone(),
        status_url=status_url,
        priority="elderly",
        ahead=4,
        estimated_wait_s=720,
        footer="In thử: ĂÂĐÊÔƠƯ ăâđêôơư — ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ",
    )


# -- fonts -----------------------------------------------------------------------------------------------


def _draws_vietnamese(path: str) -> bool:
    try:
        font = ImageFont.truetype(path, 24)
    except OSError:
        return False
    missing = _glyph(font, "\U0010fffd")  # whatever the font draws for a letter it lacks
    return all(_glyph(font, char) != missing for char in VIETNAMESE_PROBE)


def _glyph(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    image = Image.new("L", (48, 48), 0)
    ImageDraw.Draw(image).text((8, 4), char, font=font, fill=255)
    return image.tobytes()


@cache
def find_font(bold: bool = False) -> str:
    """The path of a TrueType/OpenType font that draws Vietnamese; :class:`FontMissing` when none."""
    configured = os.environ.get(FONT_ENV[bold])
    candidates = (configured,) if configured else FONT_CANDIDATES[bold]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and _draws_vietnamese(candidate):
            return candidate
    raise FontMissing(
        "No font that can print Vietnamese was found "
        f"({FONT_ENV[bold]} or one of: {', '.join(FONT_CANDIDATES[bold])}). "
        "Install Debian's fonts-dejavu-core (scripts/setup does) or set the variable to a .ttf file."
    )


@cache
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(find_font(bold), size)


# -- layout ----------------------------------------------------------------------------------------------


def _text_width(font: ImageFont.FreeTypeFont, text: str) -> float:
    return font.getlength(text)


def _break_word(word: str, font: ImageFont.FreeTypeFont, width: int) -> Iterator[str]:
    piece = ""
    for char in word:
        if piece and _text_width(font, piece + char) > width:
            yield piece
            piece = ""
        piece += char
    if piece:
        yield piece


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """``text`` as lines no wider than ``width`` pixels; explicit line breaks are kept."""
    lines: list[str] = []
    for paragraph in unicodedata.normalize("NFC", text).splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            pieces = [word] if _text_width(font, word) <= width else list(_break_word(word, font, width))
            for piece in pieces:
                candidate = f"{line} {piece}" if line else piece
                if _text_width(font, candidate) <= width:
                    line = candidate
                else:
                    if line:
                        lines.append(line)
                    line = piece
        lines.append(line)
    return lines


@dataclass(frozen=True)
class _Block:
    image: Image.Image
    gap: int


class _Builder:
    """Stacks centred blocks of text, rules and pictures, then pastes them onto one tall image."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.margin = max(8, width // 40)
        self.inner = width - 2 * self.margin
        self.unit = width / 24  # base text size: 16 px on 58 mm paper, 24 px on 80 mm
        self.blocks: list[_Block] = []

    def text(
        self, text: str, size: float = 1.0, *, bold: bool = False, gap: float = 0.3, invert: bool = False
    ) -> None:
        font = _font(max(10, round(self.unit * size)), bold)
        ascent, descent = font.getmetrics()
        line_height = ascent + descent + max(2, round(font.size * 0.15))
        pad = round(font.size * 0.3) if invert else 0
        lines = wrap(text, font, self.inner - 2 * pad)
        height = line_height * len(lines) + 2 * pad
        image = Image.new("L", (self.width, height), 0 if invert else 255)
        if invert:
            image.paste(255, (0, 0, self.margin, height))
            image.paste(255, (self.width - self.margin, 0, self.width, height))
        draw = ImageDraw.Draw(image)
        for index, line in enumerate(lines):
            x = (self.width - _text_width(font, line)) / 2
            draw.text((x, pad + index * line_height), line, font=font, fill=255 if invert else 0)
        self.blocks.append(_Block(image, round(self.unit * gap)))

    def number(self, number: str) -> None:
        """The ticket number in the largest type that fits the width (at most about a third of it tall)."""
        size = round(self.width * 0.32)
        font = _font(size, True)
        while size > 20 and _text_width(font, number) > self.inner:
            size -= 4
            font = _font(size, True)
        if _text_width(font, number) > self.inner:  # an absurdly long number: wrap it like any text
            self.text(number, size / self.unit, bold=True)
            return
        left, top, right, bottom = font.getbbox(number)
        image = Image.new("L", (self.width, round(bottom - top)), 255)
        ImageDraw.Draw(image).text(
            ((self.width - (right - left)) / 2 - left, -top), number, font=font, fill=0
        )
        self.blocks.append(_Block(image, round(self.unit * 0.6)))

    def rule(self) -> None:
        image = Image.new("L", (self.width, 3), 255)
        image.paste(0, (self.margin, 1, self.width - self.margin, 3))
        self.blocks.append(_Block(image, round(self.unit * 0.5)))

    def qr(self, data: str) -> None:
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
        code.add_data(data)
        code.make(fit=True)
        modules = code.modules_count
        box = max(2, int(self.width * 0.55) // modules)
        image = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
        image = image.resize((modules * box, modules * box), Image.Resampling.NEAREST)
        block = Image.new("L", (self.width, image.height + 2 * box * 2), 255)  # a quiet zone above and below
        block.paste(image, ((self.width - image.width) // 2, box * 2))
        self.blocks.append(_Block(block, round(self.unit * 0.2)))

    def image(self) -> Image.Image:
        height = sum(block.image.height + block.gap for block in self.blocks) + self.margin * 2
        page = Image.new("L", (self.width, height), 255)
        y = self.margin
        for block in self.blocks:
            page.paste(block.image, (0, y))
            y += block.image.height + block.gap
        return page.point(lambda value: 255 if value >= 128 else 0).convert("1", dither=Image.Dither.NONE)


def minutes_text(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return f"~{minutes} phút · ~{minutes} min"


def render_ticket(ticket: TicketPaper, width: int = DEFAULT_WIDTH) -> Image.Image:
    """The ticket as a 1-bit image ``width`` dots wide; :class:`FontMissing` without a usable font."""
    if width < 200:
        raise ValueError("a ticket needs at least 200 dots of width")
    page = _Builder(width)
    if ticket.commune:
        page.text(ticket.commune, 0.9, bold=True, gap=0.1)
    page.text(ticket.site, 0.85)
    page.rule()
    page.text(ticket.service, 1.3, bold=True, gap=0.1)
    if ticket.service_en and ticket.service_en != ticket.service:
        page.text(ticket.service_en, 0.85)
    page.text("SỐ THỨ TỰ · YOUR NUMBER", 0.8, gap=0.1)
    page.number(ticket.number)
    if ticket.priority in PRIORITY_LABELS:
        page.text(
            "ƯU TIÊN · PRIORITY: " + PRIORITY_LABELS[ticket.priority], 0.95, bold=True, invert=True, gap=0.5
        )
    if ticket.appointment and ticket.appointment_time:
        at = ticket.appointment_time
        page.text(f"Lịch hẹn lúc {at} · Appointment at {at}", 0.95, bold=True)
    elif ticket.appointment:
        page.text("Có lịch hẹn · Appointment", 0.95, bold=True)
    if ticket.offline:
        page.text("Phiếu cấp khi mất kết nối · Issued offline", 0.9, bold=True)
    else:
        page.text(f"Số người chờ trước ông/bà · People ahead: {max(0, ticket.ahead)}", 1.0, gap=0.1)
    if ticket.ahead > 0 and not ticket.offline:
        page.text("Thời gian chờ dự kiến · Estimated wait", 0.9, gap=0.0)
        page.text(minutes_text(ticket.estimated_wait_s), 1.1, bold=True)
    page.text(ticket.issued_at.strftime("Ngày · Date %d/%m/%Y  %H:%M"), 0.9)
    page.qr(ticket.status_url)
    page.text("Quét mã để theo dõi lượt của ông/bà · Scan to follow your turn", 0.8)
    if ticket.footer:
        page.rule()
        page.text(ticket.footer, 0.85)
    return page.image()
